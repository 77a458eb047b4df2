"""Weighted coverage: only duties the report says were carried out (`done`) count.

Like Lighthouse category scores: each item's weight counts once, a group's score is
the done weight over its total weight, and the overall score is the same ratio over
the whole checklist (structure items included).
"""

from __future__ import annotations

from .checklist.model import Checklist
from .models import GroupScore, ItemResult, Status


def _ratio(done: float, total: float) -> float:
    return round(100.0 * done / total, 1) if total else 0.0


def score_items(results: list[ItemResult], checklist: Checklist) -> tuple[float, tuple[GroupScore, ...]]:
    """Overall score (0–100) and one subtotal per group, in checklist group order."""
    totals: dict[str, list[float]] = {}
    counts: dict[str, list[int]] = {}
    for r in results:
        t = totals.setdefault(r.group, [0.0, 0.0])
        c = counts.setdefault(r.group, [0, 0])
        t[1] += r.weight
        c[1] += 1
        if r.status is Status.DONE:
            t[0] += r.weight
            c[0] += 1
    order = list(checklist.groups) + [g for g in totals if g not in checklist.groups]
    groups = tuple(
        GroupScore(g, checklist.groups[g].title if g in checklist.groups else g,
                   _ratio(*totals[g]), counts[g][0], counts[g][1])
        for g in order if g in totals)
    done = sum(t[0] for t in totals.values())
    total = sum(t[1] for t in totals.values())
    return _ratio(done, total), groups
