"""Running totals of a batch: coverage of each duty, structure, regions, counts, and the ranking."""

from __future__ import annotations

import json
import time
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..copies import CrossFindings, CrossIndex, Entry
from ..formal import Finding
from ..schema import BatchRecord
from .inputs import Skipped
from .records import CODE_STATUS, STATUSES, ErrorRow, Extras, ItemInfo, Outcome, ReportRow, items_of
from .table import ReportTable

if TYPE_CHECKING:  # pragma: no cover
    from ..checklist.model import Checklist

STRUCTURE_GROUP = "structure"


def _empty_coverage(items: int) -> list[dict[str, int]]:
    """Per item, a count for every status code (na, the reviewer's 不适用, included)."""
    return [dict.fromkeys(CODE_STATUS, 0) for _ in range(items)]


@dataclass(frozen=True, slots=True)
class Coverage:
    """How often one duty is done / planned / shortfall / absent across the batch's reports."""

    item: ItemInfo
    counts: dict
    reports: int

    def share(self, status: str) -> float:
        """Share of the reports this duty applies to (a reviewer's 不适用 leaves the denominator)."""
        applies = self.reports - (self.counts.get("na", 0) if status != "na" else 0)
        return self.counts.get(status, 0) / applies if applies else 0.0

    def to_dict(self) -> dict:
        d = {"id": self.item.id, "title": self.item.title, "group": self.item.group,
             "weight": self.item.weight, "reports": self.reports}
        for s in STATUSES:
            d[s] = self.counts.get(s, 0)
            d[f"{s}_share"] = round(self.share(s), 4)
        return d


@dataclass(frozen=True, slots=True)
class RegionStats:
    region: str
    reports: int
    mean: float
    min: float
    max: float
    lowest: str | None             # agency (or file) with the lowest score
    neglected: ItemInfo | None     # the duty least often done in this region
    neglected_share: float         # its done share

    def to_dict(self) -> dict:
        return {"region": self.region, "reports": self.reports, "mean": round(self.mean, 1),
                "min": self.min, "max": self.max, "lowest": self.lowest,
                "most_neglected": self.neglected.id if self.neglected else None,
                "most_neglected_done_share": round(self.neglected_share, 4)}


class _RegionAcc:
    """Running totals of one region (so regions need no rows)."""

    __slots__ = ("done", "lowest", "max", "min", "n", "total")

    def __init__(self, items: int):
        self.n, self.total, self.min, self.max = 0, 0.0, float("inf"), float("-inf")
        self.lowest: str | None = None
        self.done = [0] * items

    def add(self, row: ReportRow) -> None:
        self.n += 1
        self.total += row.score
        if row.score < self.min:
            self.min, self.lowest = row.score, row.agency or Path(row.path).name
        self.max = max(self.max, row.score)
        for i, ch in enumerate(row.statuses):
            if ch == "d":
                self.done[i] += 1


class Batch:
    """A batch run's record: the aggregates, the errors, the skipped files, and (unless
    `keep_rows=False`) one compact row per report for the ranking.

    Coverage, structure, regions and counts are running totals, so they cost the same for
    ten reports or a hundred thousand; only the ranking needs the rows (about 0.6 KB each).
    The streaming jsonl output keeps none. Duplicates are listed but not counted twice.
    """

    def __init__(self, checklist: Checklist, skipped: Sequence[Skipped] = (), *, keep_rows: bool = True):
        self.checklist = checklist
        self.checklist_id = checklist.id
        self.checklist_version = checklist.version
        self.checklist_title = checklist.title
        self.items = items_of(checklist)
        self.groups = {g.id: g.title for g in checklist.groups.values()}
        self.keep_rows = keep_rows
        # a ranking batch keeps its rows and the copy check's entries on disk (table.py)
        self._table = ReportTable() if keep_rows else None
        self.rows: Sequence[ReportRow] = self._table.rows if self._table is not None else []
        self.errors: list[ErrorRow] = []
        self.skipped: list[Skipped] = list(skipped)
        self.started = time.time()
        self.elapsed = 0.0
        self.run_id: int | None = None
        self.sink_errors: list[Exception] = []     # a sink that failed to close after a stopped run
        self._t0 = time.perf_counter()
        self._n = {"audited": 0, "unique": 0, "duplicates": 0, "cached": 0}
        self._sum = 0.0
        self._scores = array("d")                      # every audited report's score: 8 bytes each
        self._cov = _empty_coverage(len(self.items))
        self._regions: dict[str, _RegionAcc] = {}
        # 形式审查 across reports (copies.py)
        self._cross = CrossIndex(self._table.entries) if self._table is not None else None
        self.cross = CrossFindings()
        self.superseded: set[str] = set()
        self._findings: dict = {}       # each distinct Finding, and tuple of them (_shared_findings)
        self._finding_sets: list[tuple[Finding, ...]] = []   # the distinct tuples: an entry's `formal`
        self._finding_index: dict[tuple[Finding, ...], int] = {}

    def _count_unique(self, row: ReportRow) -> None:
        """A report that is neither a duplicate nor superseded: into the totals, coverage and its region."""
        self._n["unique"] += 1
        self._sum += row.score
        for i, ch in enumerate(row.statuses[:len(self._cov)]):
            self._cov[i][ch] += 1
        acc = self._regions.get(row.region)
        if acc is None:
            acc = self._regions[row.region] = _RegionAcc(len(self.items))
        acc.add(row)

    def add(self, outcome: Outcome) -> None:
        row = outcome.row
        if isinstance(row, ReportRow):
            self._n["audited"] += 1
            self._n["cached"] += row.cached
            self._scores.append(row.score)
            if row.duplicate_of:
                self._n["duplicates"] += 1
            else:
                self._count_unique(row)
            if self._table is not None:
                self._table.rows.append(row)
                if not row.duplicate_of and outcome.has_line:
                    ex = outcome.extras
                    if ex is None:          # not from a worker (a cache hit, a corrected audit): parse
                        d = json.loads(outcome.line)
                        ex = Extras((d.get("report") or {}).get("date"), d.get("fingerprints"),
                                    tuple(d.get("formal") or ()))
                    self._table.entries.append(Entry.of(row.path, row.agency, row.year, ex.date, ex.fingerprints),
                                               self._formal_index(ex.formal) if ex.formal else -1)
        else:
            self.errors.append(row)
            self._n["duplicates"] += row.duplicate_of is not None
        self.elapsed = time.perf_counter() - self._t0

    def _formal_index(self, formal: Sequence[dict]) -> int:
        """A report's own findings as the number of that tuple of findings among the batch's
        distinct ones (most reports lack the same parts): one object per distinct finding."""
        shared = self._findings
        found = tuple(shared.setdefault(f, f) for f in map(Finding.from_dict, formal))
        n = self._finding_index.get(found)
        if n is None:
            n = self._finding_index[found] = len(self._finding_sets)
            self._finding_sets.append(found)
        return n

    def _own_findings(self, path: str) -> tuple[Finding, ...]:
        n = self._table.entries.formal(path) if self._table is not None else -1
        return self._finding_sets[n] if n >= 0 else ()

    def finish(self, *, previous: Iterable[Entry] = (), locate: Callable[[str], str] | None = None) -> None:
        """Close the run: the checks across reports (revisions, copies; `previous` are the
        stored reports of earlier years, for a report repeating last year's; `locate` the file
        behind a row's path where that is a display name), then the totals without the
        superseded versions."""
        if self._cross is not None and self._cross.entries:
            self.cross = self._cross.check(previous=previous, locate=locate)
            self.superseded = self.cross.superseded
            if self.superseded:
                self._recount()
        self.elapsed = time.perf_counter() - self._t0

    def stop_clock(self) -> None:
        """Count the time until now in `elapsed` (after the exports are written)."""
        self.elapsed = time.perf_counter() - self._t0

    def reports_seen(self) -> list[tuple[str, int]]:
        """(agency, year) of every audited report whose agency and year are known."""
        if self._cross is None:
            return []
        return sorted({(e.agency, e.year) for e in self._cross.entries if e.agency and e.year})

    def findings(self, path: str) -> list[Finding]:
        """One report's 形式审查: its own findings, then the batch's (copies, revisions)."""
        return list(self._own_findings(path)) + self.cross.for_path(path)

    def formal_list(self) -> list[tuple[str, str | None, int | None, Finding]]:
        """Every 形式审查 finding of the batch as (path, agency, year, finding), by path."""
        own = self._table.entries.with_formal() if self._table is not None else {}
        paths = sorted(set(own) | {p for c in self.cross.copies for p in (c.a, c.b)}
                       | {p for r in self.cross.revisions for p in (r.kept, *r.superseded)})
        out = []
        for p in paths:
            name = own[p][:2] if p in own else self._name(p)
            fs = self._finding_sets[own[p][2]] if p in own else ()
            out += [(p, *name, f) for f in [*fs, *self.cross.for_path(p)]]
        return out

    def _name(self, path: str) -> tuple[str | None, int | None]:
        found = self._table.entries.name(path) if self._table is not None else None
        return found if found is not None else (None, None)

    def _recount(self) -> None:
        """Coverage, regions and the mean again, from the rows that stand (a superseded version
        is listed, not counted)."""
        self._n["unique"] = 0
        self._sum = 0.0
        self._cov = _empty_coverage(len(self.items))
        self._regions = {}
        for row in self.rows:
            if row.duplicate_of or row.path in self.superseded:
                continue
            self._count_unique(row)

    # -- views
    def ranking(self) -> list[tuple[int, ReportRow]]:
        """Rows by score, best first; equal scores share a rank (1, 2, 2, 4). A superseded
        version of a report (the same agency and year again, older) is left out."""
        return list(self.iter_ranking())

    def iter_ranking(self) -> Iterator[tuple[int, ReportRow]]:
        """`ranking()` one row at a time, without a list of them all (csv of a large batch)."""
        if self._table is None:
            raise RuntimeError("this batch kept no rows (keep_rows=False): no ranking")
        prev, rank, n = None, 0, 0
        for r in self._table.rows.ranked():
            if r.path in self.superseded:
                continue
            n += 1
            if r.score != prev:
                rank, prev = n, r.score
            yield rank, r

    def _coverage(self, i: int) -> Coverage:
        c = self._cov[i]
        return Coverage(self.items[i], {CODE_STATUS[k]: v for k, v in c.items()}, self._n["unique"])

    def coverage(self) -> list[Coverage]:
        """Every duty, the most neglected first: lowest done share, then heaviest, then most absent."""
        cov = [self._coverage(i) for i in range(len(self.items))]
        return sorted(cov, key=lambda c: (c.share("done"), -c.item.weight, -c.share("absent")))

    def structure(self) -> list[Coverage]:
        """The required parts of a report (the checklist's `structure` group), in checklist order."""
        return [self._coverage(i) for i, it in enumerate(self.items) if it.group == STRUCTURE_GROUP]

    def regions(self) -> list[RegionStats]:
        """Per region: count, mean/min/max score, lowest report, least-done duty; by mean, lowest first."""
        out = []
        for region, acc in self._regions.items():
            neglected, share = None, 0.0
            if self.items:
                i = min(range(len(self.items)), key=lambda i: (acc.done[i], -self.items[i].weight, i))
                neglected, share = self.items[i], acc.done[i] / acc.n
            out.append(RegionStats(region, acc.n, acc.total / acc.n, acc.min, acc.max, acc.lowest,
                                   neglected, share))
        return sorted(out, key=lambda s: (s.mean, s.region))

    def count_below(self, threshold: float) -> int:
        """How many audited reports (duplicates included) score below the threshold."""
        return sum(1 for s in self._scores if s < threshold)

    def item_title(self, item_id: str) -> str:
        for it in self.items:
            if it.id == item_id:
                return it.title
        return item_id

    def counts(self) -> dict:
        n = self._n
        files = n["audited"] + len(self.errors)
        return {
            "files": files,
            "audited": n["audited"],
            "unique": n["unique"],
            "failed": len(self.errors),
            "duplicates": n["duplicates"],
            "skipped": len(self.skipped),
            "cached": n["cached"],
            "superseded": len(self.superseded),
            "copied_pairs": sum(1 for c in self.cross.copies if c.code == "copied"),
            "mean_score": round(self._sum / n["unique"], 1) if n["unique"] else None,
            "elapsed_s": round(self.elapsed, 3),
            "reports_per_s": round(files / self.elapsed, 1) if self.elapsed > 0 else None,
        }

    def record(self) -> BatchRecord:
        """Everything but the per-report audits (the `dutycheck.batch/1` head)."""
        return BatchRecord(
            self.checklist_id, self.checklist_version, self.checklist_title, self.run_id, self.counts(),
            [{"rank": rank, **r.to_dict()} for rank, r in self.ranking()] if self.keep_rows else None,
            [c.to_dict() for c in self.coverage()], [c.to_dict() for c in self.structure()],
            [s.to_dict() for s in self.regions()], [e.record() for e in self.errors],
            [s.to_dict() for s in self.skipped],
            {"formal": {**self.cross.to_dict(),
                        "reports": [{"path": p, "findings": [f.to_dict() for f in self._finding_sets[own[2]]]}
                                    for p, own in sorted(self._own_formal().items())]}})

    def _own_formal(self) -> dict[str, tuple[str | None, int | None, int]]:
        return self._table.entries.with_formal() if self._table is not None else {}

    def to_dict(self) -> dict:
        """Everything but the per-report audits, JSON-ready (the `dutycheck.batch/1` head)."""
        return self.record().to_dict()
