"""`re:` terms are searched only where they can match, and find exactly what a full search finds.

The index looks a `re:` term up only in the sentences holding one of the strings every match
of it contains (`required_literals`), and a term whose matches never cross a line
(`line_bound`) only inside those sentences' keys. Both analyses read `re`'s own parser; they
must never claim more than is true, or a match would be lost.
"""

from __future__ import annotations

import random
import re

import pytest

from dutycheck.checklist.compile import line_bound, required_literals


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


@pytest.mark.parametrize("pattern, bound", [
    (r"\d+[名个位]法[治制]副校长", True),
    (r"(党组会|局务会)议?\d+次", True),
    (r"\w+局.", True),
    (r"结果[^|]{0,16}公开", False),       # a negated class matches a line break
    (r"(?s)结果.公开", False),
    (r"结果\s公开", False),
    (r"(?<!不)公开", False),              # looks outside the match
    (r"公开$", False),
    (r"(公)开\1", False),
])
def test_which_patterns_stay_within_a_line(pattern, bound):
    assert line_bound(re.compile(pattern)) is bound


def _random_pattern(rng: random.Random, depth: int = 0) -> str:
    """A small pattern over a, b, c and line breaks with the constructs `re:` terms use."""
    atoms = ["a", "b", "c", "ab", "bc", "[ab]", "[^a]", ".", r"\d", r"\s", r"\n", "1"]
    if depth < 2:
        atoms += ["(?:" + _random_pattern(rng, depth + 1) + ")",
                  "(" + _random_pattern(rng, depth + 1) + "|" + _random_pattern(rng, depth + 1) + ")"]
    out = []
    for _ in range(rng.randint(1, 4)):
        atom = rng.choice(atoms)
        out.append(atom + rng.choice(["?", "*", "+", "{0,2}", "{1,2}", "{2}", "+?"]) if rng.random() < 0.3 else atom)
        if rng.random() < 0.15:
            out.append(rng.choice(["(?<!a)", "(?=b)", "^", "$"]))
    return "".join(out)


def test_every_match_holds_a_literal_and_stays_in_its_line():
    rng = random.Random(13)
    with_literals = bound = 0
    for _ in range(4000):
        pattern = re.compile(_random_pattern(rng), rng.choice([0, 0, re.DOTALL]))
        text = "".join(rng.choice("abc1\n") for _ in range(rng.randint(0, 16)))
        literals = required_literals(pattern)
        matches = [m.span() for m in pattern.finditer(text)]
        if literals is not None:
            with_literals += 1
            assert all(any(lit in text[lo:hi] for lit in literals) for lo, hi in matches), (pattern, text)
        if line_bound(pattern):
            bound += 1
            by_line, start = [], 0
            for line in text.split("\n"):
                by_line += [m.span() for m in pattern.finditer(text, start, start + len(line))]
                start += len(line) + 1
            assert by_line == matches, (pattern, text)
    assert with_literals > 500 and bound > 500
