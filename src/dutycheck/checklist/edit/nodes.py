"""ruamel nodes: block/flow lists and maps, ordered key insertion, items by id, value parsing
and `a.b[0]` paths."""

from __future__ import annotations

from typing import Any

from ...errors import ChecklistError
from .comments import _add_top, _detach_tail, _place_after
from .document import _MAP_INDENT, ITEM_ORDER, TEXT_KEYS, _Doc, _insert_key, _ruamel


def _block_seq(items: list | None = None) -> Any:
    from ruamel.yaml.comments import CommentedSeq

    return CommentedSeq(items or [])


def _flow_seq(items: list) -> Any:
    from ruamel.yaml.comments import CommentedSeq

    seq = CommentedSeq(items)
    seq.fa.set_flow_style()
    return seq


def _map(pairs: list[tuple[str, Any]] | None = None) -> Any:
    from ruamel.yaml.comments import CommentedMap

    return CommentedMap(pairs or [])


def _is_placeholder(node: Any) -> bool:
    """A missing key or an empty flow `[]`/`{}`: nothing to keep, and no block to add to."""
    return node is None or (not len(node) and getattr(node, "fa", None) is not None and node.fa.flow_style())


def _block_top(doc: _Doc, key: str, make: Any) -> Any:
    """The top-level container under `key`, ready for block-style additions; a placeholder
    is replaced by `make()`, a new key goes in the house order."""
    data = doc.data
    node = data.get(key)
    if _is_placeholder(node):
        node = make()
        if key in data:
            data[key] = node
        else:
            _add_top(doc, key, node)
    return node


def _items_seq(doc: _Doc, create: bool = False) -> Any:
    seq = doc.data.get("items")
    if _is_placeholder(seq) and not create:
        return seq
    return _block_top(doc, "items", _block_seq)


def _index_of(seq: Any, item_id: str) -> int | None:
    for i, item in enumerate(seq or []):
        if isinstance(item, dict) and item.get("id") == item_id:
            return i
    return None


def _base_ids(doc: _Doc) -> set[str]:
    """Ids an `extends` child inherits (empty for a root checklist)."""
    ext = doc.data.get("extends")
    if not ext:
        return set()
    from ..load import load_checklist_uncached, resolve_path

    base = load_checklist_uncached(resolve_path(str(ext), relative_to=doc.path.parent.resolve()))
    return {it.id for it in base.items}


def _no_item(doc: _Doc, item_id: str) -> ChecklistError:
    return ChecklistError(f"清单中没有条目“{item_id}”", f"no item {item_id!r} in this checklist",
                          path=str(doc.path))


def _with_tail_moved(doc: "_Doc", container: Any, key: Any, top: str, change) -> None:
    """Run `change()` on element `key` with the comment lines after it kept after it."""
    tail = _detach_tail(container[key], _limit(doc, top))
    change()
    _place_after(doc, container, key, tail, top)


def _limit(doc: "_Doc", top: str) -> int:
    """Deepest column of a comment that belongs *between* elements of a top-level value."""
    return doc.dash if isinstance(doc.data.get(top), list) else _MAP_INDENT


def parse_value(text: str, key: str = "") -> Any:
    """A command-line VALUE as YAML: `3`, `true`, `[法律顾问, 公职律师]`, `{any: [述法]}`.

    Text keys (title, basis, guidance…) are taken literally, so `《规定》: 第三条` stays text.
    """
    if key in TEXT_KEYS:
        return text
    if not text.strip():
        return text
    from ruamel.yaml.error import YAMLError

    try:
        value = _ruamel().load(text)
    except YAMLError as exc:
        raise ChecklistError(f"值不是有效的 YAML：{text}", f"value is not valid YAML: {exc}") from exc
    return text if value is None else value


def _path_steps(key: str) -> list[str | int]:
    steps: list[str | int] = []
    for part in key.split("."):
        if not part:
            raise ChecklistError(f"键“{key}”格式有误", f"bad key path {key!r}")
        steps.append(int(part) if part.isdigit() else part)
    return steps


def _set_path(target: Any, steps: list[str | int], value: Any, key: str, *, append: bool = False) -> None:
    """Set target[a][b]…= value (or append to that list), creating missing mappings."""
    node = target
    for i, step in enumerate(steps[:-1]):
        if isinstance(step, int):
            if not isinstance(node, list) or step >= len(node):
                raise ChecklistError(f"“{key}”中的序号 {step} 不存在", f"index {step} out of range in {key!r}")
            node = node[step]
            continue
        if not isinstance(node, dict):
            raise ChecklistError(f"“{key}”无法设置：{step} 的上一级不是映射", f"cannot set {key!r}")
        if step not in node or node[step] is None:
            _insert_key(node, step, _map(), ITEM_ORDER if i == 0 else ())
        node = node[step]
    last = steps[-1]
    if append:
        values = list(value) if isinstance(value, list) else [value]
        current = node[last] if isinstance(last, int) and isinstance(node, list) and last < len(node) \
            else node.get(last) if isinstance(node, dict) else None
        if current is None:
            value = _flow_seq(values)
        elif isinstance(current, list):
            current.extend(values)
            return
        else:
            raise ChecklistError(f"“{key}”不是列表，不能用 + 追加", f"{key!r} is not a list; cannot append")
    if isinstance(last, int):
        if not isinstance(node, list) or last > len(node):
            raise ChecklistError(f"“{key}”中的序号 {last} 不存在", f"index {last} out of range in {key!r}")
        if last == len(node):
            node.append(value)
        else:
            node[last] = value
    elif isinstance(node, dict):
        if last in node:
            node[last] = value
        else:
            _insert_key(node, last, value, ITEM_ORDER if len(steps) == 1 else ())
    else:
        raise ChecklistError(f"“{key}”无法设置", f"cannot set {key!r}")
