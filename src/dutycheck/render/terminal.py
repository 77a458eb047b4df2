"""The rich terminal view: header with score, a table per group, the gap list."""

from __future__ import annotations

from rich.console import Console
from rich.console import Group as RichGroup
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ..messages import (
    REVIEW_MARK,
    ROLE_ZH,
    STALE_MARK,
    STATUS_MARK,
    STATUS_STYLE,
    STATUS_ZH,
    replaced_warning,
    score_style,
    shorten,
)
from ..models import STATUS_ORDER, AuditResult, Status


def _header(r: AuditResult) -> Panel:
    meta = r.report
    title = Text()
    title.append(f"{meta.agency or '（未识别单位）'}  ", style="bold")
    title.append(f"{meta.year or '—'} 年度", style="bold")
    title.append("    得分 ")
    title.append(f"{r.score:.1f}", style=f"bold {score_style(r.score)}")
    title.append(" / 100")
    counts = {s: sum(1 for i in r.items if i.status is s) for s in Status}
    shown = [s for s in Status if s in STATUS_ORDER or counts[s]]
    sub = Text(
        f"{meta.title or ''}\n文件：{r.path}    清单：{r.checklist_id} {r.checklist_version}    "
        f"日期：{meta.date or '—'}\n"
        + "    ".join(f"{STATUS_MARK[s]} {STATUS_ZH[s]} {counts[s]}" for s in shown),
        style="dim")
    parts = [title, sub]
    if r.replaced_chars:
        parts.append(Text(replaced_warning(r.replaced_chars), style="yellow"))
    return Panel(RichGroup(*parts), title="dutycheck 审查结果", expand=False)


def _group_table(r: AuditResult, group_id: str, title: str, score: float) -> Table:
    table = Table(title=f"{title}  {score:.0f}", title_justify="left", show_lines=False,
                  expand=True, title_style=f"bold {score_style(score)}")
    table.add_column("状态", no_wrap=True, width=12)
    table.add_column("职责", ratio=2)
    table.add_column("证据（行号）", ratio=5)
    for it in r.items:
        if it.group != group_id:
            continue
        status = Text(f"{STATUS_MARK[it.status]} {STATUS_ZH[it.status]}", style=STATUS_STYLE[it.status])
        if it.review is not None:
            status.append(f"\n{STALE_MARK if it.review.get('stale') else REVIEW_MARK}", style="magenta")
            if it.machine_status is not None and it.machine_status is not it.status:
                status.append(f"\n机器：{STATUS_ZH[it.machine_status]}", style="dim")
        if it.evidence:
            e = it.evidence[0]
            where = f"第{e.page}页 " if e.page else ""
            ev = Text(f"L{e.line} ", style="cyan")
            ev.append(f"{where}[{ROLE_ZH[e.role]}] ", style="dim")
            ev.append(shorten(e.text, e.matched))
        else:
            ev = Text("—", style="dim")
        if it.review is not None:
            if it.review.get("evidence"):
                ev.append(f"\n复核引文：{shorten(it.review['evidence'])}")
            if it.review.get("note"):
                ev.append(f"\n复核说明：{it.review['note']}（{it.review.get('by', '')}）", style="magenta")
        table.add_row(status, Text(it.title), ev)
    return table


def _gaps(r: AuditResult) -> Panel | None:
    gaps = [i for i in r.items if i.status not in (Status.DONE, Status.NA)]
    if not gaps:
        return None
    table = Table(show_header=True, expand=True, box=None)
    table.add_column("缺项", ratio=2)
    table.add_column("依据", ratio=2)
    table.add_column("应补写", ratio=3)
    for it in sorted(gaps, key=lambda i: -i.weight):
        label = Text(f"{STATUS_MARK[it.status]} {it.title}", style=STATUS_STYLE[it.status])
        label.append(f"\n{it.id} · 权重 {it.weight:g}", style="dim")
        table.add_row(label, Text(it.basis), Text(it.guidance))
    return Panel(table, title=f"缺项 {len(gaps)} 项（按权重排序）", title_align="left")


def render_terminal(r: AuditResult, console: Console | None = None) -> None:
    """Print the audit to the terminal (colour when it is a TTY)."""
    console = console or Console(markup=False)   # report text is never markup
    console.print(_header(r))
    for g in r.groups:
        console.print(_group_table(r, g.id, g.title, g.score))
    gaps = _gaps(r)
    if gaps is not None:
        console.print(gaps)
