"""Every Chinese label the renderers show, in one place."""

from .models import Role, Status

STATUS_ZH = {
    Status.DONE: "已开展",
    Status.PLANNED: "仅有计划",
    Status.SHORTFALL: "仅列为不足",
    Status.ABSENT: "未提及",
    Status.NA: "不适用",
}
STATUS_MARK = {Status.DONE: "✔", Status.PLANNED: "◐", Status.SHORTFALL: "✖", Status.ABSENT: "○",
               Status.NA: "⊘"}
STATUS_STYLE = {Status.DONE: "green", Status.PLANNED: "yellow", Status.SHORTFALL: "red",
                Status.ABSENT: "bright_black", Status.NA: "blue"}
REVIEW_MARK = "人工复核"      # an item whose status a reviewer set (dutycheck review)
STALE_MARK = "待复核"         # a correction carried over to a revised report whose machine result changed
ROLE_ZH = {
    Role.PREAMBLE: "导语",
    Role.ACHIEVEMENTS: "举措和成效",
    Role.FIRST_RESPONSIBLE: "第一责任人履职",
    Role.SHORTFALLS: "存在的不足",
    Role.PLANS: "下一年度安排",
    Role.OTHER: "其他",
}


def score_style(score: float) -> str:
    """Lighthouse bands: ≥90 green, ≥50 orange, below red."""
    return "green" if score >= 90 else "yellow" if score >= 50 else "red"


def shorten(text: str, around: str = "", width: int = 80) -> str:
    """A quote cut to `width` characters, centred on the matched words when given."""
    if len(text) <= width:
        return text
    pos = text.find(around[:6]) if around else -1
    if pos < 0:
        return text[:width - 1] + "…"
    start = max(0, min(pos - width // 3, len(text) - width))
    out = text[start:start + width]
    return ("…" if start else "") + out + ("…" if start + width < len(text) else "")
