"""The rich terminal view: header with score, a table per group, the gap list."""

from __future__ import annotations

from rich.console import Console
from rich.console import Group as RichGroup
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ..messages import (
    BASIS_LEAD,
    GUIDANCE_LEAD,
    MACHINE_LEAD,
    REVIEW_MARK,
    REVIEW_NOTE_LEAD,
    REVIEW_QUOTE_LEAD,
    STALE_MARK,
    STATUS_MARK,
    STATUS_STYLE,
    STATUS_ZH,
    UNKNOWN_AGENCY,
    Col,
    replaced_warning,
    role_label,
    score_style,
    shorten,
    shorten_cells,
    where_label,
)
from ..models import STATUS_ORDER, AuditResult, Status


def _header(r: AuditResult) -> Panel:
    meta = r.report
    title = Text()
    title.append(f"{meta.agency or UNKNOWN_AGENCY}  ", style="bold")
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


STATUS_CELLS = 12
SECTION_CHARS = 10       # the heading beside a quote's line, cut on a terminal
QUOTE_LINES = 2          # a quote fills at most two lines of its column on a terminal
FLEX_MIN_WIDTH = 32      # from this console width on, the group tables' ratio columns are not measured


def evidence_cells(width: int) -> int:
    """Cells of the evidence column in a group table `width` cells wide (3 columns, borders and
    padding 10 cells; the duty title gets 2 parts of the rest, the evidence 5)."""
    return max(20, (width - STATUS_CELLS - 10) * 5 // 7)


def _where(e, unit: str) -> str:
    return where_label(e.line, e.page, unit)


def _group_table(r: AuditResult, group_id: str, title: str, score: float, *, width: int = 80,
                 full: bool = False) -> Table:
    table = Table(title=f"{title}  {score:.0f}", title_justify="left", show_lines=False,
                  expand=True, title_style=f"bold {score_style(score)}")
    # a ratio column gets its share of the width whatever its cells hold; given width=1 (the
    # minimum rich assumes anyway) rich does not measure every cell first. Only on a very narrow
    # console (under ~24 cells) would it shrink columns by their content: there it measures.
    flex = 1 if width >= FLEX_MIN_WIDTH else None
    table.add_column(Col.STATUS, no_wrap=True, width=STATUS_CELLS)
    table.add_column(Col.DUTY, ratio=2, overflow="fold", width=flex)
    table.add_column("证据（位置）", ratio=5, overflow="fold", width=flex)
    cells = evidence_cells(width) * QUOTE_LINES
    unit = getattr(r, "unit", "line") or "line"
    for it in r.items:
        if it.group != group_id:
            continue
        status = Text(f"{STATUS_MARK[it.status]} {STATUS_ZH[it.status]}", style=STATUS_STYLE[it.status])
        if it.review is not None:
            status.append(f"\n{STALE_MARK if it.review.get('stale') else REVIEW_MARK}", style="magenta")
            if it.machine_status is not None and it.machine_status is not it.status:
                status.append(f"\n{MACHINE_LEAD}{STATUS_ZH[it.machine_status]}", style="dim")
        ev = Text()
        if it.evidence:
            e = it.evidence[0]
            ev.append(f"{_where(e, unit)} ", style="cyan")
            section = e.section if full or len(e.section) <= SECTION_CHARS else e.section[:SECTION_CHARS - 1] + "…"
            ev.append(f"[{role_label(e.role)}{' · ' + section if section else ''}]\n", style="dim")
            quote = " ".join(e.text.split())
            ev.append(quote if full else shorten_cells(quote, e.matched, cells))
        else:
            ev.append("—", style="dim")
        if it.review is not None:
            if it.review.get("evidence"):
                ev.append(f"\n{REVIEW_QUOTE_LEAD}{shorten(it.review['evidence'])}")
            if it.review.get("note"):
                ev.append(f"\n{REVIEW_NOTE_LEAD}{it.review['note']}（{it.review.get('by', '')}）", style="magenta")
        table.add_row(status, Text(it.title), ev)
    return table


def _gaps(r: AuditResult) -> Panel | None:
    """The gaps stacked, one block each (title, id and weight; 依据; 应补写): readable at any width."""
    gaps = [i for i in r.items if i.status not in (Status.DONE, Status.NA)]
    if not gaps:
        return None
    blocks = []
    for it in sorted(gaps, key=lambda i: -i.weight):
        t = Text(f"{STATUS_MARK[it.status]} {it.title}", style=f"bold {STATUS_STYLE[it.status]}")
        t.append(f"  {STATUS_ZH[it.status]} · {it.id} · {Col.WEIGHT} {it.weight:g}", style="dim")
        if it.basis:
            t.append(f"\n  {BASIS_LEAD}", style="dim")
            t.append(it.basis)
        if it.guidance:
            t.append(f"\n  {GUIDANCE_LEAD}", style="dim")
            t.append(it.guidance)
        blocks.append(t)
    return Panel(RichGroup(*blocks), title=f"缺项 {len(gaps)} 项（按权重排序）", title_align="left")


WIDE = 160   # cells of the view written to a file or a pipe: no window, no cut titles
WIDE_HEIGHT = 25


def _console() -> Console:
    """A terminal console, or a wide one without colour when the output is redirected."""
    c = Console(markup=False)   # report text is never markup
    if c.is_terminal:
        return c
    # a height too (no renderable here reads it): else rich asks the OS for the terminal's size
    # each time it lays something out
    return Console(markup=False, width=WIDE, height=WIDE_HEIGHT, color_system=None)


def render_terminal(r: AuditResult, console: Console | None = None) -> None:
    """Print the audit to the terminal (colour when it is a TTY)."""
    console = console or _console()
    full = not console.is_terminal     # a file or a pipe gets every quote whole
    parts: list = [_header(r)]
    parts += [_group_table(r, g.id, g.title, g.score, width=console.width, full=full) for g in r.groups]
    gaps = _gaps(r)
    if gaps is not None:
        parts.append(gaps)
    console.print(*parts)    # one print: the same lines as a print each, without rich's per-call setup
