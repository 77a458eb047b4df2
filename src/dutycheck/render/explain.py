"""`explain`: which phrase matched which sentence, with what score, where, and why that status."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from ..messages import (
    BASIS_LEAD,
    GUIDANCE_LEAD,
    STATUS_MARK,
    STATUS_STYLE,
    STATUS_ZH,
    Col,
    reason_text,
    role_label,
    where_label,
)
from ..models import AuditResult, ItemResult, Status


def render_explain(r: AuditResult, it: ItemResult, console: Console | None = None) -> None:
    console = console or Console(markup=False)   # report text is never markup
    head = Text(f"{it.id}  {it.title}\n", style="bold")
    head.append(f"{STATUS_MARK[it.status]} {STATUS_ZH[it.status]}", style=STATUS_STYLE[it.status])
    head.append(f"   置信度 {it.confidence:.2f}   {Col.WEIGHT} {it.weight:g}   {Col.FILE} {r.path}\n", style="dim")
    console.print(head)
    rule = {
        Status.DONE: "判定规则：有任一“已开展”证据 → 已开展。",
        Status.PLANNED: "判定规则：没有“已开展”证据，只在计划/打算中出现 → 仅有计划。",
        Status.SHORTFALL: "判定规则：没有“已开展”或计划证据，只在不足/问题中出现 → 仅列为不足。",
        Status.ABSENT: "判定规则：没有任何句子满足匹配规则 → 未提及。",
    }[it.status]
    console.print(rule, style="dim")
    for n, e in enumerate(it.evidence, 1):
        t = Text(f"\n[{n}] ", style="bold")
        t.append(where_label(e.line, e.page, getattr(r, "unit", "line")), style="cyan")
        t.append(f"  {STATUS_MARK[e.status]} {STATUS_ZH[e.status]}", style=STATUS_STYLE[e.status])
        t.append(f"  分数 {e.score:g}\n")
        t.append("  规则：", style="dim")
        t.append(f"{e.phrase}\n")
        t.append("  命中：", style="dim")
        t.append(f"{e.matched}\n", style="bold")
        t.append("  章节：", style="dim")
        t.append(f"{e.section or '（无标题）'} [{role_label(e.role)}]\n")
        t.append("  原因：", style="dim")
        t.append(f"{reason_text(e.reason)}\n")
        t.append("  原文：", style="dim")
        t.append(e.text)
        console.print(t)
    if it.candidates:
        console.print("\n未采用的候选：", style="bold")
        for c in it.candidates:
            t = Text(f"  {where_label(c.line, None, getattr(r, 'unit', 'line'))} ", style="cyan")
            t.append(f"“{c.phrase}” 分数 {c.score:g} — {reason_text(c.why_rejected)}\n    ", style="yellow")
            t.append(c.text[:120], style="dim")
            console.print(t)
    if it.status is not Status.DONE:
        console.print(f"\n{BASIS_LEAD}{it.basis}\n{GUIDANCE_LEAD}{it.guidance}")
