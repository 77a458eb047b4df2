"""Reading a checklist for a round-trip edit: ruamel set up as the file is laid out (_Doc)."""

from __future__ import annotations

import codecs
import io
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...errors import ChecklistError

# Keys whose value is always text, so `set ID basis 《规定》: 第三条` keeps the colon.
TEXT_KEYS = frozenset({"title", "group", "basis", "guidance", "notes", "description", "version"})
# Where a key goes when an item does not have it yet: the order the bundled files use.
ITEM_ORDER = ("id", "title", "group", "weight", "kind", "roles", "ignore_in_titles", "fuzzy",
              "match", "context", "basis", "guidance", "examples", "notes")
TOP_ORDER = ("id", "extends", "version", "title", "description", "settings", "structure",
             "context", "groups", "items", "overrides", "disable")
_MAP_INDENT = 2        # keys of a top-level mapping (`overrides:`) sit at column 2


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
