"""Typed values of the review module: a correction, a report reference, the corrections in force."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ..errors import ReviewError
from ..messages import STATUS_ZH
from ..models import REVIEW_STATUSES, Status

ACTIONS = ("set", "undo")
STATUS_VALUES = tuple(s.value for s in REVIEW_STATUSES)
_BY_LABEL = {STATUS_ZH[s]: s.value for s in REVIEW_STATUSES}


def parse_status(text: str) -> str:
    """A status value from its id (`done`) or its Chinese label (`已开展`, `不适用`)."""
    t = (text or "").strip()
    if t.lower() in STATUS_VALUES:
        return t.lower()
    if t in _BY_LABEL:
        return _BY_LABEL[t]
    raise ReviewError(f"状态“{text}”无效，应为 {' / '.join(STATUS_VALUES)}"
                      f"（或 {'、'.join(_BY_LABEL)}）",
                      f"bad status {text!r}: use one of {', '.join(STATUS_VALUES)}", key="status")


def report_key(agency: str | None, year: int | None, sha256: str) -> str:
    """What a correction belongs to: the report (agency + year) when both are known, else the file."""
    if agency and year:
        return f"{agency}\u241f{int(year)}"
    return f"sha256:{sha256}"


@dataclass(frozen=True)
class Correction:
    """One row of the review log. `action` is `set` (status given) or `undo` (`undoes` = row id)."""

    id: int
    report_key: str
    agency: str | None
    year: int | None
    sha256: str
    item_id: str
    action: str
    status: str | None
    machine_status: str | None
    machine_evidence: str
    evidence: str
    note: str
    by: str
    at: str
    undoes: int | None = None
    source: str = "cli"

    def to_dict(self) -> dict:
        return {"id": self.id, "agency": self.agency, "year": self.year, "sha256": self.sha256,
                "item": self.item_id, "action": self.action, "status": self.status,
                "machine_status": self.machine_status, "machine_evidence": self.machine_evidence,
                "evidence": self.evidence, "note": self.note, "by": self.by, "at": self.at,
                "undoes": self.undoes, "source": self.source}


@dataclass(frozen=True)
class ReportRef:
    """A report in the store: its latest audit (`record` is the machine's audit/1 dict)."""

    agency: str | None
    year: int | None
    sha256: str
    audit_id: int
    path: str
    record: dict = field(repr=False, compare=False)

    @property
    def key(self) -> str:
        return report_key(self.agency, self.year, self.sha256)

    @property
    def label(self) -> str:
        if self.agency and self.year:
            return f"{self.agency} {self.year}"
        return self.path or self.sha256[:12]


@dataclass(frozen=True)
class Applied:
    """A correction as it applies to one item of one audit: `stale` (待复核) when the machine's
    status or first evidence differ from what the reviewer saw."""

    correction: Correction
    stale: bool

    def to_dict(self) -> dict:
        c = self.correction
        return {"id": c.id, "status": c.status, "note": c.note, "by": c.by, "at": c.at,
                "evidence": c.evidence, "machine_status_then": c.machine_status, "stale": self.stale}


class ReviewSet:
    """The corrections in force, replayed from the log: per report key and item, the latest
    `set` that no later `undo` withdrew."""

    def __init__(self, log: Iterable[Correction] = ()):
        stacks: dict[tuple[str, str], list[Correction]] = {}
        for c in sorted(log, key=lambda c: c.id):
            stack = stacks.setdefault((c.report_key, c.item_id), [])
            if c.action == "set":
                stack.append(c)
            else:
                stack[:] = [s for s in stack if s.id != c.undoes]
        self._by_report: dict[str, dict[str, Correction]] = {}
        for (key, item), stack in stacks.items():
            if stack:
                self._by_report.setdefault(key, {})[item] = stack[-1]

    def __len__(self) -> int:
        return sum(len(v) for v in self._by_report.values())

    def __bool__(self) -> bool:
        return bool(self._by_report)

    def keys(self) -> list[str]:
        return list(self._by_report)

    def for_report(self, agency: str | None, year: int | None, sha256: str) -> dict[str, Correction]:
        """item id → correction in force for this report (empty when none)."""
        return self._by_report.get(report_key(agency, year, sha256), {})

    def for_record(self, record: dict) -> dict[str, Correction]:
        rep = record.get("report") or {}
        return self.for_report(rep.get("agency"), rep.get("year"), record.get("sha256", ""))

    def all(self) -> list[Correction]:
        return sorted((c for d in self._by_report.values() for c in d.values()), key=lambda c: c.id)


def first_evidence(item: dict) -> str:
    ev = item.get("evidence") or []
    return ev[0]["text"] if ev else ""


def is_stale(c: Correction, machine_status: str, machine_evidence: str) -> bool:
    return c.machine_status != machine_status or (c.machine_evidence or "") != (machine_evidence or "")


def check_status(status: str) -> Status:
    return Status(parse_status(status))
