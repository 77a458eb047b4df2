"""The terminal view: header with score, a table per group, the gap list.

The view is built once, as text with styles (`Styled`). On a terminal it has colour, the window's
width and quotes cut to two lines: `terminal_ansi` writes what rich's Console would write there,
segment by segment. Written to a file or a pipe it has no colour and is `WIDE` cells wide with
every quote whole: `terminal_text`. Both are laid out by `render.layout`, which draws rich's very
lines without importing rich.console (a cold `dutycheck audit` saves about 85 ms). Where that
cannot be exact (a console under 32 cells, FORCE_COLOR, Jupyter, Windows, a non-UTF-8 stream)
rich draws, as it always did.
"""

from __future__ import annotations

import builtins
import os
import sys
from typing import TYPE_CHECKING, NamedTuple, TextIO

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
from .layout import Column, Paint, Rich, column_widths, panel, panel_styled, plain, table, table_styled

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text


class Styled:
    """Text and the styles of its parts, as a rich `Text` is built (`Text(text, style=…)`, then
    `append(text, style)`), without importing rich."""

    __slots__ = ("style", "parts")

    def __init__(self, text: str = "", style: str = "") -> None:
        self.style = style
        self.parts: list[tuple[str, str | None]] = [(text, None)] if text else []

    def append(self, text: str, style: str | None = None) -> None:
        self.parts.append((text, style))

    @property
    def plain(self) -> str:
        return "".join(text for text, _ in self.parts)

    def spans(self) -> Rich:
        """What rich's `Text` holds: the characters it keeps, a span per styled part, the base style."""
        text, spans = "", []
        for part, style in self.parts:
            part = plain(part)
            if style:
                spans.append((len(text), len(text) + len(part), style))
            text += part
        return Rich(text, spans, self.style)

    def rich(self) -> Text:
        from rich.text import Text

        out = Text(style=self.style)
        for text, style in self.parts:
            out.append(text, style)
        return out


HEADER_TITLE = "dutycheck 审查结果"


def _header(r: AuditResult) -> list[Styled]:
    meta = r.report
    title = Styled()
    title.append(f"{meta.agency or UNKNOWN_AGENCY}  ", style="bold")
    title.append(f"{meta.year or '—'} 年度", style="bold")
    title.append("    得分 ")
    title.append(f"{r.score:.1f}", style=f"bold {score_style(r.score)}")
    title.append(" / 100")
    counts = {s: sum(1 for i in r.items if i.status is s) for s in Status}
    shown = [s for s in Status if s in STATUS_ORDER or counts[s]]
    sub = Styled(
        f"{meta.title or ''}\n文件：{r.path}    清单：{r.checklist_id} {r.checklist_version}    "
        f"日期：{meta.date or '—'}\n"
        + "    ".join(f"{STATUS_MARK[s]} {STATUS_ZH[s]} {counts[s]}" for s in shown),
        style="dim")
    parts = [title, sub]
    if r.replaced_chars:
        parts.append(Styled(replaced_warning(r.replaced_chars), style="yellow"))
    return parts


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


# the group tables' columns: a fixed one for the status, the rest shared 2 : 5
COLUMNS = (Column(Col.STATUS, width=STATUS_CELLS), Column(Col.DUTY, ratio=2), Column("证据（位置）", ratio=5))


class GroupTable(NamedTuple):
    title: str
    style: str
    rows: list[tuple[Styled, Styled, Styled]]


def _group_table(r: AuditResult, group_id: str, title: str, score: float, *, width: int = 80,
                 full: bool = False) -> GroupTable:
    cells = evidence_cells(width) * QUOTE_LINES
    unit = getattr(r, "unit", "line") or "line"
    rows = []
    for it in r.items:
        if it.group != group_id:
            continue
        status = Styled(f"{STATUS_MARK[it.status]} {STATUS_ZH[it.status]}", style=STATUS_STYLE[it.status])
        if it.review is not None:
            status.append(f"\n{STALE_MARK if it.review.get('stale') else REVIEW_MARK}", style="magenta")
            if it.machine_status is not None and it.machine_status is not it.status:
                status.append(f"\n{MACHINE_LEAD}{STATUS_ZH[it.machine_status]}", style="dim")
        ev = Styled()
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
        rows.append((status, Styled(it.title), ev))
    return GroupTable(f"{title}  {score:.0f}", f"bold {score_style(score)}", rows)


def _gaps(r: AuditResult) -> list[Styled]:
    """The gaps stacked, one block each (title, id and weight; 依据; 应补写): readable at any width."""
    blocks = []
    for it in sorted((i for i in r.items if i.status not in (Status.DONE, Status.NA)), key=lambda i: -i.weight):
        t = Styled(f"{STATUS_MARK[it.status]} {it.title}", style=f"bold {STATUS_STYLE[it.status]}")
        t.append(f"  {STATUS_ZH[it.status]} · {it.id} · {Col.WEIGHT} {it.weight:g}", style="dim")
        if it.basis:
            t.append(f"\n  {BASIS_LEAD}", style="dim")
            t.append(it.basis)
        if it.guidance:
            t.append(f"\n  {GUIDANCE_LEAD}", style="dim")
            t.append(it.guidance)
        blocks.append(t)
    return blocks


def gaps_title(n: int) -> str:
    return f"缺项 {n} 项（按权重排序）"


class View(NamedTuple):
    """What the terminal shows, in order: the header panel, a table per group, the gaps panel."""

    header: list[Styled]
    tables: list[GroupTable]
    gaps: list[Styled]


def view(r: AuditResult, width: int, *, full: bool) -> View:
    """The view of `r` for a console `width` cells wide; `full`: every quote whole."""
    return View(_header(r), [_group_table(r, g.id, g.title, g.score, width=width, full=full) for g in r.groups],
                _gaps(r))


def _rich_parts(v: View, width: int) -> list:
    from rich.console import Group
    from rich.panel import Panel
    from rich.table import Table

    parts: list = [Panel(Group(*(t.rich() for t in v.header)), title=HEADER_TITLE, expand=False)]
    # a ratio column gets its share of the width whatever its cells hold; given width=1 (the
    # minimum rich assumes anyway) rich does not measure every cell first. Only on a very narrow
    # console (under ~24 cells) would it shrink columns by their content: there it measures.
    flex = 1 if width >= FLEX_MIN_WIDTH else None
    for group in v.tables:
        table = Table(title=group.title, title_justify="left", show_lines=False, expand=True,
                      title_style=group.style)
        for c in COLUMNS:
            if c.width is not None:
                table.add_column(c.header, no_wrap=True, width=c.width)
            else:
                table.add_column(c.header, ratio=c.ratio, overflow="fold", width=flex)
        for row in group.rows:
            table.add_row(*(cell.rich() for cell in row))
        parts.append(table)
    if v.gaps:
        parts.append(Panel(Group(*(t.rich() for t in v.gaps)), title=gaps_title(len(v.gaps)), title_align="left"))
    return parts


def _plain_lines(v: View, width: int) -> list[str] | None:
    """The view as rich draws it without colour in a console `width` cells wide, laid out by
    `render.layout`; None on a console too narrow for that (rich measures the columns there)."""
    widths = column_widths(list(COLUMNS), width)
    if widths is None:
        return None
    lines = panel([plain(t.plain) for t in v.header], HEADER_TITLE, width, fit=True)
    for group in v.tables:
        lines += table(plain(group.title), list(COLUMNS), [[plain(c.plain) for c in row] for row in group.rows],
                       widths)
    if v.gaps:
        lines += panel([plain(t.plain) for t in v.gaps], gaps_title(len(v.gaps)), width, fit=False)
    return lines


def _ansi_lines(v: View, width: int, *, colour: bool | None) -> list[str] | None:
    """The view as rich writes it on a terminal `width` cells wide: each segment in its style's codes
    (`colour` False: NO_COLOR, attributes only; None: no colour system, no codes); None where
    `_plain_lines` gives up."""
    widths = column_widths(list(COLUMNS), width) if width >= FLEX_MIN_WIDTH else None   # under it rich measures
    if widths is None:
        return None
    codes: Paint | None = None if colour is None else {}
    on = bool(colour)
    lines = panel_styled([t.spans() for t in v.header], HEADER_TITLE, width, fit=True, codes=codes, colour=on)
    for group in v.tables:
        lines += table_styled(Rich(plain(group.title), [], group.style), list(COLUMNS),
                              [[c.spans() for c in row] for row in group.rows], widths, codes, on)
    if v.gaps:
        lines += panel_styled([t.spans() for t in v.gaps], gaps_title(len(v.gaps)), width, fit=False, codes=codes,
                              colour=on)
    return lines


def terminal_ansi(r: AuditResult, width: int, *, colour: bool | None) -> str | None:
    """The view of `r` as rich writes it on a terminal `width` cells wide (quotes cut to two lines):
    `colour` True: codes of any colour system (the view's colours are standard ones, the same in 16, 256
    and true colour), False: NO_COLOR, None: a dumb terminal. None where rich must draw."""
    lines = _ansi_lines(view(r, width, full=False), width, colour=colour)
    return None if lines is None else "".join(f"{line}\n" for line in lines)


WIDE = 160   # cells of the view written to a file or a pipe: no window, no cut titles
WIDE_HEIGHT = 25


def terminal_text(r: AuditResult, width: int = WIDE) -> str:
    """The view without colour, every quote whole, `width` cells wide: what a file or a pipe gets."""
    lines = _plain_lines(view(r, width, full=True), width)
    if lines is not None:
        return "".join(f"{line}\n" for line in lines)
    import io

    from rich.console import Console

    buf = io.StringIO()
    render_terminal(r, Console(file=buf, markup=False, emoji=False, width=width, height=WIDE_HEIGHT,
                               color_system=None, force_terminal=False, legacy_windows=False))
    return buf.getvalue()


def _redirected() -> TextIO | None:
    """sys.stdout when rich would find it no terminal and draw boxes in Unicode (not a TTY, no
    FORCE_COLOR or TTY_COMPATIBLE, not Jupyter, UTF-8, not Windows: rich.console.Console's
    `is_terminal`, `encoding` and `legacy_windows`); else None, and rich decides."""
    out = sys.stdout
    if (out is None or sys.platform == "win32" or hasattr(out, "rich_proxied_file")
            or "FORCE_COLOR" in os.environ or "TTY_COMPATIBLE" in os.environ or hasattr(builtins, "get_ipython")
            or getattr(sys.stdin, "__module__", "").startswith("idlelib")
            or not (getattr(out, "encoding", "utf-8") or "utf-8").lower().startswith("utf")):
        return None
    try:
        return None if out.isatty() else out
    except (AttributeError, ValueError):
        return None


def _terminal() -> tuple[TextIO, int, bool | None] | None:
    """sys.stdout, its width and colour (`terminal_ansi`) when it is a terminal on which rich's Console
    would find what it finds here: a TTY (no FORCE_COLOR, TTY_COMPATIBLE; not Jupyter, IDLE, Windows), UTF-8,
    its width from COLUMNS or the first of stdin/stdout/stderr that knows one (80 on a dumb terminal),
    TERM dumb or unknown: no colour; NO_COLOR: no colour but bold and dim. Else None, and rich draws."""
    out = sys.stdout
    env = os.environ
    if (out is None or sys.platform == "win32" or hasattr(out, "rich_proxied_file")
            or "FORCE_COLOR" in env or "TTY_COMPATIBLE" in env or hasattr(builtins, "get_ipython")
            or getattr(sys.stdin, "__module__", "").startswith("idlelib")
            or not (getattr(out, "encoding", "utf-8") or "utf-8").lower().startswith("utf")):
        return None
    try:
        if not out.isatty():
            return None
    except (AttributeError, ValueError):
        return None
    dumb = env.get("TERM", "").lower() in ("dumb", "unknown")
    columns = env.get("COLUMNS")
    if columns is not None and columns.isdigit():
        if not columns.isascii():
            return None
        width = int(columns)
    elif dumb:
        width = 80
    else:
        width = 0
        for fd in (0, 1, 2):
            try:
                width = os.get_terminal_size(fd).columns
            except (AttributeError, ValueError, OSError):
                continue
            break
        width = width or 80
    return out, width, None if dumb else env.get("NO_COLOR", "") == ""


def _console() -> Console:
    """A terminal console, or a wide one without colour when the output is redirected."""
    from rich.console import Console

    c = Console(markup=False, emoji=False)   # report text is never markup, nor emoji codes
    if c.is_terminal:
        return c
    # a height too (no renderable here reads it): else rich asks the OS for the terminal's size
    # each time it lays something out
    return Console(markup=False, emoji=False, width=WIDE, height=WIDE_HEIGHT, color_system=None)


def render_terminal(r: AuditResult, console: Console | None = None) -> None:
    """Print the audit to the terminal (colour when it is a TTY: `terminal_ansi`), or `WIDE` cells
    without colour to a file or a pipe (`terminal_text`); rich draws where those are not exact."""
    if console is None and (out := _redirected()) is not None:
        out.write(terminal_text(r))
        out.flush()
        return
    if console is None and (tty := _terminal()) is not None:
        out, width, colour = tty
        if (text := terminal_ansi(r, width, colour=colour)) is not None:
            out.write(text)
            out.flush()
            return
    console = console or _console()
    full = not console.is_terminal     # a file or a pipe gets every quote whole
    console.print(*_rich_parts(view(r, console.width, full=full), console.width))   # one print: rich's setup once
