"""What a batch keeps of each file: the compact row of an audited report, the error row of a
failed one, and the outcome (row + JSON line) a worker sends back."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..models import STATUS_ORDER
from ..schema import BATCH_SCHEMA, ERROR_SCHEMA, AuditRecord, ErrorInfo, ErrorRecord

if TYPE_CHECKING:  # pragma: no cover
    from ..checklist.model import Checklist
    from ..models import AuditResult
    from ..store import AuditRows

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
    error: ErrorInfo
    duplicate_of: str | None = None

    @property
    def message(self) -> str:
        return self.error.message

    def record(self) -> ErrorRecord:
        return ErrorRecord(self.path, self.sha256, self.error, self.duplicate_of)

    def to_dict(self) -> dict:
        """The `dutycheck.error/1` object: the error row in json/jsonl output."""
        return self.record().to_dict()


@dataclass(frozen=True, slots=True)
class Extras:
    """What the batch needs of an audit besides its row, sent by the worker with the line so
    that the parent never parses it: the copy check's fields (the report's date, its sentence
    fingerprints, its 形式审查 findings as in the JSON) and, with a store, the store's rows."""

    date: str | None
    fingerprints: str | None
    formal: tuple[dict[str, Any], ...]
    store: AuditRows | None = None

    @classmethod
    def of(cls, rec: AuditRecord, store: AuditRows | None = None) -> Extras:
        return cls(rec.report.date, rec.fingerprints, tuple(dict(f) for f in rec.formal), store)


class Outcome:
    """One finished file: its row, its JSON line (`dutycheck.audit/1` or `dutycheck.error/1`)
    and, from a worker, the Extras that spare the parent parsing the line (None: parse it).

    The line is given as text or as its UTF-8 bytes (a worker sends bytes): `line` and `utf8`
    give either form, converted once when first asked, so the jsonl and spool outputs write a
    worker's bytes without the batch process decoding and encoding ~50 KB per report."""

    __slots__ = ("_line", "_utf8", "extras", "row")

    def __init__(self, row: ReportRow | ErrorRow, line: str | bytes, extras: Extras | None = None) -> None:
        self.row = row
        self.extras = extras
        self._line = line if isinstance(line, str) else None
        self._utf8 = line if isinstance(line, bytes) else None

    @property
    def line(self) -> str:
        if self._line is None:
            self._line = (self._utf8 or b"").decode("utf-8")
        return self._line

    @property
    def utf8(self) -> bytes:
        if self._utf8 is None:
            self._utf8 = (self._line or "").encode("utf-8")
        return self._utf8

    @property
    def has_line(self) -> bool:
        """Whether the line is not empty (without decoding it)."""
        return bool(self._line) if self._line is not None else bool(self._utf8)

    @property
    def ok(self) -> bool:
        return isinstance(self.row, ReportRow)

    def __repr__(self) -> str:        # the line is ~50 KB: left out
        return f"Outcome({self.row!r})"


def items_of(checklist: "Checklist") -> tuple[ItemInfo, ...]:
    return tuple(ItemInfo(it.id, it.title, it.group, it.weight, it.basis, it.guidance)
                 for it in checklist.items)


def summary_fields(rec: AuditRecord, order: dict[str, int], weights: Sequence[float],
                   ids: Sequence[str]) -> tuple:
    """The compact summary of an audit: (agency, year, score, done, total, statuses, gaps, format).

    One function for fresh audits and for audits served from the store, so both give the
    same row.
    """
    rep = rec.report
    return summarize(((it.id, it.status.value) for it in rec.items), rec.score, rep.agency, rep.year,
                     rep.format, order, weights, ids)


def summary_of(result: "AuditResult", order: dict[str, int], weights: Sequence[float], ids: Sequence[str]) -> tuple:
    """`summary_fields` of an AuditResult (a worker's fresh audit), without its record."""
    rep = result.report
    return summarize(((it.id, it.status.value) for it in result.items), result.score, rep.agency, rep.year,
                     result.source_format, order, weights, ids)


def summarize(statuses: Iterable[tuple[str, str]], score: float, agency: str | None, year: int | None,
              fmt: str | None, order: dict[str, int], weights: Sequence[float], ids: Sequence[str]) -> tuple:
    """`summary_fields` from (item id, status) pairs and the report's fields (the store's rows)."""
    codes = ["a"] * len(ids)
    for item_id, status in statuses:
        i = order.get(item_id)
        if i is not None:
            codes[i] = STATUS_CODE.get(status, "a")
    done = codes.count("d")
    gap_idx = sorted((i for i, c in enumerate(codes) if c not in "dn"), key=lambda i: (-weights[i], i))[:3]
    return (agency, year, float(score), done, len(ids) - codes.count("n"), "".join(codes),
            tuple(ids[i] for i in gap_idx), fmt or "")


def error_info(exc: BaseException, path: str) -> ErrorInfo:
    """An exception as the `error` object of an error row (DutycheckError keeps its own fields)."""
    return ErrorInfo.of(exc, path)


__all__ = ["BATCH_SCHEMA", "CODE_STATUS", "ERROR_SCHEMA", "STATUSES", "STATUS_CODE", "ErrorRow", "Extras", "ItemInfo",
           "Outcome", "ReportRow", "error_info", "items_of", "summarize", "summary_fields",
           "summary_of"]
