"""Text from a report or a file name, made safe to show: it must never act on the terminal.

A report (or a file name, or a folder name) can hold terminal control sequences (ESC[2J
clears the screen, ESC[8m hides what follows), bytes that are not UTF-8 (a Chinese Windows
zip unpacked on Linux gives GBK file names, which Python keeps as lone surrogates), and
rich markup (`[/x]`, `[link=…]`). The read stage turns control characters into their
visible Unicode pictures one for one (so offsets and the map back to the file hold);
`display` does the same for names and any other text before it is shown or written.
Renderers never hand such text to rich as markup (Console(markup=False) or Text objects).
"""

from __future__ import annotations

import os

# C0 controls (but tab, line breaks, vertical tab and form feed, which are layout) → the
# Control Pictures block (ESC → ␛), DEL → ␡, C1 controls → U+FFFD.
_PICTURES = {cp: 0x2400 + cp for cp in range(0x20) if cp not in (0x09, 0x0A, 0x0B, 0x0C, 0x0D)}
_PICTURES[0x7F] = 0x2421
_PICTURES.update({cp: 0xFFFD for cp in range(0x80, 0xA0)})
# lone surrogates: what os.fsdecode makes of bytes that are not UTF-8
_SURROGATES = {cp: 0xFFFD for cp in range(0xD800, 0xE000)}
_SHOW = {**_PICTURES, **_SURROGATES}


def visible_controls(text: str) -> str:
    """Control characters as their pictures (␛ for ESC), one for one."""
    return text.translate(_PICTURES)


def display(text: str | None) -> str:
    """A text safe to show and to encode as UTF-8: controls as pictures, undecodable bytes as U+FFFD."""
    if not text:
        return text or ""
    return text.translate(_SHOW)


def display_path(path: str | os.PathLike) -> str:
    """A file name as the user should see it: a folder or file name that is not UTF-8 (GBK from
    a Chinese Windows zip) decoded as GB18030 when that is clean, else with U+FFFD; controls as
    pictures. The original str (with its surrogates) still opens the file."""
    raw = os.fsencode(path)
    parts = []
    for part in raw.split(b"/"):
        try:
            parts.append(part.decode("utf-8"))
        except UnicodeDecodeError:
            try:
                parts.append(part.decode("gb18030"))
            except UnicodeDecodeError:
                parts.append(part.decode("utf-8", "replace"))
    return display("/".join(parts))
