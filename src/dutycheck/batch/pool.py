"""Audit files in worker processes (workers.py) or in this process and yield each outcome as it is known.

Memory stays flat: a bounded number of files is in flight, each worker sends back the JSON
line and a compact summary. A worker that dies takes only its own file with it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import marshal
import os
import signal
import sys
from collections.abc import Callable, Generator, Iterable, Sized
from typing import TYPE_CHECKING, Any

from ..errors import DutycheckError
from ..safetext import display_path
from ..schema import AuditRecord, ErrorInfo
from ..timelimit import FileTimeout, time_limit
from .inputs import Input
from .records import ErrorRow, Extras, Outcome, ReportRow, error_info, summarize, summary_fields, summary_of
from .regions import region_of
from .workers import SpawnedWorkers, Workers

if TYPE_CHECKING:  # pragma: no cover
    from ..checklist.model import Checklist

Lookup = Callable[[str], "str | None"]

_WORKER: dict[str, Any] = {}


FILE_TIMEOUT = 120.0
"""Seconds one file may take before it becomes an error row (a PDF that hangs the parser)."""


# the per-file deadline lives in ..timelimit (a single `dutycheck audit` arms it too)
_FileTimeout = FileTimeout
_time_limit = time_limit


def _die_with_parent(parent: int) -> None:
    """A worker must not outlive the batch that started it (kill -9 of the parent included).

    Linux: the kernel sends SIGKILL when the parent goes (PR_SET_PDEATHSIG); it fires even while
    the worker is deep in a C parser. Elsewhere, and as a second line, a thread checks the parent
    every half second.
    """
    import threading

    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL, 0, 0, 0)      # PR_SET_PDEATHSIG = 1
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:                          # the parent went before prctl took effect
        os._exit(1)

    def watch() -> None:
        import time

        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="dutycheck-parent-watch", daemon=True).start()


def _init_worker(checklist_path: str, timeout: float | None = FILE_TIMEOUT, parent: int | None = None,
                 store_rows: bool = False, pdf_in_process: bool = False) -> None:
    """Per worker process: die with the parent, ignore Ctrl-C (the parent handles it), load the
    checklist once. `pdf_in_process`: read PDFs without a child per file (read.read_pdfs_in_process:
    a worker that dies has its files retried one by one in workers that fork the child)."""
    if parent is not None:
        _die_with_parent(parent)
    if pdf_in_process:
        from ..read import read_pdfs_in_process

        read_pdfs_in_process()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _WORKER["timeout"] = timeout
    _WORKER["store_rows"] = store_rows
    if "checklist" not in _WORKER:  # a forked worker already has the parent's
        from ..checklist.load import load_checklist

        _WORKER["checklist"] = load_checklist(checklist_path)
    _prepare_index(_WORKER["checklist"])


def _prepare_index(checklist: Checklist) -> tuple:
    """(item id → position, weights, ids) of a checklist, computed once per checklist."""
    if _WORKER.get("index_for") is not checklist:
        ids = tuple(it.id for it in checklist.items)
        weights = tuple(it.weight for it in checklist.items)
        _WORKER["index"] = ({i: n for n, i in enumerate(ids)}, weights, ids)
        _WORKER["index_for"] = checklist
    return _WORKER["index"]


def _audit_one(path: str, checklist: Checklist | None = None, data: bytes | None = None,
               sha256: str | None = None) -> tuple:
    """Audit one file: ("ok", json_line, summary_fields) or ("error", error_info).

    `data`/`sha256`: the file's bytes and hash as the parent read them (each file is read
    once); without them the file is read here. Every exception is caught here, so one bad
    file becomes one error row.
    """
    cl = checklist if checklist is not None else _WORKER["checklist"]
    limit = _WORKER.get("timeout", FILE_TIMEOUT)
    disarm = _time_limit(limit)
    try:
        from .. import audit
        from ..read import read_source

        result = audit.audit_source(read_source(path, data=data, sha256=sha256), cl)
        if _WORKER.get("store_rows"):
            from ..store import audit_rows

            rec = AuditRecord.from_result(result)
            line = rec.to_json()
            return ("ok", line, summary_fields(rec, *_prepare_index(cl)), Extras.of(rec, audit_rows(rec, line)))
        # no store: the line straight from the result (the same bytes, without the record's objects)
        return ("ok", AuditRecord.json_of(result), summary_of(result, *_prepare_index(cl)),
                Extras(result.report.date, result.fingerprints, tuple(f.to_dict() for f in result.formal)))
    except _FileTimeout:
        return ("error", ErrorInfo(path, None, None, None,
                                   f"审查超时（超过 {limit:g} 秒），此文件未审查；可用 --timeout 放宽",
                                   f"timed out after {limit:g} s; not audited (raise --timeout)", "Timeout"))
    except Exception as exc:  # noqa: BLE001 — any failure is this file's error row
        return ("error", error_info(exc, path))
    finally:
        disarm()


def _serve_task(task: tuple[str, bytes | None, str | None]) -> tuple[tuple, bytes]:
    """A worker's answer to one task (path, bytes, sha256), as workers.py sends it: the
    audit's summary and Extras as plain tuples (marshal), the JSON line as UTF-8 bytes."""
    path, data, sha256 = task
    res = _audit_one(path, None, data, sha256)
    try:
        if res[0] == "ok":
            _, line, summary, ex = res
            store = tuple(ex.store) if ex.store is not None else None
            answer: tuple = ("ok", summary, (ex.date, ex.fingerprints, ex.formal, store))
            utf8 = line.encode("utf-8")
        else:
            e = res[1]
            answer, utf8 = ("error", (e.path, e.line, e.column, e.key, e.zh, e.en, e.kind, dict(e.extra))), b""
        marshal.dumps(answer)           # what would not marshal is this file's error, here
        return answer, utf8
    except Exception as exc:  # noqa: BLE001 — e.g. a finding holding an object marshal refuses
        e = error_info(exc, path)
        return ("error", (e.path, e.line, e.column, e.key, e.zh, e.en, e.kind, {})), b""


def _result_of(answer: tuple, utf8: bytes) -> tuple:
    """A worker's answer as `_audit_one` returned it there (the line left as UTF-8 bytes)."""
    if answer[0] == "ok":
        _, summary, (date, fingerprints, formal, store) = answer
        from ..store import AuditRows

        return ("ok", utf8, summary, Extras(date, fingerprints, formal, AuditRows(*store) if store else None))
    return ("error", ErrorInfo(*answer[1]))


_FORKED_WORKERS = sys.platform.startswith("linux")
"""Linux forks the workers (workers.Workers); elsewhere they start afresh (SpawnedWorkers)."""
_SPAWN_CONTEXT: Any = None      # SpawnedWorkers' multiprocessing context: the system's default


def default_jobs() -> int:
    """All the cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


class _NotAFile(OSError):
    """A FIFO, a device (a link to /dev/zero), a socket: reading it would block or never end."""


def _read_file(path: str) -> tuple[str, bytes | None]:
    """(sha256, bytes) of a regular file, read once: the audit gets these bytes. A file larger
    than the reader accepts is hashed (its first MAX_BYTES + 1 bytes, for the duplicate check)
    but not kept (None): the reader refuses it by its size without reading it. The parent reads
    outside any per-file time limit, so anything that could block (a FIFO waits for a writer,
    /dev/zero never ends) is refused by its type first, and the file is opened without blocking."""
    import stat

    from ..read import MAX_BYTES

    st = os.stat(path)
    if stat.S_ISDIR(st.st_mode):
        raise IsADirectoryError(path)
    if not stat.S_ISREG(st.st_mode):
        raise _NotAFile(path)
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fh.fileno())
        if not stat.S_ISREG(st.st_mode):      # swapped after the stat
            raise _NotAFile(path)
        if st.st_size <= MAX_BYTES:
            data = fh.read(st.st_size + 1)      # read(MAX_BYTES + 1) allocates 20 MB first: ~60 µs a file
            if len(data) > st.st_size:          # it grew since the stat: read on to the limit
                data += fh.read(MAX_BYTES + 1 - len(data))
            return hashlib.sha256(data).hexdigest(), (data if len(data) <= MAX_BYTES else None)
        h = hashlib.sha256()
        left = MAX_BYTES + 1
        while left > 0:
            chunk = fh.read(min(1 << 20, left))
            if not chunk:
                break
            h.update(chunk)
            left -= len(chunk)
        return h.hexdigest(), None


class _FirstOf:
    """The first input with each sha256 (its first 16 bytes), for the duplicate check: in a private
    temporary SQLite database on disk, so that it does not grow the batch process with N (a
    dict of keys and paths took ~300 bytes a file)."""

    def __init__(self) -> None:
        import sqlite3

        # "" opens a private temporary database on disk, deleted when the connection closes
        self._db = sqlite3.connect("", isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA cache_size = -256")
        self._db.execute("PRAGMA journal_mode = OFF")
        self._db.execute("CREATE TABLE seen (key BLOB PRIMARY KEY, path BLOB) WITHOUT ROWID")
        self._db.execute("BEGIN")           # never committed: the table lives as long as the batch

    def first(self, sha256: str, path: str) -> str:
        """The path of the first input with this sha256 (this one, if it is the first)."""
        key = bytes.fromhex(sha256[:32])
        if self._db.execute("INSERT OR IGNORE INTO seen VALUES (?, ?)",
                            (key, path.encode("utf-8", "surrogatepass"))).rowcount == 1:
            return path
        return self._db.execute("SELECT path FROM seen WHERE key = ?", (key,)).fetchone()[0].decode(
            "utf-8", "surrogatepass")


def _crash(path: str) -> ErrorInfo:
    return ErrorInfo(path, None, None, None, "审查进程意外退出（可能是内存不足或解析库崩溃），此文件未审查",
                     "the worker process died while auditing this file (out of memory or a parser crash)",
                     "WorkerCrash")


def iter_outcomes(inputs: Iterable[Input], checklist: Checklist, *, jobs: int | None = None,
                  lookup: Lookup | None = None, region: str = "auto",
                  on_ready: Callable[[], None] | None = None,
                  timeout: float | None = FILE_TIMEOUT, store_rows: bool = False) -> Generator[Outcome, None, None]:
    """Audit the inputs and yield each outcome as soon as it is known (completion order).

    `jobs=1` audits in this process; more uses forked workers (workers.py) with a bounded number of
    files in flight, so memory stays flat however many inputs there are. `lookup(sha256)`
    may return a stored `dutycheck.audit/1` line for an unchanged file (the cache).
    A file whose bytes equal an earlier input's is audited like any other and its row
    flagged `duplicate_of` that input. `on_ready` is called once the workers exist (start
    a progress bar after it: forking while a display thread runs is unsafe). A file that
    takes longer than `timeout` seconds becomes an error row (None: no limit). `store_rows`:
    the workers also build each audit's rows for the store (Extras.store), so that the process
    writing the store does not parse and compress the lines.
    """
    jobs = jobs or default_jobs()
    _WORKER["timeout"] = timeout
    _WORKER["store_rows"] = store_rows
    if isinstance(inputs, Sized) and len(inputs) <= 1:
        jobs = 1
    index = _prepare_index(checklist)
    first_of = _FirstOf()             # sha256 → path of the first input with it

    canon: dict[str, str] = {i: i for i in index[2]}   # rows share the checklist's id strings

    name = display_path     # the path as outputs show it (a GBK name decoded, ESC visible)

    def from_result(inp: Input, sha: str, dup_of: str | None, res: tuple,
                    cached: bool = False) -> Outcome:
        dup_of = name(dup_of) if dup_of else None
        if res[0] == "ok":
            agency, year, score, done, total, statuses, gaps, fmt = res[2]
            gaps = tuple(canon.get(g, g) for g in gaps)
            reg = region_of(inp, agency, region)
            row = ReportRow(name(inp.path), sha, agency, year, canon.setdefault(reg, reg), score, done,
                            total, statuses, gaps, canon.setdefault(fmt, fmt), dup_of, cached)
            return Outcome(row, res[1], res[3] if len(res) > 3 else None)
        error = res[1]
        shown = name(error.path) if error.path else name(inp.path)     # GBK bytes, ESC: shown decoded
        if shown != error.path:
            error = dataclasses.replace(error, path=shown)
        err = ErrorRow(name(inp.path), sha or None, error, dup_of)
        return Outcome(err, err.record().to_json())

    def prepare(inp: Input) -> tuple[str, str | None, Outcome | None, bytes | None]:
        """(sha256, duplicate_of, outcome if known without auditing, the file's bytes)."""
        try:
            sha, data = _read_file(inp.path)
        except OSError as exc:
            return "", None, from_result(inp, "", None, ("error", error_info(_os_error(exc, inp.path),
                                                                                  inp.path))), None
        first = first_of.first(sha, inp.path)
        dup_of = None if first == inp.path else first
        if lookup is not None:
            line = lookup(sha)
            if line is not None:
                d = json.loads(line)         # the summary from the dict: no record objects built
                if d.get("path") != name(inp.path):
                    line = AuditRecord.from_dict(d).with_path(name(inp.path)).to_json()
                rep = d.get("report") or {}
                summary = summarize(((it["id"], it["status"]) for it in d.get("items") or ()), d["score"],
                                    rep.get("agency"), rep.get("year"), rep.get("format"), *index)
                extras = Extras(rep.get("date"), d.get("fingerprints"), tuple(d.get("formal") or ()))
                return sha, dup_of, from_result(inp, sha, dup_of, ("ok", line, summary, extras), cached=True), None
        return sha, dup_of, None, data

    it = iter(inputs)
    if jobs <= 1:
        if on_ready:
            on_ready()
        for inp in it:
            sha, dup_of, known, data = prepare(inp)
            yield known or from_result(inp, sha, dup_of, _audit_one(inp.path, checklist, data, sha or None))
        return

    def new_pool(workers: int, careful: bool = False) -> Workers | SpawnedWorkers:
        """`careful`: the retry of a file a worker died on reads PDFs in a child per file, whose
        death or limit becomes the file's own message (the memory limit, the time limit)."""
        _WORKER["checklist"] = checklist  # inherited by the forked workers: no reload
        args = (checklist.path, timeout, os.getpid(), store_rows, not careful)
        if _FORKED_WORKERS:
            return Workers(workers, _init_worker, args, _serve_task)
        return SpawnedWorkers(workers, _init_worker, args, _serve_task, _SPAWN_CONTEXT)

    def careful_retry(inp: Input, sha: str, data: bytes | None) -> tuple:
        """The file a worker died on, alone in a careful worker: its own message, or WorkerCrash."""
        solo = new_pool(1, careful=True)
        try:
            solo.submit(0, (inp.path, data, sha or None))
            found = solo.wait()
            while not found:
                found = solo.wait()
            answer = found[0][1]
            return _result_of(*answer) if answer is not None else ("error", _crash(inp.path))
        finally:
            solo.close()

    pool = new_pool(jobs)
    if on_ready:
        on_ready()
    pending: dict[int, tuple[Input, str, str | None, bytes | None]] = {}
    serial = 0
    exhausted = False
    finished = False
    try:
        while True:
            while not exhausted and pool.busy < pool.capacity:
                nxt = next(it, None)
                if nxt is None:
                    exhausted = True
                    break
                inp = nxt
                sha, dup_of, known, data = prepare(inp)
                if known is not None:
                    yield known
                else:
                    serial += 1
                    pending[serial] = (inp, sha, dup_of, data)
                    pool.submit(serial, (inp.path, data, sha or None))
            if not pending:
                break
            for key, answer in pool.wait():
                inp, sha, dup_of, data = pending.pop(key)
                if answer is None:
                    # the worker died on this file (its others went to the other workers): retry
                    # it alone, so only a file that kills a worker again gets the error row
                    res = careful_retry(inp, sha, data)
                else:
                    res = _result_of(*answer)
                yield from_result(inp, sha, dup_of, res)
        finished = True
    finally:
        if finished:
            pool.close()
        else:               # Ctrl-C, SIGTERM, the caller stopped: the workers stop now too
            pool.terminate()


def _os_error(exc: OSError, path: str) -> DutycheckError:
    from ..errors import ReportError

    if isinstance(exc, FileNotFoundError):
        return ReportError("文件不存在", "no such file", path=path)
    if isinstance(exc, IsADirectoryError):
        return ReportError("这是一个目录，不是报告文件", "is a directory, not a report", path=path)
    if isinstance(exc, PermissionError):
        return ReportError("没有读取权限", "permission denied", path=path)
    if isinstance(exc, _NotAFile):
        return ReportError("不是普通文件（管道、设备或套接字），未读取",
                           "not a regular file (FIFO, device or socket); not read", path=path)
    return ReportError(f"无法读取文件：{exc.strerror or exc}", f"cannot read file: {exc.strerror or exc}",
                       path=path)
