"""A checklist compiled for matching: built once per loaded checklist, never changed.

`compile_checklist(checklist)` builds a `CompiledChecklist`: the Aho-Corasick automaton over
every literal phrase, the regular expressions of `re:` terms, the fuzzy phrases with their
cutoffs and bigrams, and the web-page furniture patterns. Everything that depends on the
report's year is compiled by ONE method, `CompiledChecklist.bind(year)`: it fills
{year}/{next_year}/{last_year} in the heading and paragraph patterns (structure), the cue words
(context, each item's own merged in) and the `re:` terms of match rules, and returns a
`BoundChecklist` (memoised per year). `structure.parse` reads the furniture and the bound
structure, `match.match_document` the bound checklist.

Callers do not build these themselves: `load.compiled_checklist(name, path, Checklist or
CompiledChecklist)` returns the compiled form, once per loaded checklist.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from ahocorasick_rs import AhoCorasick, MatchKind

from ..structure import FURNITURE_LEAD, BoundStructure, StructureRules, fill_placeholders
from .model import Checklist, CompiledContext, ContextRules, Item


@dataclass(frozen=True)
class CompiledMatcher:
    """Every phrase of a checklist, compiled for one scan of a report (match.index_document).

    The automata report every match, overlapping ones too, as (pattern index, start, end) in
    characters, ordered by where they end (at one end, the longest first)."""

    phrases: tuple[str, ...]                 # the literal phrases: patterns 0… of `automaton`
    automaton: AhoCorasick | None            # over `phrases`, then `pieces`
    regexes: Mapping[str, re.Pattern]        # `re:` term as written → its pattern
    fuzzy_terms: Mapping[str, float]         # term → cutoff
    term_bigrams: Mapping[str, set[str]]
    # `re:` term → strings one of which each of its matches holds (`required_literals`), if known
    regex_literals: Mapping[str, tuple[str, ...]]
    # `re:` term → how far its matches reach beyond a line holding one of its literals (`literal_reach`)
    regex_reach: Mapping[str, tuple[int, int]]
    # the fuzzy terms' bigrams and the regex literals: those that are no phrase are the patterns
    # after `phrases`; the sentences holding those that are (`phrase_pieces`) are their hits'
    pieces: tuple[str, ...]
    phrase_pieces: tuple[str, ...]


def _bigrams(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1)}


def _automaton(patterns: tuple[str, ...]) -> AhoCorasick | None:
    """Every match of every pattern, overlapping ones included (MatchKind.Standard)."""
    return AhoCorasick(patterns, matchkind=MatchKind.Standard) if patterns else None


def _has_placeholder(pattern: str) -> bool:
    return fill_placeholders(pattern, 2000) != pattern


def compile_matcher(checklist: Checklist, year: int | None = None) -> CompiledMatcher:
    """The automaton over every literal phrase, the `re:` terms filled for `year`, the fuzzy
    phrases (long enough for their length's cutoff) with their bigrams."""
    literals: set[str] = set()
    regexes: dict[str, re.Pattern] = {}
    fuzzy_terms: dict[str, float] = {}
    for item in checklist.items:
        for rule in item.rules:
            for term in [t for g in rule.groups for t in g] + list(rule.exclude):
                if term.startswith("re:"):
                    regexes[term] = re.compile(fill_placeholders(term[3:], year))
                    continue
                literals.add(term)
            if item.fuzzy:
                for g in rule.groups:
                    for term in g:
                        cut = checklist.fuzzy.cutoff(len(term))
                        if cut is not None and not term.startswith("re:"):
                            fuzzy_terms[term] = cut
    phrases = tuple(sorted(literals))
    term_bigrams = {t: _bigrams(t) for t in fuzzy_terms}
    regex_literals = {t: lits for t, pat in regexes.items() if (lits := required_literals(pat))}
    wanted = set().union(*term_bigrams.values(), *regex_literals.values())
    pieces, phrase_pieces = tuple(sorted(wanted - literals)), tuple(sorted(wanted & literals))
    regex_reach = {t: reach for t, pat in regexes.items() if (reach := literal_reach(pat)) is not None}
    return CompiledMatcher(phrases, _automaton(phrases + pieces), MappingProxyType(regexes),
                           MappingProxyType(fuzzy_terms), MappingProxyType(term_bigrams),
                           MappingProxyType(regex_literals), MappingProxyType(regex_reach), pieces, phrase_pieces)


# the parser `re` compiles with (private, hence looked up by name; a failure only costs speed)
_parser: Any = importlib.import_module("re._parser")
_sre: Any = importlib.import_module("re._constants")


def lead_chars(pattern: re.Pattern) -> str | None:
    """The characters every match of `pattern` begins with, or None when that is not known (a
    class such as \\d or [^，], a flag, a back-reference) or the pattern can match nothing at all.

    A text in which none of them occurs holds no match, and a search may start at the first of
    them: the cue patterns open with lookbehinds (`(?<![模比草])拟`), which `re` tries at every
    character, while one character class is a quick scan."""
    if pattern.flags & re.IGNORECASE:
        return None
    try:
        found = _lead_seq(_parser.parse(pattern.pattern, pattern.flags))
    except Exception:       # a construct the private parser spells otherwise: no prefilter
        return None
    if found is None or found[1] or not found[0]:
        return None
    return "".join(sorted(found[0]))


def _lead_seq(items) -> tuple[set[str], bool] | None:
    """(lead characters, whether the sequence can match empty) of a parsed sequence."""
    chars: set[str] = set()
    for op, av in items:
        got = _lead_one(op, av)
        if got is None:
            return None
        chars |= got[0]
        if not got[1]:
            return chars, False
    return chars, True


def _lead_one(op, av) -> tuple[set[str], bool] | None:
    if op is _sre.LITERAL:
        return {chr(av)}, False
    if op is _sre.IN:
        out: set[str] = set()
        for o, a in av:
            if o is _sre.LITERAL:
                out.add(chr(a))
            elif o is _sre.RANGE and a[1] - a[0] < 256:
                out.update(chr(c) for c in range(a[0], a[1] + 1))
            else:           # a negated class, \\d, \\w…: too many characters
                return None
        return out, False
    if op is _sre.BRANCH:
        out, empty = set(), False
        for alt in av[1]:
            got = _lead_seq(alt)
            if got is None:
                return None
            out |= got[0]
            empty = empty or got[1]
        return out, empty
    if op is _sre.SUBPATTERN:
        return None if av[1] or av[2] else _lead_seq(av[3])       # (?i:…) and the like: unknown
    if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT):
        got = _lead_seq(av[2])
        return None if got is None else (got[0], got[1] or av[0] == 0)
    if op is _sre.ATOMIC_GROUP:
        return _lead_seq(av)
    if op in (_sre.ASSERT, _sre.ASSERT_NOT, _sre.AT):
        return set(), True          # looks around, consumes nothing
    return None


def required_literals(pattern: re.Pattern) -> tuple[str, ...] | None:
    """Strings, none holding a line break, one of which every match of `pattern` contains, or
    None when that is not known (a case-folded pattern, one `re`'s parser spells otherwise).

    A text holding none of them holds no match. Of the sets the pattern offers (a run of
    literal characters; a group of alternatives each offering one), the one whose shortest
    string is longest, then the one with fewest strings: `\\d+[名个位]法[治制]副校长` gives
    ("副校长",), `(党组会|局务会)议?\\d+次` gives ("党组会", "局务会")."""
    parsed = _parsed(pattern)
    try:
        chosen = None if parsed is None else _chosen(parsed)
    except Exception:       # a construct read otherwise than expected: no prefilter
        return None
    return None if chosen is None else tuple(sorted(chosen[0]))


def literal_reach(pattern: re.Pattern) -> tuple[int, int] | None:
    """How far a match of `pattern` can reach beyond the line holding the literal of
    `required_literals` it holds: (before, after) in characters, 0 for a side that consumes no
    line break; None when not known (no literals; a lookaround, anchor or back-reference
    anywhere; an unbounded side that may cross a line).

    A text's matches are then those found in the windows around the lines holding a literal,
    each searched alone (`finditer(text, lo, hi)`, overlapping windows merged): every match
    lies within its literal's window, and a pattern that looks nowhere outside its match finds
    in a window what a search of the whole text finds there."""
    parsed = _parsed(pattern)
    try:
        return None if parsed is None else _reach(parsed, bool(pattern.flags & re.DOTALL))
    except Exception:       # a construct read otherwise than expected: no windows
        return None


def _reach(parsed, dotall: bool) -> tuple[int, int] | None:
    chosen = _chosen(parsed)
    if chosen is None or _looks_outside(parsed):
        return None
    _, first, end = chosen
    reach = []
    for side in (parsed[:end], parsed[first:]):     # the chosen part and what stands before / after it
        if _no_break(side, dotall):
            reach.append(0)
            continue
        width = side.getwidth()[1]
        if width >= _sre.MAXREPEAT:
            return None
        reach.append(width)
    return reach[0], reach[1]


def _parsed(pattern: re.Pattern) -> Any:
    """`re`'s parse of the pattern, or None (case folded, or spelt otherwise by the parser)."""
    if pattern.flags & re.IGNORECASE:
        return None
    try:
        return _parser.parse(pattern.pattern, pattern.flags)
    except Exception:       # a construct the private parser spells otherwise: no prefilter
        return None


def _chosen(parsed) -> tuple[frozenset[str], int, int] | None:
    """The most selective literal set of a parsed pattern, and the top-level items [first, end)
    it comes from."""
    best: tuple[frozenset[str], int, int] | None = None
    items, i = list(parsed), 0
    while i < len(items):
        j = i
        while j < len(items) and items[j][0] is _sre.LITERAL:
            j += 1
        if j > i:           # a run of literal characters
            sets = [frozenset(["".join(chr(av) for _, av in items[i:j])])]
        else:
            j = i + 1
            sets = _literal_sets(items[i:j])
        for got in sets:
            if not all(got) or any("\n" in lit for lit in got):
                continue
            if best is None or _selectivity(got) > _selectivity(best[0]):
                best = (got, i, j)
        i = j
    return best


def _selectivity(strings: frozenset[str]) -> tuple[int, int]:
    """The longer the shortest string, then the fewer strings, the rarer a match."""
    return min(map(len, strings)), -len(strings)


def _most_selective(sets: list[frozenset[str]]) -> frozenset[str]:
    """The set whose shortest string is longest, then the one with fewest strings (the first of equals)."""
    return max(sets, key=_selectivity)


def _literal_sets(items) -> list[frozenset[str]]:
    """Sets of strings one of which every match of the parsed sequence contains."""
    out: list[frozenset[str]] = []
    run: list[str] = []
    for op, av in items:
        if op is _sre.LITERAL:
            run.append(chr(av))
            continue
        if run:
            out.append(frozenset(["".join(run)]))
            run = []
        if op is _sre.SUBPATTERN and not av[1] and not av[2]:      # (…) or (?:…), no flags
            out += _literal_sets(av[3])
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT) and av[0] >= 1:
            out += _literal_sets(av[2])         # the body occurs at least once
        elif op is _sre.ATOMIC_GROUP:
            out += _literal_sets(av)
        elif op is _sre.BRANCH:
            best = []
            for alt in av[1]:
                got = _literal_sets(alt)
                if not got:
                    break
                best.append(_most_selective(got))
            else:
                out.append(frozenset().union(*best))
    if run:
        out.append(frozenset(["".join(run)]))
    return out


# the classes (\\d, \\w, \\S) that never match a line break
_NO_BREAK_CATEGORIES = ("CATEGORY_DIGIT", "CATEGORY_WORD", "CATEGORY_NOT_SPACE",
                        "CATEGORY_UNI_DIGIT", "CATEGORY_UNI_WORD", "CATEGORY_UNI_NOT_SPACE")


def _looks_outside(items) -> bool:
    """Whether a parsed sequence holds a lookaround, an anchor, a back-reference or a group
    with flags (what a search of part of a text might see otherwise)."""
    for op, av in items:
        if op in (_sre.ASSERT, _sre.ASSERT_NOT, _sre.AT, _sre.GROUPREF, _sre.GROUPREF_EXISTS):
            return True
        if op is _sre.SUBPATTERN and (av[1] or av[2] or _looks_outside(av[3])):
            return True
        if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT) and _looks_outside(av[2]):
            return True
        if op is _sre.ATOMIC_GROUP and _looks_outside(av):
            return True
        if op is _sre.BRANCH and any(_looks_outside(alt) for alt in av[1]):
            return True
    return False


def _no_break(items, dotall: bool) -> bool:
    categories = {getattr(_sre, name) for name in _NO_BREAK_CATEGORIES if hasattr(_sre, name)}
    for op, av in items:
        if op is _sre.LITERAL:
            if av == 10:
                return False
        elif op is _sre.ANY:
            if dotall:
                return False
        elif op is _sre.IN:
            for o, a in av:
                if o is _sre.LITERAL and a != 10 or o is _sre.RANGE and not a[0] <= 10 <= a[1]:
                    continue
                if o is _sre.CATEGORY and a in categories:
                    continue
                return False        # a negated class, \\s, \\D…: may match a line break
        elif op is _sre.SUBPATTERN:
            if av[1] or av[2] or not _no_break(av[3], dotall):     # flags inside: not analysed
                return False
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT):
            if not _no_break(av[2], dotall):
                return False
        elif op is _sre.ATOMIC_GROUP:
            if not _no_break(av, dotall):
                return False
        elif op is _sre.BRANCH:
            if not all(_no_break(alt, dotall) for alt in av[1]):
                return False
        else:           # lookarounds, anchors, back-references, NOT_LITERAL…
            return False
    return True


def lead_pattern(pattern: re.Pattern | None) -> re.Pattern | None:
    """A character class of `lead_chars(pattern)`, or None."""
    chars = lead_chars(pattern) if pattern is not None else None
    return re.compile("[" + "".join(re.escape(c) for c in chars) + "]") if chars else None


def compile_context(rules: ContextRules, year: int | None) -> CompiledContext:
    """Cue words joined into one pattern per kind, placeholders filled for `year`, each with the
    class of characters its matches begin with (`lead_chars`), when known."""
    def join(pats: tuple[str, ...]) -> re.Pattern | None:
        if not pats:
            return None
        return re.compile("|".join(f"(?:{fill_placeholders(p, year)})" for p in pats))

    cues = {"planned": join(rules.planned), "shortfall": join(rules.shortfall), "done": join(rules.done),
            "not_shortfall": join(rules.not_shortfall), "rectified": join(rules.rectified),
            "tentative": join(rules.tentative), "done_figures": join(rules.done_figures),
            "topic_before": join(tuple(f"(?:{p})$" for p in rules.topic_before)),
            "topic_after": join(tuple(f"^(?:{p})" for p in rules.topic_after))}
    leads = {kind: lead for kind, pat in cues.items() if (lead := lead_pattern(pat)) is not None}
    return CompiledContext(**cues, leads=MappingProxyType(leads))


def compile_structure(rules: StructureRules, year: int | None) -> BoundStructure:
    """Heading and paragraph patterns compiled with their placeholders filled for `year`."""
    def comp(block: tuple[tuple, ...]) -> tuple:
        return tuple((role, tuple(re.compile(fill_placeholders(p, year)) for p in pats))
                     for role, pats in block)

    return BoundStructure(comp(rules.headings), comp(rules.paragraphs))


@dataclass(frozen=True, eq=False)
class BoundChecklist:
    """A compiled checklist with every placeholder filled for reports of one year."""

    compiled: CompiledChecklist
    year: int | None
    structure: BoundStructure
    matcher: CompiledMatcher                 # the `re:` terms filled for the year
    contexts: tuple[CompiledContext, ...]    # per item, in item order: the checklist's cues + the item's

    @property
    def checklist(self) -> Checklist:
        return self.compiled.checklist

    @property
    def items(self) -> tuple[Item, ...]:
        return self.compiled.checklist.items


@dataclass(frozen=True, eq=False)
class CompiledChecklist:
    """A checklist compiled for matching (see the module docstring). Frozen; `bind(year)` is
    the one place placeholders are filled (its results are memoised per year)."""

    checklist: Checklist
    matcher: CompiledMatcher                 # `re:` terms with a placeholder: as if no year is known
    furniture: re.Pattern | None             # web-page lines that are not report content
    furniture_fields: tuple[re.Pattern, ...]  # the same patterns unanchored, those naming fields
    _bound: dict[int | None, BoundChecklist] = field(default_factory=dict, repr=False)

    def bind(self, year: int | None) -> BoundChecklist:
        """This checklist for a report of `year` (None: unknown, placeholders match nothing)."""
        bound = self._bound.get(year)
        if bound is None:
            cl = self.checklist
            matcher = self.matcher
            if any(_has_placeholder(t[3:]) for t in matcher.regexes):
                matcher = compile_matcher(cl, year)
            base = compile_context(cl.context, year)
            contexts = tuple(base if it.context is None else compile_context(cl.context.merged(it.context), year)
                             for it in cl.items)
            bound = self._bound.setdefault(
                year, BoundChecklist(self, year, compile_structure(cl.structure, year), matcher, contexts))
        return bound


def compile_checklist(checklist: Checklist) -> CompiledChecklist:
    """Compile a checklist afresh (callers want `load.compiled_checklist`, which does it once)."""
    furniture = None
    fields: tuple[re.Pattern, ...] = ()
    pats = checklist.structure.furniture
    if pats:
        # furniture is dropped before the title block gives the year: no placeholders (load refuses them)
        furniture = re.compile(FURNITURE_LEAD + "(?:" + "|".join(f"(?:{p})" for p in pats) + ")")
        # the same patterns unanchored: a copy may put several fields on one line
        fields = tuple(re.compile(p) for p in pats if "(?P<" in p)
    return CompiledChecklist(checklist, compile_matcher(checklist), furniture, fields)
