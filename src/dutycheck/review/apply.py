"""Corrections applied to audits: final statuses, the machine's status kept beside, scores recomputed.

One decision (`_decide`) for both shapes of an audit: the `dutycheck.audit/1` dict that batch
mode streams and stores, and the typed `AuditResult` the single-report renderers take.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..models import AuditResult, Reason, Status
from ..score import score_statuses
from .model import Applied, Correction, ReviewSet, is_stale

if TYPE_CHECKING:  # pragma: no cover
    from ..batch import Outcome
    from ..evaluate import EvalResult
    from ..schema import AuditRecord
    from ..store import Store


def _decide(corrections: dict[str, Correction], item_id: str, machine_status: str,
            machine_evidence: str) -> Applied | None:
    c = corrections.get(item_id)
    if c is None:
        return None
    return Applied(c, is_stale(c, machine_status, machine_evidence))


def _corrected(items: Sequence[Any], corrections: Any) -> list[Any]:
    """Items (ItemRecord or ItemResult) with each correction applied: the final status, the
    machine's status and the review entry; uncorrected items as they are."""
    out = []
    for it in items:
        applied = _decide(corrections, it.id, it.status.value, it.evidence[0].text if it.evidence else "")
        if applied is None:
            out.append(it)
            continue
        out.append(dataclasses.replace(it, status=Status(applied.correction.status),
                                       machine_status=it.status, review=applied.to_dict()))
    return out


def apply_to_record(record: AuditRecord, reviews: ReviewSet) -> AuditRecord:
    """The typed audit/1 record (schema.AuditRecord) with the reviewer's corrections: `status`
    final, `machine_status` and `review` set on corrected items, score and groups recomputed.
    A record without corrections is returned as it is."""
    corrections = reviews.for_report(record.agency, record.year, record.sha256)
    if not corrections:
        return record
    items = _corrected(record.items, corrections)
    score, groups = score_statuses(((it.group, it.weight, it.status.value) for it in items),
                                   [(g.id, g.title) for g in record.groups])
    from ..schema import GroupRecord

    return dataclasses.replace(record, items=tuple(items), score=score,
                               groups=tuple(GroupRecord(g.id, g.title, g.score, g.done, g.total) for g in groups))


def apply_reviews(record: dict, reviews: ReviewSet) -> dict:
    """`apply_to_record` on a `dutycheck.audit/1` dict (the batch line, the store's JSON): the
    input is not changed; a record without corrections is returned as it is."""
    if record.get("schema") != "dutycheck.audit/1" or not reviews.for_record(record):
        return record
    from ..schema import AuditRecord

    return apply_to_record(AuditRecord.from_dict(record), reviews).to_dict()


def apply_to_result(result: AuditResult, reviews: ReviewSet) -> AuditResult:
    """The same for a typed audit (the `audit` command's terminal, markdown and JSON views)."""
    corrections = reviews.for_report(result.report.agency, result.report.year, result.sha256)
    if not corrections:
        return result
    items = _corrected(result.items, corrections)
    score, groups = score_statuses(((it.group, it.weight, it.status.value) for it in items),
                                   [(g.id, g.title) for g in result.groups])
    return dataclasses.replace(result, items=tuple(items), score=score, groups=groups)


def apply_outcome(outcome: Outcome, reviews: ReviewSet, index: tuple) -> Outcome:
    """A batch outcome with the corrections applied to its line and its compact row.

    `index` is (item id → position, weights, ids) of the run's checklist, as `summary_fields` takes.
    """
    from ..batch import Outcome, ReportRow, summary_fields

    row = outcome.row
    if not reviews or not isinstance(row, ReportRow):
        return outcome
    record = json.loads(outcome.line)
    final = apply_reviews(record, reviews)
    if final is record:
        return outcome
    from ..schema import AuditRecord

    _agency, _year, score, done, total, statuses, gaps, _fmt = summary_fields(AuditRecord.from_dict(final),
                                                                              *index)
    reviewed = tuple(it["id"] for it in final["items"] if "review" in it)
    new_row = dataclasses.replace(row, score=score, done=done, total=total, statuses=statuses, gaps=gaps,
                                  reviewed=reviewed)
    return Outcome(new_row, json.dumps(final, ensure_ascii=False))


def machine_agreement(store: Store, reviews: ReviewSet | None = None) -> EvalResult:
    """The machine against the reviewer over every reviewed report (a report with at least one
    correction in force): each item's final status is the label, the machine's is the
    prediction, `na` items are left out. `dutycheck eval --db`."""
    from ..evaluate import Disagreement, EvalResult
    from .log import Reviews

    rv = Reviews(store)
    current = reviews if reviews is not None else rv.current()
    result = EvalResult()
    for ref in rv.reports():
        final = apply_reviews(ref.record, current)
        if final is ref.record:
            continue
        result.reports += 1
        for it in final["items"]:
            gold = it["status"]
            pred = it.get("machine_status", gold)
            if gold == "na":
                result.doubtful_skipped += 1
                continue
            result.labels += 1
            result.confusion[gold][pred] += 1
            if gold == pred:
                result.agree += 1
            else:
                ev = it["evidence"][0] if it["evidence"] else None
                review = it.get("review") or {}
                result.disagreements.append(Disagreement(
                    ref.label, it["id"], gold, pred, review.get("evidence", ""),
                    ev["text"] if ev else "", ev.get("line") if ev else None,
                    Reason.of("reviewer_note", text=review["note"]) if review.get("note")
                    else Reason("reviewer_corrected")))
    return result


def store_overlay(store: Store, reviews: ReviewSet | None = None):
    """A `Store.overlay`: the final (score, done, total, statuses, corrected) of an audit id, or
    None when no correction applies, so `history` and `compare` answer with the reviewer's result."""
    import zlib

    from .log import load_current

    current = reviews if reviews is not None else load_current(store)
    cache: dict[int, tuple | None] = {}

    def final(audit_id: int) -> tuple | None:
        if audit_id in cache:
            return cache[audit_id]
        out = None
        if current:
            row = store.db.execute("SELECT audit_json FROM audits WHERE id = ?", (audit_id,)).fetchone()
            if row is not None:
                record = json.loads(zlib.decompress(row[0]).decode("utf-8"))
                done = apply_reviews(record, current)
                if done is not record:
                    statuses = {it["id"]: it["status"] for it in done["items"]}
                    values = list(statuses.values())
                    out = (done["score"], values.count("done"), len(values) - values.count("na"), statuses,
                           sum(1 for it in done["items"] if "review" in it))
        cache[audit_id] = out
        return out

    return final
