"""`checklist build`: an outline of duties (Markdown, text, .docx) becomes a checklist
skeleton that validates and already finds duties in a real report."""

from pathlib import Path

import pytest
import yaml

from dutycheck.audit import audit_text
from dutycheck.checklist.build import _jieba, build_checklist, domain_terms_in, keywords, load_terms, parse_outline
from dutycheck.checklist.edit import write_validated
from dutycheck.checklist.load import load_checklist_uncached
from dutycheck.errors import ChecklistError

ROOT = Path(__file__).resolve().parent.parent
SIX = ROOT / "tests" / "fixtures" / "outlines" / "六大职责.md"
JINCHENG = ROOT / "reports" / "山西" / "晋城市教育局-2023.txt"


@pytest.fixture(scope="module")
def six(tmp_path_factory):
    """The six core duty groups, built and saved (saving validates)."""
    path = tmp_path_factory.mktemp("built") / "six.yaml"
    write_validated(path, build_checklist(SIX, checklist_id="six-duties"))
    return load_checklist_uncached(path), yaml.safe_load(path.read_text(encoding="utf-8"))


def test_headings_become_groups_with_ids_from_the_domain_dictionary(six):
    checklist, _ = six
    assert checklist.id == "six-duties"
    assert checklist.title == "2025年全市教育系统法治政府建设工作要点（六大职责）"
    assert [(g.id, g.title) for g in checklist.groups.values()] == [
        ("first-responsible", "履行推进法治建设第一责任人职责"),
        ("enforcement", "严格落实行政执法“三项制度”"),
        ("legal-counsel", "发挥法律顾问作用"),
        ("normative-documents", "加强行政规范性文件管理"),
        ("vice-principals", "落实中小学法治副校长制度"),
        ("double-random", "推行“双随机、一公开”监管"),
    ]


def test_one_item_per_bullet_with_group_index_ids_and_short_titles(six):
    checklist, raw = six
    ids = [it.id for it in checklist.items]
    assert len(ids) == 17
    assert ids[:4] == ["first-responsible.1", "first-responsible.2", "first-responsible.3", "first-responsible.4"]
    assert ids[-2:] == ["double-random.1", "double-random.2"]
    titles = {it.id: it.title for it in checklist.items}
    assert titles["first-responsible.2"] == "成立法治政府建设领导小组"
    assert titles["vice-principals.1"] == "每所中小学校至少配备1名法治副校长"
    item = raw["items"][ids.index("vice-principals.2")]
    assert item["notes"] == "六大职责.md 第34行"
    assert item["guidance"] == "写明落实情况：法治副校长每学年在任职学校开展不少于4课时的法治教育。"
    assert item["basis"].startswith("《2025年全市教育系统法治政府建设工作要点（六大职责）》")


def test_candidate_phrases_keep_domain_terms_whole(six):
    _, raw = six
    rules = {it["id"]: it["match"] for it in raw["items"]}
    assert {"any": ["行政执法公示"]} in rules["enforcement.1"]
    assert {"any": ["谁制定谁清理", "文件清理"]} in rules["normative-documents.3"]
    assert {"any": ["随机抽查事项清单"]} in rules["double-random.1"]
    # the group's own term is paired with the duty's keywords, so duties stay apart
    assert rules["vice-principals.1"][0]["all"][0] == ["法治副校长"]
    assert "配备" in rules["vice-principals.1"][0]["all"][1]
    assert rules["legal-counsel.1"][0] == {"any": ["律师事务所", "公职律师"]}


def test_the_skeleton_already_reads_a_real_report(six):
    checklist, _ = six
    result = audit_text(JINCHENG.read_text(encoding="utf-8"), checklist)
    status = {it.id: it.status.value for it in result.items}
    # 聘请宇星律师事务所康宏春担任教育局法律顾问；加强合法性审核、备案审查和文件清理工作；
    # 按照“谁制定、谁清理”原则；中小学法治副校长配备率100%
    for item_id in ("legal-counsel.1", "normative-documents.1", "normative-documents.2",
                    "normative-documents.3", "vice-principals.1"):
        assert status[item_id] == "done", item_id
    # 晋城's report says nothing of enforcement records (the seed labels agree)
    assert status["enforcement.2"] == "absent"


def test_the_domain_dictionary_keeps_terms_whole_in_jieba():
    terms = load_terms()
    words = _jieba(terms).lcut("全面落实行政执法三项制度，中小学法治副校长配备率100%", HMM=False)
    assert "行政执法三项制度" in words and "法治副校长" in words
    # punctuation does not matter when finding terms
    assert domain_terms_in("深入推进“互联网+监管”和“双随机一公开监管”", terms) == ["双随机、一公开"]
    # generic words are never proposed
    assert "加强" not in keywords("加强行政执法人员培训，严格持证上岗", terms)


def test_a_numbered_text_outline(tmp_path):
    outline = tmp_path / "要点.txt"
    outline.write_text(
        "2024年县教育局法治工作要点\n"
        "一、推进重大行政决策科学化、民主化、法治化\n"
        "（一）重大行政决策严格履行公众参与、专家论证、风险评估、合法性审查、集体讨论决定程序。\n"
        "（二）“三重一大”事项集体研究决定。\n"
        "二、加强政务公开\n"
        "1.主动公开政府信息，及时回应社会关切。\n"
        "2.认真办理人大代表建议和政协委员提案。\n",
        encoding="gb18030")
    parsed = parse_outline(outline)
    assert parsed.title == "2024年县教育局法治工作要点"
    assert [r.text for r in parsed.roots] == ["推进重大行政决策科学化、民主化、法治化", "加强政务公开"]
    cl = load_checklist_uncached(_save(tmp_path, build_checklist(outline, checklist_id="county")))
    assert [g for g in cl.groups] == ["major-decisions", "transparency"]
    assert [it.id for it in cl.items] == ["major-decisions.1", "major-decisions.2",
                                          "transparency.1", "transparency.2"]
    result = audit_text("一、主要举措和成效\n全年人大代表建议办结率100%。", cl)
    assert result.item("transparency.2").status.value == "done"


def test_a_word_outline_with_heading_and_list_styles(tmp_path):
    docx = pytest.importorskip("docx")
    document = docx.Document()
    document.add_heading("市教育局法治工作要点", level=0)
    document.add_heading("法治副校长", level=1)
    document.add_paragraph("实现中小学法治副校长全覆盖。", style="List Bullet")
    document.add_paragraph("法治副校长每学期开展法治讲座。", style="List Bullet")
    document.add_heading("法律顾问 (counsel)", level=1)
    document.add_paragraph("聘请常年法律顾问，参与合同审查。", style="List Bullet")
    path = tmp_path / "要点.docx"
    document.save(path)
    cl = load_checklist_uncached(_save(tmp_path, build_checklist(path)))
    assert cl.title == "市教育局法治工作要点"
    assert [g.id for g in cl.groups.values()] == ["vice-principals", "counsel"]   # (counsel) names it
    assert [it.id for it in cl.items] == ["vice-principals.1", "vice-principals.2", "counsel.1"]


def test_an_outline_without_duties_is_an_error(tmp_path):
    outline = tmp_path / "empty.md"
    outline.write_text("只有一段说明文字，没有标题和要点。\n", encoding="utf-8")
    with pytest.raises(ChecklistError, match="没有找到职责要点"):
        build_checklist(outline)


def _save(folder: Path, text: str) -> Path:
    path = folder / "built.yaml"
    path.unlink(missing_ok=True)
    write_validated(path, text)
    return path
