"""SQLite store of batch runs: every audit with its item statuses and evidence, for year-over-year
comparison (`history`, `compare`) and as a cache.

An audit is keyed by the report's sha256 and the checklist key (id, version and a hash of
the resolved checklist's files and of dutycheck's own code), so re-auditing an unchanged
report with an unchanged checklist is served from here, and any change to either audits
afresh. A run links the files it saw (path, region, duplicate flag) to audits, and keeps
its error rows.

Tables: runs, audits (hash, agency, year, checklist id+version, score, the full
`dutycheck.audit/1` JSON), items (status per duty), evidence (quotes), run_reports,
run_errors, and `migrations` (which of `migrations.py`'s steps this file has had).
The schema is built and upgraded only by the migrations in `migrations.py`: a new table or
column is a new entry at the end of `MIGRATIONS` there.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from .errors import DutycheckError
from .migrations import MIGRATIONS, MigrationError, migrate
from .schema import AuditRecord

if TYPE_CHECKING:  # pragma: no cover
    from .batch import Batch, Outcome, ReportRow
    from .checklist.model import Checklist

SCHEMA_VERSION = len(MIGRATIONS)   # also written to PRAGMA user_version, for other tools




class StoreError(DutycheckError):
    """The --db file is not a dutycheck store, is from a newer version, or cannot be written."""


def _now() -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S")


# The modules whose code decides an audit's result (a renderer or the CLI does not).
PIPELINE = ("read.py", "normalize.py", "structure.py", "match.py", "context.py", "score.py", "audit.py",
            "models.py", "schema.py", "checklist/load.py", "checklist/model.py")


def code_fingerprint() -> str:
    """A hash of the pipeline's source: a changed reader or matcher must not be served old results."""
    pkg = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for name in PIPELINE:
        p = pkg / name
        h.update(name.encode() + b"\0")
        h.update(p.read_bytes() if p.is_file() else b"")
    return h.hexdigest()


def checklist_key(checklist: Checklist) -> str:
    """The cache key of a checklist: id, version, the bytes of every file in its `extends`
    chain (the resolved checklist is a function of them) and dutycheck's code fingerprint."""
    from . import __version__

    h = hashlib.sha256()
    for part in (__version__, code_fingerprint(), checklist.id, checklist.version):
        h.update(part.encode("utf-8") + b"\0")
    files = checklist.chain or ((checklist.path,) if checklist.path else ())
    for f in files:
        try:
            h.update(Path(f).read_bytes())
        except OSError:
            h.update(repr(checklist.items).encode("utf-8"))  # built in memory: hash what it holds
        h.update(b"\0")
    return h.hexdigest()


class AuditRows(NamedTuple):
    """What the store inserts for a new audit: the compressed `dutycheck.audit/1` line, the audit's
    columns (checklist id, version, agency, year, title, date, score, format), its items' and its
    evidence's rows (without the audit id). A batch worker builds them (`audit_rows`), so the
    process writing the store neither parses the line nor compresses it."""

    blob: bytes
    audit: tuple
    items: list[tuple]
    evidence: list[tuple]


def audit_rows(rec: AuditRecord, line: str) -> AuditRows:
    """The store's rows of one audit (`line` is `rec` as JSON)."""
    rep = rec.report
    return AuditRows(
        zlib.compress(line.encode("utf-8"), 1),      # level 1: half the CPU of 6, blobs ~20 % larger
        (rec.checklist_id, rec.checklist_version, rep.agency, rep.year, rep.title, rep.date, rec.score, rep.format),
        [(it.id, it.title, it.group, it.weight, it.status.value, it.confidence) for it in rec.items],
        [(it.id, n, e.text, e.line, e.page, e.section, e.role.value, e.status.value, e.score, e.reason_code, e.unit)
         for it in rec.items for n, e in enumerate(it.evidence)])


@dataclass
class HistoryEntry:
    audit_id: int
    agency: str | None
    year: int | None
    score: float
    done: int
    total: int
    checklist_id: str
    checklist_version: str
    path: str
    region: str | None
    run_id: int
    run_started: str
    statuses: dict = field(default_factory=dict)   # item_id → status
    newly_done: list = field(default_factory=list)  # vs the previous year's entry
    dropped: list = field(default_factory=list)
    delta: float | None = None
    reviewed: int = 0          # items whose status a reviewer's correction set (dutycheck.review)
    revision_of: int | None = None   # audit id of the version of the same year this one revises

    def to_dict(self) -> dict:
        return {"audit_id": self.audit_id, "agency": self.agency, "year": self.year, "reviewed": self.reviewed,
                "score": self.score, "done": self.done, "total": self.total,
                "checklist": {"id": self.checklist_id, "version": self.checklist_version},
                "path": self.path, "region": self.region, "run_id": self.run_id,
                "run_started": self.run_started, "score_change": self.delta, "revision_of": self.revision_of,
                "newly_done": self.newly_done, "dropped": self.dropped}


@dataclass
class Pair:
    """One agency in both runs of a comparison."""

    agency: str
    region_a: str | None
    region_b: str | None
    year_a: int | None
    year_b: int | None
    score_a: float
    score_b: float
    newly_done: list
    dropped: list
    path_a: str
    path_b: str
    reviewed: int = 0          # items of the two audits a reviewer's correction set

    @property
    def delta(self) -> float:
        return round(self.score_b - self.score_a, 1)

    def to_dict(self) -> dict:
        return {"agency": self.agency, "region": self.region_b or self.region_a,
                "year_a": self.year_a, "year_b": self.year_b, "score_a": self.score_a,
                "score_b": self.score_b, "score_change": self.delta,
                "newly_done": self.newly_done, "dropped": self.dropped,
                "path_a": self.path_a, "path_b": self.path_b, "reviewed": self.reviewed}


@dataclass
class Comparison:
    run_a: dict
    run_b: dict
    pairs: list[Pair]
    only_a: list[tuple[str, float]]
    only_b: list[tuple[str, float]]
    items: list[dict]          # per duty: done share in A and in B
    titles: dict[str, str]
    same_checklist: bool

    def to_dict(self) -> dict:
        return {"schema": "dutycheck.compare/1", "run_a": self.run_a, "run_b": self.run_b,
                "same_checklist": self.same_checklist,
                "pairs": [p.to_dict() for p in self.pairs],
                "only_a": [{"agency": a, "score": s} for a, s in self.only_a],
                "only_b": [{"agency": a, "score": s} for a, s in self.only_b],
                "items": self.items}


# The final result of an audit after the reviewer's corrections (dutycheck.review.store_overlay):
# audit id → (score, done, total, statuses, corrected items), or None when nothing is corrected.
Overlay = Callable[[int], "tuple[float, int, int, dict[str, str], int] | None"]


BUSY_TIMEOUT = 10.0
"""Seconds one statement waits for another process's write lock (SQLite's busy timeout)."""
LOCK_RETRIES = 6
"""Times a statement is retried after that wait before the store gives up (a minute in all)."""
COMMIT_EVERY = 2.0
"""Seconds between commits while a batch adds results: an interruption loses at most this much."""


def _locked(exc: sqlite3.OperationalError) -> bool:
    return "locked" in str(exc) or "busy" in str(exc)


class _GuardedCursor(sqlite3.Cursor):
    """Rows fetched from a damaged page raise StoreError naming the file, not DatabaseError."""

    store_path = ""

    def fetchone(self):
        return _guard(self.store_path, super().fetchone)

    def fetchall(self):
        return _guard(self.store_path, super().fetchall)

    def fetchmany(self, *args):
        return _guard(self.store_path, super().fetchmany, *args)

    def __next__(self):
        return _guard(self.store_path, super().__next__)


class _GuardedConnection(sqlite3.Connection):
    """The store's connection: waits for another process's write lock (busy timeout, then
    retries, with a note on stderr), and turns a damaged file's DatabaseError into a
    StoreError naming it. Every module that writes through `store.db` gets both."""

    store_path = ""

    def cursor(self, factory=None):
        cur = super().cursor(factory or _GuardedCursor)
        cur.store_path = self.store_path
        return cur

    def execute(self, sql, parameters=(), /):
        return _guard(self.store_path, lambda: self.cursor().execute(sql, parameters))

    def executemany(self, sql, parameters, /):
        return _guard(self.store_path, lambda: self.cursor().executemany(sql, parameters))

    def executescript(self, script, /):
        return _guard(self.store_path, lambda: self.cursor().executescript(script))

    def commit(self) -> None:
        _guard(self.store_path, super().commit)


def _guard(path: str, fn, *args):
    import sys

    for attempt in range(LOCK_RETRIES + 1):
        try:
            return fn(*args)
        except StopIteration:
            raise
        except sqlite3.OperationalError as exc:
            if not _locked(exc):
                if "malformed" in str(exc) or "not a database" in str(exc):
                    raise _damaged(path, exc) from None
                raise
            if attempt == LOCK_RETRIES:
                waited = BUSY_TIMEOUT * (LOCK_RETRIES + 1)
                raise StoreError(f"数据库被另一个进程锁定，等待 {waited:g} 秒后仍无法写入；"
                                 "请等其他 dutycheck 进程结束后重新运行（已存入的结果不会丢失）",
                                 f"the store is locked by another process; gave up after {waited:g} s",
                                 path=path) from None
            print(f"{path}: 数据库正被另一个进程写入，继续等待…… (store locked by another process; "
                  f"waiting)", file=sys.stderr)
        except sqlite3.DatabaseError as exc:
            if isinstance(exc, (sqlite3.IntegrityError, sqlite3.ProgrammingError, sqlite3.InterfaceError)):
                raise
            raise _damaged(path, exc) from None
    raise AssertionError("unreachable")


def _damaged(path: str, exc: Exception) -> "StoreError":
    return StoreError(f"数据库文件已损坏（{exc}）；请用备份替换，或换一个 --db 文件重新审查",
                      f"the store file is damaged ({exc}); restore a backup or use another --db file",
                      path=path)


class Store:
    """A dutycheck SQLite file: open (creating it if needed), record runs, answer queries.

    `overlay`, when set, makes history and compare answer with the reviewer's final statuses.
    """

    overlay: Overlay | None = None

    def __init__(self, path: str | os.PathLike):
        self.path = str(path)
        try:
            self.db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT, factory=_GuardedConnection)
            self.db.store_path = self.path
            self.db.execute("PRAGMA foreign_keys = ON")
            tables = {r[0] for r in self.db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        except sqlite3.OperationalError as exc:
            raise StoreError(f"无法打开数据库文件：{exc}", f"cannot open the store: {exc}", path=self.path) from None
        except sqlite3.DatabaseError as exc:
            raise StoreError("不是 dutycheck 的 SQLite 数据库文件，或文件已损坏",
                             f"not a dutycheck SQLite store, or damaged ({exc})", path=self.path) from None
        if tables and "audits" not in tables:
            raise StoreError("这个 SQLite 文件不是 dutycheck 的结果库（没有 audits 表）",
                             "this SQLite file is not a dutycheck store", path=self.path)
        try:
            self.db.execute("PRAGMA journal_mode = WAL")
            self.applied = migrate(self.db)
        except MigrationError as exc:
            raise StoreError(exc.zh, exc.en, path=self.path) from None
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"无法写入数据库：{exc}", f"cannot write the store: {exc}", path=self.path) from None
        self._pending = 0
        self._committed = time.monotonic()
        self._ckey: str | None = None
        self._found: dict[str, int] = {}     # sha256 → audit id of the hits `lookup` served, until `add`

    # -- runs
    def begin_run(self, checklist: Checklist, args: Iterable[str] = ()) -> int:
        """Start a run; later `add` calls attach to it. Returns the run id."""
        self._ckey = checklist_key(checklist)
        cur = self.db.execute(
            "INSERT INTO runs (started, checklist_id, checklist_version, checklist_hash, args) "
            "VALUES (?, ?, ?, ?, ?)",
            (_now(), checklist.id, checklist.version, self._ckey, json.dumps(list(args), ensure_ascii=False)))
        self.db.commit()
        self.run_id = int(cur.lastrowid or 0)
        return self.run_id

    def resume_run(self, run_id: int, checklist: Checklist) -> None:
        """Attach later `add` calls to an existing run (a `serve` task adding reports to its run)."""
        self.run(run_id)
        self._ckey = checklist_key(checklist)
        self.run_id = run_id

    def lookup(self, sha256: str) -> str | None:
        """The stored audit line of this file under the current run's checklist, if any (the cache)."""
        row = self.db.execute("SELECT id, audit_json FROM audits WHERE sha256 = ? AND checklist_hash = ?",
                              (sha256, self._ckey)).fetchone()
        if row is None:
            return None
        self._found[sha256] = row[0]      # `add` of this cache hit needs no second query
        return zlib.decompress(row[1]).decode("utf-8")

    def add(self, outcome: Outcome) -> None:
        """Record one outcome of the current run (the audit, unless stored already, and the link)."""
        from .batch import ReportRow

        row = outcome.row
        if not isinstance(row, ReportRow):
            e = row.error
            self.db.execute("INSERT INTO run_errors (run_id, path, sha256, kind, zh, en) "
                            "VALUES (?,?,?,?,?,?)",
                            (self.run_id, row.path, row.sha256, e.kind, e.zh, e.en))
        else:
            audit_id = self._found.pop(row.sha256, None)
            found = (audit_id,) if audit_id is not None else self.db.execute(
                "SELECT id FROM audits WHERE sha256 = ? AND checklist_hash = ?", (row.sha256, self._ckey)).fetchone()
            audit_id = found[0] if found else self._insert_audit(row, outcome)
            self.db.execute(
                "INSERT OR REPLACE INTO run_reports (run_id, path, audit_id, region, duplicate_of, cached) "
                "VALUES (?,?,?,?,?,?)",
                (self.run_id, row.path, audit_id, row.region, row.duplicate_of, int(row.cached)))
        self._pending += 1
        if self._pending >= 500 or time.monotonic() - self._committed >= COMMIT_EVERY:
            self.commit()

    def commit(self) -> None:
        """Make what was added so far durable (also every COMMIT_EVERY seconds during `add`)."""
        self.db.commit()
        self._pending = 0
        self._committed = time.monotonic()

    def _insert_audit(self, row: ReportRow, outcome: Outcome) -> int:
        """The audit's rows as the worker built them (Extras.store), else from its line."""
        rows = outcome.extras.store if outcome.extras is not None else None
        if rows is None:
            rows = audit_rows(AuditRecord.from_json(outcome.line), outcome.line)
        cl_id, cl_version, agency, year, title, date, score, fmt = rows.audit
        cur = self.db.execute(
            "INSERT INTO audits (sha256, checklist_hash, checklist_id, checklist_version, agency, year, "
            "title, date, score, done, total, format, created, audit_json) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (row.sha256, self._ckey, cl_id, cl_version, agency, year, title, date, score, row.done, row.total,
             fmt, _now(), rows.blob))
        audit_id = int(cur.lastrowid or 0)
        self.db.executemany(
            "INSERT INTO items (audit_id, item_id, title, grp, weight, status, confidence) "
            "VALUES (?,?,?,?,?,?,?)", [(audit_id, *r) for r in rows.items])
        self.db.executemany(
            "INSERT INTO evidence (audit_id, item_id, rank, text, line, page, section, role, status, score, "
            "reason_code, unit) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", [(audit_id, *r) for r in rows.evidence])
        return audit_id

    def finish_run(self, batch: Batch) -> None:
        c = batch.counts()
        self.db.execute(
            "UPDATE runs SET finished=?, files=?, audited=?, failed=?, duplicates=?, skipped=?, cached=?, "
            "mean_score=? WHERE id=?",
            (_now(), c["files"], c["audited"], c["failed"], c["duplicates"], c["skipped"], c["cached"],
             c["mean_score"], self.run_id))
        self.db.commit()
        self._pending = 0

    def close(self) -> None:
        self.db.commit()
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- queries
    def runs(self) -> list[dict]:
        cur = self.db.execute("SELECT * FROM runs ORDER BY id")
        names = [c[0] for c in cur.description]
        return [dict(zip(names, r)) for r in cur.fetchall()]

    def run(self, run_id: int) -> dict:
        cur = self.db.execute("SELECT * FROM runs WHERE id = ?", (run_id,))
        r = cur.fetchone()
        if r is None:
            known = ", ".join(str(x["id"]) for x in self.runs()) or "（无）"
            raise StoreError(f"数据库中没有第 {run_id} 次运行；已有：{known}",
                             f"no run {run_id} in the store", path=self.path)
        return dict(zip([c[0] for c in cur.description], r))

    def _statuses(self, audit_id: int) -> dict[str, str]:
        final = self.overlay(audit_id) if self.overlay else None
        if final is not None:
            return final[3]
        return dict(self.db.execute("SELECT item_id, status FROM items WHERE audit_id = ?", (audit_id,)))

    def titles(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT item_id, title FROM items GROUP BY item_id"))

    def agencies(self, pattern: str) -> list[str]:
        return [r[0] for r in self.db.execute(
            "SELECT DISTINCT agency FROM audits WHERE agency LIKE ? ESCAPE '\\' ORDER BY agency",
            ("%" + pattern.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%",))]

    def previous_years(self, seen: list[tuple[str, int]]) -> list:
        """The stored report of the year before, for each (agency, year) of a batch, as copy-check
        entries (copies.Entry): a report that repeats last year's is a 形式审查 finding."""
        from .copies import Entry

        out = []
        for agency, year in seen:
            row = self.db.execute(
                "SELECT a.audit_json, rr.path FROM audits a JOIN run_reports rr ON rr.audit_id = a.id "
                "WHERE a.agency = ? AND a.year = ? ORDER BY rr.run_id DESC LIMIT 1", (agency, year - 1)).fetchone()
            if row is None:
                continue
            d = json.loads(zlib.decompress(row[0]).decode("utf-8"))
            if d.get("fingerprints"):
                out.append(Entry.of(row[1], agency, year - 1, (d.get("report") or {}).get("date"),
                                    d["fingerprints"]))
        return out

    def history(self, agency: str) -> list[HistoryEntry]:
        """Every distinct audit of this agency (exact name, else names containing it), by year,
        each with what changed since the previous year: duties newly done, dropped, score change."""
        names = [agency] if self.db.execute("SELECT 1 FROM audits WHERE agency = ? LIMIT 1",
                                            (agency,)).fetchone() else self.agencies(agency)
        if not names:
            return []
        marks = ",".join("?" * len(names))
        rows = self.db.execute(
            f"SELECT a.id, a.agency, a.year, a.score, a.done, a.total, a.checklist_id, a.checklist_version, "
            f"rr.path, rr.region, rr.run_id, r.started FROM audits a "
            f"JOIN run_reports rr ON rr.audit_id = a.id JOIN runs r ON r.id = rr.run_id "
            f"WHERE a.agency IN ({marks}) ORDER BY a.agency, a.year, COALESCE(a.date, ''), a.id, rr.run_id DESC",
            names).fetchall()   # versions of one year by the date they bear, as a batch supersedes them
        entries: list[HistoryEntry] = []
        seen: set[int] = set()
        for r in rows:
            if r[0] in seen:   # the latest run that saw this audit stands for it
                continue
            seen.add(r[0])
            entry = HistoryEntry(*r)   # the 12 columns selected above, in field order
            entry.statuses = self._statuses(r[0])
            entries.append(entry)
            final = self.overlay(r[0]) if self.overlay else None
            if final is not None:
                e = entries[-1]
                e.score, e.done, e.total, _, e.reviewed = final
        prev: dict[str, HistoryEntry] = {}
        for e in entries:
            # each audit against the one before it: the previous year's latest version, or, for a
            # second version of the same year (a revision), the version it replaces
            before = prev.get(e.agency or "")
            if before is not None:
                e.delta = round(e.score - before.score, 1)
                e.newly_done, e.dropped = _changes(before.statuses, e.statuses)
                if before.year == e.year:
                    e.revision_of = before.audit_id
            prev[e.agency or ""] = e
        return entries

    def _run_reports(self, run_id: int) -> dict[str, tuple]:
        """agency (or file name) → (audit_id, year, score, path, region), the latest year per agency."""
        out: dict[str, tuple] = {}
        for audit_id, agency, year, score, path, region in self.db.execute(
                "SELECT a.id, a.agency, a.year, a.score, rr.path, rr.region FROM run_reports rr "
                "JOIN audits a ON a.id = rr.audit_id WHERE rr.run_id = ? AND rr.duplicate_of IS NULL "
                "ORDER BY a.year, rr.path", (run_id,)):
            final = self.overlay(audit_id) if self.overlay else None
            if final is not None:
                score = final[0]
            out[agency or Path(path).stem] = (audit_id, year, score, path, region)
        return out

    def compare(self, run_a: int, run_b: int) -> Comparison:
        """Run B against run A, agency by agency: score change, duties newly done and dropped;
        and per duty, the share of reports doing it in each run."""
        ra, rb = self.run(run_a), self.run(run_b)
        a, b = self._run_reports(run_a), self._run_reports(run_b)
        pairs = []
        for agency in sorted(set(a) & set(b)):
            ia, ib = a[agency], b[agency]
            new, dropped = _changes(self._statuses(ia[0]), self._statuses(ib[0]))
            reviewed = sum((self.overlay(i) or (0, 0, 0, {}, 0))[4] for i in (ia[0], ib[0])) if self.overlay else 0
            pairs.append(Pair(agency, ia[4], ib[4], ia[1], ib[1], ia[2], ib[2], new, dropped, ia[3], ib[3],
                              reviewed))
        pairs.sort(key=lambda p: (p.delta, p.agency))
        share_a = self._done_shares([v[0] for v in a.values()])
        share_b = self._done_shares([v[0] for v in b.values()])
        items = []
        for item_id in sorted(set(share_a) | set(share_b)):
            sa, sb = share_a.get(item_id), share_b.get(item_id)
            items.append({"id": item_id, "done_share_a": sa, "done_share_b": sb,
                          "change": round(sb - sa, 4) if sa is not None and sb is not None else None})
        items.sort(key=lambda d: (d["change"] if d["change"] is not None else 0, d["id"]))
        return Comparison(
            run_a=ra, run_b=rb, pairs=pairs,
            only_a=sorted((k, v[2]) for k, v in a.items() if k not in b),
            only_b=sorted((k, v[2]) for k, v in b.items() if k not in a),
            items=items, titles=self.titles(),
            same_checklist=ra["checklist_hash"] == rb["checklist_hash"])

    def _done_shares(self, audit_ids: list[int]) -> dict[str, float]:
        if not audit_ids:
            return {}
        totals: dict[str, list[int]] = {}
        if self.overlay is not None:
            for audit_id in audit_ids:
                for item_id, status in self._statuses(audit_id).items():
                    if status == "na":
                        continue
                    t = totals.setdefault(item_id, [0, 0])
                    t[1] += 1
                    t[0] += status == "done"
            return {k: round(d / n, 4) for k, (d, n) in totals.items() if n}
        for chunk in range(0, len(audit_ids), 500):
            ids = audit_ids[chunk:chunk + 500]
            for item_id, status, n in self.db.execute(
                    f"SELECT item_id, status, COUNT(*) FROM items "
                    f"WHERE audit_id IN ({','.join('?' * len(ids))}) "
                    f"GROUP BY item_id, status", ids):
                t = totals.setdefault(item_id, [0, 0])
                t[1] += n
                if status == "done":
                    t[0] += n
        return {k: round(d / n, 4) for k, (d, n) in totals.items() if n}


def _changes(before: dict[str, str], after: dict[str, str]) -> tuple[list[str], list[str]]:
    """Duties done after but not before (newly reported), and done before but not after (dropped).
    Only duties both audits checked are compared."""
    common = [k for k in after if k in before]
    new = [k for k in common if after[k] == "done" and before[k] != "done"]
    dropped = [k for k in common if before[k] == "done" and after[k] != "done"]
    return new, dropped
