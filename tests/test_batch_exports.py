"""`dutycheck batch` on the command line: every export read back, exit codes 0/1/2/3."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_batch import REPORTS, make_mixed

from dutycheck.audit import audit_path
from dutycheck.cli import main
from dutycheck.render.json import audit_dict

AGENCIES = {"晋城市教育局", "曲沃县教育科技局", "于田县教育局", "山阳区教育局", "焦作市教育局"}


def run(*args: str):
    return CliRunner().invoke(main, ["batch", *args], catch_exceptions=False)


@pytest.fixture(scope="module")
def mixed(tmp_path_factory) -> tuple[Path, dict[str, Path]]:
    root = tmp_path_factory.mktemp("batch") / "region"
    return root, make_mixed(root)


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> Path:
    """The five bundled reports, nothing broken."""
    root = tmp_path_factory.mktemp("clean")
    for p in sorted(REPORTS.rglob("*.txt")):
        (root / p.parent.name).mkdir(exist_ok=True)
        shutil.copyfile(p, root / p.parent.name / p.name)
    return root


# ----------------------------------------------------------------------------- formats

def test_jsonl_is_audit_json_per_line_plus_error_rows(mixed):
    root, files = mixed
    res = run(str(root), "-r", "--jobs", "2", "--format", "jsonl")
    assert res.exit_code == 3, res.output
    lines = [json.loads(x) for x in res.stdout.splitlines()]
    assert len(lines) == 8
    audits = {Path(d["path"]).name: d for d in lines if d["schema"] == "dutycheck.audit/1"}
    errors = {Path(d["path"]).name: d for d in lines if d["schema"] == "dutycheck.error/1"}
    assert set(errors) == {"损坏.docx", "空白.txt"} and len(audits) == 6
    for e in errors.values():
        assert e["error"]["zh"] and e["error"]["en"] and e["error"]["kind"] == "ReportError"
    # exactly what `dutycheck audit --format json` gives for the same file
    p = files["晋城市教育局-2023"]
    single = CliRunner().invoke(main, ["audit", str(p), "--format", "json"])
    assert audits[p.name] == json.loads(single.stdout)
    assert audits["焦作市教育局-2024.txt"]["report"]["encoding"].lower().replace("-", "") in ("gb18030", "gbk")
    dup = audits["焦作市山阳区教育局-2024（副本）.txt"]
    assert dup["sha256"] == audits["焦作市山阳区教育局-2024.txt"]["sha256"]
    assert "跳过" in res.stderr and "照片.jpg" in res.stderr and "失败" in res.stderr


def test_json_document(mixed, tmp_path):
    root, _ = mixed
    out = tmp_path / "r.json"
    res = run(str(root), "-r", "--jobs", "2", "--format", "json", "--out", str(out))
    assert res.exit_code == 3
    d = json.loads(out.read_text(encoding="utf-8"))
    assert d["schema"] == "dutycheck.batch/1"
    s = d["summary"]
    assert (s["audited"], s["failed"], s["duplicates"], s["skipped"]) == (6, 2, 1, 1)
    assert [r["rank"] for r in d["ranking"]] == sorted(r["rank"] for r in d["ranking"])
    assert {r["agency"] for r in d["ranking"]} == AGENCIES
    assert [r["path"] for r in d["reports"]] == [r["path"] for r in d["ranking"]]
    assert all(r["schema"] == "dutycheck.audit/1" for r in d["reports"])
    assert len(d["errors"]) == 2 and d["skipped"][0]["path"].endswith("照片.jpg")
    shares = [c["done_share"] for c in d["coverage"]]
    assert shares == sorted(shares) and len(d["structure"]) == 4
    assert {r["region"] for r in d["regions"]} == {"山西", "新疆", "河南"}


def test_csv_with_bom_reads_back(mixed, tmp_path):
    root, files = mixed
    out = tmp_path / "r.csv"
    res = run(str(root), "-r", "--jobs", "2", "--format", "csv", "--out", str(out))
    assert res.exit_code == 3
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert len(rows) == 8
    ok = [r for r in rows if r["排名"]]
    bad = [r for r in rows if not r["排名"]]
    assert {r["单位"] for r in ok} == AGENCIES and len(ok) == 6
    assert {Path(r["文件"]).name for r in bad} == {"损坏.docx", "空白.txt"} and all(r["错误"] for r in bad)
    row = next(r for r in ok if r["单位"] == "晋城市教育局")
    d = audit_dict(audit_path(files["晋城市教育局-2023"]))
    assert float(row["得分"]) == round(d["score"], 1)
    zh = {"done": "已开展", "planned": "仅有计划", "shortfall": "仅列为不足", "absent": "未提及"}
    for it in d["items"]:
        assert row[it["title"]] == zh[it["status"]]
    assert sum(1 for r in ok if r["重复于"]) == 1


def test_xlsx_reads_back(mixed, tmp_path):
    import openpyxl

    root, files = mixed
    out = tmp_path / "r.xlsx"
    res = run(str(root), "-r", "--jobs", "2", "--format", "xlsx", "--out", str(out))
    assert res.exit_code == 3
    wb = openpyxl.load_workbook(out, read_only=True)
    assert wb.sheetnames == ["排名", "覆盖矩阵", "状态矩阵", "报告结构", "地区", "明细", "形式审查", "错误"]
    ranking = list(wb["排名"].iter_rows(values_only=True))
    assert ranking[0][:5] == ("名次", "单位", "年度", "地区", "得分")
    assert {r[1] for r in ranking[1:]} == AGENCIES and len(ranking) == 7
    scores = [r[4] for r in ranking[1:]]
    assert scores == sorted(scores, reverse=True)
    coverage = list(wb["覆盖矩阵"].iter_rows(values_only=True))
    assert len(coverage) == 37 and coverage[0][0] == "职责"
    assert [r[6] for r in coverage[1:]] == sorted(r[6] for r in coverage[1:])  # done share, rising
    matrix = list(wb["状态矩阵"].iter_rows(values_only=True))
    assert len(matrix) == 7 and set(v for r in matrix[1:] for v in r[5:]) <= {"已开展", "仅有计划", "仅列为不足",
                                                                              "未提及"}
    items = list(wb["明细"].iter_rows(values_only=True))
    assert len(items) == 1 + 6 * 36
    jc = [r for r in items[1:] if r[1] == "晋城市教育局" and r[9] == "已开展"]
    d = audit_dict(audit_path(files["晋城市教育局-2023"]))
    assert len(jc) == sum(1 for it in d["items"] if it["status"] == "done")
    assert all(r[10] for r in jc)                       # every done item has its quote
    assert all(r[14] and r[15] for r in items[1:] if r[9] != "已开展")  # every gap: 依据 and what to add
    errors = list(wb["错误"].iter_rows(values_only=True))
    assert {(Path(r[0]).name, r[1]) for r in errors[1:]} == {("损坏.docx", "失败"), ("空白.txt", "失败"),
                                                             ("照片.jpg", "跳过")}
    assert len(list(wb["报告结构"].iter_rows(values_only=True))) == 5
    assert {r[0] for r in list(wb["地区"].iter_rows(values_only=True))[1:]} == {"山西", "新疆", "河南"}


def test_html_is_self_contained(mixed, tmp_path):
    root, _ = mixed
    out = tmp_path / "r.html"
    res = run(str(root), "-r", "--jobs", "2", "--format", "html", "--out", str(out))
    assert res.exit_code == 3
    page = out.read_text(encoding="utf-8")
    lower = page.lower()
    for banned in ("<link", "<img", "<iframe", " src=", "url(", "@import", "http://", "https://"):
        assert banned not in lower, banned
    data = page.split('<script type="application/json" id="dc-data">')[1].split("</script>")[0]
    d = json.loads(data)
    assert {r["agency"] for r in d["reports"]} == AGENCIES and len(d["reports"]) == 6
    assert len(d["items"]) == 36 and sorted(d["order"]) == list(range(36))
    assert "损坏.docx" in page and "照片.jpg" in page


def test_table_shows_every_part(mixed, tmp_path):
    root, _ = mixed
    out = tmp_path / "r.txt"
    res = run(str(root), "-r", "--jobs", "2", "--out", str(out))
    assert res.exit_code == 3
    text = out.read_text(encoding="utf-8")
    for label in ("排名", "职责覆盖情况", "报告结构完整性", "地区分组", "未审查的文件", "损坏.docx", "照片.jpg",
                  "重复"):
        assert label in text, label
    assert all(a in text for a in AGENCIES)


# ----------------------------------------------------------------------------- exit codes

def test_exit_0_and_1(clean):
    assert run(str(clean), "-r", "--jobs", "2", "--format", "jsonl").exit_code == 0
    res = run(str(clean), "-r", "--jobs", "2", "--format", "jsonl", "--fail-under", "60")
    assert res.exit_code == 1 and "--fail-under" in res.stderr
    assert run(str(clean), "-r", "--jobs", "2", "--format", "jsonl", "--fail-under", "10").exit_code == 0


def test_exit_3_when_some_files_fail(mixed):
    root, _ = mixed
    res = run(str(root), "-r", "--jobs", "2", "--format", "jsonl", "--fail-under", "99")
    assert res.exit_code == 3      # failures outrank low scores
    assert len(res.stdout.splitlines()) == 8


def test_exit_2_for_bad_input(mixed, tmp_path, clean):
    root, files = mixed
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run(str(empty)).exit_code == 2
    res = run(str(root))                      # folders only, no --recursive
    assert res.exit_code == 2 and "--recursive" in res.output
    res = run(str(files["zip"]), str(files["empty"]), "--format", "jsonl")
    assert res.exit_code == 2 and len(res.stdout.splitlines()) == 2   # error rows still written
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\nversion: '1'\nitems:\n  - id: a\n    wieght: 1\n", encoding="utf-8")
    res = run(str(clean), "-r", "--checklist", str(bad))
    assert res.exit_code == 2 and "bad.yaml" in res.output
    res = run(str(clean), "-r", "--format", "xlsx")
    assert res.exit_code == 2 and "--out" in res.output
