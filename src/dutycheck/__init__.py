"""dutycheck: audit Chinese annual rule-of-law reports (法治政府建设年度报告) against duty checklists.

Library use::

    from dutycheck import audit_path
    result = audit_path("reports/山西/晋城市教育局-2023.txt")
    print(result.score, result.gaps)
"""

__version__ = "0.1.0"

from .audit import audit_path, audit_source, audit_text, parse_source  # noqa: E402
from .checklist.load import load_checklist  # noqa: E402
from .errors import ChecklistError, DutycheckError, ReportError  # noqa: E402
from .models import AuditResult, ItemResult, Status  # noqa: E402

__all__ = ["audit_path", "audit_source", "audit_text", "parse_source", "load_checklist",
           "AuditResult", "ItemResult", "Status", "DutycheckError", "ReportError",
           "ChecklistError", "__version__"]
