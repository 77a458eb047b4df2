"""Weighted coverage: only duties the report says were carried out (`done`) count.

Like Lighthouse category scores: each item's weight counts once, a group's score is
the done weight over its total weight, and the overall score is the same ratio over
the whole checklist (structure items included). An item a reviewer marked 不适用 (`na`)
leaves both the numerator and the denominator.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .checklist.model import Checklist
from .models import GroupScore, ItemResult, Status


def _ratio(done: float, total: float) -> float:
    return round(100.0 * done / total, 1) if total else 0.0


def score_statuses(items: Iterable[tuple[str, float, str]],
                   groups: Sequence[tuple[str, str]]) -> tuple[float, tuple[GroupScore, ...]]:
    """Overall score and group subtotals from (group, weight, status value) triples.

    `groups` gives (id, title) in display order; a group not listed follows, titled by its id.
    Items with status `na` count nowhere; a group with only such items keeps 0/0.
    """
    totals: dict[str, list] = {}       # group → [done weight, total weight, done items, items]
    na, done_value = Status.NA.value, Status.DONE.value     # read once, not twice per item
    for group, weight, status in items:
        t = totals.get(group)
        if t is None:
            t = totals[group] = [0.0, 0.0, 0, 0]
        if status == na:
            continue
        t[1] += weight
        t[3] += 1
        if status == done_value:
            t[0] += weight
            t[2] += 1
    titles = dict(groups)
    order = [g for g, _ in groups] + [g for g in totals if g not in titles]
    out = tuple(GroupScore(g, titles.get(g, g), _ratio(totals[g][0], totals[g][1]), totals[g][2], totals[g][3])
                for g in order if g in totals)
    done = sum(t[0] for t in totals.values())
    total = sum(t[1] for t in totals.values())
    return _ratio(done, total), out


def score_items(results: list[ItemResult], checklist: Checklist) -> tuple[float, tuple[GroupScore, ...]]:
    """Overall score (0–100) and one subtotal per group, in checklist group order."""
    # a Status is a str equal to its value: passed as it is (no lookup of each item's value)
    return score_statuses(((r.group, r.weight, r.status) for r in results),
                          [(g.id, g.title) for g in checklist.groups.values()])
