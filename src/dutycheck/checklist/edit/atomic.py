"""Writing an edit: validated on a temporary file beside the original, then `os.replace`;
the edit applied as a patch to the text as written (`_render`)."""

from __future__ import annotations

import codecs
import os
import stat
import tempfile
from pathlib import Path
from typing import Any

from ...errors import ChecklistError
from .document import _Doc, _dump


def _validate_file(path: Path) -> Any:
    """Load a checklist file afresh (no cache), resolving `extends`; raise ChecklistError."""
    from ..load import load_checklist_uncached

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
            found = [b2o.get(j) for j in range(j1, j2)]
            span = [x for x in found if x is not None]
            if len(span) != len(found) or span != list(range(span[0], span[0] + len(span))):
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
