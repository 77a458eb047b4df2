"""An `audit/1` dict (a batch's spool line, a stored audit) back as the typed audit the
document renderers read (memo, report page), so a batch's memos equal `audit --format docx`.

Kept to the fields those renderers use; the foundation's record model replaces it when it
lands on main (one `AuditRecord.from_dict`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..formal import Finding
from ..models import AuditResult, Evidence, GroupScore, ItemResult, ReportMeta, Role, Status


def _evidence(d: Mapping[str, Any]) -> Evidence:
    return Evidence(text=d.get("text", ""), line=d.get("line") or 0, section=d.get("section") or "",
                    role=Role(d.get("role") or "other"), score=d.get("score") or 0.0,
                    status=Status(d.get("status") or "done"), phrase=d.get("phrase") or "",
                    matched=d.get("matched") or "", reason=d.get("reason") or "", page=d.get("page"))


def _item(d: Mapping[str, Any]) -> ItemResult:
    machine = d.get("machine_status")
    return ItemResult(id=d["id"], title=d["title"], group=d["group"], weight=d["weight"],
                      status=Status(d["status"]), confidence=d.get("confidence") or 0.0,
                      evidence=tuple(_evidence(e) for e in d.get("evidence") or ()),
                      basis=d.get("basis") or "", guidance=d.get("guidance") or "",
                      machine_status=Status(machine) if machine else None, review=d.get("review"))


def audit_from_dict(d: Mapping[str, Any]) -> AuditResult:
    """The typed audit of a `dutycheck.audit/1` object."""
    rep = d.get("report") or {}
    cl = d.get("checklist") or {}
    return AuditResult(
        path=d["path"], sha256=d.get("sha256") or "",
        report=ReportMeta(title=rep.get("title"), agency=rep.get("agency"), year=rep.get("year"),
                          date=rep.get("date"), chars=rep.get("chars") or 0),
        checklist_id=cl.get("id", ""), checklist_version=cl.get("version", ""), score=d["score"],
        groups=tuple(GroupScore(g["id"], g["title"], g["score"], g["done"], g["total"])
                     for g in d.get("groups") or ()),
        items=tuple(_item(it) for it in d["items"]),
        source_format=rep.get("format") or "", encoding=rep.get("encoding"),
        formal=tuple(Finding.from_dict(f) for f in d.get("formal") or ()),
        fingerprints=d.get("fingerprints") or "", unit=d.get("unit") or "line")
