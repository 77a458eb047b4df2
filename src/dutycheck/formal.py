"""形式审查: the checks no coverage score shows, recorded as facts (words live in messages.py).

One report on its own: a required part missing, a title that does not name 法治政府建设 or
the year, a date after the deadline (《法治政府建设与责任落实督察工作规定》: departments report
by 3月1日 and publish by 4月1日 of the following year, see ../shared/reference/regulations.md
§0.2), and template text left unfilled (`XX`, `×××`, `20__`, `*人`, `某某`, `（此处…）`): a
sign the report was copied from a bought template.

Every check yields `Finding`s: a code from `CODES`, where it is, and the values a message
needs. Checks across reports (copied reports, revisions) live in `copies.py` and use the
sentence fingerprints computed here.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from .models import ItemResult, Location, ReportMeta, Status

# Finding codes. One report: the first block; across reports (copies.py): the second.
MISSING_PART = "missing_part"
NO_TITLE = "no_title"
TITLE_NO_TOPIC = "title_no_topic"          # the title does not name 法治政府建设
TITLE_NO_YEAR = "title_no_year"
LATE_REPORT = "late_report"                # signed after 3月1日 of the following year
LATE_PUBLICATION = "late_publication"      # published after 4月1日 of the following year
TEMPLATE_TEXT = "template_text"
COPIED = "copied"                          # shares most sentences with another report of the batch
REPEATS_LAST_YEAR = "repeats_last_year"    # shares most sentences with the bureau's previous report
SUPERSEDED = "superseded"                  # the same bureau and year again in the batch: a newer version
SUPERSEDES = "supersedes"

CODES = (MISSING_PART, NO_TITLE, TITLE_NO_TOPIC, TITLE_NO_YEAR, LATE_REPORT, LATE_PUBLICATION,
         TEMPLATE_TEXT, COPIED, REPEATS_LAST_YEAR, SUPERSEDED, SUPERSEDES)

STRUCTURE_GROUP = "structure"
REPORT_BY = (3, 1)        # month, day of the year after the reported year
PUBLISH_BY = (4, 1)


@dataclass(frozen=True)
class Finding:
    """One formal problem. `text` is the offending words (a placeholder, the title); `value`
    and `limit` a date and its deadline; `item` a checklist id; `other` another report's path;
    `share` the part of the sentences shared; `passages` the shared text."""

    code: str
    line: int | None = None
    page: int | None = None
    text: str = ""
    item: str | None = None
    value: str | None = None
    limit: str | None = None
    other: str | None = None
    share: float | None = None
    passages: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        d: dict = {"code": self.code}
        for key in ("line", "page", "item", "value", "limit", "other", "share"):
            v = getattr(self, key)
            if v is not None:
                d[key] = v
        if self.text:
            d["text"] = self.text
        if self.passages:
            d["passages"] = list(self.passages)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> Finding:
        return cls(code=d["code"], line=d.get("line"), page=d.get("page"), text=d.get("text", ""),
                   item=d.get("item"), value=d.get("value"), limit=d.get("limit"), other=d.get("other"),
                   share=d.get("share"), passages=tuple(d.get("passages") or ()))


# ----------------------------------------------------------------------------- template text

# Each pattern is a placeholder seen in template-site reports; `(?<![A-Za-z])` keeps URL parts
# and English words (xxgk, XXL) out.
TEMPLATE_PATTERNS = (
    re.compile(r"(?<![A-Za-z])[XＸ]{2,}(?![A-Za-z])"),          # XX局, 20XX年
    re.compile(r"[×✕╳]{2,}"),                                  # ×××同志
    re.compile(r"(?:19|20)[_＿]{1,2}(?=\s*年)|[_＿]{3,}"),       # 20__年, ______
    re.compile(r"(?<![*＊A-Za-z0-9])[*＊]{1,3}\s*(?:人次|人|个|项|次|场|所|件|名|万|家|户|篇|期|天)"),  # *人
    re.compile(r"某某"),
    re.compile(r"[(（]\s*(?:此处|请填写|请根据|根据实际|填写|插入)[^)）\n]{0,40}[)）]"),   # （此处…）
)

# a character each pattern cannot match without: a report holding none skips the pattern's search
_TEMPLATE_CHARS = ("XＸ", "×✕╳", "_＿", "*＊", "某", "(（")
# the characters each pattern's matches begin with (checklist.compile.lead_chars, tested)
_TEMPLATE_LEADS = ("XＸ", "×✕╳", "12_＿", "*＊", "某", "(（")


def _found(pat: re.Pattern, leads: str, text: str) -> bool:
    """`pat.search(text) is not None`, for a pattern whose matches begin with one of `leads`: tried
    only where one stands, found by str.find (far cheaper than the regex engine's own scan of a
    pattern that opens with a lookbehind, a repeat or an alternation: ~50 us for a report)."""
    for c in leads:
        i = text.find(c)
        while i >= 0:
            if pat.match(text, i):
                return True
            i = text.find(c, i + 1)
    return False


def template_text(lines: Sequence[str], locations: Sequence[Location]) -> list[Finding]:
    """Unfilled template placeholders, one finding per line (the first placeholder's words)."""
    out: list[Finding] = []
    whole = "\n".join(lines)      # most reports have none: one search per pattern, not per line
    if not any(_found(pat, leads, whole)
               for chars, leads, pat in zip(_TEMPLATE_CHARS, _TEMPLATE_LEADS, TEMPLATE_PATTERNS)
               if any(c in whole for c in chars)):
        return out
    for n, line in enumerate(lines):
        hits = sorted((m.start(), m.group()) for pat in TEMPLATE_PATTERNS for m in pat.finditer(line))
        if hits:
            loc = locations[n] if n < len(locations) else Location(n + 1)
            words = "、".join(dict.fromkeys(h for _, h in hits))
            out.append(Finding(TEMPLATE_TEXT, line=loc.line, page=loc.page, text=words))
    return out


# ----------------------------------------------------------------------------- title and dates

_TOPIC = re.compile(r"法治政府建设|法治政府|依法行政")
_TITLE_YEAR = re.compile(r"(?:19|20)\d{2}\s*年|[〇零一二]{4}年|上一?年度|本年度")
_PUBLISHED = re.compile(
    r"(?:发布|公开|发文|成文|印发)(?:日期|时间)\s*[:：]?\s*(\d{4})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})")
_PUBLISHED_LEADS = "发公成印"


def title_findings(meta: ReportMeta) -> list[Finding]:
    if not meta.title:
        return [Finding(NO_TITLE)]
    out = []
    if not _TOPIC.search(meta.title):
        out.append(Finding(TITLE_NO_TOPIC, text=meta.title))
    if not _TITLE_YEAR.search(meta.title):
        out.append(Finding(TITLE_NO_YEAR, text=meta.title))
    return out


def deadline(year: int, by: tuple[int, int]) -> str:
    """The ISO date by which the report on `year` is due (the following year)."""
    return f"{year + 1:04d}-{by[0]:02d}-{by[1]:02d}"


def published_date(lines: Sequence[str], locations: Sequence[Location]) -> tuple[str, Location] | None:
    """The publication date a web page prints (发布时间：2024-03-28), if any, and where."""
    if not _found(_PUBLISHED, _PUBLISHED_LEADS, "\n".join(lines)):     # a line's date is in the lines joined too
        return None
    for n, line in enumerate(lines):
        m = _PUBLISHED.search(line)
        if m:
            y, mo, d = (int(g) for g in m.groups())
            if 1 <= mo <= 12 and 1 <= d <= 31:
                loc = locations[n] if n < len(locations) else Location(n + 1)
                return f"{y:04d}-{mo:02d}-{d:02d}", loc
    return None


def date_findings(meta: ReportMeta, lines: Sequence[str], locations: Sequence[Location]) -> list[Finding]:
    if meta.year is None:
        return []
    out = []
    limit = deadline(meta.year, REPORT_BY)
    if meta.date and meta.date > limit:
        out.append(Finding(LATE_REPORT, value=meta.date, limit=limit))
    pub = published_date(lines, locations)
    limit = deadline(meta.year, PUBLISH_BY)
    if pub and pub[0] > limit:
        out.append(Finding(LATE_PUBLICATION, line=pub[1].line, page=pub[1].page, value=pub[0], limit=limit))
    return out


def part_findings(items: Iterable[ItemResult]) -> list[Finding]:
    """The required parts (the checklist's `structure` group) the report lacks."""
    return [Finding(MISSING_PART, item=it.id, text=it.title)
            for it in items if it.group == STRUCTURE_GROUP and it.status not in (Status.DONE, Status.NA)]


def check_report(meta: ReportMeta, items: Sequence[ItemResult], lines: Sequence[str],
                 locations: Sequence[Location]) -> tuple[Finding, ...]:
    """Every single-report formal check, in a fixed order: parts, title, dates, template text."""
    return tuple(part_findings(items) + title_findings(meta) + date_findings(meta, lines, locations)
                 + template_text(lines, locations))


# ----------------------------------------------------------------------------- fingerprints

MIN_SENTENCE = 12          # shorter sentences (slogans, headings) say nothing about copying
# spaces, punctuation, digits and underscores, a run at a time; written `[…][…]*`, not `[…]+`, so
# that the regex engine's fast search finds where a run starts (callgrind: 1.2x fewer instructions)
_FP_DROP_CLASS = r"[\s\W_\d]"
_FP_DROP = re.compile(_FP_DROP_CLASS + _FP_DROP_CLASS + "*")


def sentence_fingerprint(text: str) -> str | None:
    """A 48-bit hash of a sentence's characters (punctuation, digits and spaces left out, so a
    copy with new figures still matches), or None for a sentence too short to tell."""
    return _key_fingerprint(_FP_DROP.sub("", text))


def _key_fingerprint(key: str) -> str | None:
    if len(key) < MIN_SENTENCE:
        return None
    return hashlib.blake2b(key.encode("utf-8"), digest_size=6).hexdigest()


# between a report's sentences while their keys are made in one pass: a word character, which
# _FP_DROP keeps (so no run crosses it), from CJK Extension B (a report holding it is split as before)
_FP_SEP = "\U00020000"


@dataclass(frozen=True)
class Fingerprints:
    """The distinct sentence hashes of a report (as one space-separated string in JSON)."""

    hashes: tuple[str, ...] = field(default_factory=tuple)

    def to_json(self) -> str:
        return " ".join(self.hashes)

    @classmethod
    def from_json(cls, value: str | None) -> Fingerprints:
        return cls(tuple(value.split())) if value else cls()


def fingerprints(sentences: Iterable[str]) -> Fingerprints:
    """The distinct `sentence_fingerprint`s of a report's sentences, in order."""
    texts = list(sentences)
    joined = _FP_SEP.join(texts)
    if joined.count(_FP_SEP) == len(texts) - 1:      # one regex pass, not one per sentence
        keys = _FP_DROP.sub("", joined).split(_FP_SEP) if texts else []
    else:       # a sentence holds the separator
        keys = [_FP_DROP.sub("", t) for t in texts]
    seen: dict[str, None] = {}
    for key in keys:
        fp = _key_fingerprint(key)
        if fp is not None:
            seen.setdefault(fp)
    return Fingerprints(tuple(seen))
