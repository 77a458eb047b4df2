"""Matching: phrase variants, co-occurrence, exclusions, and what the context makes of a mention."""

import pytest

from dutycheck.audit import audit_text

ACHIEVEMENTS = "一、主要举措和成效\n"
SHORTFALLS = "一、主要举措和成效\n全年开展法治讲座12场。\n二、存在的不足和原因\n"
PLANS = "一、主要举措和成效\n全年开展法治讲座12场。\n三、2025年工作计划\n"


@pytest.mark.parametrize("sentence, item", [
    # punctuation variants: 双随机、一公开 == 双随机一公开
    ("深入推进“互联网+监管”和“双随机一公开监管”。", "double-random.inspections"),
    ("扎实做好行政执法“双随机、一公开”工作。", "double-random.inspections"),
    # older spelling of 法治副校长
    ("对全县所有中小学配备了兼职法制副校长。", "vice-principals.appointed"),
    # near-variant caught by fuzzy matching of a long phrase
    ("严格落实重大行政执法决定法制审核制度。", "enforcement.legal-review"),
    ("建立健全重大执法决定法治审核机制，全年审核5件。", "enforcement.legal-review"),
    # co-occurrence: a leading group for rule-of-law work
    ("成立了以局长为组长，各科室主要负责人为成员的普法工作领导小组。", "first-responsible.leadership-group"),
    ("与河南海博律师事务所签订《常年法律顾问合同书》。", "legal-counsel.retained"),
    ("全面实行行政规范性文件合法性审查。", "normative-documents.legality-review"),
    ("全年无行政诉讼案件。", "disputes.review-litigation"),
])
def test_variants_are_found(status_of, sentence, item):
    assert status_of(ACHIEVEMENTS + sentence, item) == "done"


@pytest.mark.parametrize("sentence, item", [
    # studying the law is not handling a case
    ("积极开展《中华人民共和国行政复议法（2023年修订）》等法律法规的学习。", "disputes.review-litigation"),
    ("组织干部学习行政复议法和行政诉讼法。", "disputes.review-litigation"),
    # the 合法性审查 step of a major decision is not normative-document review
    ("实行“公众参与、专家论证、风险评估、合法性审查和集体讨论决定”相结合的决策机制。",
     "normative-documents.legality-review"),
    # other leading groups
    ("成立“六个一行动”工作领导小组，指导全区教育系统开展工作。", "first-responsible.leadership-group"),
    # naming 双随机、一公开 does not publish results
    ("加强“双随机、一公开”监管。", "double-random.results-published"),
    # a school principal's first-responsible duty is not the bureau head's
    ("严格落实校长作为学校法治建设第一责任人的职责。", "first-responsible.duty"),
    # "诉求" of pupils' minds, not petitions
    ("部分学校教育形式不够丰富，未能契合青少年的心理诉求。", "disputes.petitions"),
    # a clause break is not a phrase: 引领，学法 ≠ 领学
    ("坚持以法治为引领，学法促用法。", "first-responsible.collective-study"),
    # social supervision is not congress/CPPCC supervision
    ("自觉接受社会监督。", "transparency.supervision"),
])
def test_look_alikes_are_not_evidence(status_of, sentence, item):
    assert status_of(ACHIEVEMENTS + sentence, item) == "absent"


def test_a_duty_named_only_under_shortfalls_is_a_shortfall(status_of):
    text = SHORTFALLS + "部分学校未能很好的利用法律顾问进行合法性审查。"
    assert status_of(text, "legal-counsel.retained") == "shortfall"


def test_a_duty_named_only_under_plans_is_planned(status_of):
    text = PLANS + "1.继续推进法治政府建设，对规范性文件及时备案。"
    assert status_of(text, "normative-documents.filing") == "planned"


def test_plan_cue_inside_achievements(status_of):
    text = ACHIEVEMENTS + "全年开展法治讲座12场。下一步，我局将聘请专业律师担任法律顾问。"
    assert status_of(text, "legal-counsel.retained") == "planned"


def test_shortfall_cue_in_the_same_clause(status_of):
    text = ACHIEVEMENTS + "全年开展法治讲座12场，法律顾问作用发挥不够充分。"
    assert status_of(text, "legal-counsel.retained") == "shortfall"


def test_disposal_jiang_is_not_a_plan(status_of):
    # 将…纳入 is the disposal construction (= 把), a statement of work done
    text = ACHIEVEMENTS + "将法治建设纳入我县教育发展总体规划和年度工作计划。"
    assert status_of(text, "first-responsible.planning") == "done"


def test_further_improved_is_still_done(status_of):
    # 进一步 appears in statements of work done
    text = ACHIEVEMENTS + "进一步规范了中小学法治副校长聘任与管理，实现全覆盖。"
    assert status_of(text, "vice-principals.appointed") == "done"


def test_clean_record_negation_is_evidence_not_weakness(status_of):
    text = ACHIEVEMENTS + "全年未发现有未经县司法局备案审查的行政规范性文件印发。"
    assert status_of(text, "normative-documents.filing") == "done"


def test_done_wins_over_plan_and_shortfall(status_of):
    text = ("一、主要举措和成效\n聘请宇星律师事务所康宏春担任教育局法律顾问。\n"
            "二、存在的不足\n法律顾问作用发挥不够。\n三、下一步工作打算\n继续发挥法律顾问作用。")
    assert status_of(text, "legal-counsel.retained") == "done"


def test_planned_wins_over_shortfall(status_of):
    text = ("一、主要举措和成效\n全年开展法治讲座12场。\n二、存在的不足\n法律顾问作用发挥不够。\n"
            "三、下一步工作打算\n继续发挥法律顾问作用。")
    assert status_of(text, "legal-counsel.retained") == "planned"


def test_evidence_cites_line_section_role_and_reason(checklist):
    from dutycheck.audit import audit_text

    text = "一、主要举措和成效\n\n（一）健全工作机制。继续推行法律顾问制度，与河南海博律师事务所签订《常年法律顾问合同书》。"
    item = audit_text(text, checklist).item("legal-counsel.retained")
    e = item.evidence[0]
    assert (e.line, e.status.value, e.role.value) == (3, "done", "achievements")
    assert e.section == "（一）健全工作机制"          # as the report writes it, not normalised
    assert "法律顾问" in e.matched and e.score == 100
    assert "签订《常年法律顾问合同书》" in e.text


def test_concrete_evidence_is_quoted_before_a_general_statement(checklist):
    # both sentences name the legal counsel once; a reviewer quotes the one with the figures
    text = ("一、主要举措和成效\n充分发挥法律顾问作用，不断提升依法决策水平。"
            "常年法律顾问全年审查合同61份，出具法律意见书15份。")
    ev = audit_text(text, checklist).item("legal-counsel.retained").evidence
    assert ev[0].text.startswith("常年法律顾问全年审查合同61份")
    assert ev[1].text.startswith("充分发挥法律顾问作用")


def test_confidence_is_low_where_a_reviewer_should_look():
    """README 置信度: below 0.75 is the reviewer's queue."""
    from dutycheck.audit import audit_text
    from dutycheck.checklist.load import load_checklist

    cl = load_checklist("default")
    text = ("某县教育局2024年法治政府建设工作报告\n"
            "2024年，我局坚持依法行政，全面推行行政执法“三项制度”，各项工作取得新成效。\n"
            "一、主要举措和成效\n"
            "全年通过门户网站主动公开政府信息326条，办理依申请公开3件，均在法定期限内答复。\n"
            "邀请律师就行政复议工作为机关干部作专题辅导，机关干部60余人参加。\n")
    audit = audit_text(text, cl)
    conf = {r.id: r.confidence for r in audit.items}
    assert conf["transparency.disclosure"] >= 0.9              # two body sentences say it
    assert conf["disputes.review-litigation"] < 0.75           # absent, but a talk on it was seen
    assert audit.item("disputes.review-litigation").status.value == "absent"
    assert conf["enforcement.full-record"] < 0.75              # only the opening summary's slogan
    assert conf["legal-counsel.retained"] >= 0.9               # nothing of it anywhere


def test_one_pass_over_the_document_finds_each_phrase_in_its_own_sentence(checklist):
    # the index scans all sentence keys at once: every hit must still lie inside one sentence's
    # key and name its own sentence, and the key → text map must point at the phrase as written
    from dutycheck.audit import parse_source, source_from_text
    from dutycheck.checklist.load import compiled_checklist
    from dutycheck.match import index_document
    from dutycheck.normalize import key_positions, sentence_key

    text = (ACHIEVEMENTS + "聘请常年法律顾问，参与合同审查。\n“双随机、一公开”监管全覆盖，法律\n顾问列席局务会议。"
            "\n全年开展法治讲座12场；开展宪法宣传周活动。")
    doc = parse_source(source_from_text(text), checklist)
    index = index_document(doc, compiled_checklist(checklist).bind(doc.meta.year).matcher)
    assert index.keys == [sentence_key(s.text) for s in doc.sentences]
    literal = {t: hs for t, hs in index.hits.items() if not t.startswith("re:") and hs[0].score == 100.0}
    assert {"法律顾问", "双随机", "全覆盖", "宪法宣传"} <= set(literal)
    for term, hits in literal.items():
        for h in hits:
            assert index.keys[h.sentence][h.start:h.end] == term
    assert [h.sentence for h in index.hits["法律顾问"]] == [1, 2]
    for s in doc.sentences:
        keep, key = key_positions(s.text), index.keys[s.index]
        assert len(keep) == len(key)
        assert all(s.text[i] == c for i, c in zip(keep, key) if c != "|")
    hit = index.hits["全覆盖"][0]
    lo, hi = index.span_in_text(hit.sentence, hit.start, hit.end)
    assert doc.sentences[hit.sentence].text[lo:hi] == "全覆盖"


def key_segments(text: str) -> tuple[list[int], list[int], int]:
    """The oracle: where each stretch of `text` its match key keeps begins, in the key and in the
    text, and the key's length (how span_in_text found a span before key_positions)."""
    from dutycheck.normalize import _KEY_DROP_RUN

    key_starts, text_starts = [0], [0]
    dropped = 0
    for m in _KEY_DROP_RUN.finditer(text):
        start, end = m.span()
        dropped += end - start
        key_starts.append(end - dropped)
        text_starts.append(end)
    return key_starts, text_starts, len(text) - dropped


def test_key_spans_point_where_the_key_segments_point(checklist):
    # DocIndex.span_in_text reads a span from each key character's place in the text
    # (key_positions, once per sentence); key_segments gives the same places as stretches
    from bisect import bisect_right

    from conftest import BUNDLED

    from dutycheck.audit import parse_source
    from dutycheck.checklist.load import compiled_checklist
    from dutycheck.match import index_document
    from dutycheck.read import read_source

    def by_segments(text: str, start: int, end: int) -> tuple[int, int]:
        key_starts, text_starts, n = key_segments(text)
        if not n:
            return 0, 0
        first, last = min(start, n - 1), min(end, n) - 1
        i = bisect_right(key_starts, first) - 1
        j = bisect_right(key_starts, last) - 1
        return text_starts[i] + first - key_starts[i], text_starts[j] + last - key_starts[j] + 1

    compiled = compiled_checklist(checklist)
    spans = 0
    for path in BUNDLED:
        doc = parse_source(read_source(path), compiled)
        index = index_document(doc, compiled.bind(doc.meta.year).matcher)
        for s in doc.sentences:
            n = len(index.keys[s.index])
            for start in range(0, n, 3):
                for end in range(start + 1, n + 2, 5):
                    assert index.span_in_text(s.index, start, end) == by_segments(s.text, start, end)
                    spans += 1
    assert spans > 10_000
