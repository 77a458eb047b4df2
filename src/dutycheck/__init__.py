"""dutycheck: audit Chinese annual rule-of-law reports (法治政府建设年度报告) against duty checklists.

Library use::

    from dutycheck import audit_path
    result = audit_path("reports/山西/晋城市教育局-2023.txt")
    print(result.score, result.gaps)

The pipeline is imported on first use of one of its names (`audit_path` …), not by `import
dutycheck`: a cold `dutycheck audit x.pdf` starts the PDF's extraction in its child process
first and imports the pipeline while the child works (cli.audit).
"""

from typing import TYPE_CHECKING

from .errors import ChecklistError, DutycheckError, ReportError

__version__ = "0.1.0"

if TYPE_CHECKING:
    from .audit import audit_path, audit_source, audit_text, parse_source
    from .checklist.load import load_checklist
    from .models import AuditResult, ItemResult, Status

_LAZY = {"audit_path": "audit", "audit_source": "audit", "audit_text": "audit", "parse_source": "audit",
         "load_checklist": "checklist.load", "AuditResult": "models", "ItemResult": "models", "Status": "models"}

__all__ = ["audit_path", "audit_source", "audit_text", "parse_source", "load_checklist",
           "AuditResult", "ItemResult", "Status", "DutycheckError", "ReportError",
           "ChecklistError", "__version__"]


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
