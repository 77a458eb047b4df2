"""`re:` terms are searched only where they can match, and find exactly what a full search finds.

The index looks a `re:` term up only in the sentences holding one of the strings every match
of it contains (`required_literals`), and, when it knows how far a match can reach beyond the
line holding that string (`literal_reach`), only in the windows that reach gives around those
sentences. Both analyses read `re`'s own parser; they must never claim more than is true, or a
match would be lost.
"""

from __future__ import annotations

import random
import re
from types import SimpleNamespace

import pytest
from conftest import random_pattern

from dutycheck.checklist.compile import literal_reach, required_literals
from dutycheck.match import _windows


@pytest.mark.parametrize("pattern, literals", [
    (r"\d+[名个位]法[治制]副校长", ("副校长",)),
    (r"(党组会|局务会|局长办公会)议?\d+次", ("党组会", "局务会", "局长办公会")),    # 3 characters beat 次
    (r"报[^|]{1,12}备案", ("备案",)),                  # the longer
    (r"风险(进行了?|开展了?)评估", ("风险",)),           # of equals, one string; then the first
    (r"(?:培训){2,}", ("培训",)),                      # a repeat that occurs at least once
    (r"(?:开展|组织)(?:讲座|培训)", ("开展", "组织")),
    (r"(?<!不)公开\d+条", ("公开",)),                   # lookarounds consume nothing
])
def test_the_strings_every_match_holds(pattern, literals):
    assert required_literals(re.compile(pattern)) == literals


@pytest.mark.parametrize("pattern", [
    r"\d+[次件]",         # no literal at all
    r"(?:讲座)?\d+",       # an optional one
    r"(?:讲座)*培|\d",     # an alternative without one
    r"(?i)xx局",          # case folded
    r"a\nb",              # a line break: the keys are joined by one
])
def test_no_literals_when_none_is_known(pattern):
    assert required_literals(re.compile(pattern)) is None


@pytest.mark.parametrize("pattern, reach", [
    (r"\d+[名个位]法[治制]副校长", (0, 0)),           # never crosses a line
    (r"(党组会|局务会)议?\d+次", (0, 0)),
    (r"\w+局.", (0, 0)),
    (r"结果[^|]{0,16}(公示|公开)", (0, 20)),          # a negated class may cross one: bounded after
    (r"(公开|发布)[^|]{0,15}信息\d+条", (19, 0)),     # … before 信息, and nothing after crosses
    (r"结果\s公开", (0, 5)),
    (r"(?s)结果.公开", (0, 5)),
    (r"结果[^|]*公开", None),                         # unbounded and may cross
    (r"(?<!不)公开", None),                           # looks outside the match
    (r"公开$", None),
    (r"(公)开\1", None),
    (r"\d+[次件]", None),                            # no literal
])
def test_how_far_a_match_reaches_beyond_its_literal_s_line(pattern, reach):
    assert literal_reach(re.compile(pattern)) == reach


def _random_pattern(rng: random.Random) -> str:
    """A small pattern over a, b, c and line breaks with the constructs `re:` terms use."""
    return random_pattern(rng, ["a", "b", "c", "ab", "bc", "[ab]", "[^a]", ".", r"\d", r"\s", r"\n", "1"],
                          alternation="(", repeats=["?", "*", "+", "{0,2}", "{1,2}", "{2}", "+?"],
                          asserts=["(?<!a)", "(?=b)", "^", "$"], assert_rate=0.15, most=4)


@pytest.mark.parametrize("pattern, text, span", [
    (r"结果[^|]{0,3}公开", "xx\n结果\nxx公开\n", (3, 10)),    # reaches into the next line
    (r"(公开|发布)[^|]{0,3}信息", "\nx公开\nx信息", (2, 8)),    # … back from 信息's line
    (r"结果\s公开", "结果\n公开", (0, 5)),
])
def test_a_match_across_lines_is_found_in_its_window(pattern, text, span):
    pat = re.compile(pattern)
    assert [m.span() for m in pat.finditer(text)] == [span]
    keys = text.split("\n")
    index = SimpleNamespace(keys=keys, starts=[sum(len(k) + 1 for k in keys[:i]) for i in range(len(keys))])
    literals = required_literals(pat)
    holding = [s for s, key in enumerate(keys) if any(lit in key for lit in literals)]
    windows = _windows(holding, index, literal_reach(pat), len(text))
    assert [m.span() for lo, hi in windows for m in pat.finditer(text, lo, hi)] == [span]


def test_every_match_holds_a_literal_and_lies_in_its_window():
    rng = random.Random(13)
    with_literals = windowed = crossing = 0
    for _ in range(4000):
        pattern = re.compile(_random_pattern(rng), rng.choice([0, 0, re.DOTALL]))
        text = "".join(rng.choice("abc1\n\n") for _ in range(rng.randint(0, 24)))
        literals = required_literals(pattern)
        matches = [m.span() for m in pattern.finditer(text)]
        if literals is None:
            continue
        with_literals += 1
        assert all(any(lit in text[lo:hi] for lit in literals) for lo, hi in matches), (pattern, text)
        reach = literal_reach(pattern)
        if reach is None:
            continue
        windowed += 1
        crossing += reach != (0, 0)
        # the lines as the index's sentences: keys joined by a line break
        index = SimpleNamespace(keys=text.split("\n"), starts=[0])
        for key in index.keys[:-1]:
            index.starts.append(index.starts[-1] + len(key) + 1)
        holding = [s for s, key in enumerate(index.keys) if any(lit in key for lit in literals)]
        found = [m.span() for lo, hi in _windows(holding, index, reach, len(text))
                 for m in pattern.finditer(text, lo, hi)]
        assert found == matches, (pattern, text, reach)
    assert with_literals > 500 and windowed > 500 and crossing > 100
