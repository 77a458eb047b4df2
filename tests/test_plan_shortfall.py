"""A duty added to a real report only as a plan, or only as a weakness, is a gap of that kind."""

import pytest
from conftest import read_report

from dutycheck.audit import audit_text

JIAOZUO = read_report("焦作市教育局-2024.txt")          # has no shortfall or plan part
SHANYANG = read_report("焦作市山阳区教育局-2024.txt")   # closes with a 下一步 paragraph


def status(text, checklist, item):
    return audit_text(text, checklist).item(item).status.value


@pytest.mark.parametrize("item, plan, weakness", [
    ("first-responsible.shufa", "推行局领导班子成员年终述法，实现述法全覆盖。", "领导干部述法工作尚未全面开展。"),
    ("disputes.review-litigation", "将建立行政应诉工作机制，提高负责人出庭应诉率。", "行政复议应诉能力有待提高。"),
    ("school-governance.charter", "将指导全市中小学完成章程修订工作。", "部分学校章程未及时修订，依章办学不够规范。"),
    ("enforcement.full-record", "拟为执法人员配备执法记录仪，实现执法全过程记录。", "执法全过程记录不够规范。"),
])
def test_added_only_as_plan_or_only_as_weakness(checklist, item, plan, weakness):
    assert status(JIAOZUO, checklist, item) == "absent"
    planned = JIAOZUO.replace("2024年12月6日", f"二、2025年工作计划\n\n（一）{plan}\n\n2024年12月6日")
    assert status(planned, checklist, item) == "planned"
    weak = JIAOZUO.replace("2024年12月6日", f"二、存在的不足和原因\n\n一是{weakness}\n\n2024年12月6日")
    assert status(weak, checklist, item) == "shortfall"
    both = weak.replace("2024年12月6日", f"三、2025年工作计划\n\n（一）{plan}\n\n2024年12月6日")
    assert status(both, checklist, item) == "planned"


def test_closing_paragraph_plan_in_a_report_without_plan_heading(checklist):
    assert status(SHANYANG, checklist, "double-random.inspections") == "absent"
    text = SHANYANG.rstrip() + "深化“双随机、一公开”监管，全面公示抽查结果。\n"
    assert status(text, checklist, "double-random.inspections") == "planned"


def test_plan_cue_in_the_body_of_achievements(checklist):
    text = JIAOZUO.replace("（九）推进政务公开。", "（九）推进政务公开。下一步，我局将开展行政规范性文件清理。")
    assert status(text, checklist, "normative-documents.cleanup") == "planned"


def test_weakness_clause_in_the_body_of_achievements(checklist):
    text = JIAOZUO.replace("（九）推进政务公开。", "（九）推进政务公开。规范性文件备案审查工作还不够规范。")
    assert status(text, checklist, "normative-documents.filing") == "shortfall"
