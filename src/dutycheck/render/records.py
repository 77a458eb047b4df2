"""An `audit/1` dict (a batch's spool line, a stored audit) back as the typed audit the
document renderers read (memo, report page): `schema.AuditRecord.from_dict(d).to_result()`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..models import AuditResult
from ..schema import AuditRecord


def audit_from_dict(d: Mapping[str, Any]) -> AuditResult:
    """The typed audit of a `dutycheck.audit/1` object."""
    return AuditRecord.from_dict(d).to_result()
