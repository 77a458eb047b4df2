"""Markdown: for pasting an audit into a memo, an issue or a wiki."""

from __future__ import annotations

import html
import re

from ..messages import (
    BASIS_LEAD,
    MACHINE_LEAD,
    REVIEW_MARK,
    REVIEW_NOTE_LEAD,
    STALE_MARK,
    STATUS_MARK,
    STATUS_ZH,
    UNKNOWN_AGENCY,
    Col,
    replaced_warning,
    role_label,
)
from ..models import AuditResult, Status
from ..safetext import display

# Markdown and HTML syntax in report text is shown, never run: a CommonMark viewer would
# execute <script> and follow [text](javascript:…) or <http://…> from a quote.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]!~])")


def _text(text: str | None) -> str:
    """Report-derived text as literal Markdown: HTML escaped, Markdown punctuation backslashed."""
    if not text:
        return ""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(display(text), quote=False)).replace("\n", " ")


def _cell(text: str) -> str:
    return _text(text).replace("|", "｜")


def _code(text: str) -> str:
    """A code span that no backtick in the text can close early."""
    text = display(text)
    run = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * (run + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def render_markdown(r: AuditResult) -> str:
    meta = r.report
    out = [f"# {_text(meta.agency) or UNKNOWN_AGENCY} {meta.year or ''} 年度法治政府建设报告审查",
           "",
           f"- 文件：{_code(r.path)}",
           f"- 清单：{r.checklist_id} {r.checklist_version}",
           f"- 得分：**{r.score:.1f}** / 100",
           ""]
    if r.replaced_chars:
        out[-1:] = [f"- {replaced_warning(r.replaced_chars)}", ""]
    out += [f"| {Col.GROUP} | {Col.SCORE} | {Col.DONE} |", "|---|---:|---:|"]
    out += [f"| {g.title} | {g.score:.1f} | {g.done}/{g.total} |" for g in r.groups]
    out.append("")
    for g in r.groups:
        out += [f"## {g.title}（{g.score:.0f}）", "", f"| {Col.STATUS} | {Col.DUTY} | 证据 | 行 |",
                "|---|---|---|---:|"]
        for it in r.items:
            if it.group != g.id:
                continue
            e = it.evidence[0] if it.evidence else None
            quote = f"[{role_label(e.role)}] {_cell(e.text)}" if e else "—"
            mark = ""
            if it.review is not None:
                machine = (f"，{MACHINE_LEAD}{STATUS_ZH[it.machine_status]}"
                           if it.machine_status is not None and it.machine_status is not it.status else "")
                mark = f"（{STALE_MARK if it.review.get('stale') else REVIEW_MARK}{machine}）"
                if it.review.get("note"):
                    quote += f"<br>{REVIEW_NOTE_LEAD}{_cell(it.review['note'])}"
            out.append(f"| {STATUS_MARK[it.status]} {STATUS_ZH[it.status]}{mark} | {_cell(it.title)} | "
                       f"{quote} | {e.line if e else ''} |")
        out.append("")
    gaps = [i for i in r.items if i.status not in (Status.DONE, Status.NA)]
    if gaps:
        out += [f"## 缺项（{len(gaps)}）", ""]
        for it in sorted(gaps, key=lambda i: -i.weight):
            out.append(f"- **{it.title}**（{STATUS_ZH[it.status]}，`{it.id}`）：{it.guidance}"
                       f" {BASIS_LEAD}{it.basis}")
    return "\n".join(out) + "\n"
