"""The heading tree, the roles of parts, and the report's own metadata."""

import pytest
from conftest import read_report

from dutycheck.audit import audit_text, source_from_text
from dutycheck.checklist.load import compiled_checklist, load_checklist
from dutycheck.errors import ChecklistError
from dutycheck.models import Role, Status
from dutycheck.normalize import normalize
from dutycheck.structure import parse

RULES = compiled_checklist("default")


def doc_of(text: str):
    return parse(normalize(source_from_text(text)), RULES)


def roles(doc):
    return {s.heading: s.role for s in doc.sections if s.heading}


def test_metadata_from_the_title_block_and_sign_off():
    doc = doc_of(read_report("晋城市教育局-2023.txt"))
    assert doc.meta.agency == "晋城市教育局"
    assert doc.meta.year == 2023
    assert doc.meta.date == "2024-01-09"
    assert doc.meta.title == "晋城市教育局关于2023年法治政府建设工作情况的报告"


def test_agency_on_its_own_line_above_the_title():
    doc = doc_of(read_report("曲沃县教育科技局-2021.txt"))
    assert (doc.meta.agency, doc.meta.year) == ("曲沃县教育科技局", 2021)


def test_chinese_numeral_dates():
    doc = doc_of("某县教育局2023年法治政府建设工作报告\n\n一、主要举措和成效\n全年开展法治讲座12场。\n\n某县教育局\n二〇二四年一月九日")
    assert doc.meta.date == "2024-01-09"


def test_roles_from_headings():
    r = roles(doc_of(read_report("晋城市教育局-2023.txt")))
    assert r["一、切实履行第一责任人职责"] is Role.FIRST_RESPONSIBLE
    assert r["二、健全工作机制,完善依法治教体系"] is Role.ACHIEVEMENTS   # slogan heading, before the shortfalls
    assert r["五、存在问题和不足"] is Role.SHORTFALLS
    assert r["六、下一步工作打算"] is Role.PLANS


def test_subsections_inherit_their_parent_role():
    doc = doc_of(read_report("曲沃县教育科技局-2021.txt"))
    r = roles(doc)
    assert r["(一)加强行政执法队伍建设"] is Role.PLANS
    assert r["1.法治思维意识有待提高"] is Role.SHORTFALLS


def test_unnumbered_shortfall_heading_and_closing_plan_paragraph():
    doc = doc_of(read_report("焦作市山阳区教育局-2024.txt"))
    assert roles(doc)["2024年推进法治政府建设中存在的不足"] is Role.SHORTFALLS
    closing = [s for s in doc.sentences if s.text.startswith("下一步")]
    assert closing and closing[0].role is Role.PLANS


def test_next_year_plan_by_year_without_a_plan_heading():
    text = ("某区教育局2023年法治政府建设情况报告\n一、主要举措\n全面推行行政执法三项制度。\n"
            "2024年，我局将全面推行行政执法三项制度，组织执法人员培训。")
    doc = doc_of(text)
    last = [s for s in doc.sentences if "执法人员培训" in s.text][0]
    assert last.role is Role.PLANS


def test_sentences_cite_original_lines():
    doc = doc_of(read_report("于田县教育局-2023.txt"))
    sent = next(s for s in doc.sentences if "双随机抽查各类市场主体" in s.text)
    assert sent.line == 53


def test_year_placeholders_are_filled_in_heading_patterns():
    """A 2024 report whose only plan part is headed 二、2025年重点任务: the {next_year}
    heading pattern makes it the plan part, so the duties named under it are plans."""
    text = ("某县教育局2024年法治政府建设工作报告\n一、主要举措和成效\n"
            "全年面向全县中小学生开展法治讲座12场，覆盖师生2万余人次。\n二、2025年重点任务\n"
            "聘请法律顾问参与重大决策和合同审查，提升依法决策水平。\n"
            "全面推行行政执法公示制度，及时公开执法主体和执法结果。")
    doc = doc_of(text)
    assert doc.meta.year == 2024
    assert roles(doc)["二、2025年重点任务"] is Role.PLANS
    audit = audit_text(text, load_checklist("default"))
    assert audit.item("legal-counsel.retained").status is Status.PLANNED
    assert audit.item("enforcement.publicity").status is Status.PLANNED
    assert audit.item("structure.next-year-plan").status is Status.DONE


def test_the_same_heading_in_a_2025_report_is_its_achievements():
    text = ("某县教育局2025年法治政府建设工作报告\n一、2025年重点任务完成情况\n"
            "聘请法律顾问参与重大决策和合同审查，提升依法决策水平。\n二、下一步工作打算\n"
            "深化依法治校示范校创建，完善学校章程，推进学校治理现代化。")
    audit = audit_text(text, load_checklist("default"))
    assert audit.item("legal-counsel.retained").status is Status.DONE


def test_year_placeholders_in_context_cues(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("extends: default\ncontext:\n  planned: ['{year}年底前']\n", encoding="utf-8")
    text = ("某县教育局2024年法治政府建设工作报告\n一、主要举措和成效\n"
            "计划于2024年底前聘请法律顾问。\n全年开展法治讲座12场。")
    assert audit_text(text, load_checklist(path)).item("legal-counsel.retained").status is Status.PLANNED


def test_an_unknown_placeholder_is_refused(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("extends: default\nstructure:\n  headings:\n    plans: ['{nextyear}年']\n",
                    encoding="utf-8")
    with pytest.raises(ChecklistError) as err:
        load_checklist(path)
    assert "{nextyear}" in str(err.value.message())


def test_word_table_rows_are_paragraphs_of_their_own(tmp_path):
    """A statistics table in a .docx: each row is its own paragraph (cells are clauses), so no
    quote runs from one row into the next (0件主动公开政府信息)."""
    import docx

    from dutycheck.audit import audit_path

    d = docx.Document()
    d.add_paragraph("某市教育局2025年法治政府建设情况报告")
    d.add_paragraph("一、主要举措和成效")
    d.add_paragraph("全年开展法治讲座12场，覆盖全市中小学师生3万余人次，法治教育实现全覆盖。")
    table = d.add_table(rows=3, cols=2)
    for row, (a, b) in zip(table.rows, [("项目", "数量"), ("行政复议案件", "0件"), ("主动公开政府信息", "126条")]):
        row.cells[0].text, row.cells[1].text = a, b
    d.add_paragraph("二、存在的不足和原因")
    d.add_paragraph("法治宣传教育的针对性还不够强，执法人员的业务能力有待进一步提升。")
    path = tmp_path / "table.docx"
    d.save(path)
    audit = audit_path(path, load_checklist("default"))
    quote = audit.item("transparency.disclosure").evidence[0].text
    assert "复议" not in quote and "主动公开政府信息" in quote
    assert "公开" not in audit.item("disputes.review-litigation").evidence[0].text


def test_web_page_furniture_is_not_report_content():
    text = ("索引号：11410800MB1234567X/2024-00012\n公开方式：主动公开\n发布机构：某县教育局\n"
            "成文日期：2025-01-20\n【字体：大 中 小】 打印本页\n某县2024年法治政府建设工作报告\n"
            "一、主要举措和成效\n全年面向全县中小学生开展法治讲座12场，覆盖师生2万余人次，组织法治副校长"
            "进校园授课86节次，开展模拟法庭、法治手抄报等主题活动，全县法治教育实现全覆盖。")
    doc = doc_of(text)
    assert not any("主动公开" in s.text or "打印" in s.text for s in doc.sentences)
    assert (doc.meta.agency, doc.meta.date) == ("某县教育局", "2025-01-20")


def test_a_report_without_headings_is_opening_until_it_says_what_follows():
    doc = doc_of("某县教育局2023年法治政府建设工作报告\n\n"
                 "2023年，我局深入学习贯彻习近平法治思想，推进依法治教。\n"
                 "现将有关情况报告如下：\n"
                 "全年开展法治讲座12场，聘请常年法律顾问1名。\n"
                 "完成行政规范性文件清理，废止3件。\n\n某县教育局\n2024年1月9日")
    by_text = {s.text: s.role for s in doc.sentences}
    assert by_text["2023年,我局深入学习贯彻习近平法治思想,推进依法治教。"] is Role.PREAMBLE
    assert by_text["全年开展法治讲座12场,聘请常年法律顾问1名。"] is Role.ACHIEVEMENTS
    assert by_text["完成行政规范性文件清理,废止3件。"] is Role.ACHIEVEMENTS


def _bundled_paragraphs():
    from conftest import BUNDLED

    from dutycheck.read import read_source
    from dutycheck.structure import _paragraphs

    for path in BUNDLED:
        for _, para in _paragraphs(normalize(read_source(path)).text):
            yield para


def test_the_paragraph_cues_joined_find_what_each_in_turn_finds():
    # the paragraph patterns are matched as one alternation; the first that matches, and its
    # words, must be those of trying them one by one
    from dutycheck.structure import BoundStructure

    bound = RULES.bind(2024).structure
    one_by_one = BoundStructure(bound.headings, bound.paragraphs)
    one_by_one.__dict__["_paragraph_cues"] = (bound._paragraph_cues[0], None)   # (the fallback)
    texts = list(_bundled_paragraphs()) + [
        "下一步,我们将进一步加强法治宣传。", "2025年,继续推进依法治校。", "但仍存在一些不足和问题。",
        "一年来取得了明显成效,但与要求相比仍有差距和不足。", "新的一年里", ""]
    found = [bound.paragraph_role(t) for t in texts]
    assert found == [one_by_one.paragraph_role(t) for t in texts]
    assert (Role.PLANS, "下一步,") in found and any(f and f[0] is Role.SHORTFALLS for f in found)


def test_paragraph_cues_that_cannot_be_joined_are_tried_one_by_one():
    import re

    from dutycheck.structure import BoundStructure

    bound = BoundStructure((), ((Role.PLANS, (re.compile(r"(下一步)\1"), re.compile("今后"))),
                                (Role.SHORTFALLS, (re.compile("(?i)problem"),))))
    assert bound._paragraph_cues[1] is None
    assert bound.paragraph_role("下一步下一步,") == (Role.PLANS, "下一步下一步")
    assert bound.paragraph_role("PROBLEMS remain") == (Role.SHORTFALLS, "PROBLEM")
    assert bound.paragraph_role("下一步,") is None


def test_numbering_levels_as_the_five_patterns_give_them():
    from dutycheck.structure import _ANY_NUMBERING, _NUMBERING, _numbering_level

    def one_by_one(text):
        return next((level for level, pat in _NUMBERING if pat.match(text)), None)

    assert _ANY_NUMBERING.groups == len(_NUMBERING)
    texts = list(_bundled_paragraphs()) + ["一、总体情况", "第二部分 主要做法", "(三)健全机制", "(三)、",
                                           "4.加强培训", "12 .其他", "3.5万人次", "(2)案件", "一是加强领导", "一是"]
    assert [_numbering_level(t) for t in texts] == [one_by_one(t) for t in texts]
    assert {_numbering_level(t) for t in texts} >= {1, 2, 3, 4, 5, None}


def test_sections_end_where_the_next_of_their_level_or_above_begins():
    doc = doc_of("某县教育局2023年法治政府建设工作报告\n\n一、主要举措和成效\n(一)学法\n开展讲座12场。\n"
                 "(二)用法\n聘请法律顾问1名。\n二、存在的不足\n宣传不够。\n三、下一步工作安排\n继续推进。")
    for i, sec in enumerate(doc.sections):
        later = [s.start for s in doc.sections[i + 1:] if s.level <= sec.level]
        assert sec.end == (later[0] if later else len(doc.text))
    assert [s.level for s in doc.sections] == [0, 1, 2, 2, 1, 1]


def test_heading_cues_skipped_by_their_first_characters_find_what_each_search_finds():
    # a heading pattern none of whose first characters occurs in a heading is not searched for;
    # the role and cue must be those of searching for each in turn
    import re

    from dutycheck.structure import BoundStructure

    def searched(bound, heading):
        for role, pats in bound.headings:
            for pat in pats:
                m = pat.search(heading)
                if m:
                    return role, m.group(0)
        return None

    bound = RULES.bind(2024).structure
    odd = BoundStructure(((Role.OTHER, (re.compile(r"\d+年"), re.compile("(?<!不)足"))),
                          (Role.PLANS, (re.compile("计划"),))), ())
    texts = list(_bundled_paragraphs()) + ["三、下一步工作计划", "二、问题与不足", "(四)第一责任人履职情况",
                                           "其他", "2024年计划", "充足", "不足", ""]
    for b in (bound, odd):
        for t in texts:
            got = b.heading_role(t)
            assert (got and (got[0], got[1].params["cue"])) == (searched(b, t) or None), t
    assert odd.heading_role("2024年计划")[1].params["cue"] == "2024年"
    assert odd.heading_role("充足计划")[0] is Role.OTHER and odd.heading_role("不足计划")[0] is Role.PLANS
