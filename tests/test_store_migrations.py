"""Store migrations: a store from any earlier schema opens, is upgraded once, and keeps its data."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from dutycheck import migrations as mig
from dutycheck.batch import run_batch
from dutycheck.checklist.load import load_checklist
from dutycheck.migrations import MIGRATIONS, Migration, applied, migrate, statements
from dutycheck.store import Store, StoreError

ROOT = Path(__file__).resolve().parent.parent
JINCHENG = ROOT / "reports" / "山西" / "晋城市教育局-2023.txt"

# What dutycheck wrote before the migrations table existed (PRAGMA user_version 1), verbatim
# from store.py of that time, so the upgrade is tested against the real old shape.
PRE_MIGRATIONS_DDL = """
CREATE TABLE runs (id INTEGER PRIMARY KEY, started TEXT NOT NULL, finished TEXT,
    checklist_id TEXT NOT NULL, checklist_version TEXT NOT NULL, checklist_hash TEXT NOT NULL, args TEXT,
    files INTEGER, audited INTEGER, failed INTEGER, duplicates INTEGER, skipped INTEGER,
    cached INTEGER, mean_score REAL);
CREATE TABLE audits (id INTEGER PRIMARY KEY, sha256 TEXT NOT NULL, checklist_hash TEXT NOT NULL,
    checklist_id TEXT NOT NULL, checklist_version TEXT NOT NULL, agency TEXT, year INTEGER, title TEXT,
    date TEXT, score REAL NOT NULL, done INTEGER NOT NULL, total INTEGER NOT NULL, format TEXT,
    created TEXT NOT NULL, audit_json BLOB NOT NULL, UNIQUE (sha256, checklist_hash));
CREATE INDEX audits_agency ON audits (agency, year);
CREATE TABLE items (audit_id INTEGER NOT NULL REFERENCES audits (id), item_id TEXT NOT NULL,
    title TEXT NOT NULL, grp TEXT NOT NULL, weight REAL NOT NULL, status TEXT NOT NULL, confidence REAL,
    PRIMARY KEY (audit_id, item_id)) WITHOUT ROWID;
CREATE TABLE evidence (audit_id INTEGER NOT NULL REFERENCES audits (id), item_id TEXT NOT NULL,
    rank INTEGER NOT NULL, text TEXT NOT NULL, line INTEGER, page INTEGER, section TEXT, role TEXT,
    status TEXT, score REAL, PRIMARY KEY (audit_id, item_id, rank)) WITHOUT ROWID;
CREATE TABLE run_reports (run_id INTEGER NOT NULL REFERENCES runs (id), path TEXT NOT NULL,
    audit_id INTEGER NOT NULL REFERENCES audits (id), region TEXT, duplicate_of TEXT,
    cached INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (run_id, path));
CREATE INDEX run_reports_audit ON run_reports (audit_id);
CREATE TABLE run_errors (run_id INTEGER NOT NULL REFERENCES runs (id), path TEXT NOT NULL,
    sha256 TEXT, kind TEXT, zh TEXT, en TEXT);
PRAGMA user_version = 1;
"""


def one_run(db_path: Path, folder: Path) -> None:
    cl = load_checklist("default")
    with Store(db_path) as store:
        store.begin_run(cl, [str(folder)])
        b = run_batch([folder], cl, jobs=1, lookup=store.lookup, on_outcome=store.add)
        store.finish_run(b)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    d = tmp_path / "reports"
    d.mkdir()
    (d / JINCHENG.name).write_bytes(JINCHENG.read_bytes())
    return d


def test_a_new_store_has_every_migration(tmp_path):
    with Store(tmp_path / "new.sqlite") as store:
        assert applied(store.db) == [m.name for m in MIGRATIONS]
        assert store.db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


def test_a_store_from_before_migrations_is_upgraded_and_keeps_its_runs(tmp_path, folder):
    db_path = tmp_path / "old.sqlite"
    db = sqlite3.connect(db_path)
    db.executescript(PRE_MIGRATIONS_DDL)
    db.close()
    one_run(db_path, folder)       # the old file takes a run written by today's code...
    with Store(db_path) as store:  # ...and opens again with nothing left to do
        assert applied(store.db) == [m.name for m in MIGRATIONS]
        assert store.history("晋城市教育局")[0].year == 2023
    one_run(db_path, folder)       # second run: served from the store
    with Store(db_path) as store:
        assert [r["cached"] for r in store.runs()] == [0, 1]


@pytest.mark.parametrize("upto", range(1, len(MIGRATIONS) + 1))
def test_a_store_from_every_earlier_migration_upgrades(tmp_path, folder, upto):
    """A store that has had the first `upto` migrations gets the rest, and its runs stay readable."""
    db_path = tmp_path / "partial.sqlite"
    db = sqlite3.connect(db_path)
    migrate(db, MIGRATIONS[:upto])
    db.close()
    one_run(db_path, folder)
    with Store(db_path) as store:
        assert applied(store.db) == [m.name for m in MIGRATIONS]
        assert store.runs()[0]["audited"] == 1


def test_a_new_migration_is_applied_once_and_in_order(tmp_path, folder, monkeypatch):
    db_path = tmp_path / "r.sqlite"
    one_run(db_path, folder)
    steps = []
    extra = (Migration("9001_notes", """
        CREATE TABLE notes (audit_id INTEGER REFERENCES audits (id), text TEXT);  -- a ';' in a comment
        ALTER TABLE items ADD COLUMN note TEXT DEFAULT 'x;y';
    """), Migration("9002_fill", python=lambda db: steps.append(db.execute("SELECT COUNT(*) FROM items")
                                                            .fetchone()[0])))
    monkeypatch.setattr(mig, "MIGRATIONS", MIGRATIONS + extra)
    with Store(db_path) as store:
        assert store.applied == ["9001_notes", "9002_fill"]
        assert store.db.execute("SELECT DISTINCT note FROM items").fetchall() == [("x;y",)]
    with Store(db_path) as store:
        assert store.applied == []
        items = store.db.execute("SELECT COUNT(*) FROM items").fetchone()[0]
    assert steps == [items] and items > 0   # the Python step ran once, after the SQL, on the data


def test_a_failing_migration_leaves_the_store_as_it_was(tmp_path, folder, monkeypatch):
    db_path = tmp_path / "r.sqlite"
    one_run(db_path, folder)
    bad = MIGRATIONS + (Migration("9001_ok", "CREATE TABLE fine (x INTEGER);"),
                        Migration("9002_broken", "ALTER TABLE no_such_table ADD COLUMN y TEXT;"))
    monkeypatch.setattr(mig, "MIGRATIONS", bad)
    with pytest.raises(StoreError):
        Store(db_path)
    db = sqlite3.connect(db_path)
    assert applied(db) == [m.name for m in MIGRATIONS]
    assert not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'fine'").fetchone()


def test_a_store_from_a_newer_dutycheck_is_refused(tmp_path, folder):
    db_path = tmp_path / "r.sqlite"
    one_run(db_path, folder)
    db = sqlite3.connect(db_path)
    db.execute("INSERT INTO migrations (name, applied) VALUES ('9999_future', '2030-01-01 00:00:00')")
    db.commit()
    db.close()
    with pytest.raises(StoreError) as exc:
        Store(db_path)
    assert "9999_future" in exc.value.message() and "更新版本" in exc.value.message()


def test_statements_split_on_semicolons_outside_strings():
    assert statements("CREATE TABLE a (x TEXT DEFAULT ';');\n\nINSERT INTO a VALUES ('b;c');\n") == [
        "CREATE TABLE a (x TEXT DEFAULT ';');", "INSERT INTO a VALUES ('b;c');"]
