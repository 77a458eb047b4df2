"""The review queue: the items to look at first, ordered so the top holds most machine errors.

Each item of each report's latest audit gets a risk from what the audit itself shows
(signals, each with a Chinese reason shown to the reviewer):

- low `confidence`;
- a `done` whose evidence is only a heading, only the opening summary, or only a fuzzy match;
- evidence of several kinds (done and planned/shortfall mentions of the same duty);
- a required structure part missing from the report (its roles, hence statuses, are shakier);
- a status that changed since the agency's previous year;
- items reviewers corrected often in other reports.

Items already corrected (a correction in force, not stale) leave the queue; stale ones
(待复核) come first. `bench/bench_queue.py` measures the ordering on the labelled sets.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import TYPE_CHECKING

from ..messages import reason_text
from ..models import Reason
from ..normalize import match_key
from .model import ReviewSet, first_evidence, is_stale

if TYPE_CHECKING:  # pragma: no cover
    from ..store import Store

STRUCTURE_GROUP = "structure"

# Weights of the signals (risk is their sum), set with bench/bench_queue.py --unseen on the
# labelled sets (see README, 复核队列): round numbers, each signal explained to the reviewer.
W_CONFIDENCE = 1.0        # × (1 - confidence)
W_ABSENT_IN_FULL = 4.0    # an absent item × the share of the report's other items found
W_DONE_IN_SPARSE = 1.0    # a done item × the share of the report's items absent
W_SINGLE = 1.0            # a done item resting on one sentence
W_PLAN_SHORTFALL = 2.0    # planned / shortfall: the context decided, and context cues mislead
W_MIXED = 1.0             # done and planned/shortfall mentions of the same duty
W_HEADING = 0.5
W_OPENING = 0.5
W_FUZZY = 0.5
W_STRUCTURE = 0.5
W_CHANGED = 1.5
W_CORRECTED = 3.0         # × share of this item's reviewed occurrences that were corrected
W_STALE = 10.0
W_WEIGHT = 0.0           # × the item's weight (measured: no gain, kept for tuning)


@dataclass(frozen=True)
class QueueEntry:
    """One item to review: where, what the machine said, how risky and why."""

    agency: str | None
    year: int | None
    sha256: str
    path: str
    item_id: str
    title: str
    status: str
    confidence: float | None
    evidence: str
    risk: float
    reasons: tuple[Reason, ...] = field(default=())   # the signals, as facts (messages.reason_text words them)
    stale: bool = False

    @property
    def report(self) -> str:
        return f"{self.agency} {self.year}" if self.agency and self.year else self.path

    def to_dict(self) -> dict:
        return {"agency": self.agency, "year": self.year, "sha256": self.sha256, "path": self.path,
                "item": self.item_id, "title": self.title, "status": self.status,
                "confidence": self.confidence, "evidence": self.evidence, "risk": round(self.risk, 3),
                "reasons": [reason_text(r) for r in self.reasons],
                "reason_codes": [r.code for r in self.reasons], "stale": self.stale}


def _is_heading(e: dict) -> bool:
    text, section = match_key(e.get("text") or ""), match_key(e.get("section") or "")
    return bool(text) and (text == section or (len(text) <= 30 and section.startswith(text)))


def item_risk(item: dict, *, structure_missing: bool = False, previous: str | None = None,
              corrected_share: float = 0.0, absent_share: float = 0.0) -> tuple[float, list[Reason]]:
    """Risk that the machine's status of this audit/1 item is wrong, and the reasons.

    `absent_share` is the share of the report's items the machine found absent: an absent item
    in a report that reports nearly everything is a likely miss, a done one in a report that
    reports little a likely false alarm.
    """
    risk, why = W_WEIGHT * float(item.get("weight") or 0), list[Reason]()
    conf = item.get("confidence")
    if conf is not None and conf < 1.0:
        risk += W_CONFIDENCE * (1.0 - float(conf))
        if conf < 0.8:
            why.append(Reason.of("low_confidence", confidence=float(conf)))
    ev = item.get("evidence") or []
    status = item["status"]
    if status == "absent":
        risk += W_ABSENT_IN_FULL * (1.0 - absent_share)
        if absent_share <= 0.3:
            why.append(Reason.of("absent_in_full", share=absent_share))
    elif status in ("planned", "shortfall"):
        risk += W_PLAN_SHORTFALL
        why.append(Reason("context_status"))
    if status == "done" and ev:
        risk += W_DONE_IN_SPARSE * absent_share
        if absent_share >= 0.6:
            why.append(Reason.of("done_in_sparse", share=absent_share))
        decided = [e for e in ev if e.get("status") == "done"] or ev
        if len(decided) == 1:
            risk += W_SINGLE
            why.append(Reason("single_evidence"))
        if all(_is_heading(e) for e in decided):
            risk += W_HEADING
            why.append(Reason("heading_evidence"))
        if all(e.get("role") == "preamble" for e in decided):
            risk += W_OPENING
            why.append(Reason("opening_evidence"))
        if all((e.get("score") or 0) < 100 for e in decided):
            risk += W_FUZZY
            why.append(Reason("fuzzy_only"))
    if ev and len({e.get("status") for e in ev}) > 1:
        risk += W_MIXED
        why.append(Reason("mixed_statuses"))
    if structure_missing and item.get("group") != STRUCTURE_GROUP:
        risk += W_STRUCTURE
        why.append(Reason("structure_missing"))
    if previous is not None and previous != status:
        risk += W_CHANGED
        why.append(Reason.of("changed_since_last_year", previous=previous))
    if corrected_share > 0:
        risk += W_CORRECTED * corrected_share
        why.append(Reason.of("often_corrected", share=corrected_share))
    return risk, why


def rank_records(records: Sequence[tuple[dict, str]], reviews: ReviewSet | None = None,
                 previous: dict[str, dict[str, str]] | None = None) -> list[QueueEntry]:
    """Every item of these (audit/1 record, path) pairs, riskiest first.

    `previous` maps a record's sha256 to the statuses of its agency's previous year.
    """
    reviews = reviews or ReviewSet()
    corrected, seen = _correction_rates(records, reviews)
    out: list[QueueEntry] = []
    for record, path in records:
        rep = record.get("report") or {}
        items = record.get("items") or []
        missing = any(it.get("group") == STRUCTURE_GROUP and it["status"] != "done" for it in items)
        absent = sum(1 for it in items if it["status"] == "absent") / len(items) if items else 0.0
        prev = (previous or {}).get(record.get("sha256", ""), {})
        in_force = reviews.for_record(record)
        for it in items:
            c = in_force.get(it["id"])
            stale = False
            if c is not None:
                stale = is_stale(c, it["status"], first_evidence(it))
                if not stale:
                    continue   # the reviewer has decided this one
            share = corrected.get(it["id"], 0) / seen[it["id"]] if seen.get(it["id"]) else 0.0
            risk, why = item_risk(it, structure_missing=missing, previous=prev.get(it["id"]),
                                  corrected_share=share, absent_share=absent)
            if stale:
                risk += W_STALE
                why.insert(0, Reason("stale_after_revision"))
            out.append(QueueEntry(rep.get("agency"), rep.get("year"), record.get("sha256", ""), path,
                                  it["id"], it["title"], it["status"], it.get("confidence"),
                                  first_evidence(it), risk, tuple(why), stale))
    out.sort(key=lambda q: (-q.risk, q.report, q.item_id))
    return out


def _correction_rates(records: Iterable[tuple[dict, str]], reviews: ReviewSet) -> tuple[Counter, Counter]:
    """Per item id: in how many reviewed reports a correction changed the machine's status, of how many."""
    corrected: Counter = Counter()
    seen: Counter = Counter()
    for record, _ in records:
        in_force = reviews.for_record(record)
        if not in_force:
            continue
        for it in record.get("items") or []:
            seen[it["id"]] += 1
            c = in_force.get(it["id"])
            if c is not None and c.status != it["status"]:
                corrected[it["id"]] += 1
    return corrected, seen


def review_queue(store: Store, limit: int | None = None, reviews: ReviewSet | None = None) -> list[QueueEntry]:
    """The store's queue: the latest revision of every report, riskiest items first."""
    from .log import Reviews

    rv = Reviews(store)
    refs = rv.reports()
    current = reviews if reviews is not None else rv.current()
    by_agency: dict[str, list] = {}
    for ref in refs:
        if ref.agency and ref.year:
            by_agency.setdefault(ref.agency, []).append(ref)
    previous: dict[str, dict[str, str]] = {}
    for refs_a in by_agency.values():
        refs_a.sort(key=lambda r: r.year or 0)
        for before, after in pairwise(refs_a):
            if before.year != after.year:
                from .apply import apply_reviews

                final = apply_reviews(before.record, current)   # last year as reviewed
                previous[after.sha256] = {it["id"]: it["status"] for it in final["items"]}
    entries = rank_records([(r.record, r.path) for r in refs], current, previous)
    return entries[:limit] if limit else entries
