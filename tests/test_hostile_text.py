"""Hostile text inside a report: characters that try to hide a duty, escapes that try to act.

Every case here was a probe that broke dutycheck (issue 14); each test failed before the fix.
"""

import unicodedata

import pytest

from dutycheck.audit import audit_text, source_from_text
from dutycheck.normalize import normalize

REPORT = """某市教育局2023年法治政府建设年度报告
一、主要举措和成效
我局聘请律师事务所律师担任法律顾问，全年审查合同12份。严格落实行政执法公示制度，执法全过程记录制度和重大执法决定法制审核制度。
"""


def statuses(text: str) -> dict[str, str]:
    return {i.id: i.status.value for i in audit_text(text).items}


CLEAN = statuses(REPORT)


@pytest.mark.parametrize("planted", [
    "\u2061", "\u2062", "\u2063", "\u2064",      # invisible operators
    "\u034f",                                    # combining grapheme joiner
    "\ufe0f", "\U000e0101",                      # variation selectors
    "\U000e0041", "\U000e007f",                  # tag characters
    "\u202e", "\u2066", "\u200e", "\u061c",      # bidi controls
    "\u180e", "\u3164", "\u00ad", "\x1b",
])
def test_an_invisible_character_inside_a_key_phrase_does_not_hide_the_duty(planted):
    assert CLEAN["legal-counsel.retained"] == "done"
    text = REPORT.replace("法律顾问", "法" + planted + "律顾问").replace("公示制度", "公" + planted + "示制度")
    got = statuses(text)
    assert got["legal-counsel.retained"] == "done"
    assert got["enforcement.publicity"] == CLEAN["enforcement.publicity"] == "done"


def test_look_alike_ideographs_fold_to_the_ordinary_character():
    # 律 U+F9D8 and 度 U+FA01 are CJK compatibility ideographs, ⽰ U+2F70 and ⾏ U+2F8F Kangxi
    # radicals: each looks like the ordinary character in every viewer
    text = (REPORT.replace("法律顾问", "法\uf9d8顾问")
            .replace("行政执法公示制度", "\u2f8f政执法公\u2f70制\ufa01"))
    got = statuses(text)
    assert got["legal-counsel.retained"] == "done"
    assert got["enforcement.publicity"] == "done"


def test_the_quote_still_shows_the_file_as_written_and_cites_its_line():
    text = REPORT.replace("法律顾问", "法\u2062\uf9d8顾问")
    r = audit_text(text)
    ev = r.item("legal-counsel.retained").evidence[0]
    assert ev.line == 3
    assert "\uf9d8顾问" in ev.text          # the user's characters, not our folded ones
    n = normalize(source_from_text(text))
    pos = n.text.index("法律顾问")
    assert n.quote(pos, pos + 4) == "法\uf9d8顾问"   # the invisible one is left out of quotes


def test_every_format_character_is_in_the_invisible_class():
    import re

    from dutycheck.normalize import INVISIBLE

    invisible = re.compile(INVISIBLE)
    missing = [hex(cp) for cp in range(0x110000)
               if unicodedata.category(chr(cp)) == "Cf" and not invisible.match(chr(cp))]
    assert missing == []


# ---------------------------------------------------------------- text that must not act

def hostile_report(tmp_path, extra: str, name: str = "r.txt"):
    path = tmp_path / name
    path.write_text(REPORT.replace("全年审查合同12份。", f"全年审查合同12份{extra}。"), encoding="utf-8")
    return path


def run(*args):
    from click.testing import CliRunner

    from dutycheck.cli import main

    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.mark.parametrize("command", [("audit",), ("audit", "-f", "markdown"),
                                     ("explain", "legal-counsel.retained")])
def test_terminal_control_sequences_from_a_report_never_reach_the_terminal(tmp_path, command):
    # in the text and in the file name, which the header shows
    path = hostile_report(tmp_path, "\x1b[2J\x1b[8m隐藏\x07\x9b31m", name="r\x1b[2J\x1b]8;;x\x07.txt")
    args = [command[0], path, *command[1:]]
    r = run(*args)
    assert r.exit_code == 0, r.output
    assert "聘请律师事务所" in r.output
    assert not any(c in r.output for c in "\x1b\x07\x9b"), repr(r.output)


def test_an_error_naming_a_file_with_escapes_does_not_echo_them(tmp_path):
    path = tmp_path / "r\x1b[2J.txt"
    path.write_bytes(b"")
    r = run("audit", path)
    assert r.exit_code == 2
    assert "\x1b" not in r.output and "r␛[2J.txt" in r.output


def test_rich_markup_in_a_report_is_shown_not_interpreted(tmp_path):
    path = tmp_path / "r.txt"
    path.write_text("[/x][link=https://example.com]某市教育局[/link]2023年法治政府建设年度报告\n"
                    + REPORT.split("\n", 1)[1].replace("12份", "12份[bold]"), encoding="utf-8")
    r = run("explain", path, "legal-counsel.retained")
    assert r.exit_code == 0, r.output
    assert "12份[bold]。" in r.output


def test_markdown_output_escapes_html_and_links_from_the_report(tmp_path):
    path = hostile_report(tmp_path, "<script>alert(1)</script>[点此](javascript:alert(1))<img src=x onerror=y>")
    r = run("audit", path, "-f", "markdown")
    assert r.exit_code == 0, r.output
    assert "<script>" not in r.output and "<img" not in r.output
    assert "&lt;script&gt;" in r.output
    assert "\\[点此\\](javascript:" in r.output        # a literal bracket: no link
