"""The pipeline in one call: read → normalise → structure → match → score.

This is the library entry point; the CLI and batch mode only call these functions.
"""

from __future__ import annotations

import hashlib
import os

from .checklist.load import load_checklist
from .checklist.model import Checklist
from .errors import ReportError
from .match import match_document
from .models import AuditResult, Location, SourceText
from .normalize import normalize
from .structure import Document, parse


def _checklist(checklist: Checklist | str | os.PathLike) -> Checklist:
    return checklist if isinstance(checklist, Checklist) else load_checklist(checklist)


def parse_source(source: SourceText, checklist: Checklist | str = "default") -> Document:
    """Normalise and parse a report with the checklist's structure rules."""
    return parse(normalize(source), _checklist(checklist).structure)


def audit_source(source: SourceText, checklist: Checklist | str | os.PathLike = "default",
                 *, explain: bool = False) -> AuditResult:
    """Audit text that has already been read."""
    cl = _checklist(checklist)
    from .score import score_items

    doc = parse(normalize(source), cl.structure)
    if not any(s.text for s in doc.sentences):
        raise ReportError("报告没有可审查的正文", "the report has no text to audit", path=source.path)
    items = match_document(doc, cl, explain=explain)
    score, groups = score_items(items, cl)
    return AuditResult(
        path=source.path, sha256=source.sha256, report=doc.meta,
        checklist_id=cl.id, checklist_version=cl.version, score=score, groups=groups,
        items=tuple(items), source_format=source.format, encoding=source.encoding,
        replaced_chars=int(source.meta.get("replaced_chars", 0)),
    )


def audit_path(path: str | os.PathLike, checklist: Checklist | str | os.PathLike = "default",
               *, explain: bool = False) -> AuditResult:
    """Read and audit one report file (.txt/.md/.docx/.pdf/.html)."""
    from .read import read_source

    return audit_source(read_source(path), checklist, explain=explain)


def source_from_text(text: str, name: str = "<text>") -> SourceText:
    """Wrap a string as a source, for auditing text from Python."""
    from .safetext import visible_controls

    lines = tuple(visible_controls(ln) for ln in text.splitlines()) or ("",)
    data = text.encode("utf-8")
    return SourceText(path=name, lines=lines, locations=tuple(Location(i + 1) for i in range(len(lines))),
                      format="text", sha256=hashlib.sha256(data).hexdigest(), size=len(data),
                      encoding="utf-8")


def audit_text(text: str, checklist: Checklist | str | os.PathLike = "default",
               *, name: str = "<text>", explain: bool = False) -> AuditResult:
    """Audit a report given as a string."""
    return audit_source(source_from_text(text, name), checklist, explain=explain)
