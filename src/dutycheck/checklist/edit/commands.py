"""The edits `dutycheck checklist …` runs: new, add, set, remove, rename, save, validate."""

from __future__ import annotations

import datetime
import os
import tempfile
from pathlib import Path
from typing import Any

from ...errors import ChecklistError
from .atomic import _render, _save, _stage, _validate_file, renamed_error, write_validated
from .comments import _add_before, _add_top, _detach_after_key, _detach_tail, _drop_top, _place_after, _token
from .document import _MAP_INDENT, ITEM_ORDER, _Doc, _insert_key, _open, _read_text
from .nodes import (
    _base_ids,
    _block_seq,
    _block_top,
    _flow_seq,
    _index_of,
    _items_seq,
    _limit,
    _map,
    _no_item,
    _path_steps,
    _set_path,
    _with_tail_moved,
    parse_value,
)


def new_checklist(path: str | os.PathLike, checklist_id: str, *, extends: str | None = None,
                  title: str | None = None) -> Any:
    """Create a checklist file: a child of `extends`, or an empty root checklist.

    The file explains itself in comments (where to add items, how to override and
    disable inherited ones), so a legal officer can start from it without the docs.
    """
    path = Path(path)
    if path.exists():
        raise ChecklistError("文件已存在，不会覆盖", "file exists; not overwriting", path=str(path))
    from ..load import ID_RE

    if not ID_RE.match(checklist_id):
        raise ChecklistError(f"清单 id“{checklist_id}”只能用小写字母、数字、-、_ 和 .",
                             "checklist id must be lower-case ascii (a-z 0-9 - _ .)", path=str(path))
    version = datetime.date.today().strftime("%Y.%m")
    title = title or checklist_id
    q = _quote
    if extends:
        ref = extends
        if "/" in extends or "\\" in extends or extends.endswith((".yaml", ".yml")):
            ref = os.path.relpath(Path(extends).resolve(), (path.parent if str(path.parent) else Path(".")).resolve())
        text = f"""\
# {title}
# 继承“{extends}”清单：只写与它不同的地方。格式见 docs/checklist-format.md。
# Extends the {extends!r} checklist: write only what differs. Format: docs/checklist-format.md.
#   新增职责 (add an item):       dutycheck checklist add {path.name} --id ... --title ... --group ... --phrase ...
#   修改继承的职责 (change one):  dutycheck checklist set {path.name} legal-counsel.retained weight 4
#   停用继承的职责 (switch off):  dutycheck checklist remove {path.name} school-governance.charter
#   校验 (validate):              dutycheck checklist validate {path.name}

id: {checklist_id}
extends: {q(ref)}
version: {q(version)}
title: {q(title)}
items: []
"""
    else:
        text = f"""\
# {title}
# 格式见 docs/checklist-format.md (format: docs/checklist-format.md)
#   新增分组和职责 (add a group and an item):
#     dutycheck checklist add {path.name} --id ... --title ... --group ... --group-title ... --phrase ...
#   校验 (validate): dutycheck checklist validate {path.name}

id: {checklist_id}
version: {q(version)}
title: {q(title)}
groups: []
items: []
"""
    if path.parent and not path.parent.exists():
        raise ChecklistError("目录不存在", "directory does not exist", path=str(path.parent))
    return write_validated(path, text)


def _quote(text: str) -> str:
    """A scalar for the template: as written when YAML reads it back as the same text,
    else double-quoted (the bundled files' style: version: "2026.11")."""
    import json

    import yaml

    try:
        plain_ok = yaml.safe_load(f"k: {text}") == {"k": text}
    except yaml.YAMLError:
        plain_ok = False
    return text if plain_ok else json.dumps(text, ensure_ascii=False)


def add_item(path: str | os.PathLike, fields: dict[str, Any], *,
             group_title: str | None = None) -> Any:
    """Add an item (`fields` in any order; written in the house key order).

    The item goes after the last item of its group, above the next group's header
    comment, or at the end. With `group_title`, an undefined group is added too.
    """
    doc = _open(path)
    item = _map()
    for key in ITEM_ORDER:
        if key in fields and fields[key] is not None:
            item[key] = fields[key]
    for key, value in fields.items():        # unknown keys too: validation names them
        if key not in item and value is not None:
            item[key] = value
    data = doc.data
    if group_title and item.get("group"):
        groups = data.get("groups")
        known = {g.get("id") for g in groups or [] if isinstance(g, dict)}
        if item["group"] not in known and item["group"] not in _base_groups(doc):
            groups = _block_top(doc, "groups", _block_seq)
            new_group = _map([("id", item["group"]), ("title", group_title)])
            _insert_element(doc, groups, len(groups), new_group, "groups")
    seq = _items_seq(doc, create=True)
    pos = len(seq)
    for i, other in enumerate(seq):
        if isinstance(other, dict) and other.get("group") == item.get("group"):
            pos = i + 1
    _insert_element(doc, seq, pos, item, "items")
    return _save(doc)


def _insert_element(doc: "_Doc", seq: Any, pos: int, element: Any, top: str) -> None:
    """Insert into a top-level list, above the comments that introduce what follows."""
    if not len(seq):
        seq.append(element)
        return
    tail = _detach_tail(seq[pos - 1], _limit(doc, top)) if pos > 0 else []
    seq.insert(pos, element)
    separated = bool(tail) and not tail[0].value.strip()
    if doc.blank_between and top == "items" and pos > 0 and not separated:
        _add_before(seq, pos, [_token("\n", 0)])
    if separated:                                  # keep the blank line between items
        _add_before(seq, pos, [tail.pop(0)])
    _place_after(doc, seq, pos, tail, top)


def _base_groups(doc: _Doc) -> set[str]:
    ext = doc.data.get("extends")
    if not ext:
        return set()
    from ..load import load_checklist_uncached, resolve_path

    base = load_checklist_uncached(resolve_path(str(ext), relative_to=doc.path.parent.resolve()))
    return set(base.groups)


def set_value(path: str | os.PathLike, item_id: str, key: str, value: str) -> str:
    """Set one field of an item; VALUE is YAML (`3`, `true`, `[a, b]`), text keys literal.

    `key` may be a dotted path (`examples.match`, `match.0.within`); a trailing `+`
    appends to a list instead (`match.0.any+ 人民来信`). For an item the file inherits
    through `extends`, the value goes into `overrides: {ID: {KEY: …}}`, starting from the
    inherited value when only part of it changes, so `examples.match+` keeps the base's
    examples. Returns "items" or "overrides": where the value was written.
    """
    append = key.endswith("+")
    key = key[:-1] if append else key
    steps = _path_steps(key)
    if steps[0] == "id":
        raise ChecklistError("修改 id 请用 rename（会同时改写引用）",
                             "use `rename` to change an id (it rewrites references)")
    parsed = parse_value(value, "" if append else str(steps[-1]))
    doc = _open(path)
    seq = doc.data.get("items")
    index = _index_of(seq, item_id)
    if index is not None:
        _with_tail_moved(doc, seq, index, "items",
                         lambda: _set_path(seq[index], steps, parsed, key, append=append))
        _save(doc)
        return "items"
    if item_id not in _base_ids(doc):
        raise _no_item(doc, item_id)
    data = doc.data
    if isinstance(data.get("disable"), list) and item_id in data["disable"]:
        raise ChecklistError(f"条目“{item_id}”已在本文件中停用（disable），先从 disable 中去掉再修改",
                             f"{item_id!r} is disabled in this file; take it out of `disable` first",
                             path=str(doc.path))
    overrides = _block_top(doc, "overrides", _map)
    if not (item_id in overrides and isinstance(overrides[item_id], dict)):
        last = list(overrides)[-1] if len(overrides) else None
        tail = _detach_tail(overrides[last], _MAP_INDENT) if last is not None else []
        overrides[item_id] = _map()
        _place_after(doc, overrides, item_id, tail, "overrides")
    entry = overrides[item_id]

    def change() -> None:
        if (len(steps) > 1 or append) and steps[0] not in entry:
            inherited = _base_raw_item(doc, item_id).get(steps[0])
            if inherited is not None:
                _insert_key(entry, str(steps[0]), _commented(inherited), ITEM_ORDER)
        _set_path(entry, steps, parsed, key, append=append)

    _with_tail_moved(doc, overrides, item_id, "overrides", change)
    _save(doc)
    return "overrides"


def _base_raw_item(doc: _Doc, item_id: str) -> dict:
    """The inherited item as its base files write it (merged through their own extends)."""
    from ..load import _resolve, resolve_path

    base_path = resolve_path(str(doc.data["extends"]), relative_to=doc.path.parent.resolve())
    merged, _chain = _resolve(base_path.resolve(), ())
    for raw in merged["_items"]:
        if raw.get("id") == item_id:
            return {k: v for k, v in raw.items() if not k.startswith("_")}
    return {}


def _commented(value: Any) -> Any:
    """Plain data as ruamel nodes in the house style: phrase lists in flow style."""
    if isinstance(value, dict):
        return _map([(k, _commented(v)) for k, v in value.items()])
    if isinstance(value, list):
        simple = all(not isinstance(v, (dict, list)) for v in value) or \
            all(isinstance(v, list) and all(not isinstance(x, (dict, list)) for x in v) for v in value)
        items = [_commented(v) for v in value]
        return _flow_seq(items) if simple else _block_seq(items)
    return value


def remove_item(path: str | os.PathLike, item_id: str) -> str:
    """Remove an item defined in this file, or disable one it inherits.

    Comments are never deleted: those above or below the removed item stay in place.
    If a checklist extending this file still names the id (`overrides`, `disable`), the
    removal is refused: what replaces the duty there is for a person to decide.
    Returns "removed" or "disabled".
    """
    doc = _open(path)
    data = doc.data
    seq = data.get("items")
    index = _index_of(seq, item_id)
    if index is not None:
        users = references_elsewhere(doc.path, item_id)
        if users:
            raise ChecklistError(
                f"以下清单继承本文件并引用了“{item_id}”，请先在其中去掉该引用：{'、'.join(users)}",
                f"{item_id!r} is still referred to by checklists extending this file: {', '.join(users)}",
                path=str(doc.path))
        limit = _limit(doc, "items")
        before = list((seq.ca.items.get(index) or [None, None])[1] or [])
        tail = _detach_tail(seq[index], limit)
        if index > 0:
            kept = _detach_tail(seq[index - 1], limit) + before + _drop_double_blank(tail)
            del seq[index]
            _place_after(doc, seq, index - 1, kept, "items")
        else:
            del seq[index]
            if len(seq):
                _add_before(seq, 0, before + _drop_double_blank(tail))
            else:
                _place_after(doc, doc.data, "items", before + tail, "items")
        _save(doc)
        return "removed"
    if item_id not in _base_ids(doc):
        raise _no_item(doc, item_id)
    if isinstance(data.get("overrides"), dict) and item_id in data["overrides"]:
        _pop_key(doc, data["overrides"], item_id)
        if not len(data["overrides"]):
            _drop_top(doc, "overrides")
    disable = data.get("disable")
    if disable is None:
        _add_top(doc, "disable", _flow_seq([item_id]))
    elif item_id not in disable:
        disable.append(item_id)
    _save(doc)
    return "disabled"


def _drop_double_blank(tokens: list) -> list:
    """After removing an item, one blank separator line is enough."""
    if tokens and not tokens[0].value.strip():
        return tokens[1:]
    return tokens


def _pop_key(doc: "_Doc", mapping: Any, key: str) -> None:
    """Delete an entry of a top-level mapping (`overrides`), keeping the comments around it."""
    keys = list(mapping)
    pos = keys.index(key)
    kept = list((mapping.ca.items.get(key) or [None, None])[1] or []) + \
        _detach_after_key(mapping, key, _MAP_INDENT)
    if pos > 0:
        kept = _detach_after_key(mapping, keys[pos - 1], _MAP_INDENT) + kept
    mapping.ca.items.pop(key, None)
    del mapping[key]
    if not len(mapping):
        _place_after(doc, doc.data, "overrides", kept, "overrides")
    elif pos > 0:
        _place_after(doc, mapping, keys[pos - 1], kept, "overrides")
    else:
        _add_before(mapping, keys[1], kept)


def rename_item(path: str | os.PathLike, old: str, new: str) -> tuple[int, list[str]]:
    """Rename an item id, and rewrite the checklists that extend this file and refer to it.

    Only ids defined in this file can be renamed: an inherited id belongs to its base.
    References live in the children (`overrides: {OLD: …}`, `disable: [OLD]`) found
    beside this file, one folder down, and in ./ and ./checklists. The new base and every
    rewritten child are validated before any file is replaced. Returns (places changed,
    children rewritten).
    """
    from ..load import ID_RE

    if not ID_RE.match(new):
        raise ChecklistError(f"新 id“{new}”只能用小写字母、数字、-、_ 和 .",
                             "id must be lower-case ascii (a-z 0-9 - _ .)")
    doc = _open(path)
    seq = doc.data.get("items")
    index = _index_of(seq, old)
    if index is None:
        if old in _base_ids(doc):
            raise ChecklistError(f"条目“{old}”来自被继承的清单，只能在那里改名",
                                 f"{old!r} is inherited; rename it in the base checklist",
                                 path=str(doc.path))
        raise _no_item(doc, old)
    seq[index]["id"] = new
    count = 1 + _rewrite_references(doc, old, new)
    children = []
    for child in dependents(doc.path):
        try:
            cdoc = _open(child)
        except ChecklistError:
            continue
        n = _rewrite_references(cdoc, old, new)
        if n:
            children.append(cdoc)
            count += n
    _save_family(doc, children)
    return count, [str(c.path) for c in children]


def _rewrite_references(doc: _Doc, old: str, new: str) -> int:
    """`overrides` keys and `disable` entries naming `old`, renamed in place."""
    data = doc.data
    count = 0
    overrides: Any = data.get("overrides")   # a ruamel CommentedMap: keeps comments and order
    if isinstance(data.get("overrides"), dict) and old in overrides:
        keys = list(overrides)
        pos = keys.index(old)
        comment = overrides.ca.items.pop(old, None)
        value = overrides.pop(old)
        overrides.insert(pos, new, value)
        if comment is not None:
            overrides.ca.items[new] = comment
        count += 1
    disable = data.get("disable")
    if isinstance(disable, list):
        for i, ref in enumerate(disable):
            if ref == old:
                disable[i] = new
                count += 1
    return count


def _save_family(base: _Doc, children: list[_Doc]) -> None:
    """Validate a base and its rewritten children together, then replace them all."""
    import yaml

    from ..load import _loaders, _locate, validate_data

    staged: list[tuple[Path, Path]] = []
    try:
        tmp = _stage(base.path, _render(base), newline=base.newline, bom=base.bom)
        staged.append((tmp, base.path))
        try:
            compiled = _validate_file(tmp)
        except ChecklistError as exc:
            raise renamed_error(exc, tmp, base.path) from None
        ids, groups = {it.id for it in compiled.items}, set(compiled.groups)
        for child in children:
            text = _render(child)
            ctmp = _stage(child.path, text, newline=child.newline, bom=child.bom)
            staged.append((ctmp, child.path))
            problems = validate_data(yaml.load(text, Loader=_loaders()[0]), ids, groups)
            if problems:
                located = _locate(ctmp, problems)
                raise renamed_error(ChecklistError(f"清单有 {len(located)} 处错误",
                                              f"{len(located)} problems in checklist",
                                              path=str(ctmp), problems=located), ctmp, child.path)
        for tmp_path, target in staged:
            os.replace(tmp_path, target)
    except BaseException:
        for tmp_path, _target in staged:
            tmp_path.unlink(missing_ok=True)
        raise


def dependents(path: str | os.PathLike) -> list[Path]:
    """Checklists that extend `path` directly: beside it, one folder down, in ./ and ./checklists."""
    import yaml

    from ..load import resolve_path

    path = Path(path).resolve()
    folders = [path.parent, *sorted(p for p in path.parent.iterdir() if p.is_dir()),
               Path.cwd(), Path.cwd() / "checklists"]
    seen: set[Path] = set()
    found = []
    for folder in folders:
        if not folder.is_dir():
            continue
        for other in sorted(folder.glob("*.y*ml")):
            real = other.resolve()
            if real == path or real in seen or other.name.startswith("."):
                continue
            seen.add(real)
            try:
                data = yaml.safe_load(other.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, yaml.YAMLError):
                continue
            if not isinstance(data, dict) or not isinstance(data.get("extends"), str):
                continue
            try:
                target = resolve_path(data["extends"], relative_to=other.parent).resolve()
            except ChecklistError:
                continue
            if target == path:
                found.append(other)
    return found


def save_text(path: str | os.PathLike, text: str) -> Any:
    """Validate and save text typed by a person (`checklist edit`), keeping the file's
    line endings and BOM."""
    path = Path(path)
    try:
        _, bom, newline = _read_text(path)
    except ChecklistError:
        bom, newline = False, "\n"
    return write_validated(path, text, newline=newline, bom=bom)


def references_elsewhere(path: str | os.PathLike, item_id: str) -> list[str]:
    """Checklists that extend `path` and still name `item_id` (they would now fail)."""
    import yaml

    out = []
    for child in dependents(path):
        try:
            data = yaml.safe_load(child.read_text(encoding="utf-8")) or {}
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue
        overrides = data.get("overrides")
        disable = data.get("disable")
        overrides = overrides if isinstance(overrides, dict) else {}
        disable = disable if isinstance(disable, list) else []
        if item_id in overrides or item_id in disable:
            out.append(str(child))
    return out


def validate_text(text: str, *, directory: str | os.PathLike = ".", shown_as: str = "<checklist>") -> Any:
    """Validate checklist text that is not (yet) a file, e.g. `build` output on stdout.

    It is written to a temporary file in `directory`, so a relative `extends` resolves
    as it will where the text is saved, and removed afterwards.
    """
    fd, tmp_name = tempfile.mkstemp(prefix=".dutycheck-", suffix=".tmp.yaml", dir=directory)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        try:
            return _validate_file(tmp)
        except ChecklistError as exc:
            raise renamed_error(exc, tmp, Path(shown_as)) from None
    finally:
        tmp.unlink(missing_ok=True)
