"""Batch mode: audit a region's reports in parallel and stream a compact row per report.

A reviewer drops a folder of hundreds or thousands of reports. Workers (processes) audit
them and send back the report's `dutycheck.audit/1` JSON line plus a compact summary; the
caller writes the line out as it arrives (or spools it to disk) and keeps only the small
`ReportRow`, so memory does not grow with the size of the audits. A file that fails gets
an `ErrorRow` naming it, and the others carry on. Identical files (same sha256) are
audited once and flagged as duplicates.

Library use::

    from dutycheck.batch import run_batch
    batch = run_batch(["reports/"], recursive=True, jobs=2)
    for rank, row in batch.ranking():
        print(rank, row.agency, row.score)
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import re
import signal
import sys
import time
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence, Sized
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import DutycheckError
from .models import STATUS_ORDER

if TYPE_CHECKING:  # pragma: no cover
    from .checklist.model import Checklist

ERROR_SCHEMA = "dutycheck.error/1"
BATCH_SCHEMA = "dutycheck.batch/1"
STATUSES = tuple(s.value for s in STATUS_ORDER)
STATUS_CODE = {"done": "d", "planned": "p", "shortfall": "s", "absent": "a", "na": "n"}  # na: reviewer only
CODE_STATUS = {v: k for k, v in STATUS_CODE.items()}
STRUCTURE_GROUP = "structure"
REGION_MODES = ("auto", "folder", "name")
UNKNOWN_REGION = "（未知地区）"

Lookup = Callable[[str], "str | None"]


# ----------------------------------------------------------------------------- inputs

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
    from .read import SUPPORTED_SUFFIXES

    return frozenset(SUPPORTED_SUFFIXES)


_GLOB_CHARS = re.compile(r"[*?\[]")
_README = re.compile(r"^(?:readme|说明)(?:\..*)?$", re.I)


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
        reason = _skip_reason(os.path.basename(path), suffixes)
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


# ----------------------------------------------------------------------------- regions

_PLACE = re.compile(r"[\u4e00-\u9fff]{1,9}?(?:特别行政区|自治区|自治州|自治县|自治旗|地区|省|市|州|盟|县|区|旗)")
_NOT_PLACE = re.compile(r"教育|体育|科技|局|委|厅|政府|办公|中心|学校")


def places(agency: str | None) -> list[str]:
    """The administrative divisions an agency's name starts with: 焦作市山阳区教育局 → [焦作市, 山阳区]."""
    out: list[str] = []
    pos = 0
    while agency:
        m = _PLACE.match(agency, pos)
        if not m or _NOT_PLACE.search(m.group()):
            break
        out.append(m.group())
        pos = m.end()
    return out


def region_of(inp: Input, agency: str | None, mode: str = "auto") -> str:
    """The region a report is grouped under: its folder, or the first place in the agency name.

    `auto` uses the folder when the report sits in one (below the PATH given, or the parent
    of a named file), else the name; `folder` and `name` force one source.
    """
    named = places(agency)
    by_name = named[0] if named else None
    if mode == "name":
        return by_name or inp.folder or UNKNOWN_REGION
    if mode == "folder":
        return inp.folder or UNKNOWN_REGION
    return inp.folder or by_name or UNKNOWN_REGION


# ----------------------------------------------------------------------------- rows

@dataclass(frozen=True, slots=True)
class ItemInfo:
    id: str
    title: str
    group: str
    weight: float
    basis: str = ""
    guidance: str = ""


@dataclass(slots=True)
class ReportRow:
    """What a batch keeps of one audited report (the full audit goes to the output stream).

    `statuses` holds one letter per checklist item, in checklist order: d(one), p(lanned),
    s(hortfall), a(bsent), n (不适用, set by a reviewer). `gaps` are the ids of the three heaviest
    items not done. `reviewed` counts the items whose status a reviewer's correction set.
    """

    path: str
    sha256: str
    agency: str | None
    year: int | None
    region: str
    score: float
    done: int
    total: int
    statuses: str
    gaps: tuple[str, ...]
    format: str = ""
    duplicate_of: str | None = None
    cached: bool = False
    reviewed: int = 0

    def status(self, index: int) -> str:
        return CODE_STATUS[self.statuses[index]]

    def to_dict(self) -> dict:
        return {"path": self.path, "sha256": self.sha256, "agency": self.agency, "year": self.year,
                "region": self.region, "score": self.score, "done": self.done, "total": self.total,
                "gaps": list(self.gaps), "format": self.format, "duplicate_of": self.duplicate_of,
                "cached": self.cached, **({"reviewed": self.reviewed} if self.reviewed else {})}


@dataclass(slots=True)
class ErrorRow:
    """A file that could not be audited: the path and the reason, in Chinese and English."""

    path: str
    sha256: str | None
    error: dict
    duplicate_of: str | None = None

    @property
    def message(self) -> str:
        zh, en = self.error.get("zh", ""), self.error.get("en", "")
        return zh + (f" ({en})" if en else "")

    def to_dict(self) -> dict:
        """The `dutycheck.error/1` object: the error row in json/jsonl output."""
        return {"schema": ERROR_SCHEMA, "path": self.path, "sha256": self.sha256,
                "error": self.error, "duplicate_of": self.duplicate_of}


@dataclass(slots=True)
class Outcome:
    """One finished file: its row, and its JSON line (`dutycheck.audit/1` or `dutycheck.error/1`)."""

    row: ReportRow | ErrorRow
    line: str

    @property
    def ok(self) -> bool:
        return isinstance(self.row, ReportRow)


def items_of(checklist: "Checklist") -> tuple[ItemInfo, ...]:
    return tuple(ItemInfo(it.id, it.title, it.group, it.weight, it.basis, it.guidance)
                 for it in checklist.items)


def summary_fields(d: dict, order: dict[str, int], weights: Sequence[float],
                   ids: Sequence[str]) -> tuple:
    """The compact summary of an audit dict: (agency, year, score, done, total, statuses, gaps, format).

    One function for fresh audits and for audits served from the store, so both give the
    same row.
    """
    codes = ["a"] * len(ids)
    for it in d["items"]:
        i = order.get(it["id"])
        if i is not None:
            codes[i] = STATUS_CODE.get(it["status"], "a")
    done = codes.count("d")
    gap_idx = sorted((i for i, c in enumerate(codes) if c not in "dn"), key=lambda i: (-weights[i], i))[:3]
    rep = d.get("report") or {}
    return (rep.get("agency"), rep.get("year"), float(d["score"]), done, len(ids) - codes.count("n"),
            "".join(codes),
            tuple(ids[i] for i in gap_idx), rep.get("format") or "")


def error_info(exc: BaseException, path: str) -> dict:
    """An exception as the `error` object of an error row (DutycheckError keeps its own fields)."""
    if isinstance(exc, DutycheckError):
        d = exc.to_dict()
        d["path"] = d.get("path") or path
        return d
    detail = f"{type(exc).__name__}: {exc}"[:500]
    return {"path": path, "line": None, "column": None, "key": None,
            "zh": f"审查时发生内部错误：{detail}", "en": f"internal error: {detail}",
            "kind": type(exc).__name__}


def _dumps(d: dict) -> str:
    return json.dumps(d, ensure_ascii=False)


# ----------------------------------------------------------------------------- workers

_WORKER: dict[str, Any] = {}


FILE_TIMEOUT = 120.0
"""Seconds one file may take before it becomes an error row (a PDF that hangs the parser)."""


class _FileTimeout(BaseException):
    """Raised by the alarm; a BaseException so parsers' `except Exception` cannot swallow it."""


def _on_alarm(signum: int, frame: Any) -> None:
    raise _FileTimeout


def _time_limit(seconds: float | None):
    """Arm a per-file alarm where signals allow it (Unix, main thread); returns a disarm function."""
    import threading

    if not seconds or not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        return lambda: None
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)

    def disarm() -> None:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)

    return disarm


def _init_worker(checklist_path: str, timeout: float | None = FILE_TIMEOUT) -> None:
    """Per worker process: ignore Ctrl-C (the parent handles it) and load the checklist once."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _WORKER["timeout"] = timeout
    if "checklist" not in _WORKER:  # a forked worker already has the parent's
        from .checklist.load import load_checklist

        _WORKER["checklist"] = load_checklist(checklist_path)
    _prepare_index(_WORKER["checklist"])


def _prepare_index(checklist: "Checklist") -> tuple:
    """(item id → position, weights, ids) of a checklist, computed once per checklist."""
    if _WORKER.get("index_for") is not checklist:
        ids = tuple(it.id for it in checklist.items)
        weights = tuple(it.weight for it in checklist.items)
        _WORKER["index"] = ({i: n for n, i in enumerate(ids)}, weights, ids)
        _WORKER["index_for"] = checklist
    return _WORKER["index"]


def _audit_one(path: str, checklist: "Checklist | None" = None) -> tuple:
    """Audit one file: ("ok", json_line, summary_fields) or ("error", error_info).

    Every exception is caught here, so one bad file becomes one error row.
    """
    cl = checklist if checklist is not None else _WORKER["checklist"]
    limit = _WORKER.get("timeout", FILE_TIMEOUT)
    disarm = _time_limit(limit)
    try:
        from .audit import audit_path
        from .render.json import audit_dict

        d = audit_dict(audit_path(path, cl))
        return ("ok", _dumps(d), summary_fields(d, *_prepare_index(cl)))
    except _FileTimeout:
        return ("error", {"path": path, "line": None, "column": None, "key": None,
                          "zh": f"审查超时（超过 {limit:g} 秒），此文件未审查；可用 --timeout 放宽",
                          "en": f"timed out after {limit:g} s; not audited (raise --timeout)",
                          "kind": "Timeout"})
    except Exception as exc:  # noqa: BLE001 — any failure is this file's error row
        return ("error", error_info(exc, path))
    finally:
        disarm()


def default_jobs() -> int:
    """All the cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _hash_file(path: str) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


_CRASH = {"zh": "审查进程意外退出（可能是内存不足或解析库崩溃），此文件未审查",
          "en": "the worker process died while auditing this file (out of memory or a parser crash)",
          "kind": "WorkerCrash", "line": None, "column": None, "key": None}


def _noop() -> None:
    """Submitted once so that every worker is forked before the caller starts any thread."""


def iter_outcomes(inputs: Iterable[Input], checklist: "Checklist", *, jobs: int | None = None,
                  lookup: Lookup | None = None, region: str = "auto",
                  on_ready: Callable[[], None] | None = None,
                  timeout: float | None = FILE_TIMEOUT) -> Iterator[Outcome]:
    """Audit the inputs and yield each outcome as soon as it is known (completion order).

    `jobs=1` audits in this process; more uses a process pool with a bounded number of
    files in flight, so memory stays flat however many inputs there are. `lookup(sha256)`
    may return a stored `dutycheck.audit/1` line for an unchanged file (the cache).
    A file whose bytes equal an earlier input's is audited like any other and its row
    flagged `duplicate_of` that input. `on_ready` is called once the workers exist (start
    a progress bar after it: forking while a display thread runs is unsafe). A file that
    takes longer than `timeout` seconds becomes an error row (None: no limit).
    """
    jobs = jobs or default_jobs()
    _WORKER["timeout"] = timeout
    if isinstance(inputs, Sized) and len(inputs) <= 1:
        jobs = 1
    index = _prepare_index(checklist)
    first_of: dict[bytes, str] = {}   # first 16 bytes of a sha256 → path of the first input with it

    canon: dict[str, str] = {i: i for i in index[2]}   # rows share the checklist's id strings

    def from_result(inp: Input, sha: str, dup_of: str | None, res: tuple,
                    cached: bool = False) -> Outcome:
        if res[0] == "ok":
            agency, year, score, done, total, statuses, gaps, fmt = res[2]
            gaps = tuple(canon.get(g, g) for g in gaps)
            reg = region_of(inp, agency, region)
            row = ReportRow(inp.path, sha, agency, year, canon.setdefault(reg, reg), score, done,
                            total, statuses, gaps, canon.setdefault(fmt, fmt), dup_of, cached)
            return Outcome(row, res[1])
        err = ErrorRow(inp.path, sha or None, res[1], dup_of)
        return Outcome(err, _dumps(err.to_dict()))

    def prepare(inp: Input) -> tuple[str, str | None, Outcome | None]:
        """(sha256, duplicate_of, outcome if known without auditing)."""
        try:
            sha = _hash_file(inp.path)
        except OSError as exc:
            return "", None, from_result(inp, "", None, ("error", error_info(_os_error(exc, inp.path),
                                                                                  inp.path)))
        dup_of = first_of.setdefault(bytes.fromhex(sha[:32]), inp.path)
        dup_of = None if dup_of == inp.path else dup_of
        if lookup is not None:
            line = lookup(sha)
            if line is not None:
                d = json.loads(line)
                if d.get("path") != inp.path:
                    d["path"] = inp.path
                    line = _dumps(d)
                return sha, dup_of, from_result(inp, sha, dup_of, ("ok", line, summary_fields(d, *index)),
                                                cached=True)
        return sha, dup_of, None

    it = iter(inputs)
    if jobs <= 1:
        if on_ready:
            on_ready()
        for inp in it:
            sha, dup_of, known = prepare(inp)
            yield known or from_result(inp, sha, dup_of, _audit_one(inp.path, checklist))
        return

    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    window = jobs * 4

    def new_pool(workers: int) -> ProcessPoolExecutor:
        import multiprocessing as mp

        ctx = mp.get_context("fork") if sys.platform.startswith("linux") else None
        _WORKER["checklist"] = checklist  # inherited by forked workers: no reload
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init_worker,
                                   initargs=(checklist.path, timeout))
        pool.submit(_noop)
        return pool

    pool = new_pool(jobs)
    if on_ready:
        on_ready()
    pending: dict[Any, tuple[Input, str, str | None]] = {}
    exhausted = False
    try:
        while True:
            while not exhausted and len(pending) < window:
                inp = next(it, None)
                if inp is None:
                    exhausted = True
                    break
                sha, dup_of, known = prepare(inp)
                if known is not None:
                    yield known
                else:
                    pending[pool.submit(_audit_one, inp.path)] = (inp, sha, dup_of)
            if not pending:
                break
            done, _ = wait(list(pending), return_when=FIRST_COMPLETED)
            broken: list[tuple[Input, str, str | None]] = []
            for fut in done:
                inp, sha, dup_of = pending.pop(fut)
                try:
                    res = fut.result()
                except BrokenProcessPool:
                    broken.append((inp, sha, dup_of))
                    continue
                except Exception as exc:  # noqa: BLE001 — e.g. a result that would not pickle
                    res = ("error", error_info(exc, inp.path))
                yield from_result(inp, sha, dup_of, res)
            if broken:
                # The pool died with every file in flight; retry each alone in a fresh worker,
                # so only the file that kills it again gets the error row.
                broken += list(pending.values())
                pending.clear()
                pool.shutdown(wait=False, cancel_futures=True)
                for inp, sha, dup_of in broken:
                    solo = new_pool(1)
                    try:
                        res = solo.submit(_audit_one, inp.path).result()
                    except BrokenProcessPool:
                        res = ("error", dict(_CRASH, path=inp.path))
                    finally:
                        solo.shutdown(wait=True, cancel_futures=True)
                    yield from_result(inp, sha, dup_of, res)
                pool = new_pool(jobs)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def _os_error(exc: OSError, path: str) -> DutycheckError:
    from .errors import ReportError

    if isinstance(exc, FileNotFoundError):
        return ReportError("文件不存在", "no such file", path=path)
    if isinstance(exc, IsADirectoryError):
        return ReportError("这是一个目录，不是报告文件", "is a directory, not a report", path=path)
    if isinstance(exc, PermissionError):
        return ReportError("没有读取权限", "permission denied", path=path)
    return ReportError(f"无法读取文件：{exc.strerror or exc}", f"cannot read file: {exc.strerror or exc}",
                       path=path)


# ----------------------------------------------------------------------------- aggregate

@dataclass(frozen=True, slots=True)
class Coverage:
    """How often one duty is done / planned / shortfall / absent across the batch's reports."""

    item: ItemInfo
    counts: dict
    reports: int

    def share(self, status: str) -> float:
        """Share of the reports this duty applies to (a reviewer's 不适用 leaves the denominator)."""
        applies = self.reports - (self.counts.get("na", 0) if status != "na" else 0)
        return self.counts.get(status, 0) / applies if applies else 0.0

    def to_dict(self) -> dict:
        d = {"id": self.item.id, "title": self.item.title, "group": self.item.group,
             "weight": self.item.weight, "reports": self.reports}
        for s in STATUSES:
            d[s] = self.counts.get(s, 0)
            d[f"{s}_share"] = round(self.share(s), 4)
        return d


@dataclass(frozen=True, slots=True)
class RegionStats:
    region: str
    reports: int
    mean: float
    min: float
    max: float
    lowest: str | None             # agency (or file) with the lowest score
    neglected: ItemInfo | None     # the duty least often done in this region
    neglected_share: float         # its done share

    def to_dict(self) -> dict:
        return {"region": self.region, "reports": self.reports, "mean": round(self.mean, 1),
                "min": self.min, "max": self.max, "lowest": self.lowest,
                "most_neglected": self.neglected.id if self.neglected else None,
                "most_neglected_done_share": round(self.neglected_share, 4)}


class _RegionAcc:
    """Running totals of one region (so regions need no rows)."""

    __slots__ = ("n", "total", "min", "max", "lowest", "done")

    def __init__(self, items: int):
        self.n, self.total, self.min, self.max, self.lowest = 0, 0.0, float("inf"), float("-inf"), None
        self.done = [0] * items

    def add(self, row: ReportRow) -> None:
        self.n += 1
        self.total += row.score
        if row.score < self.min:
            self.min, self.lowest = row.score, row.agency or Path(row.path).name
        self.max = max(self.max, row.score)
        for i, ch in enumerate(row.statuses):
            if ch == "d":
                self.done[i] += 1


class Batch:
    """A batch run's record: the aggregates, the errors, the skipped files, and (unless
    `keep_rows=False`) one compact row per report for the ranking.

    Coverage, structure, regions and counts are running totals, so they cost the same for
    ten reports or a hundred thousand; only the ranking needs the rows (about 0.6 KB each).
    The streaming jsonl output keeps none. Duplicates are listed but not counted twice.
    """

    def __init__(self, checklist: "Checklist", skipped: Sequence[Skipped] = (), *, keep_rows: bool = True):
        self.checklist_id = checklist.id
        self.checklist_version = checklist.version
        self.checklist_title = checklist.title
        self.items = items_of(checklist)
        self.groups = {g.id: g.title for g in checklist.groups.values()}
        self.keep_rows = keep_rows
        self.rows: list[ReportRow] = []
        self.errors: list[ErrorRow] = []
        self.skipped: list[Skipped] = list(skipped)
        self.started = time.time()
        self.elapsed = 0.0
        self.run_id: int | None = None
        self._t0 = time.perf_counter()
        self._n = {"audited": 0, "unique": 0, "duplicates": 0, "cached": 0}
        self._sum = 0.0
        self._scores = array("d")                      # every audited report's score: 8 bytes each
        self._cov = [dict.fromkeys("dpsan", 0) for _ in self.items]
        self._regions: dict[str, _RegionAcc] = {}

    def add(self, outcome: Outcome) -> None:
        row = outcome.row
        if isinstance(row, ReportRow):
            self._n["audited"] += 1
            self._n["cached"] += row.cached
            self._scores.append(row.score)
            if row.duplicate_of:
                self._n["duplicates"] += 1
            else:
                self._n["unique"] += 1
                self._sum += row.score
                for i, ch in enumerate(row.statuses[:len(self._cov)]):
                    self._cov[i][ch] += 1
                acc = self._regions.get(row.region)
                if acc is None:
                    acc = self._regions[row.region] = _RegionAcc(len(self.items))
                acc.add(row)
            if self.keep_rows:
                self.rows.append(row)
        else:
            self.errors.append(row)
            self._n["duplicates"] += row.duplicate_of is not None
        self.elapsed = time.perf_counter() - self._t0

    def finish(self) -> None:
        self.elapsed = time.perf_counter() - self._t0

    # -- views
    def ranking(self) -> list[tuple[int, ReportRow]]:
        """Rows by score, best first; equal scores share a rank (1, 2, 2, 4)."""
        if not self.keep_rows:
            raise RuntimeError("this batch kept no rows (keep_rows=False): no ranking")
        rows = sorted(self.rows, key=lambda r: (-r.score, r.agency or "\uffff", r.year or 0, r.path))
        out: list[tuple[int, ReportRow]] = []
        prev, rank = None, 0
        for n, r in enumerate(rows, 1):
            if r.score != prev:
                rank, prev = n, r.score
            out.append((rank, r))
        return out

    def _coverage(self, i: int) -> Coverage:
        c = self._cov[i]
        return Coverage(self.items[i], {CODE_STATUS[k]: v for k, v in c.items()}, self._n["unique"])

    def coverage(self) -> list[Coverage]:
        """Every duty, the most neglected first: lowest done share, then heaviest, then most absent."""
        cov = [self._coverage(i) for i in range(len(self.items))]
        return sorted(cov, key=lambda c: (c.share("done"), -c.item.weight, -c.share("absent")))

    def structure(self) -> list[Coverage]:
        """The required parts of a report (the checklist's `structure` group), in checklist order."""
        return [self._coverage(i) for i, it in enumerate(self.items) if it.group == STRUCTURE_GROUP]

    def regions(self) -> list[RegionStats]:
        """Per region: count, mean/min/max score, lowest report, least-done duty; by mean, lowest first."""
        out = []
        for region, acc in self._regions.items():
            neglected, share = None, 0.0
            if self.items:
                i = min(range(len(self.items)), key=lambda i: (acc.done[i], -self.items[i].weight, i))
                neglected, share = self.items[i], acc.done[i] / acc.n
            out.append(RegionStats(region, acc.n, acc.total / acc.n, acc.min, acc.max, acc.lowest,
                                   neglected, share))
        return sorted(out, key=lambda s: (s.mean, s.region))

    def count_below(self, threshold: float) -> int:
        """How many audited reports (duplicates included) score below the threshold."""
        return sum(1 for s in self._scores if s < threshold)

    def item_title(self, item_id: str) -> str:
        for it in self.items:
            if it.id == item_id:
                return it.title
        return item_id

    def counts(self) -> dict:
        n = self._n
        files = n["audited"] + len(self.errors)
        return {
            "files": files,
            "audited": n["audited"],
            "unique": n["unique"],
            "failed": len(self.errors),
            "duplicates": n["duplicates"],
            "skipped": len(self.skipped),
            "cached": n["cached"],
            "mean_score": round(self._sum / n["unique"], 1) if n["unique"] else None,
            "elapsed_s": round(self.elapsed, 3),
            "reports_per_s": round(files / self.elapsed, 1) if self.elapsed > 0 else None,
        }

    def to_dict(self) -> dict:
        """Everything but the per-report audits, JSON-ready (the `dutycheck.batch/1` head)."""
        return {
            "schema": BATCH_SCHEMA,
            "checklist": {"id": self.checklist_id, "version": self.checklist_version,
                          "title": self.checklist_title},
            "run_id": self.run_id,
            "summary": self.counts(),
            "ranking": ([{"rank": rank, **r.to_dict()} for rank, r in self.ranking()]
                        if self.keep_rows else None),
            "coverage": [c.to_dict() for c in self.coverage()],
            "structure": [c.to_dict() for c in self.structure()],
            "regions": [s.to_dict() for s in self.regions()],
            "errors": [e.to_dict() for e in self.errors],
            "skipped": [s.to_dict() for s in self.skipped],
        }


def drain(items: list) -> Iterator:
    """Yield the items of a list front to back, letting go of each one (for long input lists)."""
    items.reverse()
    while items:
        yield items.pop()


class Spool:
    """The JSON lines of a run on disk, for the exports that need every audit at the end
    (json, xlsx, html) without holding them in memory."""

    def __init__(self) -> None:
        import tempfile

        self._fh = tempfile.TemporaryFile(mode="w+b")
        self._offsets: dict[str, int] = {}

    def add(self, outcome: Outcome) -> None:
        self._fh.seek(0, os.SEEK_END)
        self._offsets[outcome.row.path] = self._fh.tell()
        self._fh.write(outcome.line.encode("utf-8") + b"\n")

    def line(self, path: str) -> str | None:
        off = self._offsets.get(path)
        if off is None:
            return None
        self._fh.seek(off)
        return self._fh.readline().decode("utf-8").rstrip("\n")

    def lines(self, paths: Iterable[str]) -> Iterator[str]:
        """The lines of these paths, in this order."""
        for p in paths:
            line = self.line(p)
            if line is not None:
                yield line

    def audits(self, paths: Iterable[str]) -> Iterator[dict]:
        for line in self.lines(paths):
            yield json.loads(line)

    def close(self) -> None:
        self._fh.close()

    def __enter__(self) -> "Spool":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def run_batch(paths: Iterable[str | os.PathLike], checklist: "Checklist | str | os.PathLike" = "default", *,
              recursive: bool = False, jobs: int | None = None, lookup: Lookup | None = None,
              region: str = "auto", on_outcome: Callable[[Outcome], None] | None = None,
              keep_rows: bool = True, timeout: float | None = FILE_TIMEOUT) -> Batch:
    """Expand, audit and aggregate in one call: the library entry point of batch mode.

    `on_outcome` sees each outcome as it finishes (write its `.line` to stream the audits);
    `keep_rows=False` keeps only the aggregates (no ranking), for runs of any size.
    Raises ChecklistError for a bad checklist; bad report files become error rows.
    """
    from .checklist.load import load_checklist
    from .checklist.model import Checklist

    cl = checklist if isinstance(checklist, Checklist) else load_checklist(checklist)
    exp = expand_paths(paths, recursive=recursive)
    batch = Batch(cl, exp.skipped, keep_rows=keep_rows)
    for outcome in iter_outcomes(exp.inputs, cl, jobs=jobs, lookup=lookup, region=region, timeout=timeout):
        batch.add(outcome)
        if on_outcome is not None:
            on_outcome(outcome)
    batch.finish()
    return batch
