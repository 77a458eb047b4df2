"""The items' shortcuts give what the plain forms give: the part reason made once per role
reason, the two strongest pieces of evidence read in one pass, phrases inside longer ones."""

from __future__ import annotations

import random

from conftest import BUNDLED

from dutycheck import context, match
from dutycheck.audit import parse_source
from dutycheck.checklist.load import compiled_checklist
from dutycheck.models import Reason, Role, Status
from dutycheck.read import read_source


def test_the_part_reason_is_made_once_per_role_reason():
    heading = Reason.of("heading_cue", cue="主要举措", heading="一、主要举措和成效")
    first = context._in_part(Role.ACHIEVEMENTS, heading)
    assert first == Reason.of("in_part", role=Role.ACHIEVEMENTS, role_reason=heading)
    assert context._in_part(Role.ACHIEVEMENTS, heading) is first
    # an equal role reason that is another object, or another role: a reason of its own
    again = Reason.of("heading_cue", cue="主要举措", heading="一、主要举措和成效")
    assert context._in_part(Role.ACHIEVEMENTS, again) == first
    assert context._in_part(Role.ACHIEVEMENTS, again) is not first
    assert context._in_part(Role.OTHER, heading).params["role"] is Role.OTHER
    for n in range(context._PART_REASONS_MAX + 10):      # bounded: a batch's reports come and go
        context._in_part(Role.OTHER, Reason.of("para_cue", cue=str(n)))
    assert len(context._PART_REASONS) <= context._PART_REASONS_MAX


def test_mentions_count_a_phrase_inside_a_longer_one_once():
    def plain(found: set[str]) -> int:
        return sum(1 for t in found if not any(t != u and t in u for u in found))

    assert match._mentions({"党组", "党组会", "法律顾问"}) == 2
    rng = random.Random(5)
    for _ in range(2000):
        found = {"".join(rng.choice("法治党组会") for _ in range(rng.randint(1, 4))) for _ in range(rng.randint(2, 6))}
        assert match._mentions(found) == plain(found), found


def _plain_confidence(status, evidence, index, weak, rejected, partial, ctx) -> float:
    if status is Status.ABSENT:
        return 0.6 if rejected else 0.7 if partial else 0.95
    decisive = sorted((match._strength(e, index, weak, ctx) for e in evidence if e.status is status), reverse=True)
    conf = decisive[0]
    if len(decisive) > 1:
        conf = min(1.0, conf + 0.5 * decisive[1] * (1 - conf))
    return round(conf, 2)


def test_confidence_reads_the_two_strongest_pieces_as_sorting_does():
    compiled = compiled_checklist("default")
    checked = 0
    for path in BUNDLED:
        doc = parse_source(read_source(path), compiled)
        bound = compiled.bind(doc.meta.year)
        index = match.index_document(doc, bound.matcher)
        for item, ctx in zip(bound.items, bound.contexts):
            result = match.match_item(item, index, ctx, 99)
            evidence = list(result.evidence)
            for status in (Status.DONE, Status.PLANNED, Status.SHORTFALL):
                if not any(e.status is status for e in evidence):
                    continue
                for weak in (set(), {e.sentence for e in evidence[::2]}):
                    assert (match._confidence(status, evidence, index, weak, [], False, ctx)
                            == _plain_confidence(status, evidence, index, weak, [], False, ctx))
                    checked += 1
    assert checked > 100


def test_an_items_phrases_by_sentence_are_what_each_sentence_holds():
    # _rank reads the item's anchor phrases in a sentence from a table built per item; it must
    # be the item's phrases among those the sentence holds (every phrase's hits, inverted)
    compiled = compiled_checklist("default")
    checked = 0
    for path in BUNDLED:
        doc = parse_source(read_source(path), compiled)
        index = match.index_document(doc, compiled.bind(doc.meta.year).matcher)
        held: dict[int, set[str]] = {}
        for term, found in index.by_term.items():
            for s in found:
                held.setdefault(s, set()).add(term)
        for item in compiled.checklist.items:
            terms = match._item_terms(item)
            table = match._terms_by_sentence(terms, index.by_term)
            for s in range(len(doc.sentences)):
                assert table.get(s, set()) == terms & held.get(s, set())
                checked += bool(table.get(s))
    assert checked > 100
