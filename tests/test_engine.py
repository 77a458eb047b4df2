"""The matching engine on small inline checklists, independent of the bundled wordings.

Each test writes the few rules it is about (as a checklist author would) and audits a few
report sentences, so a change to `checklists/default.yaml` cannot make these pass or fail.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from dutycheck.audit import audit_text
from dutycheck.checklist.load import load_checklist_uncached

HEAD = """\
id: engine
version: "1"
title: 引擎测试清单
settings:
  fuzzy: {min_length: 7, cutoffs: {7: 90, 9: 86, 11: 82}}
structure:
  headings:
    shortfalls: ["存在的(问题|不足)"]
    plans: ["下一年度|工作计划"]
    achievements: ["举措|成效"]
context:
  planned: ["将要", "计划", "拟"]
  shortfall: ["不够", "有待加强"]
groups:
  - id: g
    title: 测试分组
items:
"""

REPORT = """\
某县教育局2023年法治政府建设年度报告
一、主要举措和成效
{body}
二、存在的问题
{weak}
三、下一年度工作计划
{plan}
"""


def checklist(tmp_path: Path, items: str):
    path = tmp_path / "engine.yaml"
    path.write_text(HEAD + textwrap.indent(textwrap.dedent(items), "  "), encoding="utf-8")
    return load_checklist_uncached(path)


def status(cl, body: str = "全年开展工作。", weak: str = "个别工作仍需改进。", plan: str = "继续做好各项工作。",
           item: str = "g.x") -> str:
    result = audit_text(REPORT.format(body=body, weak=weak, plan=plan), cl, name="报告.txt")
    return result.item(item).status.value


ITEM = """\
- id: g.x
  title: 测试职责
  group: g
  weight: 1
  basis: 测试
  guidance: 写明。
  match:
"""


def rules(tmp_path, match: str, extra: str = ""):
    return checklist(tmp_path, ITEM + textwrap.indent(textwrap.dedent(match), "    ") + extra)


def test_any_phrase_ignores_punctuation(tmp_path):
    cl = rules(tmp_path, "- any: [双随机一公开]\n")
    assert status(cl, body="推行“双随机、一公开”监管。") == "done"
    assert status(cl, body="推行随机抽查。") == "absent"


def test_all_of_needs_every_group_in_one_sentence(tmp_path):
    cl = rules(tmp_path, "- all: [[聘请, 聘任], [法律顾问]]\n")
    assert status(cl, body="聘请律师担任法律顾问。") == "done"
    assert status(cl, body="聘请了两名教师。法律顾问工作另行安排。") == "absent"


def test_within_limits_the_distance_to_the_anchor(tmp_path):
    cl = rules(tmp_path, "- all: [[法治副校长], [配备]]\n  within: 4\n")
    assert status(cl, body="法治副校长配备率100%。") == "done"
    assert status(cl, body="法治副校长开展讲座二十余场，另外为各校配备了图书。") == "absent"


def test_exclude_cancels_a_look_alike(tmp_path):
    cl = rules(tmp_path, "- any: [行政复议]\n  exclude: [行政复议法]\n")
    assert status(cl, body="办理行政复议案件2件。") == "done"
    assert status(cl, body="组织学习行政复议法。") == "absent"


def test_exclude_within_only_near_the_hit(tmp_path):
    cl = rules(tmp_path, "- any: [章程]\n  exclude: [党章]\n  exclude_within: 0\n")
    assert status(cl, body="学习党章，修订学校章程12所。") == "done"
    assert status(cl, body="学习党章程序。") == "absent"


def test_ignore_in_titles_skips_book_titles(tmp_path):
    cl = rules(tmp_path, "- any: [行政诉讼]\n", "  ignore_in_titles: true\n")
    assert status(cl, body="学习《中华人民共和国行政诉讼法》。") == "absent"
    assert status(cl, body="全年发生行政诉讼案件1件。") == "done"


def test_regex_terms_match_the_punctuation_free_text(tmp_path):
    cl = rules(tmp_path, '- any: ["re:废止\\\\d+件"]\n')
    assert status(cl, body="清理规范性文件，废止3件。") == "done"
    assert status(cl, body="清理规范性文件，拟废止一批。") == "absent"


@pytest.mark.parametrize("fuzzy, expected", [("", "done"), ("  fuzzy: false\n", "absent")])
def test_fuzzy_matching_of_a_long_phrase_can_be_switched_off(tmp_path, fuzzy, expected):
    cl = rules(tmp_path, "- any: [重大行政执法决定法制审核制度]\n", fuzzy)
    assert status(cl, body="严格落实重大行政执法决定法治审核制度。") == expected   # 法治 for 法制


def test_context_cues_and_roles_decide_the_status(tmp_path):
    cl = rules(tmp_path, "- any: [法律顾问]\n")
    assert status(cl, body="聘请法律顾问。") == "done"
    assert status(cl, weak="法律顾问作用发挥不够。") == "shortfall"
    assert status(cl, plan="聘请法律顾问。") == "planned"
    assert status(cl, body="明年将要聘请法律顾问。") == "planned"           # a plan cue inside achievements
    assert status(cl, body="聘请法律顾问。", weak="法律顾问作用发挥不够。") == "done"   # done wins
