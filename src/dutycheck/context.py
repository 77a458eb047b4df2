"""Decide what one mention of a duty says: done, planned, or shortfall.

The section role sets the default (a duty named under 下一步工作打算 is a plan); cue
words the checklist declares can change it inside achievements (`下一步，将…` is a
plan, `作用发挥不够` a weakness). Cues cut both ways, so a shortfall cue is read in the
mention's own clause only, and clean-record negations (`未发现…`) do not count.
"""

from __future__ import annotations

import re

from .checklist.model import CompiledContext
from .models import Role, Status

_CLAUSE_SEP = re.compile(r"[,，:：;；]")


def clause_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The clause (between commas/colons) that holds text[start:end]."""
    lo = 0
    for m in _CLAUSE_SEP.finditer(text, 0, start):
        lo = m.end()
    m = _CLAUSE_SEP.search(text, end)
    return lo, (m.start() if m else len(text))


def decide(text: str, role: Role, role_reason: str, start: int, end: int,
           ctx: CompiledContext) -> tuple[Status, str]:
    """Status of a mention at text[start:end] in a sentence of the given role, and why."""
    if role is Role.PLANS:
        return Status.PLANNED, f"位于“下一年度安排”部分（{role_reason}）"
    lo, hi = clause_bounds(text, start, end)
    clause = text[lo:hi]
    if role is Role.SHORTFALLS:
        # 针对上年督察指出的问题，已完成规范性文件清理: a correction reported as finished
        # inside the weaknesses part is work done, unless the clause names a weakness too
        m = ctx.rectified.search(clause) if ctx.rectified is not None else None
        if m and not (ctx.shortfall is not None and ctx.shortfall.search(clause)):
            return Status.DONE, f"“存在的不足”部分中的整改完成（“{m.group(0)}”）"
        return Status.SHORTFALL, f"位于“存在的不足”部分（{role_reason}）"
    if ctx.shortfall is not None:
        m = ctx.shortfall.search(clause)
        if m and not (ctx.not_shortfall is not None and ctx.not_shortfall.search(clause)):
            return Status.SHORTFALL, f"同一分句有不足提示词“{m.group(0)}”"
    if ctx.planned is not None:
        m = ctx.planned.search(text, 0, hi)
        if m and not (ctx.done is not None and ctx.done.search(clause)):
            return Status.PLANNED, f"句中有计划提示词“{m.group(0)}”"
    return Status.DONE, f"位于{_ROLE_ZH.get(role, str(role))}（{role_reason}）"


_ROLE_ZH = {
    Role.PREAMBLE: "导语",
    Role.ACHIEVEMENTS: "“举措和成效”部分",
    Role.FIRST_RESPONSIBLE: "“第一责任人履职”部分",
    Role.OTHER: "其他部分",
}
