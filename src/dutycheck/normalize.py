"""Normalise extracted text for matching, keeping a map back to the user's file.

The normalised text is the original with characters translated one for one
(full-width → half-width, traditional → simplified) and some characters deleted
(conversion artifacts, spaces around CJK, line breaks inside a sentence). Nothing
is ever inserted, so every normalised character maps to one original character:
evidence can quote the report as written and cite its line.
"""

from __future__ import annotations

import os
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources

from .models import Location, SourceText

# Full-width ASCII variants and the ideographic space fold to ASCII: "２０２３年" == "2023年".
_WIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_WIDTH[0x3000] = 0x20


# Look-alike ideographs that render as the ordinary character but compare unequal: Kangxi
# radicals (⽂ U+2F42 for 文), CJK radicals, compatibility ideographs (律 U+F9D8 for 律). PDF
# extraction produces them and a report can plant them inside a key phrase; NFKC maps each to
# one ordinary ideograph, so folding them keeps the translation 1:1.
_LOOKALIKE_RANGES = ((0x2E80, 0x2EFF), (0x2F00, 0x2FDF), (0xF900, 0xFAFF), (0x2F800, 0x2FA1F))


def _lookalikes() -> dict[int, int]:
    out = {}
    for lo, hi in _LOOKALIKE_RANGES:
        for cp in range(lo, hi + 1):
            folded = unicodedata.normalize("NFKC", chr(cp))
            if len(folded) == 1 and folded != chr(cp):
                out[cp] = ord(folded)
    return out


@lru_cache(maxsize=1)
def translation_table() -> dict[int, int]:
    """Width folding, look-alike ideographs, then OpenCC's character-level traditional→simplified.

    Character-level only, so the translation is length-preserving; phrase-level
    conversions (乾隆 …) do not matter for the duty phrases we match.

    Built once per user and kept in the cache directory (a tenth of a cold `dutycheck audit`
    went into building it), keyed on the bytes of OpenCC's table and of this module and on
    the Unicode version; a cache that cannot be read or written only means building it again.
    """
    data = _opencc_table()
    cache = None
    if not os.environ.get("DUTYCHECK_NO_CACHE"):
        import hashlib
        import marshal

        with open(__file__, "rb") as fh:
            key = hashlib.sha1(data + fh.read() + unicodedata.unidata_version.encode()).hexdigest()
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        cache = os.path.join(base, "dutycheck", f"translation-{key}.marshal")
        try:
            with open(cache, "rb") as fh:
                table = marshal.loads(fh.read())
            if isinstance(table, dict):
                return table
        except (OSError, ValueError, EOFError, TypeError):
            pass
    table = _build_translation_table(data.decode("utf-8"))
    if cache is not None:
        try:
            os.makedirs(os.path.dirname(cache), exist_ok=True)
            tmp = f"{cache}.{os.getpid()}.tmp"
            with open(tmp, "wb") as fh:
                marshal.dump(table, fh)
            os.replace(tmp, cache)
        except (OSError, ValueError):
            pass
    return table


# the full-width forms a Chinese report is full of (a comma every 30 characters): replaced by
# str.replace before the one search for the rest of what the table changes
_FREQUENT = "，；：（）！？　"
_FAST_AFTER = 20            # texts translated with str.translate before the scan pays for its pattern
_texts_translated = [0]     # how many texts this process has translated


def _class_of(codes: list[int]) -> str:
    """A regex character class of exactly `codes`, consecutive ones as ranges."""
    out, codes = [], sorted(codes)
    i = 0
    while i < len(codes):
        j = i
        while j + 1 < len(codes) and codes[j + 1] == codes[j] + 1:
            j += 1
        first, last = re.escape(chr(codes[i])), re.escape(chr(codes[j]))
        out.append(first if i == j else f"{first}-{last}")
        i = j + 1
    return "[" + "".join(out) + "]"


@lru_cache(maxsize=1)
def _scan() -> tuple[tuple[tuple[str, str], ...], re.Pattern[str], Callable[[re.Match[str]], str],
                     re.Pattern[str], dict[str, str]]:
    """What `translate` uses once a process has translated `_FAST_AFTER` texts: the frequent
    characters and what each becomes (a character the table leaves alone, so replacing them
    first translates nothing twice), a pattern for any other character the table changes (and
    for any character beyond the BMP), what that character becomes, the same pattern with the
    characters an artifact can begin with (`_ARTIFACT_START`), and the table as characters.

    `str.translate` looks every character up in the table: ~0.3 ms of a 3,200-character report,
    where a scan for the few characters to change takes a tenth of that. Compiling the pattern
    (4,500 code points) takes ~8 ms, so one `dutycheck audit` never builds it."""
    table = translation_table()
    frequent = tuple((ch, chr(table[ord(ch)])) for ch in _FREQUENT
                     if ord(ch) in table and table[ord(ch)] not in table)
    done = {ord(ch) for ch, _ in frequent}
    to = {chr(cp): chr(v) for cp, v in table.items()}
    # every character beyond the BMP stands for itself in the class: the table's 1,000 of them
    # one by one would each be tested after the BMP's bitmap, for every character scanned
    bmp = _class_of([cp for cp in table if cp not in done and cp <= 0xFFFF])
    pattern = re.compile(bmp[:-1] + "\U00010000-\U0010ffff]")
    marks = re.compile(bmp[:-1] + "\\[*_" + _INVISIBLE_BMP + "\U00010000-\U0010ffff]")
    return frequent, pattern, lambda m: to.get(m.group(), m.group()), marks, to


def translate(text: str) -> str:
    """`text.translate(translation_table())`: width folding, look-alikes, traditional → simplified."""
    return _translate_marked(text)[0]


def _translate_marked(text: str) -> tuple[str, list[int] | None]:
    """`translate(text)`, and where in it a conversion artifact may begin (None: anywhere).

    One scan finds both the characters to translate and those an artifact begins with: the
    translation is one for one, and a character that becomes one (＊ → *) is one to translate."""
    _texts_translated[0] += 1
    if _texts_translated[0] <= _FAST_AFTER:
        return text.translate(translation_table()), None
    frequent, rest, one, marks, to = _scan()
    for ch, to_ch in frequent:
        if ch in text:
            text = text.replace(ch, to_ch)
    at = [m.start() for m in marks.finditer(text)]
    if any(text[p] in to for p in at):
        text = rest.sub(one, text)
    return text, at


def _opencc_table() -> bytes:
    """OpenCC's TSCharacters.txt, found without importing opencc (its import costs more than
    the cached table)."""
    from importlib.util import find_spec

    spec = find_spec("opencc")
    if spec is not None and spec.submodule_search_locations:
        for folder in spec.submodule_search_locations:
            try:
                with open(os.path.join(folder, "dictionary", "TSCharacters.txt"), "rb") as fh:
                    return fh.read()
            except OSError:
                continue
    return resources.files("opencc").joinpath("dictionary/TSCharacters.txt").read_bytes()


def _build_translation_table(text: str) -> dict[int, int]:
    table = dict(_WIDTH)
    # one traditional char → its first simplified candidate when that is one char; chars that
    # are valid simplified too (覆, 瞭) list themselves first and so stay unchanged
    simple: dict[int, int] = {}
    for trad, simp in re.findall(r"^(.)\t(.)(?=[ \n]|$)", text, re.M):
        if simp != trad:
            simple[ord(trad)] = ord(simp)
    table.update(simple)
    for cp, folded in _lookalikes().items():   # ⽂ → 文; a traditional look-alike on to simplified
        table[cp] = simple.get(folded, folded)
    return table


# Characters that show nothing, deleted before matching so they cannot split a key phrase:
# every format character (Unicode category Cf: zero-width, BOM, soft hyphen, invisible
# operators U+2061–2064, bidi controls, tag characters), the combining grapheme joiner,
# variation selectors, Hangul fillers, Mongolian/Khmer invisibles, and C0/C1 controls
# (ESC…) other than tab and line breaks, and the pictures the read stage shows controls as
# (␛ for ESC). tests/test_hostile_text.py checks the Cf list is complete.
_INVISIBLE_BMP = ("\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u034f\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2"
                  "\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164"
                  "\u2400-\u241f\u2421\ufe00-\ufe0f\ufeff\uffa0\ufff9-\ufffb")
INVISIBLE = ("[" + _INVISIBLE_BMP + "\U000110bd\U000110cd\U00013430-\U0001343f"
             "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff]")

# Characters that carry no content: conversion artifacts and markup. Each lies within one line
# (a bookmark broken over two lines is none: tests/test_normalize.py), so the whole text is
# searched at once and what is found is each line's.
_ARTIFACTS = re.compile(
    r"\[bookmark:[^\]\n]*\]"        # pandoc/docx bookmarks
    r"|\[(?:TOC|toc)\]"
    r"|\*\*|__"                      # markdown bold
    r"|" + INVISIBLE
)
# a character an artifact can begin with (and any beyond the BMP): the text is scanned for these
# first, as a plain class is scanned many times faster than the alternation is tried at every
# character, and most reports hold none
_ARTIFACT_START = re.compile("[\\[*_" + _INVISIBLE_BMP + "\U00010000-\U0010ffff]")
_MD_HEADING = re.compile(r"^(#{1,6})\s*")
# A page number left on its own line by a PDF-to-text copy: "- 3 -", "—3—", "第 3 页 共 9 页".
_PAGE_NUMBER_LINE = re.compile(
    r"^\s*(?:[-—–~]\s*\d{1,3}\s*[-—–~]|第\s*\d{1,3}\s*页(?:\s*[,/]?\s*共\s*\d{1,3}\s*页)?)\s*$")
_MD_QUOTE = re.compile(r"^>\s?")
# `[…]+` written as `[…][…]*`: a pattern that opens with a plain class is scanned by the regex
# engine's fast search for its first character (three times faster on a report)
_HSPACE = re.compile(r"[ \t\xa0\u2000-\u200a][ \t\xa0\u2000-\u200a]*")
_ALNUM = re.compile(r"[A-Za-z0-9]")

_TERMINAL = set("。!?;:…")          # after width folding ！？；： are ASCII
_CLOSERS = set("”’」』)]》")
_HEADING_START = re.compile(
    r"^(?:[一二三四五六七八九十]{1,3}[、.]|\([一二三四五六七八九十]{1,3}\)"
    r"|\d{1,2}[.、](?!\d)|\(\d{1,2}\)|[一二三四五六七八九十]是|第[一二三四五六七八九十]{1,3}[部章节条])"
)
_OPENER = re.compile(
    r"^(?:下一步|下步|今后|同时[,，]|此外|另外|总之|现将|特此|附件|抄送|签发|印发"
    r"|\d{4}年[,，]|\d{4}年\d{1,2}月\d{1,2}日\s*$|[〇一二三四五六七八九零]{4}年)"
)
_INNER_STOP = re.compile(r"[。;；!?！？]")
# a bullet or circled number opening a line (reports converted from Word: ■ and ◆ as headings,
# ● and ①②③ as list items) starts a record of its own, never a wrapped line
# (tests/eval4/reports/a_*: "■主要负责人…情况" ran into the paragraph below it)
LIST_START = re.compile(r"^[■□◆◇●○◎▲△★☆►▶▪▫◼◻•❖➢①-⑳]")
# a statistics row of a .txt report: "行政复议案件:0件;行政诉讼案件:2件(均胜诉)" — a label, a colon
# and a figure at the end of a short line. It is a record of its own, not a wrapped line
# (tests/eval2/reports/e_*: rows ran together into one quote).
_RECORD_ROW = re.compile(r"^[^:,，。;]{2,20}:[^。]*\d[%‰]?[\u4e00-\u9fff]{0,2}(?:\([^()]*\))?$")


@dataclass(frozen=True)
class NormalText:
    """Normalised text plus the map back to the original lines."""

    text: str
    source: SourceText
    _norm_starts: tuple[int, ...]   # start of each kept piece in `text`
    _orig_starts: tuple[int, ...]   # where that piece starts in the original
    _line_starts: tuple[int, ...]   # original offset of each source line
    md_headings: dict                # normalised paragraph offset → markdown heading level
    _piece_lines: tuple[int, ...] = ()   # the source line each kept piece comes from

    def to_orig(self, pos: int) -> int:
        i = bisect_right(self._norm_starts, pos) - 1
        return self._orig_starts[i] + (pos - self._norm_starts[i])

    def location(self, pos: int) -> Location:
        """Location in the user's file of the normalised character at `pos`."""
        locations = self.source.locations
        if not locations:
            return Location(1)
        if 0 <= pos < len(self.text) and self._piece_lines:     # (a piece lies within one line)
            idx = self._piece_lines[bisect_right(self._norm_starts, pos) - 1]
            return locations[idx] if idx < len(locations) else locations[-1]
        i = bisect_right(self._norm_starts, pos) - 1
        idx = bisect_right(self._line_starts, self._orig_starts[i] + (pos - self._norm_starts[i])) - 1
        return locations[max(0, min(idx, len(locations) - 1))]

    def locations(self, positions: list[int]) -> list[Location]:
        """`location` of each position (one call for a document's sentences)."""
        if not self.source.locations or not self._piece_lines:
            return [self.location(pos) for pos in positions]
        locations, norm_starts, piece_lines = self.source.locations, self._norm_starts, self._piece_lines
        n, pieces, last = len(self.text), len(norm_starts), len(locations) - 1
        out, i = [], 0
        for pos in positions:       # in order (a document's sentences): walk the pieces
            if not 0 <= pos < n:
                out.append(self.location(pos))
                continue
            if pos < norm_starts[i]:
                i = bisect_right(norm_starts, pos) - 1
            else:
                while i + 1 < pieces and norm_starts[i + 1] <= pos:
                    i += 1
            line = piece_lines[i]
            out.append(locations[line] if line <= last else locations[last])
        return out

    def quote(self, start: int, end: int) -> str:
        """The original characters behind text[start:end], artifacts and line breaks left out."""
        if start < 0 or end < 0:
            start, end = max(start, 0), max(end, 0)
        return self._as_written[start:end].replace("\n", "").strip()

    @cached_property
    def _as_written(self) -> str:
        """The original character behind each character of `text` (built on the first quote:
        a quote is then a slice, not a walk over the pieces it spans)."""
        orig, norm_starts = self.source.text, self._norm_starts
        ends = norm_starts[1:] + (len(self.text),)
        return "".join([orig[o:o + (e - s)] for s, e, o in zip(norm_starts, ends, self._orig_starts)])


def _line_pieces(line: str, offset: int, spaces: list[tuple[int, int]],
                 artifacts: list[tuple[int, int]]) -> tuple[list[tuple[int, int]], int | None]:
    """Kept (start, end) spans of one line, in original offsets, and its markdown level.

    `spaces`, `artifacts`: the runs of horizontal space and the conversion artifacts in the
    line, in original offsets (each found in one pass over the whole text)."""
    if _PAGE_NUMBER_LINE.match(line):
        return [], None     # dropped whole, so the sentence around it rejoins
    cut: list[tuple[int, int]] = []
    md_level = None
    lead = line[:1]
    if lead == "#":
        m = _MD_HEADING.match(line)
        if m:
            md_level = len(m.group(1))
            cut.append((0, m.end()))
    elif lead == ">":
        m = _MD_QUOTE.match(line)
        if m:
            cut.append((0, m.end()))
    for s, e in artifacts:
        cut.append((s - offset, e - offset))
    n = len(line)
    for s, e in spaces:
        s -= offset
        e -= offset
        # keep one-off spaces between two Latin letters/digits ("Section 1"); drop the rest
        if 0 < s and e < n and _ascii_alnum(line[s - 1]) and _ascii_alnum(line[e]):
            continue
        cut.append((s, e))
    if not cut:
        return ([(offset, offset + n)] if n else []), md_level
    cut.sort()
    kept, pos = [], 0
    for s, e in cut:
        if s > pos:
            kept.append((offset + pos, offset + s))
        if e > pos:
            pos = e
    if pos < n:
        kept.append((offset + pos, offset + n))
    return kept, md_level


_NONE: list[tuple[int, int]] = []      # a line's spaces or artifacts when it has none (never changed)


def _artifacts(text: str, starts: list[int] | None = None) -> list[tuple[int, int]]:
    """The spans of `_ARTIFACTS` in `text`, as `finditer` finds them: each try starts at a
    character an artifact can begin with (found by a scan; or among `starts`, in order, where
    the text holds every such character)."""
    spans: list[tuple[int, int]] = []
    at = _ARTIFACTS.match
    if starts is not None:
        end = 0
        for p in starts:
            if p >= end:
                a = at(text, p)
                if a is not None:
                    spans.append(a.span())
                    end = a.end()
        return spans
    find = _ARTIFACT_START.search
    m = find(text)
    while m is not None:
        a = at(text, m.start())
        if a is None:
            m = find(text, m.start() + 1)
        else:
            spans.append(a.span())
            m = find(text, a.end())
    return spans


def _ascii_alnum(ch: str) -> bool:
    """[A-Za-z0-9]."""
    return ch.isascii() and ch.isalnum()


def _drop_running_headers(lines: list) -> list:
    """Drop the repeats of a short line that recurs on every page of a PDF-to-text copy.

    An occurrence in the opening lines stays (a running header often repeats the title,
    which names the agency); the others sit in the middle of sentences and would break them.
    """
    counts: dict[str, int] = {}
    for clean, *_ in lines:
        if len(clean) <= 40 and clean[-1] not in _TERMINAL:
            counts[clean] = counts.get(clean, 0) + 1
    repeated = {c for c, n in counts.items() if n >= 3 and not _HEADING_START.match(c)}
    if not repeated:
        return lines
    return [entry for k, entry in enumerate(lines) if k < 3 or entry[0] not in repeated]


def _is_title_like(text: str, typical: float) -> bool:
    """A short line with no full stop inside: a title, heading or sign-off, not a wrapped line.

    A wrapped line is as wide as the page, so "short" is relative to the document's
    typical line (a .txt paragraph is hundreds of characters, a PDF line thirty).
    """
    return len(text) <= 40 and not _INNER_STOP.search(text[:-1]) and len(text) < 0.5 * typical


_REPORT_TITLE_END = re.compile(r"报告(?:[(（][^()（）]{1,12}[)）])?$")


def _joins(prev: str, nxt: str, typical: float, prev_starts: bool = False) -> bool:
    """Whether the break between two non-empty lines falls inside a sentence.

    `prev_starts`: `prev` begins a paragraph (nothing was joined to it).
    """
    last = prev[-1]
    if last in _TERMINAL or (last in _CLOSERS and len(prev) > 1 and prev[-2] in _TERMINAL):
        return False
    if _is_title_like(prev, typical):
        return False
    if prev_starts and len(prev) <= 40 and _REPORT_TITLE_END.search(prev) and not _INNER_STOP.search(prev):
        return False    # a report's title, as wide as a line of a 28-character PDF page: not the
        #                 start of the salutation or first sentence below it ("…工作情况的报告" / "市政府：")
    if (len(prev) <= 80 and _RECORD_ROW.match(prev)
            and (len(prev) < 0.5 * typical or _RECORD_ROW.match(nxt))):
        return False    # one row of a block of figures (a wrapped PDF line is rarely two in a row)
    if _HEADING_START.match(prev) and len(prev) < 0.8 * typical and not _INNER_STOP.search(prev):
        return False    # a numbered heading clearly shorter than a full line: "（二）发挥法律顾问作用"
    if LIST_START.match(prev) and len(prev) < 0.8 * typical and not _INNER_STOP.search(prev):
        return False    # a short bulleted heading: "■2024年工作安排"
    if _HEADING_START.match(nxt) or _OPENER.match(nxt) or LIST_START.match(nxt):
        return False
    return True


def normalize(source: SourceText) -> NormalText:
    """Fold widths and scripts, drop artifacts and stray spaces, rejoin broken lines."""
    line_starts, off = [], 0
    for ln in source.lines:
        line_starts.append(off)
        off += len(ln) + 1
    # the whole text translated at once: the table maps no line break, so each line's slice
    # of it is that line translated
    whole, marks = _translate_marked(source.text)
    # runs of horizontal space and artifacts hold no line break: one pass finds every line's
    spaces_by_line: dict[int, list[tuple[int, int]]] = {}
    for m in _HSPACE.finditer(whole):
        spaces_by_line.setdefault(bisect_right(line_starts, m.start()) - 1, []).append(m.span())
    artifacts_by_line: dict[int, list[tuple[int, int]]] = {}
    for span in _artifacts(whole, marks):
        artifacts_by_line.setdefault(bisect_right(line_starts, span[0]) - 1, []).append(span)

    # per line: cleaned text, kept pieces, markdown level, line index, the pieces' text
    lines: list[tuple[str, list[tuple[int, int]], int | None, int, list[str]]] = []
    for i, ln in enumerate(source.lines):
        if not ln:
            continue        # an empty line keeps nothing
        start = line_starts[i]
        translated = whole[start:start + len(ln)]
        pieces, md = _line_pieces(translated, start, spaces_by_line.get(i, _NONE), artifacts_by_line.get(i, _NONE))
        if len(pieces) == 1 and pieces[0] == (start, start + len(ln)):
            segs = [translated]
        else:
            segs = [whole[s:e] for s, e in pieces]
        clean = "".join(segs)
        if clean:
            lines.append((clean, pieces, md, i, segs))
    lines = _drop_running_headers(lines)

    long_lines = sorted(len(c) for c, _, md, *_ in lines if md is None and len(c) > 10)
    typical = float(long_lines[len(long_lines) // 2]) if long_lines else 60.0

    text_parts: list[str] = []
    norm_starts: list[int] = []
    orig_starts: list[int] = []
    piece_lines: list[int] = []
    md_headings: dict[int, int] = {}
    npos = 0
    orig_text_len = off
    # a Word table row is a paragraph of its own: the rejoiner never runs it into the next
    table_rows = set(source.meta.get("table_rows") or ())
    prev_starts = True
    for k, (clean, pieces, md, i, segs) in enumerate(lines):
        joined = bool(k) and (md is None and lines[k - 1][2] is None
                              and i not in table_rows and lines[k - 1][3] not in table_rows
                              and _joins(lines[k - 1][0], clean, typical, prev_starts))
        prev_starts = not joined
        if k and not joined:
            # paragraph break: keep the newline that ended the previous source line
            prev_i = lines[k - 1][3]
            nl = line_starts[prev_i] + len(source.lines[prev_i])
            text_parts.append("\n")
            norm_starts.append(npos)
            orig_starts.append(min(nl, orig_text_len - 1) if orig_text_len else 0)
            piece_lines.append(prev_i)      # (the line break that ended that line)
            npos += 1
        if md is not None:
            md_headings[npos] = md
        for (s, _), seg in zip(pieces, segs):
            text_parts.append(seg)
            norm_starts.append(npos)
            orig_starts.append(s)
            piece_lines.append(i)
            npos += len(seg)
    if not norm_starts:
        norm_starts, orig_starts, piece_lines = [0], [0], [0]
    return NormalText(
        text="".join(text_parts),
        source=source,
        _norm_starts=tuple(norm_starts),
        _orig_starts=tuple(orig_starts),
        _line_starts=tuple(line_starts),
        md_headings=md_headings,
        _piece_lines=tuple(piece_lines),
    )


# Punctuation and symbols that do not change what a phrase says: "双随机、一公开" ==
# "双随机一公开", "“三项制度”" == "三项制度", "互联网+政务服务" == "互联网政务服务".
_KEY_DROP = re.compile(r"[\s\"'“”‘’《》〈〉「」『』【】()\[\]〔〕、,，.。;；:：!！?？·・•—–\-_~/\\+…*#]")


# Clause punctuation stays as a barrier in sentence keys: "引领，学法" must not match "领学".
_CLAUSE_MARK = re.compile(r"[,，。;；:：!！?？]")
CLAUSE_BARRIER = "|"


def match_key(text: str) -> str:
    """The form phrases are compared in: punctuation and spaces removed."""
    return _KEY_DROP.sub("", text)


_CLAUSE_CHARS = ",，。;；:：!！?？"       # what _CLAUSE_MARK matches (tests/test_normalize.py)


def sentence_key(text: str) -> str:
    """A sentence's match key: like `match_key`, but clause punctuation becomes a barrier."""
    for mark in _CLAUSE_CHARS:      # (most are gone: normalize folds ，；：！？ to ASCII)
        if mark in text:
            text = text.replace(mark, CLAUSE_BARRIER)
    return _KEY_DROP_RUN.sub("", text)


# the same characters as one plain class (\s written out as what it matches), which scans a
# sentence about twice as fast (tests/test_normalize.py checks that both forms agree); a run of
# them written `[…][…]*`, not `[…]+`, so that the regex engine's fast search finds its start
_KEY_DROP_CLASS = ("[\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
                   "\"'“”‘’《》〈〉「」『』【】()\\[\\]〔〕、.·・•—–\\-_~/\\\\+…*#]")
_KEY_DROP_RUN = re.compile(_KEY_DROP_CLASS + _KEY_DROP_CLASS + "*")


def key_positions(text: str) -> list[int]:
    """For each character of `sentence_key(text)`, its index in `text`."""
    keep: list[int] = []
    prev = 0
    for m in _KEY_DROP_RUN.finditer(text):      # the runs between dropped characters (few)
        keep.extend(range(prev, m.start()))
        prev = m.end()
    keep.extend(range(prev, len(text)))
    return keep


def match_key_map(text: str) -> tuple[str, list[int]]:
    """`sentence_key(text)` and, for each key character, its index in `text`."""
    return sentence_key(text), key_positions(text)
