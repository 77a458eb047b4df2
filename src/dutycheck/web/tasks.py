"""审查任务: a region's reports of one year, audited in the background into the store.

A task is one store run (`runs`), so `dutycheck history` and `compare --db` see what the
workbench audited. Its files are rows of `web_files`: the name the reviewer gave (shown,
never used as a path), the folder it came from (the region hint, as `batch` reads folders),
and the file on disk under a generated name in the data folder. Every file is checked by
its content on arrival, as the reader does (`read.sniff`); a file that fails is kept as a
rejected row with the reason, never stored.

The auditor runs the library's batch pipeline (`batch.run_batch` with the store's sink, the
store as its cache) and commits each finished file together with its state, so killing the server
loses no finished result; on restart the files still `queued` are audited.
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import re
import threading
import time
import uuid
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..batch.records import Outcome, ReportRow
from ..batch.sinks import StoreSink
from ..errors import DutycheckError, ReportError
from ..store import Store

# -- limits (documented in the README's serve section)
MAX_FILE = 20 * 1024 * 1024            # one report: the reader's own limit (read.MAX_BYTES)
MAX_FILES = 500                         # files in one upload (a .zip counts its members)
MAX_REQUEST = 512 * 1024 * 1024         # one upload request, all files together
MAX_ZIP_MEMBERS = 2000
MAX_ZIP_TOTAL = 1024 * 1024 * 1024      # uncompressed bytes of one .zip
MAX_ZIP_RATIO = 200                     # uncompressed / compressed of one member: a bomb beyond
MAX_NAME = 200                          # characters of a file name kept for display

STATES = ("queued", "done", "failed", "rejected", "duplicate")
STATE_ZH = {"queued": "待审查", "done": "已审查", "failed": "审查失败", "rejected": "未接收", "duplicate": "重复"}



def _now() -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S")


def data_dir() -> Path:
    """The per-user data folder: $XDG_DATA_HOME/dutycheck (~/.local/share/dutycheck), or
    %APPDATA%\\dutycheck on Windows."""
    base = os.environ.get("XDG_DATA_HOME")
    if not base and os.name == "nt" and os.environ.get("APPDATA"):
        base = os.environ["APPDATA"]
    return Path(base or Path.home() / ".local" / "share") / "dutycheck"


def default_db() -> Path:
    return data_dir() / "dutycheck.sqlite"


def uploads_dir(db_path: str | os.PathLike) -> Path:
    """Where a store's uploaded files live: beside the store, in a folder named after it."""
    p = Path(db_path).resolve()
    return p.parent / f"{p.stem}-files"


def open_store(db_path: str | os.PathLike) -> Store:
    """The store (its migrations include the workbench's tables, 0003_web_tasks)."""
    Path(db_path).parent.mkdir(parents=True, exist_ok=True)
    return Store(db_path)


# ----------------------------------------------------------------------------- tasks

class TaskError(DutycheckError):
    """A task request that cannot be carried out (unknown task, bad year, bad folder)."""


@dataclass(frozen=True)
class Task:
    id: int
    region: str
    year: int | None
    checklist: str
    run_id: int
    created: str

    @property
    def title(self) -> str:
        return f"{self.region} {self.year} 年度" if self.year else self.region


@dataclass(frozen=True)
class TaskFile:
    id: int
    task_id: int
    name: str
    folder: str | None
    stored: str | None
    sha256: str | None
    size: int | None
    state: str
    audit_id: int | None
    duplicate_of: int | None
    error_zh: str | None
    error_en: str | None
    added: str
    finished: str | None

    @property
    def display(self) -> str:
        """The name shown and written into outputs: folder/name as the reviewer gave it."""
        return f"{self.folder}/{self.name}" if self.folder else self.name


_TASK_COLS = "id, region, year, checklist, run_id, created"
_FILE_COLS = ("id, task_id, name, folder, stored, sha256, size, state, audit_id, duplicate_of, "
              "error_zh, error_en, added, finished")


def create_task(store: Store, region: str, year: int | None, checklist: str = "default") -> Task:
    """A new task with its store run; the checklist is loaded once here so a bad one fails now."""
    from ..checklist.load import load_checklist

    region = " ".join(region.split())[:100]
    if not region:
        raise TaskError("请填写地区名称", "a task needs a region name")
    if year is not None and not 1990 <= year <= 2100:
        raise TaskError(f"年度 {year} 不在 1990–2100 之间", f"year {year} out of range")
    cl = load_checklist(checklist)
    run_id = store.begin_run(cl, ["serve", region, str(year or "")])
    cur = store.db.execute("INSERT INTO web_tasks (region, year, checklist, run_id, created) VALUES (?,?,?,?,?)",
                           (region, year, checklist, run_id, _now()))
    store.db.commit()
    return get_task(store, int(cur.lastrowid or 0))


def get_task(store: Store, task_id: int) -> Task:
    row = store.db.execute(f"SELECT {_TASK_COLS} FROM web_tasks WHERE id = ?", (task_id,)).fetchone()
    if row is None:
        raise TaskError(f"没有第 {task_id} 号审查任务", f"no task {task_id}")
    return Task(*row)


def list_tasks(store: Store) -> list[tuple[Task, dict]]:
    """Every task, newest first, with its counts by state."""
    counts: dict[int, dict] = {}
    for tid, state, n in store.db.execute("SELECT task_id, state, COUNT(*) FROM web_files GROUP BY task_id, state"):
        counts.setdefault(tid, dict.fromkeys(STATES, 0))[state] = n
    return [(Task(*r), counts.get(r[0], dict.fromkeys(STATES, 0)))
            for r in store.db.execute(f"SELECT {_TASK_COLS} FROM web_tasks ORDER BY id DESC")]


def task_files(store: Store, task_id: int, states: Iterable[str] | None = None) -> list[TaskFile]:
    sql = f"SELECT {_FILE_COLS} FROM web_files WHERE task_id = ?"
    args: list = [task_id]
    if states is not None:
        st = list(states)
        sql += f" AND state IN ({','.join('?' * len(st))})"
        args += st
    return [TaskFile(*r) for r in store.db.execute(sql + " ORDER BY id", args)]


def file_scores(store: Store, task_id: int) -> dict[int, tuple[str | None, float]]:
    """file id → (agency, score) of the task's audited files."""
    return {fid: (agency, score) for fid, agency, score in store.db.execute(
        "SELECT f.id, a.agency, a.score FROM web_files f JOIN audits a ON a.id = f.audit_id "
        "WHERE f.task_id = ? AND f.state = 'done'", (task_id,))}


def get_file(store: Store, task_id: int, file_id: int) -> TaskFile:
    row = store.db.execute(f"SELECT {_FILE_COLS} FROM web_files WHERE id = ? AND task_id = ?",
                           (file_id, task_id)).fetchone()
    if row is None:
        raise TaskError(f"任务中没有第 {file_id} 号文件", f"no file {file_id} in task {task_id}")
    return TaskFile(*row)


def progress(store: Store, task_id: int) -> dict:
    """Counts by state, the total, and the rate of the files finished so far."""
    c = dict.fromkeys(STATES, 0)
    for state, n in store.db.execute("SELECT state, COUNT(*) FROM web_files WHERE task_id = ? GROUP BY state",
                                     (task_id,)):
        c[state] = n
    c["total"] = sum(c[s] for s in STATES)
    c["auditing"] = c["queued"] > 0
    c["finished"] = c["done"] + c["failed"]
    c["to_audit"] = c["finished"] + c["queued"]
    return c


# ----------------------------------------------------------------------------- intake

@dataclass
class Intake:
    """What one upload or folder brought: files queued, files refused (name and reason)."""

    queued: list[str] = dataclasses.field(default_factory=list)
    rejected: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    duplicates: list[str] = dataclasses.field(default_factory=list)


_SUFFIX = re.compile(r"\.[a-z0-9]{1,10}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


def clean_name(raw: str) -> str:
    """A client's file name for display: the last path part, no control or bidi characters."""
    name = re.split(r"[\\/]", raw or "")[-1]
    name = _CONTROL.sub("", name).strip() or "（无名文件）"
    return name if len(name) <= MAX_NAME else name[:MAX_NAME - 10] + "…" + name[-9:]


def clean_folder(raw: str | None) -> str | None:
    if not raw:
        return None
    parts = [_CONTROL.sub("", p).strip() for p in re.split(r"[\\/]", raw)]
    parts = [p for p in parts if p and p not in (".", "..")]
    return "/".join(parts)[:MAX_NAME] or None


def too_large(size: int) -> tuple[str, str]:
    return (f"文件过大（{size / 2**20:.1f} MB，上限 {MAX_FILE / 2**20:g} MB），未接收",
            f"file too large ({size / 2**20:.1f} MB, limit {MAX_FILE / 2**20:g} MB); not accepted")


def check_content(name: str, data: bytes) -> tuple[str, str] | None:
    """Why this file cannot be a report, in Chinese and English; None when it may be one.

    The batch's own skip rules (lock files, hidden files, unsupported types, READMEs), the
    reader's size limit, and the reader's sniffing of the bytes (a .docx that is no Word
    file, a .pdf without a PDF header, a binary file named .txt)."""
    from ..batch.inputs import _skip_reason, supported_suffixes
    from ..read import sniff

    reason = _skip_reason(name, supported_suffixes())
    if reason:
        return reason
    if not data:
        return "文件为空", "empty file"
    if len(data) > MAX_FILE:
        return too_large(len(data))
    try:
        sniff(data, os.path.splitext(name)[1].lower(), name)
    except ReportError as exc:
        return exc.zh, exc.en
    return None


class Receiver:
    """Takes files into a task: checks each, stores the good ones under generated names.

    The same bytes twice in one task are recorded once (the later one as a duplicate row);
    `limit` counts every file offered, so one request cannot queue more than MAX_FILES."""

    def __init__(self, store: Store, task: Task, folder: Path, *, limit: int | None = None):
        self.store, self.task, self.folder = store, task, folder
        self.limit = MAX_FILES if limit is None else limit
        self.result = Intake()
        self._offered = 0
        self._names = {r[0] for r in store.db.execute("SELECT COALESCE(folder || '/', '') || name FROM web_files "
                                                      "WHERE task_id = ?", (task.id,))}

    def _row(self, name: str, folder: str | None, state: str, **cols) -> int:
        cols = {"task_id": self.task.id, "name": name, "folder": folder, "state": state, "added": _now(), **cols}
        cur = self.store.db.execute(f"INSERT INTO web_files ({', '.join(cols)}) VALUES "
                                    f"({', '.join('?' * len(cols))})", list(cols.values()))
        return int(cur.lastrowid or 0)

    def _unique(self, name: str, folder: str | None) -> str:
        """A display name not yet used in the task (run_reports is keyed by it)."""
        base, ext = os.path.splitext(name)
        n, out = 1, name
        while (f"{folder}/{out}" if folder else out) in self._names:
            n += 1
            out = f"{base}（{n}）{ext}"
        self._names.add(f"{folder}/{out}" if folder else out)
        return out

    def reject(self, raw_name: str, folder: str | None, zh: str, en: str, size: int | None = None) -> None:
        """Record a file that was refused, with the reason (shown as an error row)."""
        name, folder = clean_name(raw_name), clean_folder(folder)
        self._row(self._unique(name, folder), folder, "rejected", size=size, error_zh=zh, error_en=en)
        self.result.rejected.append((name, zh))

    def offer(self, raw_name: str, data: bytes, folder: str | None = None) -> None:
        """One file from the client: checked, then stored under a generated name and queued."""
        import hashlib

        self._offered += 1
        if self._offered > self.limit:
            if self._offered == self.limit + 1:
                self.reject(raw_name, folder, f"一次最多接收 {self.limit} 个文件，此文件及之后的文件未接收",
                            f"at most {self.limit} files per upload")
            return
        if raw_name.lower().endswith(".zip") and data[:4] == b"PK\x03\x04" and not _is_word(data):
            self._offered -= 1        # the archive's members count, not the archive
            self.offer_zip(raw_name, data)
            return
        name, folder = clean_name(raw_name), clean_folder(folder)
        why = check_content(name, data)
        if why:
            self.reject(name, folder, *why, size=len(data))
            return
        name = self._unique(name, folder)
        sha = hashlib.sha256(data).hexdigest()
        first = self.store.db.execute("SELECT id FROM web_files WHERE task_id = ? AND sha256 = ? AND state IN "
                                      "('queued', 'done', 'failed') ORDER BY id LIMIT 1",
                                      (self.task.id, sha)).fetchone()
        if first:
            self._row(name, folder, "duplicate", sha256=sha, size=len(data), duplicate_of=first[0])
            self.result.duplicates.append(name)
            return
        m = _SUFFIX.search(name.lower())
        target = self.folder / f"{uuid.uuid4().hex}{m.group() if m else ''}"
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".part")
        tmp.write_bytes(data)
        os.replace(tmp, target)
        self._row(name, folder, "queued", stored=str(target), sha256=sha, size=len(data))
        self.result.queued.append(name)

    def offer_zip(self, zip_name: str, data: bytes) -> None:
        """The reports inside a .zip (of a folder): members checked one by one, bombs refused."""
        try:
            zf = zipfile.ZipFile(io.BytesIO(data))
            members = [i for i in zf.infolist() if not i.is_dir()]
        except (zipfile.BadZipFile, ValueError, OSError) as exc:
            self.reject(zip_name, None, f"压缩包已损坏，无法打开（{exc}）", "damaged .zip", len(data))
            return
        if len(members) > MAX_ZIP_MEMBERS or sum(i.file_size for i in members) > MAX_ZIP_TOTAL:
            self.reject(zip_name, None, f"压缩包过大（{len(members)} 个文件；上限 {MAX_ZIP_MEMBERS} 个、解压后 "
                                        f"{MAX_ZIP_TOTAL // 2**30} GB），未解压",
                        "archive too large; not extracted", len(data))
            return
        names = [_member_name(i) for i in members]
        top = {n.split("/", 1)[0] for n in names}
        strip = len(top) == 1 and all("/" in n for n in names)   # a zipped folder: regions below it
        for info, full in zip(members, names):
            parts = full.split("/")[1:] if strip else full.split("/")
            folder, name = "/".join(parts[:-1]) or None, parts[-1]
            if any(p.startswith(".") or p == "__MACOSX" for p in parts[:-1]):
                continue   # resource forks and hidden folders of the packing machine
            if info.file_size > MAX_FILE or (info.file_size > 1024 * 1024 and info.compress_size
                                             and info.file_size / info.compress_size > MAX_ZIP_RATIO):
                self._offered += 1
                self.reject(name, folder, "文件过大或压缩比异常（可能是压缩炸弹），未解压",
                            "too large or suspicious compression; not extracted", info.file_size)
                continue
            if name.lower().endswith(".zip"):
                self._offered += 1
                self.reject(name, folder, "压缩包中的压缩包不展开，请解压后再添加", "nested archive not expanded")
                continue
            try:
                with zf.open(info) as fh:
                    member = fh.read(MAX_FILE + 1)
            except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError, EOFError) as exc:
                self._offered += 1
                self.reject(name, folder, f"无法从压缩包中读出（{type(exc).__name__}：可能已损坏或加密）",
                            "cannot extract (damaged or encrypted)")
                continue
            self.offer(name, member, folder)

    def offer_folder(self, path: str) -> None:
        """The reports in a folder on this machine (subfolders name the regions, as in `batch -r`)."""
        from ..batch import expand_paths

        p = Path(path).expanduser()
        if not path or not p.is_dir():
            raise TaskError(f"不是本机上的文件夹：{path}", f"not a folder on this machine: {path}", path=path)
        exp = expand_paths([str(p)], recursive=True)
        for s in exp.skipped:
            if os.path.basename(s.path).startswith("."):
                continue
            folder, name = os.path.split(os.path.relpath(s.path, p))
            self.reject(name, folder, s.zh, s.en)
        for inp in exp.inputs:
            name = os.path.basename(inp.path)
            try:
                size = os.path.getsize(inp.path)
                if size > MAX_FILE:
                    self.reject(name, inp.folder, *too_large(size), size=size)
                    continue
                with open(inp.path, "rb") as fh:
                    data = fh.read(MAX_FILE + 1)
            except OSError as exc:
                self.reject(name, inp.folder, f"无法读取：{exc.strerror}", f"cannot read: {exc.strerror}")
                continue
            self.offer(name, data, inp.folder)

    def commit(self) -> Intake:
        self.store.db.commit()
        return self.result


def _is_word(data: bytes) -> bool:
    from ..read import _is_word_zip

    return _is_word_zip(data)


def _member_name(info: zipfile.ZipInfo) -> str:
    """A member's name as its packer meant it: zips made on Chinese Windows carry GBK names
    without the UTF-8 flag, which zipfile decodes as cp437."""
    name = info.filename
    if not info.flag_bits & 0x800:
        try:
            raw = name.encode("cp437")
        except UnicodeEncodeError:
            raw = b""
        for enc in ("utf-8", "gb18030"):
            try:
                name = raw.decode(enc)
                break
            except UnicodeDecodeError:
                continue
    return name.replace("\\", "/").strip("/")


# ----------------------------------------------------------------------------- auditing

def next_queued_task(store: Store) -> int | None:
    row = store.db.execute("SELECT task_id FROM web_files WHERE state = 'queued' ORDER BY id LIMIT 1").fetchone()
    return row[0] if row else None


def audit_queued(store: Store, task_id: int, *, jobs: int | None = None,
                 stop: threading.Event | None = None,
                 on_file: Callable[[TaskFile], None] | None = None) -> int:
    """Audit the task's queued files through the batch pipeline (`run_batch` with the task's
    store sink, the store as its cache). Each finished file is committed with its state at
    once; `stop` is looked at after each. Returns how many finished.
    """
    from ..batch import Expansion, Input, run_batch
    from ..checklist.load import load_checklist

    task = get_task(store, task_id)
    queued = task_files(store, task_id, ["queued"])
    if not queued:
        return 0
    cl = load_checklist(task.checklist)
    by_path = {f.stored: f for f in queued if f.stored}
    missing = [f for f in queued if not f.stored or not os.path.isfile(f.stored)]
    for f in missing:
        by_path.pop(f.stored or "", None)
        _finish(store, f, "failed", error=("上传的文件已不在数据文件夹中，请重新添加", "stored file is gone"))
    store.db.commit()
    inputs = [Input(f.stored, f.folder) for f in queued if f.stored in by_path]
    sink = _TaskSink(store, task.run_id, by_path, stop, on_file)
    try:
        run_batch(Expansion(inputs), cl, jobs=jobs, sinks=[sink], keep_rows=False)
    except _Stopped:
        pass
    return sink.finished


class _Stopped(Exception):
    """Raised by the task's sink when the auditor is to stop: run_batch closes the sinks
    (what finished is committed) and stops its workers."""


class _TaskSink(StoreSink):
    """The store sink of a workbench task: the file's result under the name the reviewer gave
    (not the generated one on disk), its web facts and its state, committed together."""

    store_rows = False      # the line is rewritten before it is stored: the store builds its rows

    def __init__(self, store: Store, run_id: int, by_path: dict, stop: threading.Event | None,
                 on_file: Callable[[TaskFile], None] | None) -> None:
        super().__init__(store, run_id=run_id, corrections=False)
        self.by_path = by_path
        self.stop = stop
        self.on_file = on_file
        self.finished = 0

    def add(self, outcome: Outcome) -> None:
        from .views import facts_line

        store = self.store
        f = self.by_path[outcome.row.path]
        row = dataclasses.replace(outcome.row, path=f.display)
        line = outcome.line
        if isinstance(row, ReportRow):
            d = json.loads(line)
            d["path"] = f.display
            row = _names_from_upload(d, row, f)
            line = json.dumps(d, ensure_ascii=False)
        super().add(Outcome(row, line))
        if isinstance(row, ReportRow):
            audit_id = store.db.execute("SELECT audit_id FROM run_reports WHERE run_id = ? AND path = ?",
                                        (store.run_id, f.display)).fetchone()[0]
            store.db.execute("INSERT OR IGNORE INTO web_facts (audit_id, line) VALUES (?, ?)",
                             (audit_id, facts_line(d)))
            _finish(store, f, "done", audit_id=audit_id)
        else:
            err = row.error
            _finish(store, f, "failed", error=(err.zh, err.en))
        store.commit()
        self.finished += 1
        if self.on_file is not None:
            self.on_file(f)
        if self.stop is not None and self.stop.is_set():
            raise _Stopped


def _names_from_upload(d: dict, row, f: TaskFile):
    """What the audit reads from a file name (晋城市教育局-2023.txt), read from the name the
    reviewer gave, not the generated one on disk: the same fallback `audit_source` applies."""
    from ..audit import agency_from_name, year_from_name
    from ..batch import Input, region_of

    rep = d.setdefault("report", {})
    agency = rep.get("agency") or agency_from_name(f.name)
    year = rep.get("year") or year_from_name(f.name)
    if (agency, year) == (rep.get("agency"), rep.get("year")):
        return row
    rep["agency"], rep["year"] = agency, year
    return dataclasses.replace(row, agency=agency, year=year, region=region_of(Input(f.stored or "", f.folder), agency))


def _finish(store: Store, f: TaskFile, state: str, *, audit_id: int | None = None,
            error: tuple[str, str] | None = None) -> None:
    store.db.execute("UPDATE web_files SET state = ?, audit_id = ?, error_zh = ?, error_en = ?, finished = ? "
                     "WHERE id = ?", (state, audit_id, error[0] if error else None, error[1] if error else None,
                                      _now(), f.id))


class _Stop:
    """Stops the auditor's loop once SIGTERM came or the server that started it is gone."""

    def __init__(self, parent: int):
        self.parent = parent
        self.flag = False

    def is_set(self) -> bool:
        return self.flag or (self.parent > 0 and os.getppid() != self.parent)


def auditor_main(db_path: str, jobs: int | None, parent: int) -> None:
    """The auditor process: audit whatever is queued, task by task, until stopped.

    A process of its own, started fresh (spawn), not a thread of the server: the batch pool
    forks its workers, and forking a process that runs server threads can deadlock a child on
    a lock another thread held. It leaves when the server goes (even when killed), so a
    restarted server never has two auditors on one queue."""
    import signal

    stop = _Stop(parent)

    def on_term(signum: int, frame: object) -> None:
        stop.flag = True
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, on_term)
    store = open_store(db_path)
    try:
        while not stop.is_set():
            task_id = next_queued_task(store)
            if task_id is None:
                time.sleep(0.3)
                continue
            try:
                audit_queued(store, task_id, jobs=jobs, stop=stop)  # type: ignore[arg-type]
            except SystemExit:
                raise
            except Exception as exc:  # noqa: BLE001 — e.g. the task's checklist no longer loads
                zh, en = ((exc.zh, exc.en) if isinstance(exc, DutycheckError)
                          else (f"审查时发生内部错误：{type(exc).__name__}: {exc}", f"internal error: {exc}"))
                store.db.rollback()
                for f in task_files(store, task_id, ["queued"]):
                    _finish(store, f, "failed", error=(zh, en))
                store.db.commit()
    finally:
        store.close()


class Auditor:
    """The server's handle on its auditor process (see `auditor_main`)."""

    def __init__(self, db_path: str | os.PathLike, *, jobs: int | None = None):
        self.db_path = str(db_path)
        self.jobs = jobs
        self._proc: Any = None          # a multiprocessing Process once started
        self.error: str | None = None

    def start(self) -> None:
        import multiprocessing as mp

        self._proc = mp.get_context("spawn").Process(target=auditor_main, name="dutycheck-auditor",
                                                     args=(self.db_path, self.jobs, os.getpid()))
        self._proc.start()

    def wake(self) -> None:
        """New files are queued: the auditor polls the store and finds them within a second."""

    def stop(self, timeout: float = 10) -> None:
        if self._proc is not None and self._proc.is_alive():
            self._proc.terminate()
            self._proc.join(timeout)
            if self._proc.is_alive():
                self._proc.kill()
                self._proc.join(timeout)
