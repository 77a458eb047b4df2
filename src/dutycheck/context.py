"""Decide what one mention of a duty says: done, planned, or shortfall.

The section role sets the default (a duty named under 下一步工作打算 is a plan); cue
words the checklist declares can change it inside achievements (`下一步，将…` is a
plan, `作用发挥不够` a weakness). Cues cut both ways, so a shortfall cue is read in the
mention's own clause only, and clean-record negations (`未发现…`) do not count.
"""

from __future__ import annotations

import re

from .checklist.model import CompiledContext
from .models import Reason, Role, Status

_CLAUSE_SEP = re.compile(r"[,，:：;；]")


_UP_TO_LAST_SEP = re.compile(rf"(?s).*{_CLAUSE_SEP.pattern}")

# read once: on Python 3.11 `Status.DONE` goes through EnumType.__getattr__ (~7x a global)
_DONE, _PLANNED, _SHORTFALL = Status.DONE, Status.PLANNED, Status.SHORTFALL
_PLANS, _SHORTFALLS = Role.PLANS, Role.SHORTFALLS

# `Reason.of("in_part", …)` once for each role and role reason: most mentions get this reason,
# and the sentences of a section share one role_reason object. Keyed by identity (a Reason's
# equality compares its nested params); the entry holds the role reason, so its id is not reused.
_PART_REASONS: dict[tuple[Role, int], tuple[Reason, Reason]] = {}
_PART_REASONS_MAX = 512


def _in_part(role: Role, role_reason: Reason) -> Reason:
    key = (role, id(role_reason))
    got = _PART_REASONS.get(key)
    if got is None or got[0] is not role_reason:
        if len(_PART_REASONS) >= _PART_REASONS_MAX:
            _PART_REASONS.clear()
        got = _PART_REASONS[key] = (role_reason, Reason.of("in_part", role=role, role_reason=role_reason))
    return got[1]


def clause_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The clause (between commas/colons) that holds text[start:end]."""
    m = _UP_TO_LAST_SEP.match(text, 0, start)     # through the last separator before `start`
    lo = m.end() if m else 0
    after = _CLAUSE_SEP.search(text, end)
    return lo, (after.start() if after else len(text))


def decide(text: str, role: Role, role_reason: Reason, start: int, end: int,
           ctx: CompiledContext) -> tuple[Status, Reason]:
    """Status of a mention at text[start:end] in a sentence of the given role, and why."""
    if role is _PLANS:
        return _PLANNED, _in_part(role, role_reason)
    lo, hi = clause_bounds(text, start, end)
    leads = ctx.leads
    if role is _SHORTFALLS:
        # 针对上年督察指出的问题，已完成规范性文件清理: a correction reported as finished
        # inside the weaknesses part is work done, unless the clause names a weakness too
        m = _in_clause(ctx.rectified, leads.get("rectified"), text, lo, hi)
        if m and not _in_clause(ctx.shortfall, leads.get("shortfall"), text, lo, hi):
            return _DONE, Reason.of("rectified", cue=m.group(0))
        # …执法案卷不规范问题，已于2024年6月完成整改，建立执法全过程记录台账: the correction is
        # reported before the mention, and the mention's own clause names no weakness
        m = _search(ctx.rectified, leads.get("rectified"), text, 0, lo)
        if m and not _in_clause(ctx.shortfall, leads.get("shortfall"), text, lo, hi):
            return _DONE, Reason.of("rectified_before", cue=m.group(0))
        return _SHORTFALL, _in_part(role, role_reason)
    m = _in_clause(ctx.shortfall, leads.get("shortfall"), text, lo, hi)
    if m and not _in_clause(ctx.not_shortfall, leads.get("not_shortfall"), text, lo, hi):
        return _SHORTFALL, Reason.of("shortfall_cue", cue=m.group(0))
    done_here = _in_clause(ctx.done, leads.get("done"), text, lo, hi)
    if ctx.planned is not None and not done_here:
        m = _cue(ctx.planned, leads.get("planned"), text, hi)
        if m:
            return _PLANNED, Reason.of("plan_cue", cue=m.group(0))
    if ctx.tentative is not None and not done_here:
        m = _cue(ctx.tentative, leads.get("tentative"), text, hi)
        if m:
            # 将/要 name a plan, unless another clause of the sentence reports a figure of work
            # done: 党委中心组将学习宪法作为重要内容，全年组织集中学习12次 (issue 9, class 1)
            c_lo, c_hi = clause_bounds(text, m.start(), m.end())
            figures = leads.get("done_figures")
            fig = (_search(ctx.done_figures, figures, text, 0, c_lo)
                   or _search(ctx.done_figures, figures, text, c_hi, len(text)))
            if fig is None:
                return _PLANNED, Reason.of("tentative_cue", cue=m.group(0))
            return _DONE, Reason.of("tentative_with_figure", cue=m.group(0), figure=fig.group(0))
    return _DONE, _in_part(role, role_reason)


# A cue's lead class (`CompiledContext.leads`) holds every character a match of it can begin
# with, so a match is tried only where one of them stands: the same first match as a search,
# which `re` would try at every character (the cue patterns open with lookbehinds, so it cannot
# skip ahead). `pattern.match(text, pos)` still sees the text before `pos`, as lookbehinds ask.
# The lead characters are looked for with `search`, one at a time: most clauses hold none, and
# a search that finds nothing costs half of a `finditer` that yields nothing.

def _in_clause(pat: re.Pattern | None, lead: re.Pattern | None, text: str, lo: int, hi: int) -> re.Match | None:
    """`pat.search(text[lo:hi])` (the clause alone: lookbehinds see nothing before it)."""
    if pat is None:
        return None
    if lead is None:
        return pat.search(text[lo:hi])
    first = lead.search(text, lo, hi)
    if first is None:
        return None
    clause = text[lo:hi]
    while first is not None:
        at = first.start()
        m = pat.match(clause, at - lo)
        if m:
            return m
        first = lead.search(text, at + 1, hi)
    return None


def _search(pat: re.Pattern | None, lead: re.Pattern | None, text: str, pos: int, endpos: int) -> re.Match | None:
    """`pat.search(text, pos, endpos)`."""
    if pat is None:
        return None
    if lead is None:
        return pat.search(text, pos, endpos)
    first = lead.search(text, pos, endpos)
    while first is not None:
        at = first.start()
        m = pat.match(text, at, endpos)
        if m:
            return m
        first = lead.search(text, at + 1, endpos)
    return None


def _cue(pat: re.Pattern, lead: re.Pattern | None, text: str, hi: int) -> re.Match | None:
    """The first match of a cue before `hi` that is not inside a cited title 《…》
    (《…实施纲要（2021—2025年）》 in a 2024 report is no plan for 2025)."""
    if lead is None:
        for m in pat.finditer(text, 0, hi):
            if not _in_title(text, m.start()):
                return m
        return None
    first = lead.search(text, 0, hi)
    while first is not None:
        at = first.start()
        found = pat.match(text, at, hi)
        if found:
            if not _in_title(text, at):
                return found
            # as finditer goes on: the next match starts after this one (or after it, when empty)
            first = lead.search(text, max(found.end(), at + 1), hi)
        else:
            first = lead.search(text, at + 1, hi)
    return None


def _in_title(text: str, pos: int) -> bool:
    return text.count("《", 0, pos) + text.count("〈", 0, pos) > text.count("》", 0, pos) + text.count("〉", 0, pos)


def talked_about(text: str, start: int, end: int, ctx: CompiledContext) -> str | None:
    """The cue that makes the mention at text[start:end] the topic of a lecture, training,
    contest or test (就政务公开作专题辅导, 行政复议知识竞赛), or None."""
    if ctx.topic_before is not None:
        m = _in_clause(ctx.topic_before, ctx.leads.get("topic_before"), text, 0, start)
        if m:
            return m.group(0)
    if ctx.topic_after is not None:
        m = ctx.topic_after.search(text[end:])
        if m:
            return m.group(0)
    return None
