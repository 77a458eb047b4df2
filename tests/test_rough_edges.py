"""Rough edges a new user hits: the terminal layout, click's messages, paths, explain, eval."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.cells import cell_len
from rich.console import Console

from dutycheck.audit import audit_path
from dutycheck.cli import main
from dutycheck.messages import shorten_cells, where_label
from dutycheck.render.terminal import evidence_cells, render_terminal

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "reports/山西/晋城市教育局-2023.txt"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def terminal_view(width: int) -> str:
    """The audit as a terminal of `width` columns shows it (a TTY: quotes windowed)."""
    import io

    buf = io.StringIO()
    console = Console(file=buf, width=width, force_terminal=True, color_system=None, markup=False)
    render_terminal(audit_path(REPORT), console)
    return buf.getvalue()


def test_the_quote_window_holds_the_matched_words_at_80_columns():
    r = audit_path(REPORT)
    cells = evidence_cells(80) * 2
    for it in r.items:
        if not it.evidence or not it.evidence[0].matched or it.group == "structure":
            continue
        e = it.evidence[0]
        window = shorten_cells(" ".join(e.text.split()), e.matched, cells)
        assert cell_len(window) <= cells
        assert e.matched[:4] in window, (it.id, e.matched, window)


def test_terminal_titles_wrap_instead_of_being_cut():
    out = terminal_view(80)
    flat = re.sub(r"[│\s]", "", out)
    assert "主要负责人履行推进法治建设第一责任人职责" in flat       # a long title, wrapped over lines
    assert " … │" not in out and "行政规范性文件 …" not in out


def test_terminal_labels_lines_in_chinese_and_stacks_the_gaps():
    out = terminal_view(80)
    assert re.search(r"第\d+行 \[", out) and not re.search(r"\bL\d+ ", out)
    assert "依据：" in out and "应补写：" in out          # each gap its own block, labelled
    assert where_label(12, 2) == "第2页第12行" and where_label(3, unit="paragraph") == "第3段"


def test_redirected_output_is_wide_and_quotes_are_whole():
    out = run("audit", REPORT).output          # CliRunner: not a terminal
    r = audit_path(REPORT)
    longest = max((it.evidence[0] for it in r.items if it.evidence), key=lambda e: len(e.text))
    assert " ".join(longest.text.split())[-20:] in out.replace("\n", "").replace("│", "").replace(" ", "") \
        or longest.text.replace(" ", "")[-12:] in out.replace("\n", "").replace("│", "").replace(" ", "")
    assert max(cell_len(line) for line in out.splitlines()) > 80


@pytest.mark.parametrize("width", [24, 32, 40, 80, 120, 160])
def test_the_group_tables_are_laid_out_as_when_every_cell_is_measured(width, monkeypatch):
    # the ratio columns are given width=1 so rich skips measuring their cells (a cold start
    # cost); the view must be the one rich lays out from the measurements
    from dutycheck.render import terminal

    fast = terminal_view(width)
    monkeypatch.setattr(terminal, "FLEX_MIN_WIDTH", 10_000)     # measure, as rich does by default
    assert fast == terminal_view(width)


def test_click_errors_are_chinese_and_english():
    r = run("audit")
    assert r.exit_code == 2
    assert "错误：缺少参数 PATH (Missing argument 'PATH'.)" in r.output
    r = run("history", "晋城市教育局", "--db", "没有这个文件.sqlite")
    assert "--db 的值无效：文件或文件夹不存在" in r.output and "does not exist" in r.output
    r = run("audit", REPORT, "--frmat", "json")
    assert "没有选项 --frmat" in r.output and "--format" in r.output
    assert "用法 (usage):" in r.output and "audit [OPTIONS] PATH" in r.output and "Traceback" not in r.output


def test_a_mistyped_folder_is_not_an_unsupported_file_type(tmp_path):
    r = run("batch", tmp_path / "报告汇总")
    assert r.exit_code == 2
    assert "文件或文件夹不存在" in r.output and "不支持的文件类型" not in r.output
    assert "--recursive" not in r.output


def test_batch_unwritable_out_is_one_clean_message(tmp_path):
    for fmt, name in (("csv", "r.csv"), ("xlsx", "r.xlsx"), ("html", "r.html"), ("json", "r.json")):
        r = CliRunner().invoke(main, ["batch", str(REPORT), "-f", fmt, "-o", str(tmp_path / "没有" / name)])
        assert r.exit_code == 2, (fmt, r.output)
        assert "无法写入输出文件" in r.output and "Traceback" not in r.output
        assert r.exception is None or isinstance(r.exception, SystemExit)


def test_an_unwritable_xlsx_prints_no_traceback_at_exit(tmp_path):
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-m", "dutycheck", "batch", str(REPORT), "-f", "xlsx", "-o",
                        str(tmp_path / "没有" / "r.xlsx")], check=False, capture_output=True, text=True, timeout=120)
    assert r.returncode == 2
    assert "无法写入输出文件" in r.stderr and "Traceback" not in r.stderr and "Exception ignored" not in r.stderr


def test_batch_time_includes_writing_the_export(tmp_path, monkeypatch):
    import dutycheck.render.csv as csv_mod

    real = csv_mod.write_csv

    def slow(batch, fh):
        time.sleep(0.6)
        real(batch, fh)

    monkeypatch.setattr(csv_mod, "write_csv", slow)
    r = CliRunner().invoke(main, ["batch", str(REPORT), "-f", "csv", "-o", str(tmp_path / "r.csv")])
    seconds = float(re.search(r"用时 ([\d.]+) 秒", r.output).group(1))
    assert seconds >= 0.6


def test_explain_takes_a_chinese_title_or_an_id_prefix():
    by_id = run("explain", REPORT, "legal-counsel.retained")
    assert by_id.exit_code == 0
    assert run("explain", REPORT, "法律顾问（公职律师）制度").output == by_id.output
    assert run("explain", REPORT, "legal-counsel.ret").output == by_id.output
    amb = run("explain", REPORT, "执法")
    assert amb.exit_code == 2 and "对应多个条目" in amb.output and "enforcement." in amb.output
    none = run("explain", REPORT, "不存在的职责")
    assert none.exit_code == 2 and "清单中没有条目“不存在的职责”" in none.output


def test_the_readme_eval_example_runs_from_a_fresh_clone():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "dutycheck eval --gold examples/gold/reports.yaml --reports reports" in readme
    r = CliRunner().invoke(main, ["eval", "--gold", str(ROOT / "examples/gold/reports.yaml"),
                                  "--reports", str(ROOT / "reports"), "-f", "json"])
    assert r.exit_code == 0, r.output
    import json

    d = json.loads(r.output)
    assert d["reports"] == 5 and d["labels"] > 100
