"""Normalising keeps meaning and keeps the way back to the user's line numbers."""

import re

from dutycheck.audit import source_from_text
from dutycheck.normalize import match_key, normalize, sentence_key


def norm(text: str):
    return normalize(source_from_text(text))


def test_broken_line_inside_a_sentence_is_rejoined():
    # seed 000: a docx→txt conversion split 习近平法治思想 over two lines with a blank between
    text = ("一、切实履行第一责任人职责。一是深入学习贯彻习近平法\n\n"
            "治思想。坚持集体学法制度，把习近平法治思想作为重点学习内容。")
    n = norm(text)
    assert "习近平法治思想。坚持集体学法制度" in n.text
    pos = n.text.index("坚持集体学法")
    assert n.location(pos).line == 3


def test_paragraph_end_and_headings_are_kept_apart():
    text = "五、存在问题和不足\n\n在推动法治政府建设工作中取得了一些成绩，还存在一定的不足。\n六、下一步工作打算"
    assert norm(text).text.split("\n") == [
        "五、存在问题和不足", "在推动法治政府建设工作中取得了一些成绩,还存在一定的不足。", "六、下一步工作打算"]


def test_short_title_lines_are_not_joined_to_the_body():
    text = ("2024年推进法治政府建设中存在的不足\n\n"
            "2024年的法治政府建设工作取得了显著成效，教育系统持续保持和谐稳定大局，但尚有部分工作有待改进和提高，"
            "一是法治队伍建设执法理念和水平有待加强，少数干部虽然一直学习法治知识但在法治实践中应对不力。")
    assert norm(text).text.startswith("2024年推进法治政府建设中存在的不足\n")


def test_rows_of_figures_are_not_joined_into_one_sentence():
    # tests/eval2/reports/e_*: a block of "label：figure" rows in a .txt report
    body = "全面推行行政执法“三项制度”，在区行政执法信息公示平台公示执法主体、执法人员和执法结果，执法过程全程记录。"
    text = (body + "\n行政规范性文件制定：1件；报区政府备案：1件；报备率：100%\n"
            "清理规范性文件：18件（保留15件、废止3件）\n行政检查：312次；行政处罚案件：7件\n" + body)
    lines = norm(text).text.split("\n")
    assert lines[1].endswith("报备率:100%")
    assert lines[2].startswith("清理规范性文件") and lines[3].startswith("行政检查")


def test_closing_plan_paragraph_is_not_joined_to_the_shortfalls():
    # seed 003: the shortfall paragraph has no final full stop; "下一步，" opens a new one
    text = ("二是学校依法治校水平有待提升，部分学校在遇到法律问题时存在舍近求远的问题，未能契合青少年的心理诉求  \n\n"
            "下一步，我们将结合教育工作实际，持续强化法治思维。")
    assert "\n下一步," in norm(text).text


def test_traditional_and_full_width_are_folded():
    n = norm("覆蓋２６.４萬名中小學生，法治副校長配備率１００％")
    assert n.text == "覆盖26.4万名中小学生,法治副校长配备率100%"


def test_spaces_between_digits_and_characters_are_folded():
    assert norm("于田县教育局 2023 年法治政府建设 工作报告").text == "于田县教育局2023年法治政府建设工作报告"
    # a PDF that spaces every character
    assert norm("法 治 副 校 长 配 备 率 100%").text == "法治副校长配备率100%"


def test_artifacts_are_dropped_but_quotes_come_from_the_original():
    text = "[bookmark: _GoBack]4.教育行政执法更加规范。**二、健全工作机制**\n# 标题"
    n = norm(text)
    assert n.text == "4.教育行政执法更加规范。二、健全工作机制\n标题"
    start = n.text.index("教育")
    assert n.quote(start, start + 10) == "教育行政执法更加规范"


def test_quote_keeps_the_original_script():
    n = norm("覆盖26.4万名中小學生")
    i = n.text.index("中小学生")
    assert n.quote(i, i + 4) == "中小學生"


def test_match_keys_ignore_punctuation_but_not_clause_breaks():
    assert match_key("“双随机、一公开”") == "双随机一公开"
    assert match_key("互联网+政务服务") == "互联网政务服务"
    assert "领学" not in sentence_key("坚持以法治为引领，学法促用法")


def test_page_number_lines_of_a_pdf_copy_are_dropped_and_the_sentence_rejoined():
    text = ("二、全面清理规范性文件，对现行有效的规范性文件集\n"
            "- 3 -\n"
            "中清理，废止文件2件。\n"
            "第 4 页 共 9 页\n"
            "三、下一步工作安排")
    n = norm(text)
    assert "规范性文件集中清理,废止文件2件。" in n.text
    assert "3" not in n.text.split("废止")[0] and "第4页" not in n.text
    assert n.location(n.text.index("中清理")).line == 3


def test_running_header_repeats_are_dropped_but_the_title_kept():
    header = "青山区教育局2023年法治政府建设年度报告"
    text = (f"{header}\n2023年，我局认真落实法治政府建设各项任务。\n"
            "一、主要举措和成效\n严格落实行政执法公示制度，执法全过程\n"
            f"{header}\n记录制度和重大执法决定法制审核制度。\n"
            "聘请律师事务所担任常年法律顾问，出具法律意见书\n"
            f"{header}\n15份。\n")
    n = norm(text)
    assert n.text.count(header) == 1 and n.text.startswith(header)
    assert "执法全过程记录制度" in n.text and "法律意见书15份" in n.text


def test_running_header_is_dropped_when_the_title_is_split_over_two_lines():
    header = "青山区教育局2023年度法治政府建设工作报告"
    text = ("青山区教育局\n2023年度法治政府建设工作报告\n\n2023年，我局认真落实法治政府建设各项任务。\n"
            + "".join(f"第{p}季度，我局按照区政府统一部署，组织开展第{p}批规范性文件集\n- {p} -\n{header}\n中清理，对现行有效的规范性文件逐件审查，废止{p}件。\n" for p in (1, 2,
                                                                                                                        3)))
    n = norm(text)
    assert header not in n.text and n.text.count("规范性文件集中清理") == 3


def test_the_plain_class_of_dropped_characters_is_the_key_rule_exactly():
    # key_positions finds the characters a match key drops without a barrier
    # with a plain character class; it must be the very set _KEY_DROP less _CLAUSE_MARK names
    import sys

    from dutycheck.normalize import _CLAUSE_MARK, _KEY_DROP, _KEY_DROP_RUN

    every = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF)
    rule = {m.start() for m in _KEY_DROP.finditer(every)} - {m.start() for m in _CLAUSE_MARK.finditer(every)}
    plain = {i for m in _KEY_DROP_RUN.finditer(every) for i in range(m.start(), m.end())}
    assert plain == rule


def test_sentence_keys_are_the_key_rule_with_clause_barriers_exactly():
    # sentence_key replaces the clause marks one by one and drops the rest with the plain class:
    # the key of every character, and of a sentence, is what the two rules give
    import sys

    from dutycheck.normalize import _CLAUSE_CHARS, _CLAUSE_MARK, _KEY_DROP, CLAUSE_BARRIER

    every = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF)
    assert set(_CLAUSE_MARK.findall(every)) == set(_CLAUSE_CHARS)
    for text in [every, "“双随机、一公开”监管，引领；学法：《宪法》! 2024年?", "。。", ""]:
        assert sentence_key(text) == _KEY_DROP.sub("", _CLAUSE_MARK.sub(CLAUSE_BARRIER, text))
    assert sentence_key("坚持“三项制度”，引领学法。") == "坚持三项制度|引领学法|"


def test_key_positions_point_at_each_character_the_key_keeps():
    from dutycheck.normalize import _CLAUSE_CHARS, CLAUSE_BARRIER, key_positions

    for text in ["“双随机、一公开”监管全覆盖。", "  《宪法》宣传周，法律 顾问", "法治", "、、", ""]:
        keep = key_positions(text)
        assert keep == sorted(set(keep))
        # the key is the characters kept, a clause mark written as the barrier
        kept = "".join(CLAUSE_BARRIER if text[i] in _CLAUSE_CHARS else text[i] for i in keep)
        assert kept == sentence_key(text)


def test_artifacts_and_spaces_are_cut_line_by_line():
    # the text is searched once, but a bookmark is an artifact only inside one line (this one,
    # broken over two lines, is kept and the lines rejoined), and a space between two Latin
    # letters or digits stays only inside one line
    n = norm("[bookmark: 见第\n二页]聘请法律顾问 2 名。\nSection 1 of\n　　二、健全工作机制")
    assert n.text == "[bookmark:见第二页]聘请法律顾问2名。\nSection 1 of\n二、健全工作机制"


def test_the_scan_translates_every_character_as_the_table(monkeypatch):
    # a process that has translated many texts replaces the frequent full-width forms and
    # then scans for the other characters the table changes; no character may come out
    # differently, alone or next to others (a comma before a traditional character …)
    import random
    import sys

    from dutycheck import normalize as nz

    monkeypatch.setattr(nz, "_texts_translated", [nz._FAST_AFTER])
    every = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF)
    table = nz.translation_table()
    assert nz.translate(every) == every.translate(table)
    assert nz._texts_translated[0] > nz._FAST_AFTER     # (the scan was used)
    some = [chr(c) for c in table] + list("，。學習法治2024 \n𠀀")
    rng = random.Random(13)
    for _ in range(500):
        text = "".join(rng.choice(some) for _ in range(rng.randint(0, 40)))
        assert nz.translate(text) == text.translate(table)
    assert nz.translate("２０２４年，學校（一）法治") == "2024年,学校(一)法治"


def test_artifacts_are_found_in_the_whole_text_as_line_by_line(monkeypatch):
    # by a scan for the characters they begin with, or (once a process translates with its own
    # scan) at the characters that scan marked: ＊ becomes * in translation
    from dutycheck import normalize as nz
    from dutycheck.normalize import _ARTIFACTS, _artifacts

    # the pattern as it was when each line was searched alone: a bookmark's text could then
    # hold a line break only because no line holds one
    one_line = re.compile(_ARTIFACTS.pattern.replace(r"[^\]\n]", r"[^\]]"))
    assert one_line.pattern != _ARTIFACTS.pattern

    def by_line(text):
        spans, pos = [], 0
        for line in text.split("\n"):
            spans += [(pos + m.start(), pos + m.end()) for m in one_line.finditer(line)]
            pos += len(line) + 1
        return spans

    for text in ["**加粗**正文__下划线__", "***三个星号*", "[bookmark: _GoBack]法治[TOC][toc][bookmark:",
                 "[bookmark: 见第\n二页]\u200b零宽\ufeff", "_a_ [x] [bookmark:a]]\U000e0041标签", "", "\n\n",
                 "＊＊全角＊＊學習［TOC］＿＿", "**學**"]:
        plain = text.translate(nz.translation_table())
        assert _artifacts(plain) == by_line(plain), text
        monkeypatch.setattr(nz, "_texts_translated", [nz._FAST_AFTER])
        translated, marks = nz._translate_marked(text)
        assert translated == plain and marks is not None
        assert _artifacts(translated, marks) == by_line(plain), text


def test_each_kept_piece_knows_its_line():
    # location() reads the line a piece came from, where it used to find it by the piece's
    # offset in the original; locations() walks a document's positions in one call
    import dataclasses

    from conftest import BUNDLED

    from dutycheck.read import read_source

    texts = [normalize(read_source(p)) for p in BUNDLED] + [
        norm("# 一、总体情况\n\n- 3 -\n2023年，我局  聘请法律\n顾问 2 名。\n> 引用\n**加粗**\u200b\n\n"),
        norm(""), norm("\n\n法治"),
    ]
    for n in texts:
        by_offset = dataclasses.replace(n, _piece_lines=())
        positions = list(range(-2, len(n.text) + 3))
        expected = [by_offset.location(p) for p in positions]
        assert [n.location(p) for p in positions] == expected
        assert n.locations(positions) == expected
        assert n.locations(positions[::-1]) == expected[::-1]


def test_a_quote_is_the_original_characters_behind_the_range():
    # quote() slices a string of the original character behind each normalised one; it must
    # give what walking the kept pieces over the range gives, for any range in the text or past it
    from bisect import bisect_right

    from conftest import BUNDLED

    from dutycheck.read import read_source

    def walked(n, start, end):
        parts, starts = [], n._norm_starts
        i = bisect_right(starts, start) - 1
        while i < len(starts) and starts[i] < end:
            ne = starts[i + 1] if i + 1 < len(starts) else len(n.text)
            lo, hi = max(starts[i], start), min(ne, end)
            if lo < hi:
                o = n._orig_starts[i] + (lo - starts[i])
                parts.append(n.source.text[o:o + (hi - lo)])
            i += 1
        return "".join(parts).replace("\n", "").strip()

    texts = [normalize(read_source(p)) for p in BUNDLED[:2]] + [
        norm("# 一、总体情况\n\n- 3 -\n２０２３年，我局  聘请法律\n顾问 2 名。\n> 引用\n**加粗**\u200b\n\n"), norm(""),
        norm("- 3 -\n")]
    for n in texts:
        size = len(n.text)
        cuts = sorted({0, 1, max(size - 1, 0), size, size + 2} | set(range(0, size, 7)))
        for start in cuts:
            for end in cuts + [-1]:
                assert n.quote(start, end) == walked(n, start, end), (start, end)
    example = texts[2]
    assert example.quote(0, example.text.index("引用")) == "一、总体情况２０２３年，我局聘请法律顾问2名。"
