"""The stable JSON contract `dutycheck.audit/1`, read by other tools: keep it stable."""

from __future__ import annotations

from ..models import AuditResult
from ..schema import AUDIT_SCHEMA as SCHEMA
from ..schema import AuditRecord, dumps

__all__ = ["SCHEMA", "audit_dict", "render_json"]


def audit_dict(r: AuditResult) -> dict:
    """The audit as one JSON-ready dict (schema dutycheck.audit/1, built by `schema.AuditRecord`)."""
    return AuditRecord.from_result(r).to_dict()


def render_json(r: AuditResult, *, indent: int | None = 2) -> str:
    return dumps(audit_dict(r), indent=indent)
