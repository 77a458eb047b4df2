"""The compiled checklist: built once, never changed, and bound to a report's year in one place."""

from __future__ import annotations

import dataclasses
import os
import textwrap
from pathlib import Path

import pytest

from dutycheck.audit import audit_source, audit_text, source_from_text
from dutycheck.checklist.compile import CompiledChecklist
from dutycheck.checklist.load import compiled_checklist, load_checklist, load_checklist_uncached
from dutycheck.errors import ChecklistError
from dutycheck.models import Role

# one placeholder of each class: a heading pattern, a context cue, a match rule
YEARLY = """\
id: yearly
version: "1"
title: 年度占位符清单
structure:
  headings:
    plans: ["{next_year}年工作(安排|打算)"]
    achievements: ["主要(举措|成效)"]
context:
  planned: ["{next_year}年(将|要)"]
groups:
  - id: g
    title: 测试分组
items:
  - id: g.review
    title: 年度述法
    group: g
    weight: 1
    match:
      - any: ["re:{year}年度?述法"]
  - id: g.counsel
    title: 法律顾问
    group: g
    weight: 1
    match:
      - any: [法律顾问]
"""

REPORT = """\
某县教育局{year}年法治政府建设年度报告
一、主要举措和成效
局长在{year}年度述法中报告了履职情况。
二、2024年工作安排
聘请法律顾问。
"""


def _yearly(tmp_path: Path, text: str = YEARLY) -> Path:
    path = tmp_path / "yearly.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_compiled_checklist_cannot_be_changed(tmp_path):
    compiled = compiled_checklist(_yearly(tmp_path))
    bound = compiled.bind(2023)
    with pytest.raises(dataclasses.FrozenInstanceError):
        compiled.matcher = None            # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        bound.contexts = ()                # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        compiled.checklist.items = ()      # type: ignore[misc]
    with pytest.raises(TypeError):
        compiled.matcher.regexes["re:x"] = None   # type: ignore[index]
    assert isinstance(compiled.checklist.items, tuple)
    assert not hasattr(compiled.checklist, "_compiled")


def test_bind_fills_the_placeholders_of_headings_cues_and_rules(tmp_path):
    bound = compiled_checklist(_yearly(tmp_path)).bind(2023)
    assert bound.structure.heading_role("二、2024年工作安排")[0] is Role.PLANS
    assert bound.contexts[0].planned.search("2024年将继续")
    assert bound.matcher.regexes["re:{year}年度?述法"].search("2023年度述法")
    assert not bound.matcher.regexes["re:{year}年度?述法"].search("2022年度述法")

    unknown = compiled_checklist(_yearly(tmp_path)).bind(None)   # no year known: they match nothing
    assert unknown.structure.heading_role("二、2024年工作安排") is None
    assert not unknown.contexts[0].planned.search("2024年将继续")
    assert not unknown.matcher.regexes["re:{year}年度?述法"].search("2023年度述法")


def test_a_report_is_matched_with_the_checklist_bound_to_its_own_year(tmp_path):
    cl = load_checklist_uncached(_yearly(tmp_path))
    this_year = audit_text(REPORT.format(year=2023), cl)
    assert this_year.item("g.review").status.value == "done"
    assert this_year.item("g.counsel").status.value == "planned"     # under the 2024 (next year) plans
    earlier = audit_text(REPORT.format(year=2021), cl)   # for 2021, 2024年工作安排 is no plans heading
    assert earlier.item("g.review").status.value == "done"
    assert earlier.item("g.counsel").status.value == "done"
    stale = REPORT.format(year=2023).replace("2023年度述法", "2020年度述法")   # the rule wants the report's year
    assert audit_text(stale, cl).item("g.review").status.value == "absent"


def test_a_reviewers_year_binds_the_placeholders_when_the_title_block_gives_none(tmp_path):
    cl = load_checklist_uncached(_yearly(tmp_path))
    undated = REPORT.format(year=2023).replace("某县教育局2023年法治政府建设年度报告", "某县教育局法治政府建设年度报告")
    unknown = audit_text(undated, cl)        # no year: 2024年工作安排 is no plans heading
    assert unknown.item("g.counsel").status.value == "done"
    told = audit_source(source_from_text(undated), cl, year=2023)   # `audit --year 2023`: all bound to 2023
    assert told.report.year == 2023
    assert told.item("g.counsel").status.value == "planned"
    assert told.item("g.review").status.value == "done"


def test_compiled_once_per_checklist_and_bound_once_per_year(tmp_path):
    path = _yearly(tmp_path)
    compiled = compiled_checklist(path)
    assert compiled_checklist(path) is compiled
    assert compiled_checklist(load_checklist(path)) is compiled
    assert compiled_checklist(compiled) is compiled
    assert compiled.bind(2023) is compiled.bind(2023)
    assert compiled.bind(2023) is not compiled.bind(2024)
    built = load_checklist_uncached(path)           # a Checklist made in Python: compiled on first use
    assert isinstance(compiled_checklist(built), CompiledChecklist)
    assert compiled_checklist(built) is compiled_checklist(built)


def test_an_edit_to_the_base_of_an_extends_chain_is_seen_in_the_same_process(tmp_path):
    base = tmp_path / "base.yaml"
    base.write_text(YEARLY, encoding="utf-8")
    child = tmp_path / "child.yaml"
    child.write_text("id: child\ntitle: 子清单\nextends: base.yaml\n", encoding="utf-8")
    assert compiled_checklist(child).checklist.item("g.counsel").weight == 1
    stat = base.stat()
    base.write_text(YEARLY.replace("weight: 1\n    match:\n      - any: [法律顾问]",
                                   "weight: 3\n    match:\n      - any: [法律顾问]"), encoding="utf-8")
    os.utime(base, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert compiled_checklist(child).checklist.item("g.counsel").weight == 3


@pytest.mark.parametrize("fragment, message", [
    ("      - any: [\"{year}年度述法\"]", "只能用在 re: 正则中"),
    ("      - any: [\"re:{years}年\"]", "未知的占位符"),
])
def test_a_placeholder_a_rule_cannot_use_is_refused_with_its_line(tmp_path, fragment, message):
    text = YEARLY.replace('      - any: ["re:{year}年度?述法"]', fragment)
    with pytest.raises(ChecklistError) as err:
        load_checklist_uncached(_yearly(tmp_path, text))
    problem = err.value.problems[0]
    assert message in problem.zh and problem.line == text.splitlines().index(fragment) + 1


def test_furniture_is_dropped_before_the_year_is_known_so_it_takes_no_placeholder(tmp_path):
    text = YEARLY.replace("structure:\n", textwrap.dedent("""\
        structure:
          furniture: ["发布日期：{year}"]
        """))
    with pytest.raises(ChecklistError) as err:
        load_checklist_uncached(_yearly(tmp_path, text))
    assert "furniture" in err.value.problems[0].zh
