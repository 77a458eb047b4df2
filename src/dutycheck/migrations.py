"""The store's schema, as named migrations applied in order when a store is opened.

A migration is a name and SQL (and, when SQL is not enough, a Python step). `Store()` applies
every migration the file has not had yet, each in the same transaction as the row that records
it in the `migrations` table, so a store is never half-upgraded, and two processes opening an
old store at once upgrade it once. A store holding a migration this code does not know was
written by a newer dutycheck and is refused rather than damaged.

To change the schema (a table for review corrections, a column for a web task...), append one
entry to `MIGRATIONS` — never edit or reorder an entry that has been released; a store out
there has already had it:

    Migration("0002_corrections", '''
        CREATE TABLE corrections (...);
        ALTER TABLE items ADD COLUMN corrected TEXT;
    '''),

and add a row of the new shape to `tests/test_store_migrations.py` if queries depend on it
(the test there upgrades a store from every earlier point of this list, and from the schema
dutycheck wrote before migrations existed).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Migration:
    name: str                                          # "0002_corrections": order number, what
    sql: str = ""                                      # statements separated by ";"
    python: Callable[[sqlite3.Connection], None] | None = None   # a data step after the SQL


MIGRATIONS: tuple[Migration, ...] = (
    # The schema of dutycheck before migrations existed (PRAGMA user_version 1). IF NOT EXISTS
    # throughout, so a store of that time gets only its `migrations` row.
    Migration("0001_initial", """
    CREATE TABLE IF NOT EXISTS runs (
        id INTEGER PRIMARY KEY,
        started TEXT NOT NULL,
        finished TEXT,
        checklist_id TEXT NOT NULL,
        checklist_version TEXT NOT NULL,
        checklist_hash TEXT NOT NULL,
        args TEXT,
        files INTEGER, audited INTEGER, failed INTEGER, duplicates INTEGER, skipped INTEGER,
        cached INTEGER, mean_score REAL
    );
    CREATE TABLE IF NOT EXISTS audits (
        id INTEGER PRIMARY KEY,
        sha256 TEXT NOT NULL,
        checklist_hash TEXT NOT NULL,
        checklist_id TEXT NOT NULL,
        checklist_version TEXT NOT NULL,
        agency TEXT,
        year INTEGER,
        title TEXT,
        date TEXT,
        score REAL NOT NULL,
        done INTEGER NOT NULL,
        total INTEGER NOT NULL,
        format TEXT,
        created TEXT NOT NULL,
        audit_json BLOB NOT NULL,
        UNIQUE (sha256, checklist_hash)
    );
    CREATE INDEX IF NOT EXISTS audits_agency ON audits (agency, year);
    CREATE TABLE IF NOT EXISTS items (
        audit_id INTEGER NOT NULL REFERENCES audits (id),
        item_id TEXT NOT NULL,
        title TEXT NOT NULL,
        grp TEXT NOT NULL,
        weight REAL NOT NULL,
        status TEXT NOT NULL,
        confidence REAL,
        PRIMARY KEY (audit_id, item_id)
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS evidence (
        audit_id INTEGER NOT NULL REFERENCES audits (id),
        item_id TEXT NOT NULL,
        rank INTEGER NOT NULL,
        text TEXT NOT NULL,
        line INTEGER,
        page INTEGER,
        section TEXT,
        role TEXT,
        status TEXT,
        score REAL,
        PRIMARY KEY (audit_id, item_id, rank)
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS run_reports (
        run_id INTEGER NOT NULL REFERENCES runs (id),
        path TEXT NOT NULL,
        audit_id INTEGER NOT NULL REFERENCES audits (id),
        region TEXT,
        duplicate_of TEXT,
        cached INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (run_id, path)
    );
    CREATE INDEX IF NOT EXISTS run_reports_audit ON run_reports (audit_id);
    CREATE TABLE IF NOT EXISTS run_errors (
        run_id INTEGER NOT NULL REFERENCES runs (id),
        path TEXT NOT NULL,
        sha256 TEXT,
        kind TEXT,
        zh TEXT,
        en TEXT
    );
    """),
    # The reviewer's corrections (dutycheck.review): an append-only log, one row per `set` or
    # `undo`, with the machine's status and first evidence at the time. Triggers refuse UPDATE
    # and DELETE: a correction is withdrawn by a new `undo` row, never rewritten.
    Migration("0002_reviews", """
    CREATE TABLE reviews (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        report_key TEXT NOT NULL,
        agency TEXT,
        year INTEGER,
        sha256 TEXT NOT NULL,
        item_id TEXT NOT NULL,
        action TEXT NOT NULL CHECK (action IN ('set', 'undo')),
        status TEXT CHECK (status IS NULL OR status IN ('done', 'planned', 'shortfall', 'absent', 'na')),
        undoes INTEGER REFERENCES reviews (id),
        machine_status TEXT,
        machine_evidence TEXT NOT NULL DEFAULT '',
        evidence TEXT NOT NULL DEFAULT '',
        note TEXT NOT NULL DEFAULT '',
        reviewer TEXT NOT NULL,
        created TEXT NOT NULL,
        source TEXT NOT NULL DEFAULT 'cli'
    );
    CREATE INDEX reviews_report ON reviews (report_key, item_id);
    CREATE TRIGGER reviews_no_update BEFORE UPDATE ON reviews
    BEGIN SELECT RAISE(ABORT, 'reviews are append-only: add an undo entry'); END;
    CREATE TRIGGER reviews_no_delete BEFORE DELETE ON reviews
    BEGIN SELECT RAISE(ABORT, 'reviews are append-only: add an undo entry'); END;
    """),
    # The web workbench (dutycheck serve): 审查任务 (one store run each), the files brought into
    # them (name shown, generated name on disk, state queued/done/failed/rejected/duplicate,
    # committed with each audit so a killed server resumes), and report texts read once for
    # the report page.
    Migration("0003_web_tasks", """
    CREATE TABLE web_tasks (
        id INTEGER PRIMARY KEY,
        region TEXT NOT NULL,
        year INTEGER,
        checklist TEXT NOT NULL,
        run_id INTEGER NOT NULL REFERENCES runs (id),
        created TEXT NOT NULL
    );
    CREATE TABLE web_files (
        id INTEGER PRIMARY KEY,
        task_id INTEGER NOT NULL REFERENCES web_tasks (id),
        name TEXT NOT NULL,
        folder TEXT,
        stored TEXT,
        sha256 TEXT,
        size INTEGER,
        state TEXT NOT NULL CHECK (state IN ('queued', 'done', 'failed', 'rejected', 'duplicate')),
        audit_id INTEGER REFERENCES audits (id),
        duplicate_of INTEGER,
        error_zh TEXT,
        error_en TEXT,
        added TEXT NOT NULL,
        finished TEXT
    );
    CREATE INDEX web_files_task ON web_files (task_id, state);
    CREATE INDEX web_files_queued ON web_files (state, id);
    CREATE TABLE web_texts (
        sha256 TEXT PRIMARY KEY,
        lines BLOB NOT NULL
    );
    """),
    # What the batch-level 形式审查 (copies.py) needs of each audit — date, sentence fingerprints,
    # the report's own findings — kept small beside the audit, so the workbench's region page
    # rebuilds a task's Batch without decompressing every stored audit.
    Migration("0004_web_facts", """
    CREATE TABLE web_facts (
        audit_id INTEGER PRIMARY KEY REFERENCES audits (id),
        line TEXT NOT NULL
    );
    """),
    # each evidence row says why it has its status (audit/1 `reason_code`) and what its line counts
    # (`unit`: line | paragraph); NULL in rows written before
    Migration("0005_evidence_facts", """
    ALTER TABLE evidence ADD COLUMN reason_code TEXT;
    ALTER TABLE evidence ADD COLUMN unit TEXT;
    """),
)


class MigrationError(Exception):
    """A store this code cannot upgrade (written by a newer dutycheck)."""

    def __init__(self, zh: str, en: str):
        super().__init__(en)
        self.zh, self.en = zh, en


def statements(sql: str) -> list[str]:
    """Split a migration's SQL into complete statements (a ";" inside a string stays)."""
    out: list[str] = []
    buf = ""
    for line in sql.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            out.append(buf.strip())
            buf = ""
    if buf.strip():
        out.append(buf.strip())
    return [s for s in out if s.rstrip(";").strip()]


def applied(db: sqlite3.Connection) -> list[str]:
    """The names of the migrations this store has had, in the order they were applied."""
    if not db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'migrations'").fetchone():
        return []
    return [r[0] for r in db.execute("SELECT name FROM migrations ORDER BY rowid")]


def _check_known(db: sqlite3.Connection, done: Sequence[str], migrations: Sequence[Migration]) -> None:
    known = {m.name for m in migrations}
    unknown = [n for n in done if n not in known]
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if unknown or version > len(migrations):
        what = ", ".join(unknown) or f"user_version {version}"
        raise MigrationError(f"数据库由更新版本的 dutycheck 创建（结构：{what}），请升级 dutycheck",
                             f"the store was written by a newer dutycheck ({what}); upgrade dutycheck")


def migrate(db: sqlite3.Connection, migrations: Sequence[Migration] | None = None) -> list[str]:
    """Apply the migrations this store has not had (default: all of `MIGRATIONS`); returns their
    names, empty when the store is up to date."""
    if migrations is None:
        migrations = MIGRATIONS
    done = applied(db)
    _check_known(db, done, migrations)
    if len(done) == len(migrations) and db.execute("PRAGMA user_version").fetchone()[0] == len(migrations):
        return []
    db.commit()
    previous = db.isolation_level
    db.isolation_level = None          # transactions by hand: the DDL must be inside one
    new: list[str] = []
    try:
        db.execute("BEGIN IMMEDIATE")  # the write lock first: a second process waits, then sees it done
        try:
            db.execute("CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied TEXT NOT NULL)")
            done = applied(db)
            _check_known(db, done, migrations)
            for m in migrations:
                if m.name in done:
                    continue
                for stmt in statements(m.sql):
                    db.execute(stmt)
                if m.python is not None:
                    m.python(db)
                db.execute("INSERT INTO migrations (name, applied) VALUES (?, ?)",
                           (m.name, time.strftime("%Y-%m-%d %H:%M:%S")))
                new.append(m.name)
            db.execute(f"PRAGMA user_version = {len(migrations)}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
    finally:
        db.isolation_level = previous
    return new
