"""Find the sentences that evidence each checklist item, and what each says.

Sentences and phrases are compared as match keys (punctuation removed). All literal
phrases of a checklist go into one Aho-Corasick automaton, so a report is scanned once
whatever the checklist's size; fuzzy matching (rapidfuzz) runs only for long phrases
with no exact hit, only against sentences that share enough of the phrase's bigrams,
and with a cutoff that rises as phrases get shorter (short phrases score high by chance).
The matcher knows no duty: every phrase and rule comes from the checklist.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from math import floor

from rapidfuzz import fuzz

from .checklist.compile import BoundChecklist, CompiledMatcher
from .checklist.model import CompiledContext, Item, Rule
from .context import decide, talked_about
from .models import STATUS_ORDER, Candidate, Evidence, ItemResult, Location, Reason, Role, Sentence, Status
from .normalize import CLAUSE_BARRIER, key_positions, sentence_key
from .structure import Document

_TITLE_OPEN, _TITLE_CLOSE = "《〈", "》〉"
_TITLE_OPENER = re.compile(f"[{_TITLE_OPEN}]")
_SUBSTANTIVE = (Role.ACHIEVEMENTS, Role.FIRST_RESPONSIBLE)
# the statuses and roles the items' loops compare with, read once: on Python 3.11 `Status.DONE`
# goes through EnumType.__getattr__ (~7x the cost of a global), hundreds of times a report
_DONE, _PLANNED, _SHORTFALL, _ABSENT = STATUS_ORDER
_PREAMBLE, _PLANS, _SHORTFALLS = Role.PREAMBLE, Role.PLANS, Role.SHORTFALLS


@dataclass(slots=True)
class Hit:
    """A phrase found in a sentence's match key."""

    sentence: int
    start: int          # in the sentence's match key
    end: int
    term: str
    score: float


# a hit as the index keeps it, under its phrase and sentence: (start, end, score) in the key
Span = tuple[int, int, float]


@dataclass
class DocIndex:
    """Where every phrase of the checklist occurs in one document, and what the items of a
    checklist ask of its sentences more than once (key maps, quotes, sections, locations),
    computed once per document and shared by every item."""

    doc: Document
    keys: list[str]
    # phrase → sentence → its hits there, (start, end, score) in document order (made as the
    # document is scanned: rules look hits up by sentence)
    by_term: dict[str, dict[int, list[Span]]] = field(default_factory=dict)
    starts: list[int] = field(default_factory=list)    # where each key starts in the keys joined by a line break
    _positions: dict[int, list[int]] = field(default_factory=dict)     # by sentence: key_positions
    _spans: dict[str, dict[int, tuple[list[int], list[int]]]] = field(default_factory=dict)
    _quotes: dict[int, str] = field(default_factory=dict)
    _sections: dict[int, str] = field(default_factory=dict)     # by Section.index
    _locations: dict[int, Location] = field(default_factory=dict)
    _talk: dict[int, bool] = field(default_factory=dict)

    @property
    def hits(self) -> dict[str, list[Hit]]:
        """Every phrase's hits, in document order."""
        return {term: [Hit(s, start, end, term, score) for s, spans in found.items() for start, end, score in spans]
                for term, found in self.by_term.items()}

    def add(self, term: str, sentence: int, start: int, end: int, score: float) -> None:
        """Record a hit (hits of one phrase come in document order)."""
        found = self.by_term.get(term)
        if found is None:
            self.by_term[term] = {sentence: [(start, end, score)]}
        else:
            here = found.get(sentence)
            if here is None:
                found[sentence] = [(start, end, score)]
            else:
                here.append((start, end, score))

    def by_sentence(self, term: str) -> dict[int, list[Span]]:
        """A phrase's hits grouped by sentence, in document order."""
        return self.by_term.get(term, _NO_HITS)

    def near(self, term: str, s: int, start: int, end: int, within: int | None) -> bool:
        """Whether `term` occurs in sentence `s` at most `within` characters from [start, end)
        (anywhere in the sentence when None): a binary search, not a scan of every hit, so a
        phrase repeated ten thousand times costs no more than once."""
        hits = self.by_term.get(term, _NO_HITS).get(s)
        if not hits:
            return False
        if within is None:
            return True
        spans = self._spans.setdefault(term, {})
        if s not in spans:
            ordered = sorted(hits)
            reach, top = [], -1 << 60
            for _, h_end, _ in ordered:
                top = max(top, h_end)
                reach.append(top)
            spans[s] = ([h[0] for h in ordered], reach)
        starts, reach = spans[s]
        # gap <= within  <=>  h.start <= end + within  and  h.end >= start - within
        i = bisect_right(starts, end + within) - 1
        return i >= 0 and reach[i] >= start - within

    def positions(self, sentence: int) -> list[int]:
        """For each character of a sentence's match key, its index in the sentence's text (made
        once per sentence: a span is then two list lookups, `key_span`)."""
        got = self._positions.get(sentence)
        if got is None:
            got = self._positions[sentence] = key_positions(self.doc.sentences[sentence].text)
        return got

    def span_in_text(self, sentence: int, start: int, end: int) -> tuple[int, int]:
        """Where [start, end) of a sentence's match key lies in the sentence's text."""
        return key_span(self.positions(sentence), start, end)

    def quote(self, sentence: Sentence) -> str:
        """The sentence as the report writes it."""
        got = self._quotes.get(sentence.index)
        if got is None:
            got = self._quotes[sentence.index] = self.doc.normal.quote(sentence.start, sentence.end)
        return got

    def section(self, sentence: Sentence) -> str:
        """`section_as_written` of the sentence (the heading quoted once per section)."""
        sec = self.doc.sections[sentence.section]
        if not sec.heading or sentence.role is not sec.role:
            return ""
        got = self._sections.get(sec.index)
        if got is None:
            got = self._sections[sec.index] = section_as_written(self.doc, sentence)
        return got

    def location(self, pos: int) -> Location:
        got = self._locations.get(pos)
        if got is None:
            got = self._locations[pos] = self.doc.normal.location(pos)
        return got

    def talk(self, sentence: Sentence) -> bool:
        """Whether the sentence names a lecture, training or contest (`_TALK`)."""
        got = self._talk.get(sentence.index)
        if got is None:
            got = self._talk[sentence.index] = bool(_TALK.search(sentence.text))
        return got


def key_span(positions: list[int], start: int, end: int) -> tuple[int, int]:
    """Where [start, end) of a match key lies in its text, given `key_positions` of the text:
    from the first character's place to just after the last one's (what the key drops between
    them, spaces and quotes, lies inside the span)."""
    n = len(positions)
    if not n:
        return 0, 0
    return positions[min(start, n - 1)], positions[min(end, n) - 1] + 1


_NO_HITS: dict[int, list[Span]] = {}
_SENTENCE_SEP = "\x00"     # between sentences while their keys are made in one pass (normalize deletes it)


def index_document(doc: Document, compiled: CompiledMatcher) -> DocIndex:
    texts = [s.text for s in doc.sentences]
    together = _SENTENCE_SEP.join(texts)
    if together.count(_SENTENCE_SEP) != len(texts) - 1:        # a sentence holds the separator
        keys = [sentence_key(t) for t in texts]
    else:       # one pass over the document instead of two regex calls per sentence
        keys = sentence_key(together).split(_SENTENCE_SEP) if texts else []
    index = DocIndex(doc, keys)
    starts, pos = index.starts, 0
    for k in keys:
        starts.append(pos)
        pos += len(k) + 1
    joined = "\n".join(keys)
    holding = _scan(index, compiled, joined)
    for term, pat in compiled.regexes.items():
        windows = [(0, len(joined))]
        literals = compiled.regex_literals.get(term)
        if literals is not None:        # every match holds one of them: only near sentences that do
            sentences = sorted({s for lit in literals for s in holding.get(lit, ())})
            reach = compiled.regex_reach.get(term)
            if reach is not None:       # the same matches as the whole text gives
                windows = _windows(sentences, index, reach, len(joined))
            elif not sentences:
                windows = []
        for lo, hi in windows:
            for m in pat.finditer(joined, lo, hi):
                if m.end() == m.start():
                    continue
                s = bisect_right(starts, m.start()) - 1
                if bisect_right(starts, m.end() - 1) - 1 != s:
                    continue
                index.add(term, s, m.start() - starts[s], m.end() - starts[s], 100.0)
    _fuzzy(index, compiled, holding)
    return index


def _windows(sentences: list[int], index: DocIndex, reach: tuple[int, int], size: int) -> list[tuple[int, int]]:
    """The stretches of the joined keys from `reach[0]` characters before to `reach[1]` after
    each of these sentences' keys (`compile.literal_reach`), overlapping ones merged."""
    before, after = reach
    out: list[tuple[int, int]] = []
    for s in sentences:
        lo = max(0, index.starts[s] - before)
        hi = min(size, index.starts[s] + len(index.keys[s]) + after)
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def _fuzzy(index: DocIndex, compiled: CompiledMatcher, holding: dict[str, set[int]]) -> None:
    """Near-variants of long phrases with no exact hit (重大执法决定法制审核 ≈ 重大行政执法决定法制审核).

    Only sentences holding at least 60 % of the phrase's bigrams are aligned. `holding` tells
    which sentences hold each bigram (from `_scan`). A phrase whose bigrams are too often absent
    from the whole document is dropped. A sentence may lack `spare` of the bigrams the document
    holds, so it holds one of any `spare` + 1 of them: only the sentences holding one of the
    rarest `spare` + 1 are counted."""
    pending = [(t, c) for t, c in compiled.fuzzy_terms.items() if t not in index.by_term]
    if not pending:
        return
    keys = index.keys
    for term, cutoff in pending:
        grams = compiled.term_bigrams[term]
        need = 0.6 * len(grams)
        if not grams:
            continue
        present = holding.keys() & grams         # the bigrams some sentence holds
        if len(grams) - len(present) > len(grams) - need:      # too many absent from every sentence
            continue
        spare = len(present) - need      # a sentence may lack this many of the bigrams present
        if spare < 0:                    # (rounding) no sentence can lack fewer than none
            continue
        shortest = len(term) - 2         # the alignment must cover this much of the key
        sentences_of = sorted([holding[g] for g in present], key=len)     # the rarest bigrams first
        for s in sorted(set().union(*sentences_of[:floor(spare) + 1])):
            key = keys[s]
            if len(key) < shortest or len(present) - len([1 for got in sentences_of if s in got]) > spare:
                continue
            al = fuzz.partial_ratio_alignment(term, key, score_cutoff=cutoff)
            if al is None or al.dest_end - al.dest_start < len(term) - 2:
                continue
            if CLAUSE_BARRIER in key[al.dest_start:al.dest_end]:
                continue
            index.add(term, s, al.dest_start, al.dest_end, round(al.score, 1))


def _scan(index: DocIndex, compiled: CompiledMatcher, joined: str) -> dict[str, set[int]]:
    """One pass of the automaton over the joined keys: every phrase's hits go into the index,
    and each piece (fuzzy bigram, `re:` literal) the document holds → the sentences holding it
    is returned (a piece that is a phrase is where the phrase's hits are). No phrase or piece
    holds a line break, so every match lies in one sentence's key, and matches come ordered by
    where they end, sentence by sentence."""
    holding: dict[str, set[int]] = {}
    if compiled.automaton is None or not joined:
        return holding
    phrases, pieces, n = compiled.phrases, compiled.pieces, len(compiled.phrases)
    by_term, starts = index.by_term, index.starts
    s, last, beyond = 0, len(starts) - 1, len(joined) + 1
    nxt = starts[1] if len(starts) > 1 else beyond
    base = 0
    for p, start, end in compiled.automaton.find_matches_as_indexes(joined, overlapping=True):
        if start >= nxt:
            while start >= nxt:
                s += 1
                nxt = starts[s + 1] if s < last else beyond
            base = starts[s]
        if p >= n:          # a piece: only which sentences hold it
            got = holding.get(pieces[p - n])
            if got is None:
                holding[pieces[p - n]] = {s}
            else:
                got.add(s)
            continue
        hit = (start - base, end - base, 100.0)
        term = phrases[p]
        found = by_term.get(term)
        if found is None:
            by_term[term] = {s: [hit]}
        else:
            here = found.get(s)
            if here is None:
                found[s] = [hit]
            else:
                here.append(hit)
    for piece in compiled.phrase_pieces:        # a phrase too: its hits say where it is
        if piece in by_term:
            holding[piece] = set(by_term[piece])
    return holding


@dataclass(slots=True)
class RawMatch:
    """A rule of an item matched in one sentence, before its context gives it a status."""

    sentence: int
    start: int
    end: int
    label: str
    matched: str
    score: float
    stitched: bool = False     # the rule's terms come from different clauses of the sentence
    parts: tuple[tuple[int, int], ...] = ()   # each group's hit, in the sentence's text


def _in_title(text: str, start: int) -> bool:
    """Whether text[start] sits inside 《…》 or 〈…〉 (a closer without its opener ignored)."""
    if "《" not in text and "〈" not in text:      # most sentences cite no title
        return False
    if start < 0:
        start = max(0, len(text) + start)       # as text[:start] reads it
    first = _TITLE_OPENER.search(text, 0, start)
    if first is None:
        return False
    depth = 0
    for ch in text[first.start():start]:
        if ch in _TITLE_OPEN:
            depth += 1
        elif ch in _TITLE_CLOSE and depth:
            depth -= 1
    return depth > 0


def _rule_matches(rule: Rule, item: Item, index: DocIndex,
                  rejected: list[Candidate]) -> list[RawMatch]:
    by_term = index.by_term
    for group in rule.groups:           # most rules find nothing: one set test per group
        if by_term.keys().isdisjoint(group):
            return []
    # each group's phrases found, as {sentence: hits} maps; only the sentences every group
    # shares are looked at, and a group's hits in one of them are gathered phrase by phrase
    per_group: list[list[dict[int, list[Span]]]] = []
    common: set[int] | None = None
    for group in rule.groups:
        maps = [by_term[t] for t in group if t in by_term]
        per_group.append(maps)
        sents = set(maps[0]).union(*maps[1:]) if len(maps) > 1 else set(maps[0])
        common = sents if common is None else common & sents
        if not common:
            return []
    assert common is not None
    within, clause, modifiers_before = rule.within, rule.clause, rule.modifiers_before
    out = []
    sentences, keys = index.doc.sentences, index.keys
    first, rest = per_group[0], per_group[1:]
    for s in sorted(common):
        sentence = sentences[s]
        key = keys[s]
        positions = index.positions(s)
        # each group's hits here, phrase by phrase in the group's order
        anchors = first[0][s] if len(first) == 1 else [h for bs in first for h in bs.get(s, ())]
        others = [m[0][s] if len(m) == 1 else [h for bs in m for h in bs.get(s, ())] for m in rest] if rest else []
        if len(anchors) > 1:
            anchors = sorted(anchors, key=_best_first)
        for anchor in anchors:
            a_start, a_end, score = anchor
            start, end = a_start, a_end
            parts = [anchor]
            for g in others:
                best = None
                best_gap = 0
                for h in g:
                    h_start, h_end, _ = h
                    if h_start < a_end and a_start < h_end:
                        continue  # one phrase cannot fill two groups
                    gap = max(h_start - a_end, a_start - h_end)
                    if within is not None and gap > within:
                        continue
                    if clause and CLAUSE_BARRIER in key[min(h_start, a_start):max(h_end, a_end)]:
                        continue  # the rule wants its terms in one clause (领导小组…，…法治副校长)
                    if modifiers_before and h_end > a_start:
                        continue  # the other terms modify the anchor: 法治建设领导小组, not 领导小组…法治副校长
                    if best is None or gap < best_gap:
                        best, best_gap = h, gap
                if best is None:
                    break
                parts.append(best)
                if best[0] < start:
                    start = best[0]
                if best[1] > end:
                    end = best[1]
                if best[2] < score:
                    score = best[2]
            if len(parts) != len(per_group):
                continue
            excluded = _excluded(rule, index, s, start, end) if rule.exclude else None
            if excluded:
                rejected.append(Candidate(rule.label, sentence.text, sentence.line, 100.0,
                                          Reason.of("excluded", term=excluded)))
                continue
            if item.ignore_in_titles and _in_title(sentence.text, key_span(positions, a_start, a_end)[0]):
                rejected.append(Candidate(rule.label, sentence.text, sentence.line, 100.0, _IN_TITLE))
                continue
            lo, hi = key_span(positions, start, end)
            spans = ((lo, hi),) if len(parts) == 1 else tuple(key_span(positions, p[0], p[1]) for p in parts)
            out.append(RawMatch(s, lo, hi, rule.label, sentence.text[lo:hi], score,
                                CLAUSE_BARRIER in key[start:end], spans))
            if sentence.role is not _SHORTFALLS:
                break
            # in the shortfalls part a sentence can name the duty twice, as the weakness and
            # as its finished correction (…章程核准滞后问题，已完成…章程核准工作): keep every
            # mention, match_item keeps the one that reads as done (tests/eval4/reports/b_*)
    return out


def _best_first(hit: Span) -> tuple[float, int]:
    """Anchors are tried best score first, then leftmost."""
    return (-hit[2], hit[0])


def _excluded(rule: Rule, index: DocIndex, s: int, start: int, end: int) -> str | None:
    for term in rule.exclude:
        if index.near(term, s, start, end, rule.exclude_within):
            return term
    return None


def _item_terms(item: Item) -> set[str]:
    """The anchor phrases of an item: the `any` lists and the first list of each `all`."""
    return {t for rule in item.rules for t in rule.groups[0]}


_NO_TERMS: set[str] = set()


def _terms_by_sentence(terms: set[str], by_term: dict[str, dict[int, list[Span]]]) -> dict[int, set[str]]:
    """Sentence → the phrases of `terms` it holds (from the phrases' hits: an item's few phrases,
    not every phrase the document holds)."""
    out: dict[int, set[str]] = {}
    for t in terms:
        for s in by_term.get(t, _NO_HITS):
            got = out.get(s)
            if got is None:
                out[s] = {t}
            else:
                got.add(t)
    return out


def _rank(e: Evidence, item: Item, anchors_in: dict[int, set[str]], sentences: list[Sentence],
          rule_order: dict[str, int]) -> tuple:
    """Order evidence as a reviewer points: the status that decided first, then the
    fullest statement of the duty (most of the item's anchor phrases), then body text
    before cited titles and headings, then the item's primary wording (an earlier rule)
    before its secondary ones (全面落实“三项制度” after 法制审核), then a figure, then
    document order."""
    if item.kind == "section" and e.phrase.startswith("role:"):
        return (STATUS_ORDER.index(e.status), 0, 0, 0, e.sentence)
    sent = sentences[e.sentence]
    found = anchors_in.get(e.sentence, _NO_TERMS)
    nterms = _mentions(found) if len(found) > 1 else len(found)
    in_title = bool(e.matched) and _in_title(sent.text, sent.text.find(e.matched[:2]))
    heading = sent.is_heading or _topic_line(sent.text)
    concrete = _figure_near(sent.text, e.matched)
    rule = rule_order.get(e.phrase, len(item.rules))      # the first rule of that label
    # the opening summary names duties as slogans (以“三项制度”规范执法、以“谁执法谁普法”压实责任…);
    # the body says what was done, so it comes first (tests/eval4/reports/d_*)
    summary = sent.role is _PREAMBLE
    return (STATUS_ORDER.index(e.status), int(summary), -nterms, int(in_title), int(heading), rule,
            int(not concrete), e.sentence)


def _mentions(found: set[str]) -> int:
    """How many of the phrases found are mentions of their own: a phrase inside a longer one
    found too is one mention (党组 in 党组会)."""
    n = 0
    for t in found:
        for u in found:
            if t != u and t in u:
                break
        else:
            n += 1
    return n


_NUMBERING_PREFIX = re.compile(r"^(?:[一二三四五六七八九十]{1,3}[、.]|\([一二三四五六七八九十]{1,3}\)"
                               r"|\d{1,2}[.、]|\(\d{1,2}\)|[一二三四五六七八九十]是)")


_FIGURE = re.compile(r"\d|[一二三四五六七八九十两百千万]+(?:次|件|场|所|名|人|个|项|期|批)")


def _figure_near(text: str, matched: str) -> bool:
    """A count or figure in the clause of the match ("开展法治讲座38场"): concrete evidence,
    which a reviewer quotes before a general statement of the same duty."""
    at = text.find(matched[:2]) if matched else -1
    if at < 0:
        return False
    m = _LAST_CLAUSE_START.match(text, 0, at)
    start = m.end() if m else 0
    m = _CLAUSE_END.search(text, at)
    return bool(_FIGURE.search(text, start, m.start() if m else len(text)))


_LAST_CLAUSE_START = re.compile(r"(?s).*[，,。；;：:]")   # up to the last clause mark before a point
_CLAUSE_END = re.compile(r"[，,。；;]")


def _topic_line(text: str) -> bool:
    """A short 一是/二是 lead sentence announces a topic; the next sentence says what was done."""
    return len(text) <= 25 and bool(_NUMBERING_PREFIX.match(text))


def _evidence(index: DocIndex, m: RawMatch, ctx: CompiledContext) -> Evidence:
    sentence = index.doc.sentences[m.sentence]
    status, reason = decide(sentence.text, sentence.role, sentence.role_reason, m.start, m.end, ctx)
    loc = index.location(sentence.start + m.start)
    return Evidence(
        text=index.quote(sentence),
        line=loc.line, page=loc.page,
        section=index.section(sentence),
        role=sentence.role, score=m.score, status=status, phrase=m.label,
        matched=m.matched, reason=reason, sentence=sentence.index,
    )


def section_as_written(doc: Document, sentence) -> str:
    """The heading of the section a sentence sits in, as the report writes it (（一）, not (一)),
    or '' when a paragraph cue, not that heading, gave the sentence its part (a 下一步 paragraph
    at the end of an achievements section): the heading would name the wrong part."""
    sec = doc.sections[sentence.section]
    if not sec.heading or sentence.role is not sec.role:
        return ""
    return doc.normal.quote(sec.start, sec.start + len(sec.heading)).strip() or sec.heading


def _section_evidence(item: Item, index: DocIndex) -> list[Evidence]:
    found = []
    for role in item.roles:
        sent = index.doc.roles_present.get(role)
        if sent is None:
            continue
        loc = index.location(sent.start)
        found.append(Evidence(
            text=index.quote(sent), line=loc.line, page=loc.page,
            section=index.section(sent), role=role, score=100.0,
            status=_DONE, phrase=f"role:{role}", matched=sent.text[:40],
            reason=Reason.of("has_part", role=role, role_reason=sent.role_reason), sentence=sent.index))
    return sorted(found, key=lambda e: e.sentence)


# why a mention is no evidence, when it takes no parameter (words: messages.REASON_TEXT)
_IN_TITLE = Reason("in_cited_title")
_HEADING_ONLY = Reason("heading_only")
_NEAR_OTHER_GROUPS = Reason("near_other_groups")
_NEAR_LOW_SCORE = Reason("near_low_score")
_NEAR_EXCLUDED = Reason("near_excluded")


# what a heading that names the duty over a body that never does counts for (issue 9, class 7):
# "drop" — not evidence (a candidate for explain); "weak" — evidence of low confidence
HEADING_ALONE = "drop"


def match_item(item: Item, index: DocIndex, ctx: CompiledContext, limit: int,
               *, explain: bool = False) -> ItemResult:
    """All evidence for one item, its status, and (when absent) the near misses."""
    rejected: list[Candidate] = []
    evidence: list[Evidence] = []
    sentences = index.doc.sentences
    if item.kind == "section":
        evidence.extend(_section_evidence(item, index))
    seen: set[int] = {e.sentence for e in evidence}
    stitched: set[int] = set()   # sentences whose evidence joins terms of different clauses
    topics: set[int] = set()     # sentences where the duty is only the topic of a talk
    fresh: dict[int, int] = {}   # sentence → its evidence index, for this rule's repeated mentions
    for rule in item.rules:
        for m in _rule_matches(rule, item, index, rejected):
            sent = sentences[m.sentence]
            if item.ignore_as_topic:
                # the whole match or any of its terms as the topic (“行政规范性文件制定技术规范”专题讲座，
                # …讲解了…合法性审核: the 规范性文件 of the rule is the lecture's subject)
                cue = talked_about(sent.text, m.start, m.end, ctx)
                for a, b in m.parts:
                    if cue:
                        break
                    cue = talked_about(sent.text, a, b, ctx)
                if cue:
                    topics.add(m.sentence)
                    rejected.append(Candidate(rule.label, sent.text, sent.line, m.score,
                                              Reason.of("talk_topic", cue=cue)))
                    continue
            if m.sentence in seen:
                k = fresh.get(m.sentence, -1)
                if k >= 0 and evidence[k].status is not _DONE:
                    ev = _evidence(index, m, ctx)
                    if ev.status is _DONE:
                        evidence[k] = ev
                continue
            seen.add(m.sentence)
            fresh[m.sentence] = len(evidence)
            evidence.append(_evidence(index, m, ctx))
            if m.stitched:
                stitched.add(m.sentence)
        fresh.clear()
    # a plan heading names the plan itself (（三）完善法律顾问制度 under 下一步); a heading that
    # reads as work done needs its body
    unsupported: set[int] = set()
    status = _ABSENT
    if evidence:        # (most items name nothing: no set building for them)
        unsupported = {e.sentence for e in evidence if not e.phrase.startswith("role:")
                       and e.status is _DONE and _heading_line(index, sentences[e.sentence])
                       and not _body_support(item, index, sentences[e.sentence], topics)}
        if unsupported and HEADING_ALONE == "drop":
            for e in evidence:
                if e.sentence in unsupported:
                    rejected.append(Candidate(e.phrase, e.text, e.line, e.score, _HEADING_ONLY))
            evidence = [e for e in evidence if e.sentence not in unsupported]
        found = {e.status for e in evidence}
        status = next((st for st in STATUS_ORDER if st in found), _ABSENT)
    if item.kind == "section" and status is not _DONE:
        # a part of the report is there or not: 研究制定…第一责任人职责清单 under 下一步 is no
        # account of the duty (tests/eval5/reports/yushan_*)
        status = _ABSENT
    if len(evidence) > 1:
        anchors_in = _terms_by_sentence(_item_terms(item), index.by_term)
        rule_order: dict[str, int] = {}
        for i, r in enumerate(item.rules):
            rule_order.setdefault(r.label, i)
        evidence.sort(key=lambda e: _rank(e, item, anchors_in, sentences, rule_order))
    # only an absent item with nothing rejected asks whether an all-of rule nearly matched
    partial = status is _ABSENT and not rejected and _partial(item, index)
    confidence = _confidence(status, evidence, index, stitched | unsupported, rejected, partial, ctx)
    candidates: tuple[Candidate, ...] = ()
    if explain:
        candidates = tuple(rejected[:5])
        if status is _ABSENT and item.kind == "mention":
            candidates += tuple(near_misses(item, index)[:5])
    return ItemResult(item.id, item.title, item.group, item.weight, status, confidence,
                      tuple(evidence[:limit]), item.basis, item.guidance, candidates)


def _heading_line(index: DocIndex, sent: Sentence) -> bool:
    """A heading that is a line of its own (（九）推进政务公开。), not the lead sentence of a
    numbered paragraph that goes on to report the work (１．全年召开…11次。其中…)."""
    return (sent.is_heading and len(sent.text) <= 40
            and index.doc.text[sent.end:sent.end + 1] in ("\n", ""))


def _body_support(item: Item, index: DocIndex, heading: Sentence, topics: set[int]) -> bool:
    """Whether the body under a heading names the item too (any of its phrases, outside a
    sentence where the duty is only the topic of a training). A heading with no body of its
    own (a one-sentence numbered point) is its own statement."""
    section = index.doc.sections[heading.section]
    body: set[int] = set()
    for s in index.doc.sentences[heading.index + 1:]:
        if s.start >= section.end:
            break       # sentences come in document order: the section is over
        if section.start <= s.start and not s.is_heading:
            body.add(s.index)
    body -= topics
    if not body and not topics:
        return True
    terms = {t for rule in item.rules for g in rule.groups for t in g}
    by_term = index.by_term
    return any(s in body for t in terms if t in by_term for s in by_term[t])


def _partial(item: Item, index: DocIndex) -> bool:
    """A near miss: some all-of rule of the item has a phrase of every group in one sentence,
    but not close enough, not in one clause or not in order."""
    by_term = index.by_term
    for rule in item.rules:
        if len(rule.groups) < 2 or any(by_term.keys().isdisjoint(g) for g in rule.groups):
            continue
        sets = [{s for t in g if t in by_term for s in by_term[t]} for g in rule.groups]
        if set.intersection(*sets):
            return True
    return False


# what lowers the confidence of one piece of evidence (README, 置信度 / confidence)
_WEAK_HEADING = 0.6      # a heading line, not a statement of work
_WEAK_SUMMARY = 0.7      # the opening summary: slogans name duties the body may never detail
_WEAK_OTHER = 0.85       # another part (sign-off, 其他): done, but not in the body
_WEAK_STITCHED = 0.7     # terms from different clauses, or a heading whose body never names it
_WEAK_TITLE = 0.8        # the match inside 《》: a cited document's name
_WEAK_TALK = 0.8         # a lecture, training or contest named in the same sentence
_WEAK_CUE = 0.8          # a plan read from 将/要 (tentative), or a shortfall from a cue word


def _strength(e: Evidence, index: DocIndex, weak: set[int], ctx: CompiledContext) -> float:
    """How firmly one piece of evidence says its status (see README, 置信度)."""
    if e.phrase.startswith("role:"):
        return 1.0
    sent = index.doc.sentences[e.sentence]
    w = e.score / 100
    if sent.is_heading:
        w *= _WEAK_HEADING
    if sent.role is _PREAMBLE:
        w *= _WEAK_SUMMARY
    elif sent.role not in _SUBSTANTIVE and e.status is _DONE:
        w *= _WEAK_OTHER
    if e.sentence in weak:
        w *= _WEAK_STITCHED
    if e.matched and _in_title(sent.text, max(0, sent.text.find(e.matched))):
        w *= _WEAK_TITLE
    if e.status is _DONE and ctx.topic_after is not None and index.talk(sent):
        w *= _WEAK_TALK
    if (e.status is _PLANNED and sent.role is not _PLANS) or (
            e.status is _SHORTFALL and sent.role is not _SHORTFALLS):
        w *= _WEAK_CUE
    return w


_TALK = re.compile(r"讲座|讲堂|培训|竞赛|知识测试|考试|宣讲|辅导|解读|研讨")


def _confidence(status: Status, evidence: list[Evidence], index: DocIndex,
                weak: set[int], rejected: list[Candidate], partial: bool,
                ctx: CompiledContext) -> float:
    """0–1: how sure the status is. Absent: low when a phrase of the item was rejected (an
    exclusion, a cited title, a talk on the duty, a heading alone) or an all-of rule had
    every phrase in one sentence without matching. Otherwise the strongest piece of evidence
    for the status, raised by a second one."""
    if status is _ABSENT:
        if rejected:
            return 0.6
        return 0.7 if partial else 0.95
    # the two strongest pieces for the status (one pass; no list sorted to read two values)
    best = second = -1.0
    n = 0
    for e in evidence:
        if e.status is status:
            w = _strength(e, index, weak, ctx)
            n += 1
            if w > best:
                best, second = w, best
            elif w > second:
                second = w
    conf = best
    if n > 1:
        conf = min(1.0, conf + 0.5 * second * (1 - conf))
    return round(conf, 2)


def near_misses(item: Item, index: DocIndex) -> list[Candidate]:
    """Sentences closest to the item's phrases that fell short: for `explain`."""
    out = []
    for rule in item.rules:
        for group in rule.groups:
            for term in group:
                if term.startswith("re:"):
                    continue
                for s, key in enumerate(index.keys):
                    if len(term) < 2:
                        continue
                    al = fuzz.partial_ratio_alignment(term, key, score_cutoff=60)
                    if al is None:
                        continue
                    sent = index.doc.sentences[s]
                    hit = s in index.by_term.get(term, _NO_HITS)
                    why = (_NEAR_OTHER_GROUPS if hit and len(rule.groups) > 1
                           else _NEAR_LOW_SCORE if not hit else _NEAR_EXCLUDED)
                    out.append(Candidate(term, sent.text, sent.line, round(al.score, 1), why))
    out.sort(key=lambda c: -c.score)
    seen, uniq = set(), []
    for c in out:
        if (c.line, c.phrase) in seen:
            continue
        seen.add((c.line, c.phrase))
        uniq.append(c)
    return uniq


def match_document(doc: Document, bound: BoundChecklist, *, explain: bool = False) -> list[ItemResult]:
    """Every item's result for a parsed report, with the checklist bound to the report's year
    (`compiled.bind(doc.meta.year)`)."""
    index = index_document(doc, bound.matcher)
    limit = bound.checklist.evidence_limit
    return [match_item(item, index, ctx, limit, explain=explain)
            for item, ctx in zip(bound.items, bound.contexts)]
