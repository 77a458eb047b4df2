"""The reviewer has the last word: corrections kept in the store and applied in every output.

A reviewer corrects the machine's status of one duty in one report (`done planned shortfall
absent na`; `na` = 不适用, the duty does not apply to this bureau and leaves the score's
denominator). Corrections are append-only rows of the store's `reviews` table: who, when,
the new status, note and quote, and the machine's status and first evidence at the time.
Undo is a new row. A correction belongs to the report, not to one file: agency + year when
the report names both, else the file's sha256, so a revised report (same agency and year,
new content) carries it over, marked 待复核 (`stale`) where the machine's status or evidence
changed since.

API (everything a page or a command needs)::

    from dutycheck.store import Store
    from dutycheck.review import Reviews, apply_reviews, review_queue

    with Store("results.sqlite") as store:
        reviews = Reviews(store)
        ref = reviews.resolve("晋城市教育局 2023")           # or a file path (matched by content)
        reviews.set(ref, "legal-counsel.retained", "absent", note="只写了计划", by="张三")
        reviews.undo(ref, "legal-counsel.retained", by="张三")
        current = reviews.current()                         # ReviewSet: the corrections in force
        record = apply_reviews(ref.record, current)         # audit/1 dict: final statuses, new score
        for entry in review_queue(store, limit=20):         # items most likely wrong first
            print(entry.agency, entry.item_id, entry.risk, entry.reasons)

- `Reviews(store)`: `resolve(report)`, `item(ref, text)`, `set(...)`, `undo(...)`, `log(...)`,
  `current()`; raises `errors.ReviewError` (Chinese + English) for an unknown report or item
  or a bad status.
- `apply_to_record(record, current) -> record` on a `schema.AuditRecord`; `apply_reviews` the
  same on a `dutycheck.audit/1` dict; `apply_to_result` on an `AuditResult`. A corrected
  item's `status` is the final one; it gains
  `machine_status` and `review` {status, note, by, at, evidence, stale, id}. Scores and
  groups are recomputed from final statuses.
- `review_queue(store, limit)`: `QueueEntry` list, riskiest first (see `review.queue`).
- `review.exchange`: export/import as gold YAML (a correction is a label) and CSV.
- `review.suggest`: checklist phrases and exclusions learned from the corrections.
"""

from __future__ import annotations

from .apply import apply_outcome, apply_reviews, apply_to_record, apply_to_result, machine_agreement
from .log import Reviews, ensure_schema
from .model import Correction, ReportRef, ReviewSet, parse_status
from .queue import QueueEntry, review_queue

__all__ = ["Correction", "QueueEntry", "ReportRef", "ReviewSet", "Reviews", "apply_outcome",
           "apply_reviews", "apply_to_record", "apply_to_result", "ensure_schema", "machine_agreement", "parse_status",
           "review_queue"]
