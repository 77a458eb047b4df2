"""Hostile checklists: a file that is not a checklist, YAML alias bombs, regexes that backtrack.

Every case here was a probe that broke dutycheck (issue 14); each test failed before the fix.
"""

import re
import time

import pytest
import yaml
from click.testing import CliRunner

from dutycheck.checklist.load import bundled_dir, nested_repeat
from dutycheck.cli import main

SHADOW = "root:$6$secrethash:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n"

CHECKLIST = """\
id: province
version: "2026.11"
title: 某省教育局法治政府建设年度报告清单
groups:
  - id: counsel
    title: 法律顾问
items:
  - id: counsel.retained
    title: 法律顾问（公职律师）制度
    group: counsel
    weight: 3
    match:
      - any: [法律顾问, "{term}"]
    examples:
      match: ["聘请宇星律师事务所康宏春担任教育局法律顾问。"]
"""

REPORT = "某市教育局2023年法治政府建设年度报告\n一、主要举措和成效\n我局聘请律师担任法律顾问。\n"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.mark.parametrize("content", [SHADOW, "root: $6$secrethash\nbin: x\n", "- root:$6$secrethash\n"])
def test_extends_of_a_file_that_is_not_a_checklist_is_refused_without_echoing_it(tmp_path, content):
    shadow = tmp_path / "shadow"
    shadow.write_text(content)
    child = tmp_path / "city.yaml"
    child.write_text(f"id: city\nextends: {shadow}\nitems: []\n")
    report = tmp_path / "r.txt"
    report.write_text(REPORT)
    for r in (run("checklist", "validate", child), run("audit", "-c", child, report)):
        assert r.exit_code == 2, r.output
        assert "secrethash" not in r.output and "daemon" not in r.output
        assert f"{shadow}: 不是清单文件" in r.output
        assert "(not a checklist" in r.output


def test_a_file_that_is_not_a_checklist_given_directly_is_refused_the_same_way(tmp_path):
    shadow = tmp_path / "shadow.yaml"
    shadow.write_text(SHADOW)
    r = run("checklist", "validate", shadow)
    assert r.exit_code == 2
    assert "secrethash" not in r.output
    assert "不是清单文件" in r.output


def test_a_yaml_alias_bomb_is_refused_fast_with_its_line(tmp_path):
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text("id: bomb\nversion: '1'\ntitle: 炸弹\ngroups: &g [{id: a, title: 甲}]\n"
                    + "\n".join([f"l0: &l0 [{', '.join(['哈'] * 9)}]"]
                                + [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, 10)])
                    + "\nitems:\n  - id: a.b\n    title: 条目\n    match: [{any: [法律顾问]}]\n"
                    + "    examples: {match: [法律顾问], no_match: *l9}\n")
    assert bomb.stat().st_size < 10_000
    start = time.monotonic()
    r = run("checklist", "validate", bomb)
    assert time.monotonic() - start < 5
    assert r.exit_code == 2
    assert f"{bomb}:" in r.output and "YAML 别名" in r.output and "(YAML aliases" in r.output
    assert re.search(re.escape(str(bomb)) + r":\d+:\d+:", r.output)


@pytest.mark.parametrize("pattern,nested", [
    ("(a+)+$", True), ("(a*)*b", True), ("(?:x|ya+)+$", True), ("(法{1,3})+治", True),
    ("a+b+", False), ("(ab)+", False), ("(a{2})+", False), ("(法|治)+", False), ("(?>a+)+", False),
])
def test_nested_repetition_is_recognised(pattern, nested):
    assert nested_repeat(pattern) is nested


def test_a_backtracking_regex_term_is_refused_at_validate_with_its_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(CHECKLIST.format(term="re:(法+)+$"))
    r = run("checklist", "validate", bad)
    assert r.exit_code == 2
    assert f"{bad}:13:21:" in r.output and "嵌套的重复" in r.output and "(nested repetition" in r.output
    report = tmp_path / "r.txt"
    report.write_text(REPORT + "法" * 40 + "律\n")
    start = time.monotonic()
    r = run("audit", "-c", bad, report)
    assert time.monotonic() - start < 5
    assert r.exit_code == 2 and "嵌套的重复" in r.output


def test_a_backtracking_context_pattern_is_refused_too(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(CHECKLIST.format(term="公职律师") + "context:\n  planned: ['(将+)*推进']\n")
    r = run("checklist", "validate", bad)
    assert r.exit_code == 2
    assert f"{bad}:17:13:" in r.output and "嵌套的重复" in r.output


def test_no_bundled_pattern_backtracks_on_a_hostile_line():
    # the page-furniture pattern `(…[^】]{0,6}…)*$` took 250 s on a 62-character line
    for path in sorted(bundled_dir().glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for pattern in (data.get("structure") or {}).get("furniture") or ():
            assert not nested_repeat(pattern), (path.name, pattern)
            start = time.monotonic()
            re.search(pattern, "打印" + "打印打印关闭" * 12 + "】x")
            assert time.monotonic() - start < 1, (path.name, pattern)
