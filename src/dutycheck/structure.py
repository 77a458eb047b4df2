"""Parse a normalised report: title block, heading tree, sentences, and the role of each part.

The role (achievements, shortfalls, plans, first-responsible account …) decides whether
a duty named in a sentence was carried out or only intended or regretted. Headings are
the first source of roles; where a report has none, content cues (a closing
`下一步，我们将…` paragraph) are the second. The keyword patterns for both come from the
checklist (`structure:`), so the parser knows no report template by heart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from .models import Reason, ReportMeta, Role, Section, Sentence
from .normalize import LIST_START, NormalText

if TYPE_CHECKING:
    from .checklist.compile import CompiledChecklist

_CN_NUM = "一二三四五六七八九十"
_NUMBERING = (
    (1, re.compile(rf"^(?:[{_CN_NUM}]{{1,3}}[、.]|第[{_CN_NUM}]{{1,3}}(?:部分|章)[、.:\s]?)")),
    (2, re.compile(rf"^\([{_CN_NUM}]{{1,3}}\)[、.]?")),
    (3, re.compile(r"^\d{1,2}(?:[.、](?!\d)|\s*[.、])")),
    (4, re.compile(r"^\(\d{1,2}\)")),
    (5, re.compile(rf"^[{_CN_NUM}]是")),
)
# the five as one pattern, tried once per paragraph: its alternatives in level order, so the one
# that matches is the first level whose pattern matches, and each alternative its only group, so
# the group's number is the level (`_numbering_level`)
_ANY_NUMBERING = re.compile("|".join(f"({pat.pattern})" for _, pat in _NUMBERING))
_STOP = re.compile(r"[。!?]")
_CIRCLED = re.compile(r"^[①-⑳]")
# `[…][…]*`, not `[…]+`: a pattern that opens with a plain class is found by the regex engine's
# fast search for its first character
_SENTENCE_END = re.compile(r"[。!?;…][。!?;…]*[”’」』)]?")
_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
_PAGE_DATE = re.compile(r"(\d{4})[-年/.](\d{1,2})[-月/.](\d{1,2})")
_CN_DATE = re.compile(r"([〇零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日")
_YEAR = re.compile(r"(20\d{2}|19\d{2})年")
_ORG = re.compile(r"^(.{2,30}?(?:局|委员会|委|厅|办公室|政府|中心|院|所|部))(?=关于|\d{4}|[〇一二]{4}|年|$)")
_TAIL = re.compile(r"^(?:抄送|印发|附件|签发|主题词|联系人|\(此件)|印发$|^\d{4}年\d{1,2}月\d{1,2}日")
_HEAD_SKIP = re.compile(r"文件$|〔\d{4}〕|\[\d{4}\]|签发人|^.{1,20}:$|^(?:密级|缓急|编号)")
_REPORT_WORD = re.compile(r"报告|总结|情况|汇报")
# the sentence that closes an opening summary: 现将有关情况报告如下
_INTRO_END = re.compile(r"(报告|汇报|总结|说明)如下[:。]?$")


# Placeholders a structure or context pattern may hold, filled from the report's year
# ({year} 2024 → "2024", {next_year} → "2025"). With no year known they match nothing.
PLACEHOLDERS = ("year", "next_year", "last_year")
_PLACEHOLDER = re.compile(r"\{([A-Za-z_]\w*)\}")
_NEVER = r"(?!)"


def unknown_placeholders(pattern: str) -> list[str]:
    """Names in `{…}` that are no placeholder (regex counts such as {1,3} are not names)."""
    return [m.group(1) for m in _PLACEHOLDER.finditer(pattern) if m.group(1) not in PLACEHOLDERS]


def fill_placeholders(pattern: str, year: int | None) -> str:
    """`pattern` with {year}/{next_year}/{last_year} replaced for a report of `year`."""
    if "{" not in pattern:
        return pattern
    values = ({"year": str(year), "next_year": str(year + 1), "last_year": str(year - 1)}
              if year else {})
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), _NEVER)
                            if m.group(1) in PLACEHOLDERS else m.group(0), pattern)


@dataclass(frozen=True)
class StructureRules:
    """Role patterns from the checklist's `structure:` block, as written (templates: may hold
    {year}, {next_year}). `checklist/compile.py` compiles them: the furniture once, the
    headings and paragraph cues per report year (`BoundChecklist.structure`)."""

    headings: tuple[tuple[Role, tuple[str, ...]], ...]
    paragraphs: tuple[tuple[Role, tuple[str, ...]], ...]
    furniture: tuple[str, ...] = ()      # web-page lines that are not report content

    @classmethod
    def from_config(cls, config: dict) -> "StructureRules":
        headings = tuple(
            (Role(role), tuple(pats)) for role, pats in (config.get("headings") or {}).items()
        )
        paragraphs = tuple(
            (Role(role), tuple(pats)) for role, pats in (config.get("paragraphs") or {}).items()
        )
        return cls(headings, paragraphs, tuple(config.get("furniture") or ()))


# bullets and spaces a page's metadata lines start with (•公开类别：…)
FURNITURE_LEAD = r"^[\s•·●■◆▪\-*|]*"


def _furniture(paras: list[tuple[int, str]], pattern: re.Pattern | None,
               fields: tuple[re.Pattern, ...]) -> tuple[list[tuple[int, str]], dict[str, str]]:
    """Split off web-page furniture lines (索引号、公开方式、打印本页…): the paragraphs
    kept, and the agency/date their named groups give (for the title block)."""
    if pattern is None:
        return paras, {}
    kept: list[tuple[int, str]] = []
    found: dict[str, str] = {}
    for pos, para in paras:
        m = pattern.match(para)
        if m is None or len(para) > 120:
            kept.append((pos, para))
            continue
        for f in fields:
            for fm in f.finditer(para):
                for k, v in fm.groupdict().items():
                    if v and k in ("agency", "date"):
                        found.setdefault(k, v)
    return kept, found


@dataclass(frozen=True)
class BoundStructure:
    """Structure patterns compiled for a report of one year (built by `CompiledChecklist.bind`)."""

    headings: tuple[tuple[Role, tuple[re.Pattern, ...]], ...]
    paragraphs: tuple[tuple[Role, tuple[re.Pattern, ...]], ...]

    @cached_property
    def _heading_cues(self) -> tuple[tuple[Role, re.Pattern, frozenset[str] | None], ...]:
        """Each heading pattern with its role and the characters every match of it begins with
        (None: not known)."""
        from .checklist.compile import lead_chars

        return tuple((role, pat, frozenset(lead) if (lead := lead_chars(pat)) else None)
                     for role, pats in self.headings for pat in pats)

    def heading_role(self, heading: str) -> tuple[Role, Reason] | None:
        """The role of the first heading pattern (in the checklist's order) found anywhere in
        `heading`, and the words it found. A pattern none of whose first characters the heading
        holds is not searched for: of 16 patterns a heading needs two or three searches.
        (Joined into one alternation they are tried at every character and cost as much as
        searched one by one.)"""
        chars: set[str] | None = None
        for role, pat, lead in self._heading_cues:
            if lead is not None:
                if chars is None:
                    chars = set(heading)
                if lead.isdisjoint(chars):
                    continue
            m = pat.search(heading)
            if m:
                return role, Reason.of("heading_cue", cue=m.group(0))
        return None

    def paragraph_role(self, text: str) -> tuple[Role, str] | None:
        """The role of the first paragraph pattern that matches at the start of `text`, and the
        words it matched. (Joined as one alternation they are matched once, but compiling it
        costs a cold start ~1.5 ms for ~10 us a report.)"""
        for role, pats in self.paragraphs:
            for pat in pats:
                m = pat.match(text)
                if m:
                    return role, m.group(0)
        return None


@dataclass
class Document:
    """A parsed report: what the matcher reads."""

    normal: NormalText
    meta: ReportMeta
    sections: list[Section]
    sentences: list[Sentence]
    roles_present: dict = field(default_factory=dict)   # Role → first Sentence in that role

    @property
    def text(self) -> str:
        return self.normal.text

    def section_heading(self, index: int) -> str:
        return self.sections[index].heading


def _numbering_level(text: str) -> int | None:
    m = _ANY_NUMBERING.match(text)
    return None if m is None else m.lastindex


def _heading_extent(para: str) -> int:
    """Length of the heading at the start of a numbered paragraph (the rest is body)."""
    m = _STOP.search(para, 0, 90)
    if m:
        return m.start() + 1
    if len(para) <= 60:
        return len(para)
    comma = para.find(",", 0, 60)
    return comma + 1 if comma > 0 else min(len(para), 40)


def _is_title_like(para: str) -> bool:
    return len(para) <= 40 and not _STOP.search(para)


def _paragraphs(text: str) -> list[tuple[int, str]]:
    out, pos = [], 0
    for chunk in text.split("\n"):
        if chunk:
            out.append((pos, chunk))
        pos += len(chunk) + 1
    return out


def _split_sentences(start: int, text: str) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for m in _SENTENCE_END.finditer(text):
        if m.end() > pos:
            spans.append((start + pos, start + m.end()))
        pos = m.end()
    if pos < len(text):
        spans.append((start + pos, start + len(text)))
    return spans


def _meta(paras: list[tuple[int, str]], head: int, tail: int, text: str,
          page_meta: dict | None = None) -> ReportMeta:
    head_lines = [p for _, p in paras[:head]]
    title = None
    for i, line in enumerate(head_lines):
        if _REPORT_WORD.search(line) and not _HEAD_SKIP.search(line):
            j = i
            while j > 0 and not _HEAD_SKIP.search(head_lines[j - 1]) and len(head_lines[j - 1]) <= 30:
                j -= 1
            title = "".join(head_lines[j:i + 1])
            break
    if title is None and head_lines:
        kept = [ln for ln in head_lines if not _HEAD_SKIP.search(ln)]
        title = "".join(kept[:2]) or None

    agency = None
    for cand in ([title] if title else []) + head_lines + [p for _, p in paras[tail:]]:
        m = _ORG.match(cand.removesuffix("文件"))
        if m:
            agency = m.group(1).removeprefix("关于")
            break

    year = None
    for cand in ([title] if title else []) + [p for _, p in paras[head:head + 1]]:
        m = _YEAR.search(cand)
        if m:
            year = int(m.group(1))
            break

    date = None
    for _, p in paras[tail:] + paras[-3:]:
        m = _DATE.search(p)
        if m:
            date = f"{int(m.group(1)):04d}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"
            break
        m = _CN_DATE.search(p)
        if m:
            date = _cn_date(m)
            break
    # the page's own 发布机构 / 成文日期 where the report's title block and sign-off have none
    page_meta = page_meta or {}
    if agency is None and page_meta.get("agency"):
        agency = page_meta["agency"]
    m = _PAGE_DATE.search(page_meta.get("date") or "")
    if date is None and m:
        date = f"{int(m.group(1)):04d}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"
    return ReportMeta(title=title, agency=agency, year=year, date=date, chars=len(text))


def _cn_date(m: re.Match) -> str:
    digits = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0}
    year = "".join(str(digits[c]) for c in m.group(1))

    def num(s: str) -> int:
        if s == "十":
            return 10
        if s.startswith("十"):
            return 10 + digits[s[1]]
        if s.endswith("十"):
            return digits[s[0]] * 10
        if "十" in s:
            return digits[s[0]] * 10 + digits[s[2]]
        return digits[s]

    return f"{year}-{num(m.group(2)):02d}-{num(m.group(3)):02d}"


def _head_and_tail(paras: list[tuple[int, str]]) -> tuple[int, int]:
    """Indices: paragraphs before `head` are the title block, from `tail` on the sign-off."""
    head = 0
    while head < len(paras):
        p = paras[head][1]
        if _numbering_level(p) in (1, 2) or (len(p) > 40 or (_STOP.search(p) and len(p) > 20)):
            break
        head += 1
    tail = len(paras)
    while tail > head:
        p = paras[tail - 1][1]
        if len(p) <= 30 and (_TAIL.search(p) or _DATE.search(p) or _CN_DATE.search(p)
                             or _ORG.match(p) and _is_title_like(p)):
            tail -= 1
        else:
            break
    return head, tail


# why a part has its role when no pattern said so (words: messages.REASON_TEXT)
_ROOT = Reason("title_and_opening")
_TITLE_BLOCK = Reason("title_block")
_SIGN_OFF = Reason("sign_off")
_AFTER_PART = Reason("after_part")
_BODY_BEFORE = Reason("body_before_parts")
_OPENING = Reason("opening")
_UNTITLED_BODY = Reason("untitled_body")


def parse(normal: NormalText, compiled: CompiledChecklist, *, year: int | None = None) -> Document:
    """Split the report into sections and sentences and give each a role (the checklist's
    structure patterns bound to `year` when given, a reviewer's override, else to the year
    the title block gives)."""
    text = normal.text
    # a copy of a web page keeps its furniture (公开方式：主动公开): not report content
    paras, page_meta = _furniture(_paragraphs(text), compiled.furniture, compiled.furniture_fields)
    head, tail = _head_and_tail(paras)
    meta = _meta(paras, head, tail, text, page_meta)
    rules = compiled.bind(year or meta.year).structure

    root = _Part(0, 0, "", Role.PREAMBLE, _ROOT, None, 0, len(text))
    sections: list[_Part] = [root]   # made into Sections at the end, with their lines found in one go
    # each sentence as (text, start, end, section, role, reason, is_heading); made into Sentences
    # at the end, with their lines found in one go
    rows: list[tuple[str, int, int, int, Role, Reason, bool]] = []
    stack: list[_Part] = [root]            # open sections, deepest last (each ends where it is closed)
    top_roles: list[Role] = []             # roles of top-level sections seen so far
    top_level: int | None = None
    override: tuple[Role, Reason, int] | None = None   # paragraph cue: role, reason, level
    # of the sentences so far: whether all are preamble, whether one closes the opening (kept as
    # they are added, not recounted for every paragraph)
    all_preamble, intro_ended = True, False

    def add_sentence(s: int, e: int, sec: _Part, role: Role, reason: Reason, heading: bool) -> None:
        nonlocal all_preamble, intro_ended
        body = text[s:e]
        stripped = body.lstrip()
        if not stripped:
            return
        sentence = stripped.rstrip()
        rows.append((sentence, s + len(body) - len(stripped), e, sec.index, role, reason, heading))
        if role is not Role.PREAMBLE:
            all_preamble = False
        if len(sections) == 1 and not intro_ended and _INTRO_END.search(sentence):
            intro_ended = True      # (read only before the first heading)

    for k, (pstart, para) in enumerate(paras):
        if k < head or k >= tail:
            role = Role.PREAMBLE if k < head else Role.OTHER
            reason = _TITLE_BLOCK if k < head else _SIGN_OFF
            add_sentence(pstart, pstart + len(para), root, role, reason, False)
            continue

        level = _numbering_level(para)
        if level is None and pstart in normal.md_headings and _is_title_like(para):
            level = top_level or 1
        # a short line before a bulleted list heads it ("■2024年工作安排" over "①…；②…；"),
        # but a circled-number item is a list item itself (tests/eval4/reports/a_*)
        unnumbered_heading = (
            level is None and _is_title_like(para) and k + 1 < tail
            and (not _is_title_like(paras[k + 1][1]) or LIST_START.match(paras[k + 1][1]))
            and k > head and not _CIRCLED.match(para)
            and ";" not in para   # a table row (cells joined by ；) is data, not a heading
        )
        if unnumbered_heading:
            level = top_level or 1
        if level is not None and level == 5 and not any(s.level < 5 for s in stack[1:]):
            level = None  # a report of 一是/二是 points only: treat them as body text

        if level is not None:
            extent = len(para) if unnumbered_heading else _heading_extent(para)
            heading = para[:extent].rstrip("。")
            found = rules.heading_role(heading)
            if unnumbered_heading and not found and top_level is None:
                level = None   # a lone short line before any heading: part of the preamble
        if level is not None:
            if top_level is None or level < top_level:
                top_level = level
            while len(stack) > 1 and stack[-1].level >= level:
                stack.pop().end = pstart
            parent = stack[-1]
            if override and level <= override[2]:
                override = None
            if found:
                role, reason = found
            elif override:
                role, reason = override[0], override[1]
            elif parent.index != 0:
                role, reason = parent.role, parent.as_parent()
            elif any(r in (Role.SHORTFALLS, Role.PLANS) for r in top_roles):
                role, reason = top_roles[-1], _AFTER_PART
            else:
                role, reason = Role.ACHIEVEMENTS, _BODY_BEFORE
            if (found and parent.index != 0 and parent.role in (Role.PLANS, Role.SHORTFALLS)
                    and role in (Role.ACHIEVEMENTS, Role.FIRST_RESPONSIBLE)):
                # a numbered point under 下一步/存在问题 that names a duty (５．研究制定…第一责任人
                # 职责清单) stays a plan or a weakness: only a plans/shortfalls/other heading
                # changes the part a sub-heading belongs to
                role, reason = parent.role, parent.as_parent()
            if level == top_level:
                top_roles.append(role)
            sec = _Part(len(sections), level, heading, role, reason, parent.index, pstart, len(text))
            sections.append(sec)
            stack.append(sec)
            add_sentence(pstart, pstart + extent, sec, role, reason, True)
            body_start, body = pstart + extent, para[extent:]
        else:
            body_start, body = pstart, para

        sec = stack[-1]
        if sec.index == 0 and k > head:
            # body text before any heading: the opening summary, or a report without headings
            # … but once the opening has said 现将…报告如下, what follows is the body itself
            first_body = all_preamble and not intro_ended
            role, reason = ((Role.PREAMBLE, _OPENING) if first_body else
                            (Role.ACHIEVEMENTS, _UNTITLED_BODY))
        else:
            role, reason = sec.role, sec.role_reason
        cue = rules.paragraph_role(body.lstrip())
        if cue:
            override = (cue[0], Reason.of("paragraph_cue", cue=cue[1]), sec.level)
        if override:
            role, reason = override[0], override[1]
        for s, e in _split_sentences(body_start, body):
            add_sentence(s, e, sec, role, reason, False)

    sentences = [Sentence(i, t, start, end, sec, role, reason, loc.line, loc.page, heading)
                 for i, ((t, start, end, sec, role, reason, heading), loc)
                 in enumerate(zip(rows, normal.locations([row[1] for row in rows])))]
    roles_present: dict[Role, Sentence] = {}      # the first sentence in each role
    for sent in sentences:
        roles_present.setdefault(sent.role, sent)
    lines = [None] + [loc.line for loc in normal.locations([part.start for part in sections[1:]])]
    return Document(normal, meta, [Section(part.index, part.level, part.heading, line, part.role,
                                           part.role_reason, part.parent, part.start, part.end)
                                   for part, line in zip(sections, lines)], sentences, roles_present)


class _Part:
    """A section as `parse` reads on: it ends where a heading of its level or above closes it
    (at the end of the text if none does), and is made a Section once all are known."""

    __slots__ = ("index", "level", "heading", "role", "role_reason", "parent", "start", "end", "_parent_reason")

    def __init__(self, index: int, level: int, heading: str, role: Role, role_reason: Reason,
                 parent: int | None, start: int, end: int) -> None:
        self.index, self.level, self.heading, self.role = index, level, heading, role
        self.role_reason, self.parent, self.start, self.end = role_reason, parent, start, end
        self._parent_reason: Reason | None = None

    def as_parent(self) -> Reason:
        """Why a sub-heading without a cue of its own has this section's role (made once)."""
        if self._parent_reason is None:
            self._parent_reason = Reason.of("parent_heading", heading=self.heading)
        return self._parent_reason
