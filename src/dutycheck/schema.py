"""The JSON records dutycheck writes and reads, typed, built and parsed in one place.

- `dutycheck.audit/1` (`AuditRecord`): one audited report, what `audit --format json` prints,
  one jsonl line of `batch`, one row of the store's `audits.audit_json`.
- `dutycheck.error/1` (`ErrorRecord`): one file of a batch that could not be audited.
- `dutycheck.batch/1` (`BatchRecord`): the head of `batch --format json` (summary, ranking,
  coverage, regions, errors, skipped).

Other tools read these: a key is never renamed or removed, only added. `to_dict` writes the
keys in the documented order; `from_dict` reads a record back (the store, the cache, the
spool) and keeps keys it does not know in `extra`, so a record written by a newer dutycheck
round-trips unchanged.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from json.encoder import encode_basestring as _json_str  # how dumps writes a str (ensure_ascii=False)
from typing import TYPE_CHECKING, Any

from .messages import REASON_TEXT, reason_text
from .models import Reason, Role, Status

if TYPE_CHECKING:  # pragma: no cover
    from .errors import DutycheckError
    from .models import AuditResult, Evidence, ItemResult

AUDIT_SCHEMA = "dutycheck.audit/1"
ERROR_SCHEMA = "dutycheck.error/1"
BATCH_SCHEMA = "dutycheck.batch/1"


def _extra(d: Mapping[str, Any], known: frozenset[str]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if k not in known}


def dumps(d: Mapping[str, Any], *, indent: int | None = None) -> str:
    """The house JSON: Chinese as written, not \\u-escaped."""
    return json.dumps(d, ensure_ascii=False, indent=indent)


def _json_value(v: Any) -> str:
    """A value as `dumps` writes it: a str, None, an int or a finite float directly (the encoder's
    own string function and reprs), anything else (a bool, NaN, a list, a subclass) by `dumps`."""
    cls = v.__class__
    if cls is str:
        return _json_str(v)
    if v is None:
        return "null"
    if cls is int:
        return int.__repr__(v)
    if cls is float and v - v == 0.0:      # finite: NaN and ±inf are written as dumps writes them
        return float.__repr__(v)
    return dumps(v)


@functools.lru_cache(maxsize=4096, typed=True)
def _item_ends(item_id: str, title: str, group: str, weight: float, basis: str, guidance: str) -> tuple[str, str]:
    """The JSON an item's checklist fixes, before its status and after its evidence, encoded once
    per process (`typed`: a weight of 1 and of 1.0 are written differently)."""
    v = _json_value
    return (f'{{"id": {v(item_id)}, "title": {v(title)}, "group": {v(group)}, "weight": {v(weight)}, "status": ',
            f', "basis": {v(basis)}, "guidance": {v(guidance)}')


# ----------------------------------------------------------------------------- audit/1

def reason_params_dict(reason: Reason, memo: dict[int, dict] | None = None) -> dict[str, Any]:
    """A Reason's parameters as JSON: a role as its id, a nested Reason (the role's own) as
    {"reason_code", "reason_params"}. `memo` (id → object) shares the object of a nested Reason
    met again: the sentences of a part share their role's Reason."""
    out: dict[str, Any] = {}
    for k, v in reason.params.items():
        if isinstance(v, Reason):
            nested = memo.get(id(v)) if memo is not None else None
            if nested is None:
                nested = {"reason_code": v.code, "reason_params": reason_params_dict(v, memo)}
                if memo is not None:
                    memo[id(v)] = nested
            out[k] = nested
        elif isinstance(v, Role):
            out[k] = v.value
        else:
            out[k] = v
    return out


def reason_from_dict(code: str, params: Mapping[str, Any] | None) -> Reason:
    """The Reason a record's `reason_code` and `reason_params` describe (inverse of `reason_params_dict`)."""
    values: dict[str, Any] = {}
    for k, v in (params or {}).items():
        if isinstance(v, Mapping) and "reason_code" in v:
            values[k] = reason_from_dict(v["reason_code"], v.get("reason_params"))
        elif k == "role" and isinstance(v, str):
            values[k] = Role(v)
        else:
            values[k] = v
    return Reason(code, values)


@dataclass(slots=True)
class ReasonMemo:
    """The words and JSON parameters of the Reasons one record's evidence shares, worked out once
    (most evidence of a report reads "位于…部分（…）" of one of a few parts). One per record: it
    keys nested Reasons by id, so it lives no longer than the result they belong to, and label
    tables are read afresh for the next record."""

    words: dict[int, str] = field(default_factory=dict)
    params: dict[int, dict] = field(default_factory=dict)
    top: dict[tuple, tuple[str, dict[str, Any]]] = field(default_factory=dict)

    @staticmethod
    def key(reason: Reason) -> tuple:
        """Equal for two Reasons that read the same: the code, each parameter's name and value
        (type-strict: 1 and 1.0 differ), a nested Reason by identity (a part's is shared)."""
        parts: list[Any] = [reason.code]
        for k, v in reason.params.items():
            if v.__class__ is str:
                parts += (k, v)
            elif isinstance(v, Reason):
                parts += (k, ("reason", id(v)))
            else:
                parts += (k, (v.__class__, v))
        return tuple(parts)

    def worded(self, reason: Reason) -> tuple[str, dict[str, Any]]:
        """(words, JSON parameters) of an evidence's Reason, worked out once per record."""
        key = self.key(reason)
        try:
            found = self.top.get(key)
        except TypeError:           # a parameter that cannot be a key (a list): worded alone
            return reason_text(reason, self.words), reason_params_dict(reason, self.params)
        if found is None:
            found = self.top[key] = (reason_text(reason, self.words), reason_params_dict(reason, self.params))
        return found


@dataclass(frozen=True, slots=True)
class EvidenceRecord:
    text: str
    line: int
    section: str
    role: Role
    score: float
    status: Status
    phrase: str
    reason: str                  # the reason in words (messages.reason_text), as audit/1 always had it
    matched: str | None = None   # the matched words of the sentence (None in records before it existed)
    page: int | None = None
    unit: str | None = None      # what `line` counts: line | paragraph (None in records before it existed)
    reason_code: str | None = None            # the reason as a fact: a stable id (messages.REASON_TEXT)…
    reason_params: Mapping[str, Any] | None = None   # …and its parameters (JSON form of models.Reason)
    extra: Mapping[str, Any] = field(default_factory=dict)

    _KEYS = frozenset({"text", "line", "section", "role", "score", "status", "phrase", "reason", "matched",
                       "page", "unit", "reason_code", "reason_params"})

    @classmethod
    def from_evidence(cls, e: Evidence, unit: str | None = None, memo: ReasonMemo | None = None
                      ) -> EvidenceRecord:
        worded = (memo or ReasonMemo()).worded(e.reason)
        return cls(e.text, e.line, e.section, e.role, e.score, e.status, e.phrase, worded[0],
                   e.matched, e.page, unit, e.reason.code, worded[1])

    @property
    def reason_fact(self) -> Reason:
        """The reason as models.Reason: from `reason_code` and its parameters, or, for a record
        from before reason codes (or with a code this dutycheck does not know), the text as written."""
        if self.reason_code in REASON_TEXT:
            return reason_from_dict(self.reason_code or "", self.reason_params)
        return Reason.of("recorded", text=self.reason)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"text": self.text, "line": self.line, "section": self.section,
                             "role": self.role.value, "score": self.score, "status": self.status.value,
                             "phrase": self.phrase, "reason": self.reason}
        if self.matched is not None:
            d["matched"] = self.matched
        if self.page is not None:
            d["page"] = self.page
        if self.unit is not None:
            d["unit"] = self.unit
        if self.reason_code is not None:
            d["reason_code"] = self.reason_code
            d["reason_params"] = dict(self.reason_params or {})
        if self.extra:
            d.update(self.extra)
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> EvidenceRecord:
        return cls(d["text"], d["line"], d.get("section") or "", Role(d["role"]), d["score"],
                   Status(d["status"]), d.get("phrase") or "", d.get("reason") or "", d.get("matched"),
                   d.get("page"), d.get("unit"), d.get("reason_code"), d.get("reason_params"),
                   _extra(d, cls._KEYS))


@dataclass(frozen=True, slots=True)
class ItemRecord:
    id: str
    title: str
    group: str
    weight: float
    status: Status
    confidence: float
    evidence: tuple[EvidenceRecord, ...]
    basis: str
    guidance: str
    machine_status: Status | None = None      # with `review`: what the machine said before the correction
    review: Mapping[str, Any] | None = None   # a reviewer's correction in force (dutycheck.review)
    extra: Mapping[str, Any] = field(default_factory=dict)

    _KEYS = frozenset({"id", "title", "group", "weight", "status", "confidence", "evidence", "basis",
                       "guidance"})
    _REVIEW_KEYS = _KEYS | {"machine_status", "review"}

    @classmethod
    def from_item(cls, it: ItemResult, unit: str | None = None, memo: ReasonMemo | None = None
                  ) -> ItemRecord:
        return cls(it.id, it.title, it.group, it.weight, it.status, it.confidence,
                   tuple(EvidenceRecord.from_evidence(e, unit, memo) for e in it.evidence), it.basis, it.guidance,
                   it.machine_status if it.review is not None else None, it.review)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"id": self.id, "title": self.title, "group": self.group, "weight": self.weight,
                             "status": self.status.value, "confidence": self.confidence,
                             "evidence": [e.to_dict() for e in self.evidence],
                             "basis": self.basis, "guidance": self.guidance}
        if self.review is not None:   # a reviewer's correction applies: `status` is the final one
            d["machine_status"] = self.machine_status.value if self.machine_status else None
            d["review"] = dict(self.review)
        if self.extra:
            d.update(self.extra)
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ItemRecord:
        review = d.get("review")
        machine = d.get("machine_status") if review is not None else None
        return cls(d["id"], d["title"], d["group"], d["weight"], Status(d["status"]), d["confidence"],
                   tuple(EvidenceRecord.from_dict(e) for e in d["evidence"]), d.get("basis") or "",
                   d.get("guidance") or "", Status(machine) if machine else None, review,
                   _extra(d, cls._REVIEW_KEYS if review is not None else cls._KEYS))


@dataclass(frozen=True, slots=True)
class GroupRecord:
    id: str
    title: str
    score: float
    done: int
    total: int

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "score": self.score, "done": self.done,
                "total": self.total}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> GroupRecord:
        return cls(d["id"], d["title"], d["score"], d["done"], d["total"])


@dataclass(frozen=True, slots=True)
class ReportInfo:
    """The `report` object: what the structure stage found in the title block, and the file."""

    agency: str | None
    year: int | None
    date: str | None
    chars: int
    title: str | None
    format: str
    encoding: str | None
    extra: Mapping[str, Any] = field(default_factory=dict)

    _KEYS = frozenset({"agency", "year", "date", "chars", "title", "format", "encoding"})

    def to_dict(self) -> dict[str, Any]:
        d = {"agency": self.agency, "year": self.year, "date": self.date, "chars": self.chars,
             "title": self.title, "format": self.format, "encoding": self.encoding}
        if self.extra:
            d.update(self.extra)
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ReportInfo:
        return cls(d.get("agency"), d.get("year"), d.get("date"), d.get("chars") or 0, d.get("title"),
                   d.get("format") or "", d.get("encoding"), _extra(d, cls._KEYS))


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """`dutycheck.audit/1`: one audited report."""

    path: str
    sha256: str
    report: ReportInfo
    checklist_id: str
    checklist_version: str
    score: float
    groups: tuple[GroupRecord, ...]
    items: tuple[ItemRecord, ...]
    extra: Mapping[str, Any] = field(default_factory=dict)

    _KEYS = frozenset({"schema", "path", "sha256", "report", "checklist", "score", "groups", "items", "gaps"})

    @property
    def gaps(self) -> tuple[str, ...]:
        return tuple(i.id for i in self.items if i.status not in (Status.DONE, Status.NA))

    @property
    def unit(self) -> str:
        """What evidence `line` counts: line | paragraph."""
        return str(self.extra.get("unit", "line"))

    @property
    def fingerprints(self) -> str | None:
        """Sentence hashes for copy detection (formal.fingerprints), as written in the JSON."""
        return self.extra.get("fingerprints")

    @property
    def formal(self) -> list[Mapping[str, Any]]:
        """形式审查 findings (formal.py), as written in the JSON."""
        return list(self.extra.get("formal") or ())

    @property
    def agency(self) -> str | None:
        return self.report.agency

    @property
    def year(self) -> int | None:
        return self.report.year

    def item(self, item_id: str) -> ItemRecord:
        for it in self.items:
            if it.id == item_id:
                return it
        raise KeyError(item_id)

    @classmethod
    def from_result(cls, r: AuditResult) -> AuditRecord:
        m = r.report
        memo = ReasonMemo()     # the Reasons the evidence of one report shares, worded once
        return cls(r.path, r.sha256,
                   ReportInfo(m.agency, m.year, m.date, m.chars, m.title, r.source_format, r.encoding,
                              {"replaced_chars": r.replaced_chars} if r.replaced_chars else {}),
                   r.checklist_id, r.checklist_version, r.score,
                   tuple(GroupRecord(g.id, g.title, g.score, g.done, g.total) for g in r.groups),
                   tuple(ItemRecord.from_item(it, r.unit, memo) for it in r.items),
                   {"formal": [f.to_dict() for f in r.formal], "unit": r.unit, "fingerprints": r.fingerprints})

    def to_dict(self) -> dict[str, Any]:
        d = {"schema": AUDIT_SCHEMA, "path": self.path, "sha256": self.sha256,
             "report": self.report.to_dict(),
             "checklist": {"id": self.checklist_id, "version": self.checklist_version},
             "score": self.score,
             "groups": [g.to_dict() for g in self.groups],
             "items": [it.to_dict() for it in self.items],
             "gaps": list(self.gaps)}
        if self.extra:
            d.update(self.extra)
        return d

    def to_json(self, *, indent: int | None = None) -> str:
        return dumps(self.to_dict(), indent=indent)

    @staticmethod
    def json_of(r: AuditResult) -> str:
        """`from_result(r).to_json()` written straight from the result: the same bytes (a batch
        worker writes one line per report, and building the record's frozen objects, or a dict
        of it for the encoder to walk, costs more than writing the text). Each value is written
        as `dumps` writes it (`_json_value`); what the checklist fixes for an item (id, title,
        group, weight, basis, guidance) is encoded once per process (`_item_ends`), and each
        distinct Reason once per report. tests/test_schema.py holds the two equal, byte for
        byte, on the bundled reports and on hostile values."""
        val = _json_value
        unit = r.unit
        unit_part = f', "unit": {val(unit)}' if unit is not None else ""
        memo = ReasonMemo()
        reasons: dict[tuple, tuple[str, str]] = {}

        def reason_parts(reason: Reason) -> tuple[str, str]:
            """(`"reason": words`, `, "reason_code": …, "reason_params": …` or "") of a Reason."""
            key: tuple | None = ReasonMemo.key(reason)
            try:
                found = reasons.get(key)  # type: ignore[arg-type]
            except TypeError:       # a parameter that cannot be a key (a list): worded alone
                key, found = None, None
            if found is None:
                words, params = memo.worded(reason)
                code = (f', "reason_code": {val(reason.code)}, "reason_params": {dumps(params)}'
                        if reason.code is not None else "")
                found = (f'"reason": {val(words)}', code)
                if key is not None:
                    reasons[key] = found
            return found

        items: list[str] = []
        gaps: list[str] = []
        skip = (Status.DONE, Status.NA)
        for it in r.items:
            evidence = []
            for e in it.evidence:
                words, code = reason_parts(e.reason)
                evidence.append(
                    f'{{"text": {val(e.text)}, "line": {val(e.line)}, "section": {val(e.section)}, '
                    f'"role": {val(e.role.value)}, "score": {val(e.score)}, "status": {val(e.status.value)}, '
                    f'"phrase": {val(e.phrase)}, {words}'
                    + (f', "matched": {val(e.matched)}' if e.matched is not None else "")
                    + (f', "page": {val(e.page)}' if e.page is not None else "")
                    + unit_part + code + "}")
            head, tail = _item_ends(it.id, it.title, it.group, it.weight, it.basis, it.guidance)
            review = ""
            if it.review is not None:
                machine = it.machine_status.value if it.machine_status else None
                review = f', "machine_status": {val(machine)}, "review": {dumps(dict(it.review))}'
            items.append(f'{head}{val(it.status.value)}, "confidence": {val(it.confidence)}, '
                         f'"evidence": [{", ".join(evidence)}]{tail}{review}}}')
            if it.status not in skip:
                gaps.append(it.id)
        m = r.report
        report: dict[str, Any] = {"agency": m.agency, "year": m.year, "date": m.date, "chars": m.chars,
                                  "title": m.title, "format": r.source_format, "encoding": r.encoding}
        if r.replaced_chars:
            report["replaced_chars"] = r.replaced_chars
        before = dumps({"schema": AUDIT_SCHEMA, "path": r.path, "sha256": r.sha256, "report": report,
                        "checklist": {"id": r.checklist_id, "version": r.checklist_version},
                        "score": r.score,
                        "groups": [{"id": g.id, "title": g.title, "score": g.score, "done": g.done,
                                    "total": g.total} for g in r.groups]})
        after = dumps({"gaps": gaps, "formal": [f.to_dict() for f in r.formal], "unit": unit,
                       "fingerprints": r.fingerprints})
        return f'{before[:-1]}, "items": [{", ".join(items)}], {after[1:]}'

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> AuditRecord:
        if d.get("schema", AUDIT_SCHEMA) != AUDIT_SCHEMA:
            raise ValueError(f"not a {AUDIT_SCHEMA} record: {d.get('schema')!r}")
        cl = d.get("checklist") or {}
        return cls(d["path"], d["sha256"], ReportInfo.from_dict(d.get("report") or {}),
                   cl.get("id", ""), cl.get("version", ""), d["score"],
                   tuple(GroupRecord.from_dict(g) for g in d.get("groups", ())),
                   tuple(ItemRecord.from_dict(it) for it in d["items"]), _extra(d, cls._KEYS))

    @classmethod
    def from_json(cls, line: str) -> AuditRecord:
        return cls.from_dict(json.loads(line))

    def to_result(self) -> AuditResult:
        """The typed audit the document renderers read (memo, report page), from a stored or
        spooled record, so a batch's memos equal `audit --format docx`."""
        from .formal import Finding
        from .models import AuditResult, Evidence, GroupScore, ItemResult, ReportMeta

        rep = self.report
        items = tuple(
            ItemResult(it.id, it.title, it.group, it.weight, it.status, it.confidence,
                       tuple(Evidence(e.text, e.line, e.section, e.role, e.score, e.status, e.phrase,
                                      e.matched or "", e.reason_fact, e.page) for e in it.evidence),
                       it.basis, it.guidance, machine_status=it.machine_status,
                       review=dict(it.review) if it.review is not None else None)
            for it in self.items)
        return AuditResult(
            path=self.path, sha256=self.sha256,
            report=ReportMeta(title=rep.title, agency=rep.agency, year=rep.year, date=rep.date, chars=rep.chars),
            checklist_id=self.checklist_id, checklist_version=self.checklist_version, score=self.score,
            groups=tuple(GroupScore(g.id, g.title, g.score, g.done, g.total) for g in self.groups),
            items=items, source_format=rep.format, encoding=rep.encoding,
            formal=tuple(Finding.from_dict(dict(f)) for f in self.formal),
            fingerprints=self.fingerprints or "", unit=self.unit,
            replaced_chars=int(rep.extra.get("replaced_chars") or 0))

    def with_path(self, path: str) -> AuditRecord:
        """The same audit under another file name (a cached audit of identical bytes)."""
        return AuditRecord(path, self.sha256, self.report, self.checklist_id, self.checklist_version,
                           self.score, self.groups, self.items, self.extra)


# ----------------------------------------------------------------------------- error/1

@dataclass(frozen=True, slots=True)
class ErrorInfo:
    """The `error` object: a DutycheckError's fields, or an internal error's type and text."""

    path: str | None
    line: int | None
    column: int | None
    key: str | None
    zh: str
    en: str
    kind: str
    extra: Mapping[str, Any] = field(default_factory=dict)

    _KEYS = frozenset({"path", "line", "column", "key", "zh", "en", "kind"})

    @property
    def message(self) -> str:
        return self.zh + (f" ({self.en})" if self.en else "")

    @classmethod
    def of(cls, exc: BaseException, path: str) -> ErrorInfo:
        """An exception as an error object (a DutycheckError keeps its own fields)."""
        from .errors import DutycheckError

        if isinstance(exc, DutycheckError):
            return cls.from_error(exc, path)
        detail = f"{type(exc).__name__}: {exc}"[:500]
        return cls(path, None, None, None, f"审查时发生内部错误：{detail}", f"internal error: {detail}",
                   type(exc).__name__)

    @classmethod
    def from_error(cls, exc: DutycheckError, path: str) -> ErrorInfo:
        return cls(exc.path or path, exc.line, exc.column, exc.key, exc.zh, exc.en, type(exc).__name__)

    def to_dict(self) -> dict[str, Any]:
        d = {"path": self.path, "line": self.line, "column": self.column, "key": self.key,
             "zh": self.zh, "en": self.en, "kind": self.kind}
        if self.extra:
            d.update(self.extra)
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ErrorInfo:
        return cls(d.get("path"), d.get("line"), d.get("column"), d.get("key"), d.get("zh") or "",
                   d.get("en") or "", d.get("kind") or "", _extra(d, cls._KEYS))


@dataclass(frozen=True, slots=True)
class ErrorRecord:
    """`dutycheck.error/1`: a file of a batch that could not be audited."""

    path: str
    sha256: str | None
    error: ErrorInfo
    duplicate_of: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"schema": ERROR_SCHEMA, "path": self.path, "sha256": self.sha256,
                "error": self.error.to_dict(), "duplicate_of": self.duplicate_of}

    def to_json(self) -> str:
        return dumps(self.to_dict())

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ErrorRecord:
        return cls(d["path"], d.get("sha256"), ErrorInfo.from_dict(d.get("error") or {}), d.get("duplicate_of"))


def parse_line(line: str) -> AuditRecord | ErrorRecord:
    """One jsonl line of `batch` (audit/1 or error/1) as its record."""
    d = json.loads(line)
    return ErrorRecord.from_dict(d) if d.get("schema") == ERROR_SCHEMA else AuditRecord.from_dict(d)


# ----------------------------------------------------------------------------- batch/1

@dataclass(frozen=True, slots=True)
class BatchRecord:
    """The head of `dutycheck.batch/1` (`batch --format json` adds `reports`: audit/1 objects).

    The parts are kept as the JSON objects the batch wrote (their keys are documented in
    `batch/aggregate.py`, where each is built): summary counts, ranking rows, coverage,
    structure and region entries, errors (error/1 fields) and skipped files.
    """

    checklist_id: str
    checklist_version: str
    checklist_title: str
    run_id: int | None
    summary: Mapping[str, Any]
    ranking: Sequence[Mapping[str, Any]] | None
    coverage: Sequence[Mapping[str, Any]]
    structure: Sequence[Mapping[str, Any]]
    regions: Sequence[Mapping[str, Any]]
    errors: Sequence[ErrorRecord]
    skipped: Sequence[Mapping[str, Any]]
    extra: Mapping[str, Any] = field(default_factory=dict)

    _KEYS = frozenset({"schema", "checklist", "run_id", "summary", "ranking", "coverage", "structure",
                       "regions", "errors", "skipped"})

    def to_dict(self) -> dict[str, Any]:
        d = {"schema": BATCH_SCHEMA,
             "checklist": {"id": self.checklist_id, "version": self.checklist_version,
                           "title": self.checklist_title},
             "run_id": self.run_id,
             "summary": dict(self.summary),
             "ranking": None if self.ranking is None else [dict(r) for r in self.ranking],
             "coverage": [dict(c) for c in self.coverage],
             "structure": [dict(c) for c in self.structure],
             "regions": [dict(r) for r in self.regions],
             "errors": [e.to_dict() for e in self.errors],
             "skipped": [dict(s) for s in self.skipped]}
        if self.extra:
            d.update(self.extra)
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> BatchRecord:
        if d.get("schema") != BATCH_SCHEMA:
            raise ValueError(f"not a {BATCH_SCHEMA} record: {d.get('schema')!r}")
        cl = d.get("checklist") or {}
        return cls(cl.get("id", ""), cl.get("version", ""), cl.get("title", ""), d.get("run_id"),
                   d.get("summary") or {}, d.get("ranking"), d.get("coverage") or [],
                   d.get("structure") or [], d.get("regions") or [],
                   [ErrorRecord.from_dict(e) for e in d.get("errors") or []], d.get("skipped") or [],
                   _extra(d, cls._KEYS))


def error_record(exc: DutycheckError | BaseException, path: str, sha256: str | None = None,
                 duplicate_of: str | None = None) -> ErrorRecord:
    """The error/1 record of a file that raised `exc`."""
    return ErrorRecord(path, sha256, ErrorInfo.of(exc, path), duplicate_of)
