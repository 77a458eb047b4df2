"""Edit checklist files in place without losing what people wrote.

Checklists are owned by legal officers who comment every phrase ("seen in 晋城 2023"),
so edits go through ruamel.yaml's round-trip mode: comments, key order, quoting, flow
lists and Chinese text come back as written. Every edit is validated by `load.py`
(for an `extends` child: the merged result) on a temporary file in the same directory,
which then replaces the original with `os.replace`; a failed edit leaves the file
byte-identical.

Two things ruamel does not do for us:
- It attaches a comment line to the node *before* it, so the header of the next group
  ("# ---- enforcement") travels with the last item of the previous group. Before changing
  an item or a list we move such trailing comments to where they belong (`_detach_tail`,
  `_attach_tail`), so an inserted item or key lands above them, not below.
- It re-emits a few layouts differently (a comment inside a multi-line [...] list is
  dropped). So the edit is applied as a patch to the text as written (`_render`): the
  change between ruamel's output before and after the edit, and nothing else.
"""

from __future__ import annotations

import codecs
import datetime
import io
import os
import re
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ChecklistError

# Keys whose value is always text, so `set ID basis 《规定》: 第三条` keeps the colon.
TEXT_KEYS = frozenset({"title", "group", "basis", "guidance", "notes", "description", "version"})
# Where a key goes when an item does not have it yet: the order the bundled files use.
ITEM_ORDER = ("id", "title", "group", "weight", "kind", "roles", "ignore_in_titles", "fuzzy",
              "match", "context", "basis", "guidance", "examples", "notes")
TOP_ORDER = ("id", "extends", "version", "title", "description", "settings", "structure",
             "context", "groups", "items", "overrides", "disable")
_MAP_INDENT = 2        # keys of a top-level mapping (`overrides:`) sit at column 2


# ----------------------------------------------------------------------------- reading

@dataclass
class _Doc:
    path: Path
    data: Any               # ruamel CommentedMap
    yaml: Any               # the configured ruamel YAML instance
    newline: str            # "\n" or "\r\n", as the file had it
    bom: bool
    dash: int               # column of "- " under a top-level key (`items:`)
    blank_between: bool     # items separated by a blank line
    original: str = ""      # the file's text ("\n" line ends, no BOM)
    base_dump: str = ""     # what ruamel writes for the unedited document


def _ruamel(dash: int = 2) -> Any:
    from ruamel.yaml import YAML

    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 4096                      # never re-wrap long Chinese lines
    y.allow_unicode = True
    y.indent(mapping=2, sequence=dash + 2, offset=dash)
    return y


def _dash_column(text: str) -> int:
    """Column of "- " under a top-level key: the bundled files use 2 (`  - id:`)."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if re.match(r"^[A-Za-z_][\w-]*:\s*(#.*)?$", line):
            for nxt in lines[i + 1:]:
                if not nxt.strip() or nxt.lstrip().startswith("#"):
                    continue
                m = re.match(r"^( *)- ", nxt)
                if m:
                    return len(m.group(1))
                break
    return 2


def _read_text(path: Path) -> tuple[str, bool, str]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise ChecklistError("清单文件不存在", "checklist file not found", path=str(path)) from exc
    except OSError as exc:
        raise ChecklistError(f"无法读取清单：{exc.strerror}", "cannot read checklist",
                             path=str(path)) from exc
    bom = raw.startswith(codecs.BOM_UTF8)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ChecklistError("清单文件不是 UTF-8 编码", "checklist is not UTF-8", path=str(path)) from exc
    newline = "\r\n" if "\r\n" in text else "\n"
    return text.replace("\r\n", "\n"), bom, newline


def _open(path: str | os.PathLike) -> _Doc:
    path = Path(path)
    text, bom, newline = _read_text(path)
    dash = _dash_column(text)
    y = _ruamel(dash)
    from ruamel.yaml.error import YAMLError

    try:
        data = y.load(text)
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise ChecklistError(f"YAML 语法错误：{problem}", "invalid YAML", path=str(path),
                             line=mark.line + 1 if mark else None,
                             column=mark.column + 1 if mark else None) from exc
    from ruamel.yaml.comments import CommentedMap

    if not isinstance(data, CommentedMap):
        raise ChecklistError("清单顶层应为映射", "top level must be a mapping", path=str(path))
    blank = bool(re.search(r"\n[ \t]*\n(?:[ \t]*#[^\n]*\n)*" + " " * dash + r"- ", text))
    doc = _Doc(path, data, y, newline, bom, dash, blank, original=text)
    doc.base_dump = _dump(doc)
    return doc


def _dump(doc: _Doc) -> str:
    buf = io.StringIO()
    doc.yaml.dump(doc.data, buf)
    return buf.getvalue()


# ----------------------------------------------------------------------------- writing

def _validate_file(path: Path) -> Any:
    """Load a checklist file afresh (no cache), resolving `extends`; raise ChecklistError."""
    from .load import load_checklist_uncached

    return load_checklist_uncached(path)


def renamed_error(exc: ChecklistError, tmp: Path, shown: Path) -> ChecklistError:
    """The same error, naming the user's file instead of the temporary one."""
    names = {str(tmp), str(tmp.resolve())}

    def fix(e: ChecklistError) -> ChecklistError:
        path = str(shown) if e.path in names else e.path
        zh = e.zh
        for n in names:
            zh = zh.replace(n, str(shown))
        return ChecklistError(zh, e.en, path=path, line=e.line, column=e.column, key=e.key,
                              problems=[fix(p) for p in e.problems])

    return fix(exc)


def _stage(path: Path, text: str, *, newline: str = "\n", bom: bool = False) -> Path:
    """Write the new content to a temporary file beside `path`, with `path`'s permissions."""
    directory = path.parent if str(path.parent) else Path(".")
    data = text.replace("\r\n", "\n")
    if newline != "\n":
        data = data.replace("\n", newline)
    payload = (codecs.BOM_UTF8 if bom else b"") + data.encode("utf-8")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".tmp.yaml", dir=directory)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            mode = stat.S_IMODE(path.stat().st_mode)
        except FileNotFoundError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp, mode)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def write_validated(path: str | os.PathLike, text: str, *, newline: str = "\n",
                    bom: bool = False) -> Any:
    """Validate `text` as the new content of `path`, then atomically replace the file.

    The text is written to a temporary file beside `path` (so a relative `extends`
    resolves the same way), loaded through `load.py`, and only then moved over the
    original. On any problem the temporary file is removed and the original is untouched;
    the ChecklistError names `path` with line numbers of the new text. Returns the
    compiled Checklist.
    """
    path = Path(path)
    tmp = _stage(path, text, newline=newline, bom=bom)
    try:
        try:
            checklist = _validate_file(tmp)
        except ChecklistError as exc:
            raise renamed_error(exc, tmp, path) from None
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return checklist


def _save(doc: _Doc) -> Any:
    return write_validated(doc.path, _render(doc), newline=doc.newline, bom=doc.bom)


def _render(doc: _Doc) -> str:
    """The edited file: the original text with only ruamel's changes for this edit.

    ruamel re-emits a few things differently from how people write them (a comment
    inside a multi-line [...] list is dropped, for one). So the edit is taken as the
    difference between ruamel's output before and after the change, and that difference
    is applied to the original text: lines the edit does not touch stay as written. If
    the edit falls on a line ruamel would rewrite, the edit is refused rather than lose
    what is there.
    """
    new = _dump(doc)
    if doc.original == doc.base_dump:
        return new
    merged = _three_way(doc.original, doc.base_dump, new)
    if merged is None or not _same_data(merged, new):
        raise ChecklistError(
            "这处修改涉及文件中无法自动保留的写法（如 [...] 列表内部的注释），为免丢失内容未作修改；"
            "请用 dutycheck checklist edit 手工修改",
            "the edit touches lines the editor cannot keep as written (e.g. comments inside "
            "a [...] list); nothing was changed: use `dutycheck checklist edit`",
            path=str(doc.path))
    return merged


def _three_way(original: str, base: str, new: str) -> str | None:
    """Apply the change base → new to `original` (base is ruamel's reading of original).

    None when a change touches a line of `base` that does not stand for a line of
    `original` as written, or when where to insert is ambiguous.
    """
    from difflib import SequenceMatcher

    o, b, n = (t.splitlines(keepends=True) for t in (original, base, new))
    b2o: dict[int, int] = {}
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, o, b, autojunk=False).get_opcodes():
        if tag == "equal":
            for k in range(j2 - j1):
                b2o[j1 + k] = i1 + k
    b2o[len(b)] = len(o)
    out: list[str] = []
    pos = 0
    for tag, j1, j2, k1, k2 in SequenceMatcher(None, b, n, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        if j1 < j2:
            span = [b2o.get(j) for j in range(j1, j2)]
            if None in span or span != list(range(span[0], span[0] + len(span))):
                return None
            start, end = span[0], span[-1] + 1
        else:
            after = b2o.get(j1 - 1, -1) + 1 if j1 > 0 else 0
            before = b2o.get(j1)
            if before is None or (j1 > 0 and (j1 - 1) not in b2o) or after != before:
                return None
            start = end = before
        if start < pos:
            return None
        out.extend(o[pos:start])
        out.extend(n[k1:k2])
        pos = end
    out.extend(o[pos:])
    return "".join(out)


def _same_data(a: str, b: str) -> bool:
    import yaml

    try:
        return yaml.safe_load(a) == yaml.safe_load(b)
    except yaml.YAMLError:
        return False


# ----------------------------------------------------------------------------- comments

def _is_block(node: Any) -> bool:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    return isinstance(node, (CommentedMap, CommentedSeq)) and len(node) > 0 \
        and not node.fa.flow_style()


def _spine(node: Any) -> list[tuple[Any, Any]]:
    """(container, last key) from `node` down to the deepest block container."""
    from ruamel.yaml.comments import CommentedMap

    out = []
    while _is_block(node):
        key = next(reversed(node)) if isinstance(node, CommentedMap) else len(node) - 1
        out.append((node, key))
        node = node[key]
    return out


def _token(text: str, column: int) -> Any:
    from ruamel.yaml.error import CommentMark
    from ruamel.yaml.tokens import CommentToken

    return CommentToken(text, CommentMark(column), None)


def _outside(text: str, column: int, limit: int) -> bool:
    stripped = text.strip()
    return not stripped or (stripped.startswith("#") and column <= limit)


def _split_post(tok: Any, limit: int) -> list:
    """Cut the outside lines off a post-comment token; return them as one-line tokens.

    A post token holds the end of the value's line ("# eol comment\n" or "\n") and then
    every comment or blank line up to the next node, indentation included.
    """
    value = tok.value
    if value.startswith("#"):
        cut = value.index("\n") + 1 if "\n" in value else len(value)
    else:
        cut = 1 if value.startswith("\n") else 0
    head, lines = value[:cut], value[cut:].splitlines(keepends=True)
    n = len(lines)
    while n and _outside(lines[n - 1], len(lines[n - 1]) - len(lines[n - 1].lstrip(" ")), limit):
        n -= 1
    detached = []
    for line in lines[n:]:
        if line.strip():
            detached.append(_token(line.lstrip(" "), len(line) - len(line.lstrip(" "))))
        else:
            detached.append(_token("\n", 0))
    if detached:
        tok.value = head + "".join(lines[:n])
    return detached


def _detach_tail(node: Any, limit: int) -> list:
    """Remove the blank lines and comments that follow `node` at indent <= `limit`.

    Those lines introduce what comes next (a group header, the next top-level key), but
    ruamel stores them on the last value of `node`. Returns them as one-line comment
    tokens, in order; comments indented deeper (inside the item) stay where they are.
    """
    from ruamel.yaml.comments import CommentedMap
    from ruamel.yaml.tokens import CommentToken

    detached: list = []
    for container, key in reversed(_spine(node)):
        post = 2 if isinstance(container, CommentedMap) else 0
        entry = container.ca.items.get(key)
        tok = entry[post] if entry and len(entry) > post else None
        if isinstance(tok, CommentToken):
            detached.extend(_split_post(tok, limit))
        end = container.ca.end
        if end:
            n = len(end)
            while n and _outside(end[n - 1].value, end[n - 1].column or 0, limit):
                n -= 1
            detached.extend(end[n:])
            del end[n:]
    return detached


def _append_post(container: Any, key: Any, post: int, tokens: list) -> None:
    entry = container.ca.items.setdefault(key, [None, None, None, None])
    while len(entry) <= post:
        entry.append(None)
    text = "".join(("\n" if not t.value.strip() else " " * (t.column or 0) + t.value) for t in tokens)
    old = entry[post]
    if old is not None and old.value:
        entry[post] = _token(old.value + text, old.column or 0)
    else:
        entry[post] = _token("\n" + text, 0)


def _attach_tail(node: Any, tokens: list) -> None:
    """Put comment lines after `node` at the end of the document (post comment of its
    deepest last value: where ruamel itself keeps a file's closing comments)."""
    from ruamel.yaml.comments import CommentedMap

    if not tokens:
        return
    spine = _spine(node)
    if not spine:
        return
    container, key = spine[-1]
    _append_post(container, key, 2 if isinstance(container, CommentedMap) else 0, tokens)


def _add_before(container: Any, key: Any, tokens: list) -> None:
    """Comment lines shown above element `key` (an index or a mapping key) of `container`."""
    if not tokens:
        return
    entry = container.ca.items.setdefault(key, [None, None, None, None])
    entry[1] = list(tokens) + list(entry[1] or [])


def _keys(container: Any) -> list:
    return list(container) if isinstance(container, dict) else list(range(len(container)))


def _place_after(doc: "_Doc", container: Any, key: Any, tokens: list, top: str) -> None:
    """Put comment lines that must follow element `key` of `container` (the value of the
    top-level key `top`): above the next element, else above the next top-level key,
    else at the end of the document."""
    if not tokens:
        return
    keys = _keys(container)
    if key in keys and keys.index(key) + 1 < len(keys):
        _add_before(container, keys[keys.index(key) + 1], tokens)
        return
    top_keys = list(doc.data)
    if top in top_keys and top_keys.index(top) + 1 < len(top_keys):
        _add_before(doc.data, top_keys[top_keys.index(top) + 1], tokens)
        return
    if key in keys:
        _attach_tail(container[key], tokens) if _is_block(container[key]) else \
            _append_post(container, key, 2 if isinstance(container, dict) else 0, tokens)


def _detach_after_key(mapping: Any, key: str, limit: int) -> list:
    """The comment lines between `key`'s value and the next key, taken off."""
    from ruamel.yaml.tokens import CommentToken

    if _is_block(mapping[key]):
        return _detach_tail(mapping[key], limit)
    entry = mapping.ca.items.get(key)
    tok = entry[2] if entry and len(entry) > 2 else None
    return _split_post(tok, limit) if isinstance(tok, CommentToken) else []


def _add_top(doc: "_Doc", key: str, value: Any) -> Any:
    """Add a top-level key in the house order. Comment lines above the key that now
    follows it stay above that key (ruamel stores them on the previous key's value)."""
    data = doc.data
    keys = list(data)
    _insert_key(data, key, value, TOP_ORDER)
    pos = list(data).index(key)
    if 0 < pos < len(keys):
        _add_before(data, keys[pos], _detach_after_key(data, keys[pos - 1], 0))
    return value


def _drop_top(doc: "_Doc", key: str) -> None:
    """Delete a top-level key; the comments around it stay."""
    data = doc.data
    keys = list(data)
    pos = keys.index(key)
    moved = list((data.ca.items.get(key) or [None, None])[1] or []) + _detach_after_key(data, key, 0)
    data.ca.items.pop(key, None)
    del data[key]
    if pos + 1 < len(keys):
        _add_before(data, keys[pos + 1], moved)
    elif pos > 0:
        prev = keys[pos - 1]
        _attach_tail(data[prev], moved) if _is_block(data[prev]) else _append_post(data, prev, 2, moved)


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


def _insert_key(mapping: Any, key: str, value: Any, order: tuple[str, ...]) -> None:
    """Add a key where the house order puts it (after the keys that come before it)."""
    keys = list(mapping)
    pos = len(keys)
    if key in order:
        rank = order.index(key)
        for i, k in enumerate(keys):
            if k in order and order.index(k) > rank:
                pos = i
                break
    mapping.insert(pos, key, value)


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
    from .load import load_checklist_uncached, resolve_path

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


# ----------------------------------------------------------------------------- commands

def new_checklist(path: str | os.PathLike, checklist_id: str, *, extends: str | None = None,
                  title: str | None = None) -> Any:
    """Create a checklist file: a child of `extends`, or an empty root checklist.

    The file explains itself in comments (where to add items, how to override and
    disable inherited ones), so a legal officer can start from it without the docs.
    """
    path = Path(path)
    if path.exists():
        raise ChecklistError("文件已存在，不会覆盖", "file exists; not overwriting", path=str(path))
    from .load import ID_RE

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
    from .load import load_checklist_uncached, resolve_path

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
    from .load import _resolve, resolve_path

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
    from .load import ID_RE

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
    overrides = data.get("overrides")
    if isinstance(overrides, dict) and old in overrides:
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

    from .load import _Loader, _locate, validate_data

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
            problems = validate_data(yaml.load(text, Loader=_Loader), ids, groups)
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

    from .load import resolve_path

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
        overrides = data.get("overrides") if isinstance(data.get("overrides"), dict) else {}
        disable = data.get("disable") if isinstance(data.get("disable"), list) else []
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
