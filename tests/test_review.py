"""The reviewer's corrections: kept in the store, applied in every output, never overwritten."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from dutycheck.cli import main
from dutycheck.review import Reviews, apply_reviews, apply_to_result, review_queue
from dutycheck.review.log import load_current
from dutycheck.store import Store

REPORT = """山阳区教育局关于2023年度法治政府建设工作情况的报告

2023年，山阳区教育局在区委、区政府的领导下，深入推进依法治教。现将有关情况报告如下。

一、主要举措和成效
（一）切实履行推进法治建设第一责任人职责。局党组书记、局长认真履行推进法治建设第一责任人职责，全年召开党组会议专题研究法治工作4次。
（二）聘请河南某某律师事务所律师担任教育局法律顾问，全年审查合同12份。
（三）开展规范性文件清理，废止文件3件。
二、存在的不足
行政执法人员培训不够系统。
三、2024年工作安排
2024年，我局将全面推行行政执法公示制度、执法全过程记录制度、重大执法决定法制审核制度。

山阳区教育局
2024年1月10日
"""

OTHER = """于田县教育局2023年法治政府建设年度报告

一、2023年推进法治政府建设的主要举措和成效
认真落实主要负责人履行推进法治政府建设第一责任人职责，教育局成立了以局长为组长的法治政府建设领导小组。
全面推行行政执法公示制度、执法全过程记录制度和重大执法决定法制审核制度。
二、存在的不足
法治宣传形式单一。
三、2024年工作计划
继续加强法治副校长队伍建设。

于田县教育局
2024年1月5日
"""


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


@pytest.fixture
def region(tmp_path: Path) -> Path:
    d = tmp_path / "焦作市"
    d.mkdir()
    (d / "山阳区教育局-2023.txt").write_text(REPORT, encoding="utf-8")
    (d / "于田县教育局-2023.txt").write_text(OTHER, encoding="utf-8")
    return d


@pytest.fixture
def db(tmp_path: Path, region: Path) -> str:
    path = str(tmp_path / "r.sqlite")
    res = run("batch", str(region), "--db", path, "--format", "jsonl", "--jobs", "1")
    assert res.exit_code == 0, res.output
    return path


def _jsonl(output: str) -> dict[str, dict]:
    out = {}
    for line in output.splitlines():
        if line.startswith("{"):
            d = json.loads(line)
            out[d["report"]["agency"]] = d
    return out


def _expected_score(record: dict, final: dict[str, str]) -> float:
    """The weighted done share, `na` out of the denominator, from the record's own weights."""
    done = total = 0.0
    for it in record["items"]:
        status = final.get(it["id"], it["status"])
        if status == "na":
            continue
        total += it["weight"]
        done += it["weight"] if status == "done" else 0
    return round(100 * done / total, 1)


# ----------------------------------------------------------------------------- library

def test_set_undo_replay_and_the_log_is_append_only(db):
    with Store(db) as store:
        rv = Reviews(store)
        ref = rv.resolve("山阳区教育局 2023")
        first = rv.set(ref, "legal-counsel.retained", "planned", note="只是计划", by="张三")
        rv.set(ref, "legal-counsel.retained", "absent", by="李四")
        assert rv.current().for_report(ref.agency, ref.year, ref.sha256)["legal-counsel.retained"].status == "absent"
        rv.undo(ref, "legal-counsel.retained", by="李四")
        in_force = rv.current().for_report(ref.agency, ref.year, ref.sha256)["legal-counsel.retained"]
        assert in_force.id == first.id and in_force.by == "张三"   # the earlier correction returns
        assert first.machine_status == "done" and "法律顾问" in first.machine_evidence
        assert [c.action for c in rv.log(ref)] == ["set", "set", "undo"]
        with pytest.raises(Exception, match="append-only"):
            store.db.execute("UPDATE reviews SET status = 'done'")
        with pytest.raises(Exception, match="append-only"):
            store.db.execute("DELETE FROM reviews")


def test_apply_recomputes_the_score_with_na_out_of_the_denominator(db):
    with Store(db) as store:
        rv = Reviews(store)
        ref = rv.resolve("山阳区教育局", 2023)
        rv.set(ref, "legal-counsel.retained", "absent", note="律师仅列席")
        rv.set(ref, "normative-documents.filing", "na", note="本年未制发规范性文件")
        final = apply_reviews(ref.record, rv.current())
    items = {it["id"]: it for it in final["items"]}
    assert items["legal-counsel.retained"]["status"] == "absent"
    assert items["legal-counsel.retained"]["machine_status"] == "done"
    assert items["legal-counsel.retained"]["review"]["note"] == "律师仅列席"
    assert "machine_status" not in items["first-responsible.duty"]          # additive, corrected items only
    assert final["score"] == _expected_score(ref.record, {"legal-counsel.retained": "absent",
                                                          "normative-documents.filing": "na"})
    assert final["score"] < ref.record["score"]
    assert "normative-documents.filing" not in final["gaps"]
    assert ref.record["items"] != final["items"]   # the machine's record is untouched
    assert all("review" not in it for it in ref.record["items"])


def test_typed_and_dict_application_agree(db, region):
    from dutycheck.audit import audit_path
    from dutycheck.render.json import audit_dict

    with Store(db) as store:
        rv = Reviews(store)
        ref = rv.resolve(str(region / "山阳区教育局-2023.txt"))   # a path, matched by content
        rv.set(ref, "enforcement.publicity", "done", evidence="全面推行行政执法公示制度")
        current = rv.current()
    result = audit_path(region / "山阳区教育局-2023.txt")
    typed = audit_dict(apply_to_result(result, current))
    assert typed == apply_reviews(audit_dict(result), current)


# ----------------------------------------------------------------------------- CLI and errors

def test_cli_set_list_undo(db):
    res = run("review", "set", "山阳区教育局", "2023", "legal-counsel.retained", "absent",
              "--note", "只写了计划", "--by", "张三", "--db", db)
    assert res.exit_code == 0, res.output
    assert "已开展 → 未提及" in res.output
    res = run("review", "set", "山阳区教育局 2023", "法律顾问", "不适用", "--db", db)   # title part, Chinese status
    assert res.exit_code == 0 and "不适用" in res.output
    res = run("review", "list", "--db", db, "--format", "json")
    entries = json.loads(res.output)["entries"]
    assert [(e["item"], e["status"]) for e in entries] == [("legal-counsel.retained", "na")]
    res = run("review", "undo", "山阳区教育局", "2023", "legal-counsel.retained", "--db", db)
    assert res.exit_code == 0 and "已撤销" in res.output
    res = run("review", "list", "--log", "--db", db, "--format", "json")
    assert [e["action"] for e in json.loads(res.output)["entries"]] == ["set", "set", "undo"]
    res = run("review", "list", "--db", db)
    assert "只写了计划" in res.output and "张三" in res.output


@pytest.mark.parametrize("args, message", [
    (("山阳区教育局", "2023", "no.such-item", "done"), "没有条目“no.such-item”"),
    (("山阳区教育局", "2023", "legal-counsel.retained", "maybe"), "状态“maybe”无效"),
    (("不存在教育局", "2023", "legal-counsel.retained", "done"), "没有“不存在教育局 2023”"),
    (("山阳区教育局", "1999", "legal-counsel.retained", "done"), "没有“山阳区教育局 1999”"),
    (("missing.txt", "legal-counsel.retained", "done"), "文件不存在"),
    (("山阳区教育局", "2023", "执法", "done"), "不唯一"),
])
def test_cli_errors_are_clear_and_exit_2(db, args, message):
    res = run("review", "set", *args, "--db", db)
    assert res.exit_code == 2
    assert message in res.output
    assert "(" in res.output   # the English text follows the Chinese one


def test_cli_undo_without_correction_and_unknown_file(db, tmp_path):
    res = run("review", "undo", "山阳区教育局", "2023", "legal-counsel.retained", "--db", db)
    assert res.exit_code == 2 and "没有可撤销的复核" in res.output
    stray = tmp_path / "other.txt"
    stray.write_text(REPORT.replace("12份", "13份"), encoding="utf-8")
    res = run("review", "set", str(stray), "legal-counsel.retained", "done", "--db", db)
    assert res.exit_code == 2 and "数据库中没有这份报告" in res.output


# ----------------------------------------------------------------------------- outputs

def test_batch_correct_rerun_shows_final_status_and_score_in_every_format(db, region, tmp_path):
    machine = _jsonl(run("batch", str(region), "--db", db, "-f", "jsonl", "-j", "1").output)["山阳区教育局"]
    assert run("review", "set", "山阳区教育局", "2023", "legal-counsel.retained", "absent", "--note", "律师仅列席",
               "--db", db).exit_code == 0
    assert run("review", "set", "山阳区教育局", "2023", "enforcement.publicity", "done", "--db", db).exit_code == 0
    want = _expected_score(machine, {"legal-counsel.retained": "absent", "enforcement.publicity": "done"})
    assert want != machine["score"]

    final = _jsonl(run("batch", str(region), "--db", db, "-f", "jsonl", "-j", "1").output)["山阳区教育局"]
    items = {it["id"]: it for it in final["items"]}
    assert final["score"] == want
    assert (items["legal-counsel.retained"]["status"], items["legal-counsel.retained"]["machine_status"]) == \
        ("absent", "done")
    assert items["enforcement.publicity"]["review"]["stale"] is False

    out = tmp_path / "r.csv"
    assert run("batch", str(region), "--db", db, "-f", "csv", "-o", str(out), "-j", "1").exit_code == 0
    rows = list(csv.reader(out.open(encoding="utf-8-sig")))
    head, row = rows[0], next(r for r in rows[1:] if r[1] == "山阳区教育局")
    assert float(row[head.index("得分")]) == want
    assert row[head.index("法律顾问（公职律师）制度")] == "未提及（人工复核）"

    out = tmp_path / "r.xlsx"
    assert run("batch", str(region), "--db", db, "-f", "xlsx", "-o", str(out), "-j", "1").exit_code == 0
    from openpyxl import load_workbook

    wb = load_workbook(out, read_only=True)
    ranking = list(wb["排名"].iter_rows(values_only=True))
    r = next(x for x in ranking if x[1] == "山阳区教育局")
    assert r[4] == want and r[ranking[0].index("人工复核")] == 2
    detail = list(wb["明细"].iter_rows(values_only=True))
    h = detail[0]
    d = next(x for x in detail if x[1] == "山阳区教育局" and x[5] == "legal-counsel.retained")
    assert d[h.index("状态")] == "未提及" and d[h.index("机器判定")] == "已开展"
    assert "人工复核" in d[h.index("人工复核")] and "律师仅列席" in d[h.index("人工复核")]

    out = tmp_path / "r.html"
    assert run("batch", str(region), "--db", db, "-f", "html", "-o", str(out), "-j", "1").exit_code == 0
    page = out.read_text(encoding="utf-8")
    data = json.loads(page.split('id="dc-data">')[1].split("</script>")[0])
    rep = next(x for x in data["reports"] if x["agency"] == "山阳区教育局")
    assert rep["score"] == want
    assert sorted(data["items"][x[0]]["id"] for x in rep["rv"]) == ["enforcement.publicity",
                                                                  "legal-counsel.retained"]
    assert data["reviewMark"] == "人工复核"

    table = run("batch", str(region), "--db", db, "-j", "1").output
    assert "人工复核 2" in table and f"{want:.1f}" in table


def test_audit_history_compare_and_eval_use_the_corrections(db, region):
    path = str(region / "山阳区教育局-2023.txt")
    machine = json.loads(run("audit", path, "-f", "json").output)
    run("review", "set", "山阳区教育局", "2023", "first-responsible.duty", "shortfall", "--note", "只是口号", "--db",
        db)
    want = _expected_score(machine, {"first-responsible.duty": "shortfall"})

    final = json.loads(run("audit", path, "-f", "json", "--db", db).output)
    assert final["score"] == want
    assert run("audit", path, "--db", db).output.count("人工复核") == 1
    assert "人工复核，机器：已开展" in run("audit", path, "-f", "markdown", "--db", db).output

    hist = json.loads(run("history", "山阳区教育局", "--db", db, "-f", "json").output)
    assert hist["entries"][0]["score"] == want and hist["entries"][0]["reviewed"] == 1
    cmp = json.loads(run("compare", "1", "1", "--db", db, "-f", "json").output)
    pair = next(p for p in cmp["pairs"] if p["agency"] == "山阳区教育局")
    assert (pair["score_a"], pair["score_b"], pair["reviewed"]) == (want, want, 2)
    assert "人工复核 1" in run("history", "山阳区教育局", "--db", db).output
    table = run("compare", "1", "1", "--db", db).output
    assert "得分已按人工复核改定的状态重算" in "".join(table.split()), table

    res = run("eval", "--db", db, "-f", "json")
    ev = json.loads(res.output)
    assert ev["reports"] == 1 and ev["labels"] == len(machine["items"])
    assert ev["agreement"] == round((len(machine["items"]) - 1) / len(machine["items"]), 4)
    assert ev["confusion"]["shortfall"]["done"] == 1


def test_eval_db_without_reviews_is_an_error(db):
    res = run("eval", "--db", db)
    assert res.exit_code == 2 and "还没有复核过的报告" in res.output


# ----------------------------------------------------------------------------- revisions

def test_a_revised_report_carries_corrections_over_marked_stale_where_the_machine_changed(db, region):
    run("review", "set", "山阳区教育局", "2023", "legal-counsel.retained", "absent", "--db", db)
    run("review", "set", "山阳区教育局", "2023", "transparency.disclosure", "done", "--note", "见附件", "--db", db)
    # the bureau sends a revision: the counsel sentence is reworded, disclosure still not written
    revised = REPORT.replace("聘请河南某某律师事务所律师担任教育局法律顾问，全年审查合同12份。",
                             "聘请法律顾问一名，审查合同15份。")
    (region / "山阳区教育局-2023.txt").write_text(revised, encoding="utf-8")
    out = _jsonl(run("batch", str(region), "--db", db, "-f", "jsonl", "-j", "1").output)["山阳区教育局"]
    items = {it["id"]: it for it in out["items"]}
    assert items["legal-counsel.retained"]["status"] == "absent"
    assert items["legal-counsel.retained"]["review"]["stale"] is True         # its evidence changed: 待复核
    assert items["transparency.disclosure"]["status"] == "done"
    assert items["transparency.disclosure"]["review"]["stale"] is False       # machine unchanged
    with Store(db) as store:
        queue = review_queue(store)
    assert (queue[0].item_id, queue[0].stale) == ("legal-counsel.retained", True)
    assert "待复核" in str(queue[0].reasons[0]) and queue[0].reasons[0].code == "stale_after_revision"
    assert all(q.item_id != "transparency.disclosure" or q.agency != "山阳区教育局" for q in queue)


# ----------------------------------------------------------------------------- queue, export, import

def test_queue_lists_risky_items_first_and_drops_decided_ones(db):
    res = run("review", "queue", "--db", db, "--limit", "5", "-f", "json")
    entries = json.loads(res.output)["entries"]
    assert len(entries) == 5
    assert [e["risk"] for e in entries] == sorted((e["risk"] for e in entries), reverse=True)
    top = entries[0]
    run("review", "set", f"{top['agency']} {top['year']}", top["item"], top["status"], "--db", db)
    again = json.loads(run("review", "queue", "--db", db, "-f", "json").output)["entries"]
    assert (top["agency"], top["item"]) not in {(e["agency"], e["item"]) for e in again}
    assert "复核队列" in run("review", "queue", "--db", db).output


def test_export_yaml_is_a_gold_file_and_imports_back(db, region, tmp_path):
    run("review", "set", "山阳区教育局", "2023", "legal-counsel.retained", "absent", "--note", "列席", "--db", db)
    run("review", "set", "山阳区教育局", "2023", "normative-documents.filing", "na", "--db", db)
    gold = tmp_path / "复核.yaml"
    res = run("review", "export", "--db", db, "--out", str(gold))
    assert res.exit_code == 0, res.output
    # the export is a gold file: eval against it agrees except on the corrected item (na not compared)
    ev = json.loads(run("eval", "--gold", str(gold), "--reports", str(region), "-f", "json").output)
    assert ev["reports"] == 1
    assert [(d["item"], d["gold"], d["predicted"]) for d in ev["disagreements"]
            if d["gold"] != d["predicted"]] == [("legal-counsel.retained", "absent", "done")]
    # into a fresh store
    fresh = str(tmp_path / "fresh.sqlite")
    run("batch", str(region), "--db", fresh, "-f", "jsonl", "-j", "1")
    res = run("review", "import", str(gold), "--db", fresh, "--by", "王五")
    assert res.exit_code == 0 and "已导入 2 项" in res.output
    with Store(fresh) as store:
        got = {(c.item_id, c.status, c.by, c.note) for c in load_current(store).all()}
    assert ("legal-counsel.retained", "absent", "王五", "列席") in got or \
        any(g[:2] == ("legal-counsel.retained", "absent") and g[3] == "列席" for g in got)
    assert run("review", "import", str(gold), "--db", fresh).output.count("已导入 0 项") == 1   # idempotent


def test_export_csv_for_excel_and_import_it(db, region, tmp_path):
    run("review", "set", "山阳区教育局", "2023", "legal-counsel.retained", "absent", "--note", "列席", "--db", db)
    out = tmp_path / "复核.csv"
    assert run("review", "export", "--db", db, "--out", str(out)).exit_code == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert [(r["单位"], r["职责编号"], r["机器状态"], r["复核状态"], r["说明"]) for r in rows] == [
        ("山阳区教育局", "legal-counsel.retained", "已开展", "未提及", "列席")]
    fresh = str(tmp_path / "fresh.sqlite")
    run("batch", str(region), "--db", fresh, "-f", "jsonl", "-j", "1")
    assert "已导入 1 项" in run("review", "import", str(out), "--db", fresh).output
    bad = tmp_path / "bad.csv"
    bad.write_text(out.read_text(encoding="utf-8-sig").replace("未提及", "大概"), encoding="utf-8-sig")
    res = run("review", "import", str(bad), "--db", fresh)
    assert res.exit_code == 2 and "bad.csv:2" in res.output and "状态“大概”无效" in res.output


def test_import_of_a_plain_gold_file_imports_every_disagreement(db, region, tmp_path):
    gold = tmp_path / "gold.yaml"
    gold.write_text(textwrap.dedent("""\
        reports:
          山阳区教育局-2023.txt:
            labels:
              structure.achievements: {status: done}
              structure.shortfalls: {status: done}
              structure.first-responsible-section: {status: done}
              structure.next-year-plan: {status: done}
              first-responsible.duty: {status: done}
              first-responsible.planning: {status: done}
              legal-counsel.retained: {status: done, evidence: 聘请河南某某律师事务所律师担任教育局法律顾问}
              normative-documents.cleanup: {status: done}
              enforcement.publicity: {status: planned}
              enforcement.full-record: {status: planned}
              enforcement.legal-review: {status: planned}
              enforcement.qualification: {status: shortfall}
              first-responsible.leadership-group: {status: done, evidence: 全年召开党组会议专题研究法治工作4次}
        """), encoding="utf-8")
    res = run("review", "import", str(gold), "--db", db)
    assert res.exit_code == 0 and "已导入 1 项" in res.output, res.output


# ----------------------------------------------------------------------------- concurrency and crashes

WRITER = """
import sys
from dutycheck.store import Store
from dutycheck.review import Reviews
db, who, items = sys.argv[1], sys.argv[2], sys.argv[3].split(",")
for n in range(int(sys.argv[4])):
    with Store(db) as store:      # a fresh connection per correction, like one CLI call each
        rv = Reviews(store)
        ref = rv.resolve("山阳区教育局 2023")
        rv.set(ref, items[n % len(items)], "absent" if n % 2 else "done", note=f"{who}-{n}", by=who)
"""


def test_two_reviewers_at_once_lose_nothing(db):
    with Store(db) as store:
        ids = [it["id"] for it in Reviews(store).resolve("山阳区教育局 2023").record["items"]]
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, db, who, ",".join(ids[k::2]), "40"])
             for k, who in enumerate(("张三", "李四"))]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    with Store(db) as store:
        log = Reviews(store).log()
    assert len(log) == 80
    assert {c.note for c in log} == {f"{who}-{n}" for who in ("张三", "李四") for n in range(40)}


CRASH = """
import os, sys
from dutycheck.store import Store
from dutycheck.review import Reviews
store = Store(sys.argv[1])
rv = Reviews(store)
ref = rv.resolve("山阳区教育局 2023")
rv.set(ref, "legal-counsel.retained", "absent", note="committed")
store.db.execute("BEGIN IMMEDIATE")
store.db.execute("INSERT INTO reviews (report_key, sha256, item_id, action, status, reviewer, created) "
                 "VALUES ('k', 's', 'x', 'set', 'done', 'crash', 'now')")
os._exit(9)   # killed mid-write: the second correction was never committed
"""


def test_a_crash_mid_write_loses_no_earlier_correction(db):
    assert subprocess.run([sys.executable, "-c", CRASH, db], check=False).returncode == 9
    with Store(db) as store:
        assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        log = Reviews(store).log()
    assert [(c.item_id, c.note) for c in log] == [("legal-counsel.retained", "committed")]
    assert run("review", "set", "山阳区教育局", "2023", "enforcement.publicity", "done", "--db", db).exit_code == 0


def test_a_store_from_before_the_review_migration_gains_the_table(tmp_path, region):
    import sqlite3

    from dutycheck.migrations import MIGRATIONS, applied, migrate

    path = tmp_path / "old.sqlite"
    db = sqlite3.connect(path)
    migrate(db, MIGRATIONS[:1])          # a store written before 0002_reviews
    db.close()
    assert run("batch", str(region), "--db", str(path), "-f", "jsonl", "-j", "1").exit_code == 0
    assert run("review", "set", "山阳区教育局", "2023", "legal-counsel.retained", "absent",
               "--db", str(path)).exit_code == 0
    with Store(path) as store:
        assert "0002_reviews" in applied(store.db)


# ----------------------------------------------------------------------------- checklist suggest

def _suggest_region(tmp_path: Path) -> tuple[Path, str]:
    d = tmp_path / "区"
    d.mkdir()
    shanyang = (REPORT.replace("（二）聘请河南某某律师事务所律师担任教育局法律顾问，全年审查合同12份。\n", "")
                .replace("（三）开展规范性文件清理，废止文件3件。",
                         "（三）开展规范性文件清理，废止文件3件。\n（四）全年在局网站晒出办事事项清单和财务收支情况182条。\n"
                         "（五）邀请区政府法律顾问为机关干部作民法典辅导。"))
    jiefang = REPORT.replace("山阳区", "解放区").replace(
        "（三）开展规范性文件清理，废止文件3件。", "（三）开展规范性文件清理，废止文件3件。\n（四）在门户网站晒出权责清单和预决算信息56条。")
    (d / "山阳区教育局-2023.txt").write_text(shanyang, encoding="utf-8")
    (d / "解放区教育局-2023.txt").write_text(jiefang, encoding="utf-8")
    db = str(tmp_path / "s.sqlite")
    assert run("batch", str(d), "--db", db, "-f", "jsonl", "-j", "1").exit_code == 0
    return d, db


def test_checklist_suggest_learns_a_phrase_and_an_exclusion_that_fix_more_than_they_break(tmp_path, monkeypatch):
    import shlex

    region, db = _suggest_region(tmp_path)
    run("review", "set", "山阳区教育局", "2023", "transparency.disclosure", "done",
        "--evidence", "全年在局网站晒出办事事项清单和财务收支情况182条", "--db", db)
    run("review", "set", "山阳区教育局", "2023", "legal-counsel.retained", "absent", "--note", "只是讲座", "--db", db)
    run("review", "set", "解放区教育局", "2023", "first-responsible.duty", "planned", "--db",
        db)   # context: not learnable

    data = json.loads(run("checklist", "suggest", "--db", db, "-f", "json").output)
    by_item = {s["item"]: s for s in data["suggestions"]}
    assert data["reports"] == 2 and data["corrections"] == 3
    phrase = by_item["transparency.disclosure"]
    assert phrase["kind"] in ("phrase", "pair") and phrase["net"] >= 1 and phrase["broken"] == 0
    assert "晒出" in phrase["text"]
    assert by_item["legal-counsel.retained"]["kind"] == "exclude" and by_item["legal-counsel.retained"]["net"] >= 1
    assert any("上下文" in u for u in data["unlearnable"])

    # the commands, run as given, make a checklist under which both corrected items come out right
    monkeypatch.chdir(tmp_path)
    script = run("checklist", "suggest", "--db", db, "--target", "my.yaml").output
    commands = [shlex.split(line)[1:] for line in script.splitlines() if line.startswith("dutycheck ")]
    assert commands[0][:2] == ["checklist", "new"]
    for args in commands:
        res = run(*args)
        assert res.exit_code == 0, (args, res.output)
    after = json.loads(run("audit", str(region / "山阳区教育局-2023.txt"), "-c", "my.yaml", "-f", "json").output)
    status = {it["id"]: it["status"] for it in after["items"]}
    assert status["transparency.disclosure"] == "done" and status["legal-counsel.retained"] == "absent"


def test_checklist_suggest_diff_and_nothing_to_learn(tmp_path):
    _region, db = _suggest_region(tmp_path)
    assert "没有修正多于破坏的建议" in run("checklist", "suggest", "--db", db).output
    run("review", "set", "山阳区教育局", "2023", "transparency.disclosure", "done",
        "--evidence", "全年在局网站晒出办事事项清单和财务收支情况182条", "--db", db)
    diff = run("checklist", "suggest", "--db", db, "-f", "diff").output
    assert diff.startswith("--- a/my-checklist.yaml") and "+  transparency.disclosure:" in diff
    assert "晒出" in diff


def test_queue_flags_a_status_that_changed_since_last_year(tmp_path):
    d = tmp_path / "山阳区"
    d.mkdir()
    (d / "山阳区教育局-2022.txt").write_text(
        REPORT.replace("2023年度", "2022年度").replace("2023年，", "2022年，").replace("2024年", "2023年"),
        encoding="utf-8")
    (d / "山阳区教育局-2023.txt").write_text(
        REPORT.replace("（二）聘请河南某某律师事务所律师担任教育局法律顾问，全年审查合同12份。\n", ""), encoding="utf-8")
    db = str(tmp_path / "y.sqlite")
    assert run("batch", str(d), "--db", db, "-f", "jsonl", "-j", "1").exit_code == 0
    with Store(db) as store:
        queue = {(q.year, q.item_id): q for q in review_queue(store)}
    changed = queue[(2023, "legal-counsel.retained")]
    assert changed.status == "absent" and any("与上一年度不同" in str(r) for r in changed.reasons)
    assert not any(r.code == "changed_since_last_year" for r in queue[(2022, "legal-counsel.retained")].reasons)
    assert changed.risk > queue[(2023, "transparency.disclosure")].risk   # same status, no change since last year
