"""Cue searches skip sentences that cannot hold the cue, and say exactly what a full search says.

Every cue pattern is compiled with the characters its matches begin with (`lead_chars`). The
context stage looks for those first: where none occurs the cue is not there, and a search may
start at the first one. That must never change what a cue finds.
"""

from __future__ import annotations

import dataclasses
import random
import re

import pytest
from conftest import BUNDLED, random_pattern

from dutycheck import context
from dutycheck.audit import parse_source
from dutycheck.checklist.compile import lead_chars
from dutycheck.checklist.load import compiled_checklist
from dutycheck.context import decide, talked_about
from dutycheck.models import Role
from dutycheck.read import read_source


@pytest.mark.parametrize("pattern, chars", [
    (r"(?<![模比草])拟(?!定|订|稿)", "拟"),                  # lookarounds consume nothing
    (r"(?:下一步|下步|明年)|(?:计划(?=[于在到将]))", "下明计"),
    (r"(?<!\d{4}[-—])2025年", "2"),
    (r"(我局|本局)?将(?=继续)", "我本将"),                   # an optional lead adds what follows
    (r"[1-4]次|第[一二]", "1234第"),                          # a small range is spelt out
    (r"(?:(?:就|围绕)[^，。]{0,4})$", "围就"),
    (r"^(?:专题讲座)", "专"),
])
def test_the_characters_a_cue_begins_with(pattern, chars):
    assert lead_chars(re.compile(pattern)) == "".join(sorted(chars))


@pytest.mark.parametrize("pattern", [
    r"\d+次",            # a class of many characters
    r"[^，]{0,12}培训",   # a negated class
    r".讲座",
    r"(?i)xx局",         # case folded
    r"(?i:xx)局",
    r"(将)?",            # may match nothing: found anywhere
    r"(?=将)",
    r"(将)?\1",          # a back-reference
])
def test_no_lead_when_it_is_not_known(pattern):
    assert lead_chars(re.compile(pattern)) is None


def _random_pattern(rng: random.Random) -> str:
    """A small pattern over a, b, c and the clause mark ， with the constructs cue words use."""
    return random_pattern(rng, ["a", "b", "c", "，", "[ab]", "[^a]", "."],
                          alternation="(?:", repeats=["?", "*", "+", "{0,2}", "{1,2}?"],
                          asserts=["(?<!a)", "(?<=b)", "(?!c)", "(?=a)", "^", "$"], assert_rate=0.3, most=3)


def test_every_match_begins_with_a_lead_character():
    rng = random.Random(13)
    checked = 0
    for _ in range(3000):
        pattern = re.compile(_random_pattern(rng))
        chars = lead_chars(pattern)
        text = "".join(rng.choice("abc，") for _ in range(rng.randint(0, 12)))
        if chars is None:
            continue
        checked += 1
        for pos in range(len(text) + 1):
            m = pattern.match(text, pos)
            assert m is None or (m.end() > pos and text[pos] in chars), (pattern.pattern, text, pos)
    assert checked > 500


def _spans(m: re.Match | None) -> tuple | None:
    return None if m is None else (m.start(), m.end())


def test_searches_from_lead_characters_find_the_first_match():
    """What decide asks of a cue, with and without its lead class, on random patterns: the
    first match in a clause (a slice), in a stretch of the sentence, and the first outside 《》."""
    rng = random.Random(17)
    checked = 0
    for _ in range(3000):
        pattern = re.compile(_random_pattern(rng))
        chars = lead_chars(pattern)
        if chars is None:
            continue
        lead = re.compile(f"[{re.escape(chars)}]")
        text = "".join(rng.choice("abc，《》") for _ in range(rng.randint(0, 14)))
        lo = rng.randint(0, len(text))
        hi = rng.randint(lo, len(text))
        checked += 1
        assert _spans(context._in_clause(pattern, lead, text, lo, hi)) == _spans(pattern.search(text[lo:hi]))
        assert _spans(context._search(pattern, lead, text, lo, hi)) == _spans(pattern.search(text, lo, hi))
        assert _spans(context._cue(pattern, lead, text, hi)) == _spans(context._cue(pattern, None, text, hi))
    assert checked > 500


def test_a_cue_inside_a_title_is_passed_over_as_finditer_does():
    # 拟…稿 starts inside 《…》: no plan; the 稿 it covered is not tried again on its own
    pattern = re.compile(r"拟.{0,3}稿|稿")
    lead = re.compile("[拟稿]")
    text = "《拟》稿，拟定稿"
    assert _spans(context._cue(pattern, lead, text, len(text))) == _spans(context._cue(pattern, None, text, len(text)))
    assert context._cue(pattern, lead, text, len(text)).group(0) == "拟定稿"


def _mentions(checklist_name: str):
    """Every sentence of the bundled reports with mentions at many places, and its contexts."""
    compiled = compiled_checklist(checklist_name)
    for path in BUNDLED:
        doc = parse_source(read_source(path), compiled)
        contexts = {id(c): c for c in compiled.bind(doc.meta.year).contexts}.values()
        for ctx in contexts:
            assert ctx.leads, "the bundled cues have lead characters"
            plain = dataclasses.replace(ctx, leads={})
            for s in doc.sentences:
                for start in range(0, len(s.text), 4):
                    yield s, start, min(len(s.text), start + 3), ctx, plain


@pytest.mark.parametrize("checklist_name", ["default", "general"])
def test_cue_searches_find_what_full_searches_find(checklist_name):
    n = 0
    for s, start, end, ctx, plain in _mentions(checklist_name):
        for role in (s.role, Role.ACHIEVEMENTS, Role.SHORTFALLS):
            assert (decide(s.text, role, s.role_reason, start, end, ctx)
                    == decide(s.text, role, s.role_reason, start, end, plain)), (s.text, start, role)
        assert talked_about(s.text, start, end, ctx) == talked_about(s.text, start, end, plain), (s.text, start)
        n += 1
    assert n > 1000
