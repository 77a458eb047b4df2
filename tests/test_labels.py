"""messages.py is the one source of the labels: change one there and every output shows it."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import THREE_PART_REPORT
from rich.console import Console

from dutycheck import messages
from dutycheck.audit import audit_text
from dutycheck.cli import main
from dutycheck.messages import RoleLabel
from dutycheck.models import Role, Status
from dutycheck.render.explain import render_explain
from dutycheck.render.markdown import render_markdown
from dutycheck.render.terminal import render_terminal

ROOT = Path(__file__).resolve().parent.parent

def terminal(result) -> str:
    console = Console(width=160, file=io.StringIO(), record=True, color_system=None)
    render_terminal(result, console)
    return console.export_text()


def explain(result, item_id: str) -> str:
    console = Console(width=160, file=io.StringIO(), record=True, color_system=None)
    render_explain(result, result.item(item_id), console)
    return console.export_text()


@pytest.fixture
def renamed(monkeypatch):
    """The achievements part and the done status under other names, in messages only."""
    monkeypatch.setitem(messages.ROLE_LABELS, Role.ACHIEVEMENTS,
                        RoleLabel("工作成效甲", "“工作成效甲”部分", "“主要工作成效甲”部分"))
    monkeypatch.setitem(messages.STATUS_ZH, Status.DONE, "已落实乙")
    monkeypatch.setattr(messages.Col, "AGENCY", "报送单位丙")


def test_a_role_label_changed_in_the_table_shows_in_terminal_markdown_and_explain(renamed):
    r = audit_text(THREE_PART_REPORT)
    assert "[工作成效甲 · 一、主要举措和成效]" in terminal(r)
    assert "[工作成效甲] 聘请律师事务所" in render_markdown(r)
    out = explain(r, "legal-counsel.retained")
    assert "[工作成效甲]" in out and "位于“工作成效甲”部分（标题含“举措”）" in out
    assert "报告有“主要工作成效甲”部分" in explain(r, "structure.achievements")


def test_a_status_label_changed_in_the_table_shows_in_terminal_markdown_and_xlsx(renamed, tmp_path):
    import openpyxl

    r = audit_text(THREE_PART_REPORT)
    assert "✔ 已落实乙" in terminal(r) and "| ✔ 已落实乙 |" in render_markdown(r)
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "XX县教育局-2023.txt").write_text(THREE_PART_REPORT, encoding="utf-8")
    out = tmp_path / "r.xlsx"
    res = CliRunner().invoke(main, ["batch", str(folder), "--jobs", "1", "--format", "xlsx", "--out", str(out)],
                             catch_exceptions=False)
    assert res.exit_code in (0, 1), res.output
    wb = openpyxl.load_workbook(out, read_only=True)
    ranking = list(wb["排名"].iter_rows(values_only=True))
    assert ranking[0][:2] == ("名次", "报送单位丙")
    statuses = {row[9] for row in list(wb["明细"].iter_rows(values_only=True))[1:]}
    assert "已落实乙" in statuses and "已开展" not in statuses


def test_no_renderer_keeps_its_own_role_map():
    # the labels of the parts live in messages.ROLE_LABELS only
    for path in sorted((ROOT / "src" / "dutycheck").rglob("*.py")):
        if path.name == "messages.py":
            continue
        text = path.read_text(encoding="utf-8")
        assert "“举措和成效”部分" not in text and "“第一责任人履职情况”部分" not in text, path
        assert "Role.ACHIEVEMENTS: \"" not in text, f"{path} maps roles to words itself"


def test_the_workbench_pages_name_columns_from_messages(tmp_path):
    import re

    from dutycheck.web.app import create_app

    env = create_app(tmp_path / "store.sqlite", auditor=False).jinja_env
    assert env.from_string("{{ COL.RANK }}|{{ TITLE.FORMAL }}").render() == "名次|形式审查"
    used = set()
    for page in sorted((ROOT / "src" / "dutycheck" / "web" / "templates").glob("*.html")):
        for group, name in re.findall(r"\b(COL|TITLE)\.([A-Z_]+)", page.read_text(encoding="utf-8")):
            assert hasattr(messages.Col if group == "COL" else messages.Title, name), f"{page.name}: {group}.{name}"
            used.add(name)
    assert {"RANK", "AGENCY", "NEGLECTED", "MACHINE_STATUS"} <= used
