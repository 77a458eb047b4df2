"""形式审查: the checks no coverage score shows (formal.py), on report snippets."""

from dutycheck.audit import agency_from_name, audit_text
from dutycheck.formal import (
    LATE_PUBLICATION,
    LATE_REPORT,
    MISSING_PART,
    TEMPLATE_TEXT,
    TITLE_NO_TOPIC,
    TITLE_NO_YEAR,
    Finding,
    fingerprints,
)
from dutycheck.messages import formal_message

REPORT = """\
平安县教育局2023年度法治政府建设情况报告

县委、县政府：
2023年，我局深入学习贯彻习近平法治思想，现将有关情况报告如下。
一、2023年度推进法治政府建设的主要举措和成效
（一）落实第一责任人职责。局党组书记、局长切实履行推进法治建设第一责任人职责，亲自部署法治工作。
（二）规范性文件管理。全年制定行政规范性文件3件，均经合法性审核并报县司法局备案。
二、存在的不足和原因
执法队伍力量薄弱，执法程序不够规范。
三、2024年工作安排
下一步，我局将全面推行行政执法三项制度。

平安县教育局
2024年2月20日
"""


def codes(text: str, checklist) -> list[str]:
    return [f.code for f in audit_text(text, checklist).formal]


def test_a_complete_report_on_time_has_no_formal_problem(checklist):
    assert codes(REPORT, checklist) == []


def test_signed_after_the_first_of_march_is_late(checklist):
    r = audit_text(REPORT.replace("2024年2月20日", "2024年3月15日"), checklist)
    late = [f for f in r.formal if f.code == LATE_REPORT]
    assert late == [Finding(LATE_REPORT, value="2024-03-15", limit="2024-03-01")]
    assert "2024年3月15日" in formal_message(late[0]) and "2024年3月1日" in formal_message(late[0])


def test_a_web_page_published_after_the_first_of_april_is_late(checklist):
    page = "发布时间：2024-04-08 10:12\n" + REPORT
    r = audit_text(page, checklist)
    pub = [f for f in r.formal if f.code == LATE_PUBLICATION]
    assert len(pub) == 1 and pub[0].value == "2024-04-08" and pub[0].limit == "2024-04-01"
    assert pub[0].line == 1
    assert "第二十四条" in formal_message(pub[0])


def test_title_without_topic_or_year(checklist):
    text = REPORT.replace("平安县教育局2023年度法治政府建设情况报告", "平安县教育局年度法治建设工作情况报告")
    got = codes(text, checklist)
    assert TITLE_NO_TOPIC in got and TITLE_NO_YEAR in got


def test_unfilled_template_text_is_found_with_its_line(checklist):
    text = REPORT.replace("全年制定行政规范性文件3件", "全年制定行政规范性文件*件，培训执法人员*人次，由××同志负责"
                          ).replace("执法队伍力量薄弱", "XX县教育局执法队伍力量薄弱（此处填写具体原因）")
    found = [f for f in audit_text(text, checklist).formal if f.code == TEMPLATE_TEXT]
    assert [f.line for f in found] == [7, 9]
    assert "*人" in found[0].text and "××" in found[0].text
    assert "XX" in found[1].text and "（此处填写具体原因）" in found[1].text
    assert formal_message(found[0]).startswith("第7行残留模板占位文字")


def test_url_parts_and_english_are_not_template_text(checklist):
    text = REPORT.replace("现将有关情况报告如下", "详见 www.example.gov.cn/xxgk/XXL 页面，现将有关情况报告如下")
    assert TEMPLATE_TEXT not in codes(text, checklist)


def test_a_missing_required_part_is_a_formal_problem(checklist):
    text = REPORT.replace("二、存在的不足和原因\n执法队伍力量薄弱，执法程序不够规范。\n", "")
    r = audit_text(text, checklist)
    missing = [f for f in r.formal if f.code == MISSING_PART]
    assert [f.item for f in missing] == ["structure.shortfalls"]


def test_fingerprints_ignore_figures_and_short_sentences():
    a = fingerprints(["全年制定行政规范性文件3件，均经合法性审核并报县司法局备案。", "一、总体情况"])
    b = fingerprints(["全年制定行政规范性文件12件，均经合法性审核并报县司法局备案。"])
    assert a.hashes == b.hashes and len(a.hashes) == 1


def test_agency_from_the_file_name_when_the_title_block_has_none(checklist):
    assert agency_from_name("reports/山西/晋城市教育局-2023.txt") == "晋城市教育局"
    assert agency_from_name("2023_于田县教育局法治政府建设报告.pdf") == "于田县教育局"
    assert agency_from_name("report-2023.txt") is None
    body = "\n".join(REPORT.splitlines()[2:-2])   # no title block, no sign-off
    r = audit_text(body, checklist, name="于田县教育局-2023.txt")
    assert r.report.agency == "于田县教育局"


def test_agency_and_year_overrides(checklist):
    from dutycheck.audit import audit_source, source_from_text

    r = audit_source(source_from_text(REPORT, "x.txt"), checklist, agency="安平县教育和体育局", year=2022)
    assert (r.report.agency, r.report.year) == ("安平县教育和体育局", 2022)
    assert LATE_REPORT in [f.code for f in r.formal]   # a 2022 report signed in February 2024


def test_each_template_pattern_names_a_character_it_needs():
    # template_text skips a pattern whose characters a report lacks: each placeholder seen in
    # template-site reports must hold one of them, and a report without them has no finding
    from dutycheck.formal import _TEMPLATE_CHARS, TEMPLATE_PATTERNS, template_text
    from dutycheck.models import Location

    placeholders = ["XX局", "×××同志", "20__年", "*人次", "某某单位", "（此处填写具体内容）"]
    assert len(_TEMPLATE_CHARS) == len(TEMPLATE_PATTERNS) == len(placeholders)
    for chars, pat, text in zip(_TEMPLATE_CHARS, TEMPLATE_PATTERNS, placeholders):
        m = pat.search(text)
        assert m and any(c in m.group() for c in chars), (pat.pattern, text)
    lines = ["全年办理行政复议案件3件。", "XX局" + "、".join(placeholders[1:])]
    found = template_text(lines, [Location(1), Location(2)])
    assert [f.line for f in found] == [2] and "某某" in found[0].text
    assert template_text(lines[:1], [Location(1)]) == []


def test_a_publication_date_split_over_two_lines_is_no_date():
    # published_date first searches the lines joined (most reports print no date), where a date
    # can run over a line break; only a date within one line counts, as before
    from dutycheck.formal import published_date
    from dutycheck.models import Location

    lines = ["发布时间：", "2024-04-08", "全年办理行政复议案件3件。", "成文日期：2024年3月28日"]
    locations = [Location(n + 1) for n in range(len(lines))]
    assert published_date(lines[:3], locations) is None
    assert published_date(lines, locations) == ("2024-03-28", Location(4))


def test_the_fingerprint_key_drops_what_the_plain_class_drops():
    # _FP_DROP is written `[…][…]*` for speed: on every character and on real sentences it must
    # delete exactly what `[\s\W_\d]+` deletes
    import re
    import sys

    from conftest import BUNDLED

    from dutycheck.formal import _FP_DROP

    plain = re.compile(r"[\s\W_\d]+")
    every = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF)
    assert _FP_DROP.sub("", every) == plain.sub("", every)
    for path in BUNDLED:
        for line in path.read_text(encoding="utf-8").splitlines():
            assert _FP_DROP.sub("", line) == plain.sub("", line)
            assert [m.span() for m in _FP_DROP.finditer(line)] == [m.span() for m in plain.finditer(line)]


def test_fingerprints_of_a_report_are_its_sentences_fingerprints():
    # fingerprints() makes every sentence's key in one pass over the sentences joined by a
    # separator; the hashes must be each sentence's own, in order, separator or not
    from conftest import BUNDLED

    from dutycheck.audit import parse_source
    from dutycheck.formal import _FP_SEP, sentence_fingerprint
    from dutycheck.read import read_source

    def plain(texts: list[str]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(fp for fp in map(sentence_fingerprint, texts) if fp))

    for path in BUNDLED:
        texts = [s.text for s in parse_source(read_source(path), "default").sentences]
        assert fingerprints(texts).hashes == plain(texts) and len(plain(texts)) > 20
        texts[3] += _FP_SEP + "全年共办理行政复议案件十二件"
        assert fingerprints(texts).hashes == plain(texts)
    assert fingerprints([]).hashes == () and fingerprints(["，", "短句"]).hashes == ()
    edge = ["、全年制定行政规范性文件3件，", "，均经合法性审核并报县司法局备案。_"]
    assert fingerprints(edge).hashes == plain(edge) and len(plain(edge)) == 2


def test_template_and_date_patterns_are_tried_where_their_leads_stand():
    # template_text and published_date look for a pattern only where a character its matches
    # begin with stands (_found): the leads must be the pattern's own, and _found must say what
    # a search says, lookbehinds and all
    import random

    from dutycheck.checklist.compile import lead_chars
    from dutycheck.formal import _PUBLISHED, _PUBLISHED_LEADS, _TEMPLATE_LEADS, TEMPLATE_PATTERNS, _found

    for leads, pat in zip(_TEMPLATE_LEADS, TEMPLATE_PATTERNS):
        assert sorted(lead_chars(pat)) == sorted(leads), pat.pattern
    assert sorted(lead_chars(_PUBLISHED)) == sorted(_PUBLISHED_LEADS)
    pieces = ["XX", "aXX", "X", "×××", "20__", "20_ 年", "___", "*人", "a*人", "＊ 次", "某某", "（此处填写）",
              "(请根据", "发布时间：2024-04-08", "成文日期 2024年3月8日", "，", "年", " ", "\n", "局", "1", "2"]
    rng = random.Random(11)
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 6)))
        for leads, pat in list(zip(_TEMPLATE_LEADS, TEMPLATE_PATTERNS)) + [(_PUBLISHED_LEADS, _PUBLISHED)]:
            assert _found(pat, leads, text) == bool(pat.search(text)), (pat.pattern, text)
