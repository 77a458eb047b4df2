"""The SQLite store: runs round-trip, history year over year, compare, and the cache."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from dutycheck.batch import pool as batch_mod
from dutycheck.batch import run_batch
from dutycheck.checklist.load import load_checklist
from dutycheck.cli import main
from dutycheck.store import Store, checklist_key

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "reports"
JINCHENG = REPORTS / "山西" / "晋城市教育局-2023.txt"
SHUFA = "局主要负责人在年终述职中专题述法。"


def next_year(text: str) -> str:
    """晋城's report a year on: the paragraph on legal counsel and open government gone,
    a sentence on 述法 added to part one."""
    lines = text.splitlines()
    counsel = next(i for i, line in enumerate(lines) if "聘请宇星律师事务所" in line)
    del lines[counsel]
    part_one = next(i for i, line in enumerate(lines) if "切实履行第一责任人职责" in line)
    lines.insert(part_one + 1, SHUFA)
    return "\n".join(lines).replace("2023", "2024")


@pytest.fixture
def years(tmp_path: Path) -> tuple[Path, Path]:
    y23, y24 = tmp_path / "2023", tmp_path / "2024"
    for d in (y23, y24):
        (d / "山西").mkdir(parents=True)
    shutil.copyfile(JINCHENG, y23 / "山西" / JINCHENG.name)
    shutil.copyfile(REPORTS / "河南" / "焦作市教育局-2024.txt", y23 / "山西" / "焦作.txt")
    (y24 / "山西" / "晋城市教育局-2024.txt").write_text(next_year(JINCHENG.read_text(encoding="utf-8")),
                                                       encoding="utf-8")
    return y23, y24


def batch_into(store: Store, path: Path, checklist="default", jobs: int = 2):
    cl = load_checklist(checklist)
    store.begin_run(cl, [str(path)])
    b = run_batch([path], cl, recursive=True, jobs=jobs, lookup=store.lookup, on_outcome=store.add)
    store.finish_run(b)
    return b


def test_round_trip_history_and_compare(years, tmp_path):
    y23, y24 = years
    db = tmp_path / "r.sqlite"
    with Store(db) as store:
        b1 = batch_into(store, y23)
        b2 = batch_into(store, y24)
        runs = store.runs()
        assert [r["id"] for r in runs] == [1, 2] and [r["audited"] for r in runs] == [2, 1]
        hist = store.history("晋城市教育局")
        assert [(e.year, e.run_id) for e in hist] == [(2023, 1), (2024, 2)]
        s23 = next(r.score for r in b1.rows if r.agency == "晋城市教育局")
        s24 = b2.rows[0].score
        assert (hist[0].score, hist[1].score) == (s23, s24)
        assert hist[0].delta is None and hist[1].delta == round(s24 - s23, 1)
        assert "first-responsible.shufa" in hist[1].newly_done
        assert "legal-counsel.retained" in hist[1].dropped
        assert hist[0].statuses["legal-counsel.retained"] == "done"
        assert store.history("晋城") and store.history("晋城")[0].agency == "晋城市教育局"   # by part of the name
        assert store.history("不存在的单位") == []

        cmp = store.compare(1, 2)
        assert cmp.same_checklist
        assert [p.agency for p in cmp.pairs] == ["晋城市教育局"]
        pair = cmp.pairs[0]
        assert (pair.year_a, pair.year_b) == (2023, 2024) and pair.delta == round(s24 - s23, 1)
        assert pair.newly_done == hist[1].newly_done and pair.dropped == hist[1].dropped
        assert [a for a, _ in cmp.only_a] == ["焦作市教育局"] and cmp.only_b == []
        counsel = next(i for i in cmp.items if i["id"] == "legal-counsel.retained")
        assert counsel["done_share_a"] > counsel["done_share_b"] == 0.0

    # the evidence is stored with the statuses
    con = sqlite3.connect(db)
    quote = con.execute("SELECT e.text, e.line FROM evidence e JOIN audits a ON a.id = e.audit_id "
                        "WHERE a.year = 2023 AND a.agency = '晋城市教育局' "
                        "AND e.item_id = 'legal-counsel.retained' "
                        "AND e.rank = 0").fetchone()
    assert "宇星律师事务所" in quote[0] and quote[1] == 23
    con.close()


def _refuse(path, checklist=None):
    raise AssertionError(f"audited {path} although it was in the store")


def test_unchanged_reports_come_from_the_store(years, tmp_path, monkeypatch):
    y23, _ = years
    db = tmp_path / "r.sqlite"
    lines1: list[str] = []
    with Store(db) as store:
        cl = load_checklist("default")
        store.begin_run(cl)
        b1 = run_batch([y23], cl, recursive=True, jobs=1, lookup=store.lookup,
                       on_outcome=lambda o: (store.add(o), lines1.append(o.line)))
        store.finish_run(b1)
    assert b1.counts()["cached"] == 0

    monkeypatch.setattr(batch_mod, "_audit_one", _refuse)
    lines2: list[str] = []
    with Store(db) as store:
        store.begin_run(cl)
        b2 = run_batch([y23], cl, recursive=True, jobs=1, lookup=store.lookup,
                       on_outcome=lambda o: (store.add(o), lines2.append(o.line)))
        store.finish_run(b2)
        assert store.runs()[-1]["cached"] == 2
    assert b2.counts()["cached"] == 2 and not b2.errors
    assert sorted(lines2) == sorted(lines1)             # the same audit/1 lines as a fresh audit
    same = [(r.path, r.score, r.statuses) for r in b1.rows]
    assert [(r.path, r.score, r.statuses) for r in b2.rows] == same

    # a moved file with the same bytes is still served, under its new path
    moved = tmp_path / "moved"
    shutil.copytree(y23, moved)
    with Store(db) as store:
        store.begin_run(cl)
        b3 = run_batch([moved], cl, recursive=True, jobs=1, lookup=store.lookup, on_outcome=store.add)
    assert b3.counts()["cached"] == 2 and all(r.path.startswith(str(moved)) for r in b3.rows)


def test_a_changed_checklist_or_report_is_audited_again(years, tmp_path):
    y23, _ = years
    db = tmp_path / "r.sqlite"
    with Store(db) as store:
        batch_into(store, y23)
    custom = tmp_path / "mine.yaml"
    custom.write_text("id: mine\nextends: default\nversion: '1'\n", encoding="utf-8")
    assert checklist_key(load_checklist(custom)) != checklist_key(load_checklist("default"))
    with Store(db) as store:
        assert batch_into(store, y23, checklist=str(custom)).counts()["cached"] == 0
        assert batch_into(store, y23).counts()["cached"] == 2
        report = y23 / "山西" / JINCHENG.name
        report.write_text(report.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        assert batch_into(store, y23).counts()["cached"] == 1


def test_cli_db_history_compare(years, tmp_path):
    y23, y24 = years
    db = str(tmp_path / "r.sqlite")
    runner = CliRunner()
    r1 = runner.invoke(main, ["batch", str(y23), "-r", "--db", db, "--format", "jsonl"])
    assert r1.exit_code == 0 and "运行编号 1" in r1.stderr
    r2 = runner.invoke(main, ["batch", str(y24), "-r", "--db", db, "--format", "jsonl"])
    assert r2.exit_code == 0
    again = runner.invoke(main, ["batch", str(y23), "-r", "--db", db, "--format", "json"])
    assert again.exit_code == 0 and json.loads(again.stdout)["summary"]["cached"] == 2

    h = runner.invoke(main, ["history", "晋城市教育局", "--db", db, "--format", "json"])
    assert h.exit_code == 0
    entries = json.loads(h.stdout)["entries"]
    assert [e["year"] for e in entries] == [2023, 2024]
    assert "first-responsible.shufa" in entries[1]["newly_done"]
    table = runner.invoke(main, ["history", "晋城市教育局", "--db", db])
    assert table.exit_code == 0 and "2024" in table.stdout
    assert "新增报告的职责：" in table.stdout and "领导干部述法" in table.stdout

    c = runner.invoke(main, ["compare", "1", "2", "--db", db, "--format", "json"])
    assert c.exit_code == 0
    pairs = json.loads(c.stdout)["pairs"]
    assert pairs[0]["agency"] == "晋城市教育局" and "legal-counsel.retained" in pairs[0]["dropped"]
    t = runner.invoke(main, ["compare", "1", "2", "--db", db])
    assert t.exit_code == 0 and "不再报告的职责：" in t.stdout and "法律顾问" in t.stdout

    assert runner.invoke(main, ["compare", "1", "9", "--db", db]).exit_code == 2
    assert runner.invoke(main, ["history", "没有这个单位", "--db", db]).exit_code == 2


def test_a_file_that_is_not_a_store_is_refused(tmp_path, years):
    y23, _ = years
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not sqlite at all" * 100)
    res = CliRunner().invoke(main, ["batch", str(y23), "-r", "--db", str(junk)])
    assert res.exit_code == 2 and "junk.sqlite" in res.output
    other = tmp_path / "other.sqlite"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    res = CliRunner().invoke(main, ["history", "x", "--db", str(other)])
    assert res.exit_code == 2 and "不是 dutycheck" in res.output
