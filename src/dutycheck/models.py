"""The data that flows between the pipeline stages: plain frozen dataclasses, no behaviour.

read → SourceText → normalize → NormalText → structure → Document → match → ItemResult
→ score → AuditResult → render.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from functools import cached_property
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from .formal import Finding


class Status(str, Enum):
    DONE = "done"
    PLANNED = "planned"
    SHORTFALL = "shortfall"
    ABSENT = "absent"
    NA = "na"            # 不适用: only a reviewer sets it (the duty does not apply); out of the score

    def __str__(self) -> str:  # so f-strings and JSON show "done", not "Status.DONE"
        return self.value


# Order of precedence when an item has evidence of several kinds (the machine's statuses).
STATUS_ORDER = (Status.DONE, Status.PLANNED, Status.SHORTFALL, Status.ABSENT)
# What a reviewer may set: the machine's statuses and 不适用.
REVIEW_STATUSES = STATUS_ORDER + (Status.NA,)


class Role(str, Enum):
    """What a part of the report is for; decides the default status of evidence in it."""

    PREAMBLE = "preamble"            # title block, salutation, opening summary
    ACHIEVEMENTS = "achievements"    # 主要举措和成效
    FIRST_RESPONSIBLE = "first_responsible"  # 第一责任人履职情况
    SHORTFALLS = "shortfalls"        # 存在的不足和原因
    PLANS = "plans"                  # 下一年度安排
    OTHER = "other"                  # 其他需要报告的情况, sign-off, 抄送

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a stage decided something, as a fact: a stable English `code` (`heading_cue`,
    `plans_part` …) and its parameters (cue, heading, role, the role's own Reason …).
    `messages.reason_text` turns it into the Chinese sentence; the JSON keeps both."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict, hash=False)

    @classmethod
    def of(cls, code: str, **params: Any) -> "Reason":
        """`Reason.of("heading_cue", cue="下一步")`."""
        return cls(code, params)

    def __str__(self) -> str:  # the Chinese text, for f-strings and older callers of `.reason`
        from .messages import reason_text

        return reason_text(self)


@dataclass(frozen=True)
class Location:
    """Where a line of text is in the file the user has: 1-based line (or paragraph), page for PDF."""

    line: int
    page: int | None = None


@dataclass(frozen=True)
class SourceText:
    """What the read stage extracted from a file: logical lines in reading order.

    `lines[i]` sits at `locations[i]` in the original file (a text line, a .docx
    paragraph, or a PDF page and line), so evidence can cite the place the user sees.
    """

    path: str
    lines: tuple[str, ...]
    locations: tuple[Location, ...]
    format: str                 # txt | md | docx | pdf | html | doc
    sha256: str
    size: int
    encoding: str | None = None
    unit: str = "line"          # what Location.line counts: line | paragraph
    meta: dict = field(default_factory=dict)  # engine, pages, cjk_ratio...

    @cached_property
    def text(self) -> str:
        return "\n".join(self.lines)


@dataclass(frozen=True)
class Section:
    """A heading and the text under it, up to the next heading of its level or above."""

    index: int
    level: int                  # 0 = document root, 1 = 一、, 2 = （一）, 3 = 1., 4 = 一是
    heading: str                # normalised heading text ('' for the root)
    line: int | None            # line of the heading in the original file
    role: Role
    role_reason: Reason         # why this role: heading keyword, content cue, inherited
    parent: int | None
    start: int                  # offset range in the normalised text
    end: int


@dataclass(frozen=True)
class Sentence:
    """One sentence of the normalised text (a heading line is one too), with its section and role."""

    index: int
    text: str                   # normalised text, used for matching
    start: int                  # offsets in the normalised text
    end: int
    section: int                # Section.index
    role: Role                  # effective role (a paragraph cue may override the section's)
    role_reason: Reason
    line: int                   # first line in the original file
    page: int | None = None
    is_heading: bool = False


@dataclass(frozen=True)
class ReportMeta:
    """What the title block (or the file name) says: title, agency, year, date of signature."""

    title: str | None
    agency: str | None
    year: int | None
    date: str | None            # ISO date of signature, if found
    chars: int


@dataclass(frozen=True)
class Evidence:
    """One mention of an item: the quote, where it is, and the status it alone says."""

    text: str                   # quote of the original report (whitespace may differ)
    line: int
    section: str                # heading of the section it sits in
    role: Role
    score: float                # 0–100 match score
    status: Status              # what this mention alone says
    phrase: str                 # the checklist phrase / rule that matched
    matched: str                # the matched span of the normalised sentence
    reason: Reason              # why the status: role or cue word (messages.reason_text words it)
    page: int | None = None
    sentence: int = -1          # Sentence.index


@dataclass(frozen=True)
class Candidate:
    """A near miss, shown by `explain` for an absent item."""

    phrase: str
    text: str
    line: int
    score: float
    why_rejected: Reason        # why it is no evidence (messages.reason_text words it)


@dataclass(frozen=True)
class ItemResult:
    """An item of the checklist as audited: its status, confidence and evidence."""

    id: str
    title: str
    group: str
    weight: float
    status: Status
    confidence: float
    evidence: tuple[Evidence, ...]
    basis: str
    guidance: str
    candidates: tuple[Candidate, ...] = ()
    machine_status: Status | None = None   # set when a reviewer's correction applies (dutycheck.review)
    review: "dict | None" = None           # the applied correction, as in the JSON `review` object


@dataclass(frozen=True)
class GroupScore:
    """The weighted score of one group of items, and how many of them are done."""

    id: str
    title: str
    score: float
    done: int
    total: int


@dataclass(frozen=True)
class AuditResult:
    """The audit of one report: metadata, score, group scores, every item and the formal findings."""

    path: str
    sha256: str
    report: ReportMeta
    checklist_id: str
    checklist_version: str
    score: float
    groups: tuple[GroupScore, ...]
    items: tuple[ItemResult, ...]
    source_format: str = "txt"
    encoding: str | None = None
    formal: tuple["Finding", ...] = ()     # 形式审查 findings (formal.py)
    fingerprints: str = ""                 # sentence hashes for copy detection (formal.fingerprints)
    unit: str = "line"                     # what Evidence.line counts: line | paragraph
    replaced_chars: int = 0     # characters the decoder replaced with U+FFFD (damaged bytes)

    @property
    def gaps(self) -> tuple[str, ...]:
        return tuple(i.id for i in self.items if i.status not in (Status.DONE, Status.NA))

    def item(self, item_id: str) -> ItemResult:
        for it in self.items:
            if it.id == item_id:
                return it
        raise KeyError(item_id)
