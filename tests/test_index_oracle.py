"""The document index (match.index_document) against a plain version of what it must find.

The index scans the joined sentence keys once with an automaton and finds the sentences a
fuzzy phrase may align with from one scan for bigrams. The oracle below does the same work
the slow, obvious way: every phrase searched with `str.find` in every key, and every fuzzy
phrase's bigrams tested with `in` against every key. Both must give the same hits, in the
same order, on every bundled and labelled report and on texts made to be awkward."""

from __future__ import annotations

from bisect import bisect_right
from pathlib import Path

import pytest
from rapidfuzz import fuzz

from dutycheck.audit import parse_source, source_from_text
from dutycheck.checklist.compile import CompiledMatcher
from dutycheck.checklist.load import compiled_checklist
from dutycheck.match import DocIndex, _scan, index_document
from dutycheck.normalize import CLAUSE_BARRIER, sentence_key
from dutycheck.read import read_source

ROOT = Path(__file__).resolve().parent.parent
REPORTS = sorted((ROOT / "reports").rglob("*.txt")) + sorted((ROOT / "tests").glob("eval*/reports/*.txt"))

Hits = dict[str, dict[int, list[tuple[int, int, float]]]]


def plain_index(keys: list[str], compiled: CompiledMatcher) -> Hits:
    """Every hit of every phrase, added in the order the automaton reports them: by where they
    end in the document, the longest first at one end; then the `re:` terms; then fuzzy."""
    found: list[tuple[int, int, int, int, str]] = []   # (end in document, -length, sentence, start, term)
    offset = 0
    for s, key in enumerate(keys):
        for term in compiled.phrases:
            at = key.find(term)
            while at >= 0:
                found.append((offset + at + len(term), -len(term), s, at, term))
                at = key.find(term, at + 1)
        offset += len(key) + 1
    by_term: Hits = {}

    def add(term: str, s: int, start: int, end: int, score: float) -> None:
        by_term.setdefault(term, {}).setdefault(s, []).append((start, end, score))

    for _, _, s, at, term in sorted(found):
        add(term, s, at, at + len(term), 100.0)
    joined = "\n".join(keys)
    starts = [0]
    for key in keys[:-1]:
        starts.append(starts[-1] + len(key) + 1)
    for term, pat in compiled.regexes.items():
        for m in pat.finditer(joined):
            s = bisect_right(starts, m.start()) - 1
            if m.end() > m.start() and bisect_right(starts, m.end() - 1) - 1 == s:
                add(term, s, m.start() - starts[s], m.end() - starts[s], 100.0)
    for term, cutoff in compiled.fuzzy_terms.items():
        if term in by_term:
            continue
        grams = compiled.term_bigrams[term]
        need = 0.6 * len(grams)
        present = [g for g in grams if g in joined]
        if not grams or len(grams) - len(present) > len(grams) - need:
            continue
        for s, key in enumerate(keys):
            lost = sum(g not in key for g in present)
            if lost > len(present) - need or len(key) < len(term) - 2:
                continue
            al = fuzz.partial_ratio_alignment(term, key, score_cutoff=cutoff)
            if al is None or al.dest_end - al.dest_start < len(term) - 2:
                continue
            if CLAUSE_BARRIER not in key[al.dest_start:al.dest_end]:
                add(term, s, al.dest_start, al.dest_end, round(al.score, 1))
    return by_term


def assert_same_index(text_or_path: str | Path, checklist: str = "default") -> Hits:
    source = read_source(text_or_path) if isinstance(text_or_path, Path) else source_from_text(text_or_path)
    doc = parse_source(source, checklist)
    compiled = compiled_checklist(checklist).bind(doc.meta.year).matcher
    index = index_document(doc, compiled)
    assert index.keys == [sentence_key(s.text) for s in doc.sentences]
    expected = plain_index(index.keys, compiled)
    assert list(index.by_term.items()) == list(expected.items())
    # the table the fuzzy candidates come from, which a loose filter would hide above
    holding = _scan(DocIndex(doc, index.keys, starts=index.starts), compiled, "\n".join(index.keys))
    pieces = compiled.pieces + compiled.phrase_pieces
    assert holding == {g: {s for s, key in enumerate(index.keys) if g in key} for g in pieces
                       if any(g in key for key in index.keys)}
    return expected


def test_bundled_and_labelled_reports_give_the_plain_index():
    fuzzy_hits = 0
    for path in REPORTS:
        for checklist in ("default", "general"):
            found = assert_same_index(path, checklist)
            fuzzy_hits += sum(score < 100 for hits in found.values() for spans in hits.values()
                              for _, _, score in spans)
    assert len(REPORTS) >= 30
    assert fuzzy_hits >= 5          # the fuzzy path is exercised, not only the exact one


@pytest.mark.parametrize("text", [
    # a near-variant of a fuzzy phrase in the last sentence, and the exact phrase nowhere
    "某县教育局2023年法治政府建设工作报告\n一、主要举措和成效\n全年开展法治讲座12场。\n"
    "建立健全重大执法决定法治审核机制，全年审核5件。",
    # phrases overlapping and nested, repeated, across sentence ends
    "一、主要举措和成效\n法律顾问法律顾问律顾问。法治副校长法治副校长。副校长法治\n副校长。",
    # one sentence only; a sentence that is one character
    "聘请常年法律顾问。",
    "一、主要举措和成效\n法。\n治。\n重大行政执法决定法制审核制度。",
    # a sentence holding the separator the keys are joined with
    "一、主要举措和成效\n严格落实重大行政\x00执法决定法制审核制度。开展法治讲座\x0012场。",
    # bigrams of a fuzzy phrase spread over many sentences, none holding enough of them
    "一、主要举措和成效\n" + "。".join("重大行政执法决定法制审核"[i:i + 3] for i in range(0, 11, 2)) + "。",
])
def test_awkward_texts_give_the_plain_index(text):
    assert_same_index(text)
