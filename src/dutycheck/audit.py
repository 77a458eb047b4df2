"""The pipeline in one call: read → normalise → structure → match → score.

This is the library entry point; the CLI and batch mode only call these functions.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import replace

from .checklist.compile import CompiledChecklist
from .checklist.load import compiled_checklist
from .checklist.model import Checklist
from .errors import ItemError, ReportError
from .match import match_document
from .models import AuditResult, ItemResult, Location, SourceText
from .normalize import normalize
from .structure import Document, parse

# what every `checklist` argument accepts: a bundled name, a path, a `Checklist`
# (load_checklist's, or one built in Python: compiled on first use) or a `CompiledChecklist`
ChecklistLike = Checklist | CompiledChecklist | str | os.PathLike


def parse_source(source: SourceText, checklist: ChecklistLike = "default") -> Document:
    """Normalise and parse a report with the checklist's structure rules."""
    return parse(normalize(source), compiled_checklist(checklist))


_NAME_ORG = re.compile(r"^(.{2,30}?(?:局|委员会|委|厅|办公室|政府|中心))")
_NAME_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")


def agency_from_name(path: str) -> str | None:
    """The agency a file name gives (晋城市教育局-2023.txt → 晋城市教育局), when the title block has none."""
    stem = os.path.splitext(os.path.basename(path))[0]
    for part in re.split(r"[-_—\s·.（）()《》]+", stem):
        part = _NAME_YEAR.sub("", part).removeprefix("关于")
        m = _NAME_ORG.match(part)
        if m and len(m.group(1)) >= 3:
            return m.group(1)
    return None


def year_from_name(path: str) -> int | None:
    m = _NAME_YEAR.search(os.path.basename(path))
    return int(m.group(1)) if m else None


def audit_source(source: SourceText, checklist: ChecklistLike = "default",
                 *, explain: bool = False, agency: str | None = None,
                 year: int | None = None) -> AuditResult:
    """Audit text that has already been read.

    `agency`/`year` override what the title block says (a reviewer who knows better); when
    the title block names no agency, the file name's is used (晋城市教育局-2023.txt).
    """
    compiled = compiled_checklist(checklist)
    cl = compiled.checklist
    from .formal import check_report, fingerprints
    from .score import score_items

    doc = parse(normalize(source), compiled, year=year)
    if not any(s.text for s in doc.sentences):
        raise ReportError("报告没有可审查的正文", "the report has no text to audit", path=source.path)
    meta = doc.meta
    if agency or year or not meta.agency:
        meta = replace(meta, agency=agency or meta.agency or agency_from_name(source.path),
                       year=year or meta.year or year_from_name(source.path))
    # the year that binds the placeholders ({year}, {next_year}…): the override, else the title block's
    items = match_document(doc, compiled.bind(year or doc.meta.year), explain=explain)
    score, groups = score_items(items, cl)
    formal = check_report(meta, items, source.lines, source.locations)
    prints = fingerprints(s.text for s in doc.sentences if not s.is_heading)
    return AuditResult(
        path=source.path, sha256=source.sha256, report=meta,
        checklist_id=cl.id, checklist_version=cl.version, score=score, groups=groups,
        items=tuple(items), source_format=source.format, encoding=source.encoding,
        formal=formal, fingerprints=prints.to_json(), unit=source.unit,
        replaced_chars=int(source.meta.get("replaced_chars", 0)),
    )


def audit_path(path: str | os.PathLike, checklist: ChecklistLike = "default",
               *, explain: bool = False, agency: str | None = None, year: int | None = None) -> AuditResult:
    """Read and audit one report file (.txt/.md/.docx/.pdf/.html)."""
    from .read import read_source

    return audit_source(read_source(path), checklist, explain=explain, agency=agency, year=year)


def source_from_text(text: str, name: str = "<text>") -> SourceText:
    """Wrap a string as a source, for auditing text from Python."""
    from .safetext import visible_controls

    lines = tuple(visible_controls(ln) for ln in text.splitlines()) or ("",)
    data = text.encode("utf-8")
    return SourceText(path=name, lines=lines, locations=tuple(Location(i + 1) for i in range(len(lines))),
                      format="text", sha256=hashlib.sha256(data).hexdigest(), size=len(data),
                      encoding="utf-8")


def audit_text(text: str, checklist: ChecklistLike = "default",
               *, name: str = "<text>", explain: bool = False) -> AuditResult:
    """Audit a report given as a string."""
    return audit_source(source_from_text(text, name), checklist, explain=explain)


def find_item(result: AuditResult, text: str) -> ItemResult:
    """An item of an audit by its id, a unique id prefix, its Chinese title, or a unique part of
    the title (`法律顾问`, `legal-counsel.ret`). Raises ItemError naming the candidates."""
    items = result.items
    for it in items:
        if it.id == text:
            return it
    for found in ([it for it in items if it.title == text],
                  [it for it in items if it.id.startswith(text)],
                  [it for it in items if text and text in it.title]):
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            names = "；".join(f"{it.title}（{it.id}）" for it in found[:8])
            raise ItemError(f"“{text}”对应多个条目，请写得更具体：{names}",
                            f"{text!r} matches {len(found)} items", key=text)
    sample = "、".join(it.id for it in items[:6])
    raise ItemError(f"清单中没有条目“{text}”；可写条目编号、编号开头或中文名称，如：{sample}……",
                    f"no item {text!r} in the checklist", key=text)
