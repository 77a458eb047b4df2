"""The terminal view's shapes laid out as rich lays them out, in plain text, without rich.console.

The view written to a file or a pipe has no colour and a fixed width. Drawing it with rich costs
a cold `dutycheck audit` about 45 ms of imports (rich.console, rich.table and what they pull in)
and 40 ms of layout; these functions draw the three shapes the view uses the way rich does, byte
for byte: text wrapped as `rich.text.Text.wrap` wraps it, a panel (`rich.panel.Panel`, ROUNDED,
fitted to its content or as wide as the console) and a table (`rich.table.Table`, HEAVY_HEAD,
`expand=True`, columns of fixed width that do not wrap and ratio columns that fold). Cell widths
and the word breaks are rich's own (`rich.cells`, `rich._wrap`), so a wide character or a long
word counts as rich counts it. tests/test_terminal_view.py compares the two at many widths.

Not covered (the caller draws with rich instead): a table too narrow for its columns, which rich
shrinks by measuring their content.
"""

from __future__ import annotations

import re
from math import ceil
from typing import NamedTuple

from rich._wrap import divide_line
from rich.cells import cell_len, set_cell_size

# rich's Text drops these control characters (rich.control.STRIP_CONTROL_CODES)
_DROPPED = dict.fromkeys((7, 8, 11, 12, 13))
_TRAILING_SPACE = re.compile(r"\s+$")
_AFTER_TAB = re.compile("(?<=\t)")
TAB_SIZE = 8   # rich's Console.tab_size


def plain(text: str) -> str:
    """The characters rich keeps of `text`."""
    return text.translate(_DROPPED)


def _truncate(line: str, width: int, *, ellipsis: bool = False, pad: bool = False) -> str:
    """rich's `Text.truncate`: cut to `width` cells (with … when `ellipsis`), spaces to fill it when `pad`."""
    length = cell_len(line)
    if length > width:
        line = set_cell_size(line, width - 1) + "…" if ellipsis else set_cell_size(line, width)
    if pad and length < width:
        line += " " * (width - length)
    return line


def _rstrip_end(line: str, width: int) -> str:
    """rich's `Text.rstrip_end`: drop trailing whitespace past `width` (counted in characters, as rich does)."""
    excess = len(line) - width
    if excess > 0 and (space := _TRAILING_SPACE.search(line)):
        line = line[:len(line) - min(len(space.group()), excess)]
    return line


def _expand_tabs(line: str) -> str:
    """rich's `Text.expand_tabs`: each tab a space, then spaces to the next tab stop."""
    out, position = [], 0
    for part in _AFTER_TAB.split(line):
        if part.endswith("\t"):
            part = part[:-1] + " "
            position += cell_len(part)
            spaces = -position % TAB_SIZE
            part += " " * spaces
            position += spaces
        else:
            position += cell_len(part)
        out.append(part)
    return "".join(out)


def wrap(text: str, width: int, *, pad: bool = False, no_wrap: bool = False) -> list[str]:
    """The lines rich's `Text.wrap` makes of `text` in `width` cells: words folded (overflow
    "fold"); `pad`: justify "left" (each line filled with spaces); `no_wrap`: lines cut with …
    (a column's overflow "ellipsis")."""
    out = []
    for line in text.split("\n"):
        if "\t" in line:
            line = _expand_tabs(line)
        if no_wrap:
            pieces = [line]
        else:
            breaks = divide_line(line, width, fold=True)
            pieces = [_rstrip_end(line[a:b], width) for a, b in zip([0, *breaks], [*breaks, len(line)])]
        for piece in pieces:
            if pad:
                piece = _truncate(piece, width, ellipsis=no_wrap, pad=True)
            out.append(_truncate(piece, width, ellipsis=no_wrap))
    return out


def _filled(line: str, width: int) -> str:
    return line + " " * (width - cell_len(line))


def panel(texts: list[str], title: str, width: int, *, fit: bool) -> list[str]:
    """A rich Panel (ROUNDED, padding 0 1) holding `texts` one under another, as drawn in a console
    `width` cells wide: `fit` (expand=False) as wide as its longest line and its title need, the
    title centred; else the whole width, the title on the left."""
    title = f" {title} "
    if fit:
        longest = max((cell_len(line) for text in texts for line in text.splitlines()), default=0)
        inner = min(width - 2, max(longest + 2, cell_len(title) + 2))
    else:
        inner = width - 2
    content = inner - 2
    title = _truncate(title, inner - 2)
    excess = inner - 2 - cell_len(title)
    left = excess // 2 if fit else 0
    lines = [f"╭─{'─' * left}{title}{'─' * (excess - left)}─╮"]
    lines += [f"│ {_filled(line, content)} │" for text in texts for line in wrap(text, content)]
    lines.append(f"╰{'─' * inner}╯")
    return lines


class Column(NamedTuple):
    """A table column: `width` cells that never wrap (overflow "ellipsis"), or a `ratio` share of the rest."""

    header: str
    width: int | None = None
    ratio: int | None = None


def _distribute(total: int, ratios: list[int], minimums: list[int]) -> list[int]:
    """rich's `ratio_distribute`."""
    total_ratio = sum(ratios)
    parts = []
    for ratio, minimum in zip(ratios, minimums):
        part = max(minimum, ceil(ratio * total / total_ratio)) if total_ratio > 0 else total
        parts.append(part)
        total_ratio -= ratio
        total -= part
    return parts


def column_widths(columns: list[Column], width: int) -> list[int] | None:
    """The cells of each column (padding included) in a table `width` cells wide with its edge,
    as rich gives them to fixed columns and ratio columns of width 1; None when rich would have
    to shrink the columns by their content (a console too narrow)."""
    inner = width - len(columns) - 1
    fixed = sum(c.width + 2 for c in columns if c.width is not None)
    flexible = [c for c in columns if c.width is None]
    shares = iter(_distribute(inner - fixed, [c.ratio or 0 for c in flexible], [3] * len(flexible)))
    widths = [c.width + 2 if c.width is not None else next(shares) for c in columns]
    return widths if sum(widths) == inner else None


def table(title: str, columns: list[Column], rows: list[list[str]], widths: list[int]) -> list[str]:
    """A rich Table (HEAVY_HEAD box, padding 0 1, header shown, `expand=True`) with its title on
    the left, the columns `widths` cells wide (`column_widths`)."""
    lines = wrap(title, sum(widths) + len(widths) + 1, pad=True)
    lines.append(f"┏{'┳'.join('━' * w for w in widths)}┓")
    lines += _row([c.header for c in columns], columns, widths, "┃", header=True)
    lines.append(f"┡{'╇'.join('━' * w for w in widths)}┩")
    for row in rows:
        lines += _row(row, columns, widths, "│")
    lines.append(f"└{'┴'.join('─' * w for w in widths)}┘")
    return lines


def _row(cells: list[str], columns: list[Column], widths: list[int], rule: str, *, header: bool = False) -> list[str]:
    blocks = [[f" {line} " for line in wrap(text, w - 2, pad=True, no_wrap=c.width is not None)]
              for text, c, w in zip(cells, columns, widths)]
    height = max(len(block) for block in blocks)
    for block, w in zip(blocks, widths):
        at = 0 if header else len(block)       # a header sits on the bottom line, a cell on the top one
        block[at:at] = [" " * w] * (height - len(block))
    return [rule + rule.join(block[i] for block in blocks) + rule for i in range(height)]
