"""Batch inputs: files, folders and globs → the files to audit, and the ones skipped with the reason."""

from __future__ import annotations

import glob
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Input:
    """A file to audit, and the region its folder names (None when it names none)."""

    path: str
    folder: str | None = None


@dataclass(frozen=True, slots=True)
class Skipped:
    """A file (or folder, or pattern) left out of the batch, and why: listed, never silent."""

    path: str
    zh: str
    en: str

    def to_dict(self) -> dict:
        return {"path": self.path, "zh": self.zh, "en": self.en}


@dataclass
class Expansion:
    inputs: list[Input] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def supported_suffixes() -> frozenset[str]:
    """The suffixes the read stage understands (its own list, so the two never drift)."""
    from ..read import SUPPORTED_SUFFIXES

    return frozenset(SUPPORTED_SUFFIXES)


_GLOB_CHARS = re.compile(r"[*?\[]")
_README = re.compile(r"^(?:readme|说明)(?:\..*)?$", re.IGNORECASE)


def _skip_reason(name: str, suffixes: frozenset[str]) -> tuple[str, str] | None:
    if name.startswith("~$"):
        return "Office 临时文件（文档正被打开时生成）", "Office lock file"
    if name.startswith("."):
        return "隐藏文件", "hidden file"
    suffix = os.path.splitext(name)[1].lower()
    if suffix not in suffixes:
        shown = suffix or "（无扩展名）"
        return (f"不支持的文件类型 {shown}（支持 {' '.join(sorted(suffixes))}）",
                f"unsupported file type {suffix or '(none)'}")
    if _README.match(name):
        return "说明文件（README），不是报告", "a README, not a report"
    return None


def _folder_region(path: str, root: str | None) -> str | None:
    """The folder part that names a region: the subfolder below the PATH the user gave, or,
    for a file or glob, its parent folder (unless that is the current directory)."""
    parent = os.path.dirname(path)
    if root is not None:
        rel = os.path.relpath(parent, root)
        return None if rel in (".", "") else rel.replace(os.sep, "/")
    if not parent or os.path.abspath(parent) == os.getcwd():
        return None
    return os.path.basename(os.path.normpath(parent)) or None


def expand_paths(paths: Iterable[str | os.PathLike], *, recursive: bool = False,
                 suffixes: frozenset[str] | None = None) -> Expansion:
    """Files, folders and globs → the files to audit, and the ones skipped with the reason.

    A path that does not exist is kept as an input: it becomes an error row naming it, so a
    typo in one name is reported without stopping the batch.
    """
    suffixes = suffixes if suffixes is not None else supported_suffixes()
    out = Expansion()
    seen: set[int | str] = set()
    folders: dict[str, str] = {}   # one string per folder, not one per file

    def add_file(path: str, root: str | None) -> None:
        try:  # the same file named twice (or through a link) counts once
            st = os.stat(path)
            key: int | str = (st.st_dev << 64) | st.st_ino
        except OSError:
            key = os.path.abspath(path)
        if key in seen:
            return
        seen.add(key)
        reason = _skip_reason(os.path.basename(path.rstrip("/\\")), suffixes)
        if reason and not os.path.lexists(path):
            # a mistyped folder (or a file name without its suffix) is not "an unsupported type"
            reason = ("文件或文件夹不存在，请检查路径是否写错", "no such file or folder (check the spelling)")
        if reason:
            out.skipped.append(Skipped(path, *reason))
        else:
            folder = _folder_region(path, root)
            out.inputs.append(Input(path, folders.setdefault(folder, folder) if folder else None))

    def add_dir(path: str) -> None:
        root = path
        if recursive:
            for dirpath, dirnames, filenames in os.walk(path):
                hidden = sorted(d for d in dirnames if d.startswith("."))
                for d in hidden:
                    out.skipped.append(Skipped(os.path.join(dirpath, d), "隐藏目录，未展开",
                                               "hidden folder, not expanded"))
                dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
                for name in sorted(filenames):
                    add_file(os.path.join(dirpath, name), root)
            return
        try:
            entries = sorted(os.scandir(path), key=lambda e: e.name)
        except OSError as exc:
            out.skipped.append(Skipped(path, f"无法读取文件夹：{exc.strerror}",
                                       f"cannot list folder: {exc.strerror}"))
            return
        for entry in entries:
            if entry.is_dir():
                out.skipped.append(Skipped(entry.path, "子目录未展开（使用 --recursive 可展开）",
                                           "subfolder not expanded (use --recursive)"))
            else:
                add_file(entry.path, root)

    for raw in paths:
        path = os.fspath(raw)
        if os.path.isdir(path):
            add_dir(path)
        elif os.path.exists(path) or not _GLOB_CHARS.search(path):
            add_file(path, None)
        else:
            matches = sorted(glob.glob(path, recursive=recursive))
            if not matches:
                out.skipped.append(Skipped(path, "通配符没有匹配到任何文件", "pattern matched no file"))
            for m in matches:
                if os.path.isdir(m):
                    add_dir(m)
                else:
                    add_file(m, None)
    return out


def drain(items: list) -> Iterator:
    """Yield the items of a list front to back, letting go of each one (for long input lists)."""
    items.reverse()
    while items:
        yield items.pop()
