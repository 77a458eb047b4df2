"""The stable JSON contract `dutycheck.audit/1`, read by other tools: keep it stable."""

from __future__ import annotations

import json

from ..models import AuditResult, Evidence, ItemResult

SCHEMA = "dutycheck.audit/1"


def evidence_dict(e: Evidence) -> dict:
    d = {"text": e.text, "line": e.line, "section": e.section, "role": e.role.value,
         "score": e.score, "status": e.status.value, "phrase": e.phrase, "reason": e.reason,
         "matched": e.matched}
    if e.page is not None:
        d["page"] = e.page
    return d


def item_dict(it: ItemResult) -> dict:
    d = {"id": it.id, "title": it.title, "group": it.group, "weight": it.weight,
         "status": it.status.value, "confidence": it.confidence,
         "evidence": [evidence_dict(e) for e in it.evidence],
         "basis": it.basis, "guidance": it.guidance}
    if it.review is not None:   # a reviewer's correction applies: `status` is the final one
        d["machine_status"] = it.machine_status.value if it.machine_status else None
        d["review"] = dict(it.review)
    return d


def audit_dict(r: AuditResult) -> dict:
    """The audit as one JSON-ready dict (schema dutycheck.audit/1).

    `report.replaced_chars` is there only when the decoder replaced damaged bytes.
    """
    d = {
        "schema": SCHEMA,
        "path": r.path,
        "sha256": r.sha256,
        "report": {"agency": r.report.agency, "year": r.report.year, "date": r.report.date,
                   "chars": r.report.chars, "title": r.report.title,
                   "format": r.source_format, "encoding": r.encoding},
        "checklist": {"id": r.checklist_id, "version": r.checklist_version},
        "score": r.score,
        "groups": [{"id": g.id, "title": g.title, "score": g.score, "done": g.done, "total": g.total}
                   for g in r.groups],
        "items": [item_dict(it) for it in r.items],
        "gaps": list(r.gaps),
        "formal": [f.to_dict() for f in r.formal],
        "unit": r.unit,
        "fingerprints": r.fingerprints,
    }
    if r.replaced_chars:
        d["report"]["replaced_chars"] = r.replaced_chars
    return d


def render_json(r: AuditResult, *, indent: int | None = 2) -> str:
    return json.dumps(audit_dict(r), ensure_ascii=False, indent=indent)
