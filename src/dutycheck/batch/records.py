"""What a batch keeps of each file: the compact row of an audited report, the error row of a
failed one, and the outcome (row + JSON line) a worker sends back."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import DutycheckError
from ..models import STATUS_ORDER

if TYPE_CHECKING:  # pragma: no cover
    from ..checklist.model import Checklist

ERROR_SCHEMA = "dutycheck.error/1"
BATCH_SCHEMA = "dutycheck.batch/1"
STATUSES = tuple(s.value for s in STATUS_ORDER)
STATUS_CODE = {"done": "d", "planned": "p", "shortfall": "s", "absent": "a", "na": "n"}  # na: reviewer only
CODE_STATUS = {v: k for k, v in STATUS_CODE.items()}


@dataclass(frozen=True, slots=True)
class ItemInfo:
    id: str
    title: str
    group: str
    weight: float
    basis: str = ""
    guidance: str = ""


@dataclass(slots=True)
class ReportRow:
    """What a batch keeps of one audited report (the full audit goes to the output stream).

    `statuses` holds one letter per checklist item, in checklist order: d(one), p(lanned),
    s(hortfall), a(bsent), n (不适用, set by a reviewer). `gaps` are the ids of the three heaviest
    items not done. `reviewed` lists the items whose status a reviewer's correction set.
    """

    path: str
    sha256: str
    agency: str | None
    year: int | None
    region: str
    score: float
    done: int
    total: int
    statuses: str
    gaps: tuple[str, ...]
    format: str = ""
    duplicate_of: str | None = None
    cached: bool = False
    reviewed: tuple[str, ...] = ()   # ids of the items a reviewer's correction set

    def status(self, index: int) -> str:
        return CODE_STATUS[self.statuses[index]]

    def to_dict(self) -> dict:
        return {"path": self.path, "sha256": self.sha256, "agency": self.agency, "year": self.year,
                "region": self.region, "score": self.score, "done": self.done, "total": self.total,
                "gaps": list(self.gaps), "format": self.format, "duplicate_of": self.duplicate_of,
                "cached": self.cached, **({"reviewed": list(self.reviewed)} if self.reviewed else {})}


@dataclass(slots=True)
class ErrorRow:
    """A file that could not be audited: the path and the reason, in Chinese and English."""

    path: str
    sha256: str | None
    error: dict
    duplicate_of: str | None = None

    @property
    def message(self) -> str:
        zh, en = self.error.get("zh", ""), self.error.get("en", "")
        return zh + (f" ({en})" if en else "")

    def to_dict(self) -> dict:
        """The `dutycheck.error/1` object: the error row in json/jsonl output."""
        return {"schema": ERROR_SCHEMA, "path": self.path, "sha256": self.sha256,
                "error": self.error, "duplicate_of": self.duplicate_of}


@dataclass(slots=True)
class Outcome:
    """One finished file: its row, and its JSON line (`dutycheck.audit/1` or `dutycheck.error/1`)."""

    row: ReportRow | ErrorRow
    line: str

    @property
    def ok(self) -> bool:
        return isinstance(self.row, ReportRow)


def items_of(checklist: "Checklist") -> tuple[ItemInfo, ...]:
    return tuple(ItemInfo(it.id, it.title, it.group, it.weight, it.basis, it.guidance)
                 for it in checklist.items)


def summary_fields(d: dict, order: dict[str, int], weights: Sequence[float],
                   ids: Sequence[str]) -> tuple:
    """The compact summary of an audit dict: (agency, year, score, done, total, statuses, gaps, format).

    One function for fresh audits and for audits served from the store, so both give the
    same row.
    """
    codes = ["a"] * len(ids)
    for it in d["items"]:
        i = order.get(it["id"])
        if i is not None:
            codes[i] = STATUS_CODE.get(it["status"], "a")
    done = codes.count("d")
    gap_idx = sorted((i for i, c in enumerate(codes) if c not in "dn"), key=lambda i: (-weights[i], i))[:3]
    rep = d.get("report") or {}
    return (rep.get("agency"), rep.get("year"), float(d["score"]), done, len(ids) - codes.count("n"),
            "".join(codes),
            tuple(ids[i] for i in gap_idx), rep.get("format") or "")


def error_info(exc: BaseException, path: str) -> dict:
    """An exception as the `error` object of an error row (DutycheckError keeps its own fields)."""
    if isinstance(exc, DutycheckError):
        d = exc.to_dict()
        d["path"] = d.get("path") or path
        return d
    detail = f"{type(exc).__name__}: {exc}"[:500]
    return {"path": path, "line": None, "column": None, "key": None,
            "zh": f"审查时发生内部错误：{detail}", "en": f"internal error: {detail}",
            "kind": type(exc).__name__}


def _dumps(d: dict) -> str:
    return json.dumps(d, ensure_ascii=False)
