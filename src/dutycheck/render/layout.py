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


# ----------------------------------------------------------------------------- with colour
# On a terminal rich writes each segment of a line as `Style.render` does: "\x1b[<codes>m" + text + "\x1b[0m"
# when the segment's style has codes, else the text. A segment is a stretch of a `Text` line between two
# boundaries of its spans (two spans of the same style side by side are two segments), so these functions
# keep the spans as rich's Text keeps them through wrap (split, expand_tabs, divide, rstrip_end, truncate).

Span = tuple[int, int, str]   # start, end, style (a style as the view writes it: "bold red", "dim", ...)
Piece = tuple[str, list[Span]]

# rich.style's SGR attribute codes (in the order rich writes them) and rich.color's standard colours
_ATTRIBUTES = {"bold": (0, "1"), "dim": (1, "2"), "italic": (2, "3"), "underline": (3, "4")}
_COLOURS = {name: str(30 + n) for n, name in enumerate(("black", "red", "green", "yellow", "blue", "magenta", "cyan",
                                                         "white"))}
_COLOURS.update({f"bright_{name}": str(60 + int(code)) for name, code in list(_COLOURS.items())})


def sgr(styles: tuple[str, ...], *, colour: bool = True) -> str:
    """The codes rich writes for `styles` combined in order (attributes added up, the last colour wins);
    `colour=False`: as with NO_COLOR (attributes only). KeyError for a style word not listed here."""
    attributes: set[tuple[int, str]] = set()
    fg = None
    for style in styles:
        for word in style.split():
            if word in _ATTRIBUTES:
                attributes.add(_ATTRIBUTES[word])
            elif word != "none":
                fg = _COLOURS[word]
    codes = [code for _, code in sorted(attributes)]
    if colour and fg is not None:
        codes.append(fg)
    return ";".join(codes)


def _divide(text: str, spans: list[Span], offsets: list[int]) -> list[Piece]:
    """rich's `Text.divide`: the pieces between `offsets`, each with its spans clipped to it."""
    bounds = [0, *offsets, len(text)]
    pieces: list[Piece] = []
    for start, end in zip(bounds, bounds[1:]):
        clipped = [(max(0, a - start), min(b - start, end - start), s) for a, b, s in spans]
        pieces.append((text[start:end], [(a, b, s) for a, b, s in clipped if b > a]))
    return pieces


def _crop(text: str, spans: list[Span], length: int) -> Piece:
    """rich's `Text._trim_spans` after its text was cut to `length` characters."""
    return text[:length], [(a, b if b < length else min(length, b), s) for a, b, s in spans if a < length]


def _expand_tabs_styled(text: str, spans: list[Span], base: str) -> Piece:
    """rich's `Text.expand_tabs`: the line split after each tab, each tab a space plus spaces to the next
    stop (spans ending there grow with it), the parts joined again (each part's base style becomes a span)."""
    bounds = [i + 1 for i, c in enumerate(text) if c == "\t"]
    if bounds and bounds[-1] == len(text):
        bounds.pop()
    parts = _divide(text, spans, bounds)
    if text.endswith("\t"):
        parts.pop()
    out_text, out_spans, position = "", [], 0
    for part, part_spans in parts:
        if part.endswith("\t"):
            part = part[:-1] + " "
            position += cell_len(part)
            spaces = -position % TAB_SIZE
            if spaces:
                if part_spans:
                    end = len(part)
                    part_spans = [(a, b + spaces if b >= end else b, s) for a, b, s in part_spans]
                part += " " * spaces
                position += spaces
        else:
            position += cell_len(part)
        offset = len(out_text)
        if base:
            out_spans.append((offset, offset + len(part), base))
        out_spans += [(a + offset, b + offset, s) for a, b, s in part_spans]
        out_text += part
    return out_text, out_spans


def _truncate_styled(text: str, spans: list[Span], width: int, *, ellipsis: bool, pad: bool) -> Piece:
    length = cell_len(text)
    if length > width:
        cut = set_cell_size(text, width - 1) + "…" if ellipsis else set_cell_size(text, width)
        if cut != text:
            text, spans = _crop(cut, spans, len(cut)) if len(cut) < len(text) else (cut, spans)
    if pad and length < width:
        text += " " * (width - length)
    return text, spans


def wrap_styled(text: str, spans: list[Span], base: str, width: int, *, pad: bool = False,
                no_wrap: bool = False) -> list[Piece]:
    """`wrap` keeping the spans: the lines of a rich Text (base style `base`, `spans`) as `Text.wrap` makes them."""
    breaks = [i for i, c in enumerate(text) if c == "\n"]
    lines = [p for p in _divide(text, spans, [o for i in breaks for o in (i, i + 1)]) if p[0] != "\n"] \
        if breaks else [(text, spans)]
    out = []
    for line, line_spans in lines:
        if "\t" in line:
            line, line_spans = _expand_tabs_styled(line, line_spans, base)
        if no_wrap:
            pieces = [(line, line_spans)]
        else:
            pieces = []
            for piece, piece_spans in _divide(line, line_spans, divide_line(line, width, fold=True)):
                excess = len(piece) - width
                if excess > 0 and (space := _TRAILING_SPACE.search(piece)):
                    piece, piece_spans = _crop(piece, piece_spans, len(piece) - min(len(space.group()), excess))
                pieces.append((piece, piece_spans))
        for piece, piece_spans in pieces:
            if pad:
                piece, piece_spans = _truncate_styled(piece, piece_spans, width, ellipsis=no_wrap, pad=True)
            out.append(_truncate_styled(piece, piece_spans, width, ellipsis=no_wrap, pad=False))
    return out


Paint = dict[tuple[str, ...], str]


def paint(text: str, spans: list[Span], base: str, codes: Paint | None, *, colour: bool = True,
          around: str = "") -> str:
    """A line of a rich Text as rich's Console writes it: a segment between every two span boundaries, each
    with its codes (the base style first, then the spans in order, `around` before all: a cell's style);
    `codes` None: no colour system (no codes at all). `codes` caches the codes of each combination."""
    if codes is None:
        return text
    all_spans = ([(0, len(text), base)] if base else []) + spans
    cuts = sorted({0, len(text), *(a for a, _, _ in all_spans), *(b for _, b, _ in all_spans)})
    out = []
    for start, end in zip(cuts, cuts[1:]):
        if end > len(text) or start >= end:
            continue
        key = ((around,) if around else ()) + tuple(s for a, b, s in all_spans if a <= start and b >= end)
        code = codes.get(key)
        if code is None:
            code = codes[key] = sgr(key, colour=colour)
        out.append(f"\x1b[{code}m{text[start:end]}\x1b[0m" if code else text[start:end])
    return "".join(out)


class Rich(NamedTuple):
    """A rich Text: its characters (control codes already dropped), its spans, its base style."""

    text: str
    spans: list[Span]
    style: str = ""


def panel_styled(texts: list[Rich], title: str, width: int, *, fit: bool, codes: Paint | None,
                 colour: bool) -> list[str]:
    """`panel` with the texts' styles (the borders, the title and the padding have none)."""
    plain_lines = panel([t.text for t in texts], title, width, fit=fit)
    inner = cell_len(plain_lines[0]) - 2
    content = inner - 2
    lines = [plain_lines[0]]
    for t in texts:
        for text, spans in wrap_styled(t.text, t.spans, t.style, content):
            lines.append(f"│ {paint(text, spans, t.style, codes, colour=colour)}{' ' * (content - cell_len(text))} │")
    lines.append(plain_lines[-1])
    return lines


def table_styled(title: Rich, columns: list[Column], rows: list[list[Rich]], widths: list[int],
                 codes: Paint | None, colour: bool, header_style: str = "bold") -> list[str]:
    """`table` with the title's and the cells' styles; the header row in `header_style` (rich's
    "table.header"), its padding and blank lines too."""
    lines = [paint(text, spans, title.style, codes, colour=colour)
             for text, spans in wrap_styled(title.text, title.spans, title.style, sum(widths) + len(widths) + 1,
                                            pad=True)]
    lines.append(f"┏{'┳'.join('━' * w for w in widths)}┓")
    lines += _row_styled([Rich(c.header, []) for c in columns], columns, widths, "┃", codes, colour, header_style)
    lines.append(f"┡{'╇'.join('━' * w for w in widths)}┩")
    for row in rows:
        lines += _row_styled(row, columns, widths, "│", codes, colour, "")
    lines.append(f"└{'┴'.join('─' * w for w in widths)}┘")
    return lines


def _row_styled(cells: list[Rich], columns: list[Column], widths: list[int], rule: str, codes: Paint | None,
                colour: bool, style: str) -> list[str]:
    def edge(text: str) -> str:
        return paint(text, [], "", codes, colour=colour, around=style) if style else text

    blocks = [[f"{edge(' ')}{paint(text, spans, cell.style, codes, colour=colour, around=style)}{edge(' ')}"
               for text, spans in wrap_styled(cell.text, cell.spans, cell.style, w - 2, pad=True,
                                              no_wrap=c.width is not None)]
              for cell, c, w in zip(cells, columns, widths)]
    height = max(len(block) for block in blocks)
    for block, w in zip(blocks, widths):
        at = 0 if style else len(block)       # a header sits on the bottom line, a cell on the top one
        block[at:at] = [edge(" " * w)] * (height - len(block))
    return [rule + rule.join(block[i] for block in blocks) + rule for i in range(height)]
