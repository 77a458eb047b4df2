"""Terminal views of the reviewer's work: one correction, the corrections in force, the queue."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..messages import (
    MACHINE_LEAD,
    REVIEW_MARK,
    STALE_MARK,
    STATUS_MARK,
    STATUS_STYLE,
    STATUS_ZH,
    Col,
    reason_text,
    shorten,
)
from ..models import Status
from ..schema import ItemRecord


def _console(console: Console | None) -> Console:
    """A terminal console, or a 140-column one when writing to a file or pipe (no folded names)."""
    if console is not None:
        return console
    c = Console()
    return c if c.is_terminal else Console(width=140)


def status_text(value: str | None) -> Text:
    if not value:
        return Text("—", style="dim")
    s = Status(value)
    return Text(f"{STATUS_MARK[s]} {STATUS_ZH[s]}", style=STATUS_STYLE[s])


def review_note(item: ItemRecord) -> str:
    """`人工复核（机器：未提及）：note` for a corrected audit/1 item, '' otherwise."""
    review = item.review
    if not review:
        return ""
    mark = STALE_MARK if review.get("stale") else REVIEW_MARK
    machine = item.machine_status
    out = mark
    if machine and machine is not item.status:
        out += f"（{MACHINE_LEAD}{STATUS_ZH[machine]}）"
    if review.get("note"):
        out += f"：{review['note']}"
    if review.get("by"):
        out += f"　— {review['by']}"
    return out


def correction_line(c, label: str) -> str:
    if c.action == "undo":
        return f"已撤销 {label} · {c.item_id} 的改定（记录 #{c.undoes}），记录 #{c.id}，{c.by} {c.at}"
    machine = STATUS_ZH[Status(c.machine_status)] if c.machine_status else "—"
    return (f"已改定 {label} · {c.item_id}：{machine} → {STATUS_ZH[Status(c.status)]}"
            f"（记录 #{c.id}，{c.by} {c.at}）")


def render_corrections(entries: Sequence, titles: dict[str, str], *, log: bool = False,
                       console: Console | None = None) -> None:
    console = _console(console)
    if not entries:
        console.print("还没有复核记录 (no corrections)" if log else "没有生效的改定 (no corrections in force)")
        return
    table = Table(title=("复核记录（全部）" if log else "生效的改定") + f"  {len(entries)} 条",
                  title_justify="left", title_style="bold", expand=True)
    for col, kw in (("#", {"justify": "right", "no_wrap": True}), (Col.REPORT, {"ratio": 2, "overflow": "fold"}),
                    (Col.DUTY, {"ratio": 2, "overflow": "fold"}), (Col.MACHINE, {"no_wrap": True}),
                    (Col.REVIEW, {"no_wrap": True}), (Col.EXPLANATION, {"ratio": 3, "overflow": "fold"}),
                    (Col.REVIEWER, {"no_wrap": True}), (Col.TIME, {"no_wrap": True})):
        table.add_column(col, **kw)
    for c in entries:
        report = f"{c.agency} {c.year}" if c.agency and c.year else c.sha256[:12]
        final = status_text(c.status) if c.action == "set" else Text(f"撤销 #{c.undoes}", style="magenta")
        table.add_row(str(c.id), report, Text(titles.get(c.item_id, c.item_id)) + Text(f"\n{c.item_id}", style="dim"),
                      status_text(c.machine_status), final, c.note or "—", c.by, c.at[:16].replace("T", " "))
    console.print(table)


def render_queue(entries: Sequence, console: Console | None = None) -> None:
    console = _console(console)
    if not entries:
        console.print("复核队列为空：没有待看的条目 (the queue is empty)")
        return
    table = Table(title=f"复核队列（最可能判错的在前）前 {len(entries)} 项 (review queue)", title_justify="left",
                  title_style="bold", expand=True)
    for col, kw in (("序", {"justify": "right", "no_wrap": True}), (Col.REPORT, {"ratio": 2, "overflow": "fold"}),
                    (Col.DUTY, {"ratio": 2, "overflow": "fold"}), (Col.MACHINE_STATUS, {"no_wrap": True}),
                    (Col.RISK, {"justify": "right", "no_wrap": True}), (Col.REASON, {"ratio": 3, "overflow": "fold"}),
                    (Col.EVIDENCE, {"ratio": 4, "overflow": "fold"})):
        table.add_column(col, **kw)
    for n, q in enumerate(entries, 1):
        reasons = Text("；".join(reason_text(r) for r in q.reasons) or "—", style="yellow" if q.stale else "")
        table.add_row(str(n), q.report, Text(q.title) + Text(f"\n{q.item_id}", style="dim"), status_text(q.status),
                      f"{q.risk:.1f}", reasons, shorten(q.evidence) if q.evidence else Text("—", style="dim"))
    console.print(table)
    console.print("改定：dutycheck review set 报告 职责 状态 --db … （状态 done/planned/shortfall/absent/na）",
                  style="dim")


def render_suggestions(result, target: str, *, new: bool, extends: str = "default") -> str:
    """The suggestions as a shell script of `dutycheck checklist set` commands, each with its effect."""
    out = []
    if not result.suggestions:
        out.append("# 没有修正多于破坏的建议 (no suggestion fixes more than it breaks)\n")
    elif new:
        out.append(f"dutycheck checklist new {target.rsplit('/', 1)[-1].rsplit('.', 1)[0]} --extends {extends} "
                   f"--out {target}\n")
    for s in result.suggestions:
        what = {"phrase": "新增短语", "pair": "新增组合", "exclude": "新增排除词"}[s.kind]
        out.append(f"# {s.item_id}：{what}“{s.text}” —— 修正 {s.fixed} 项、破坏 {s.broken} 项（净 {s.net:+d}）"
                   f"；修正：{'、'.join(s.fixes)}" + (f"；破坏：{'、'.join(s.breaks)}" if s.breaks else "") + "\n")
        out.append(s.command(target) + "\n")
        out.append(s.example_command(target) + "\n")
    for line in result.unlearnable:
        out.append(f"# 无法学习：{line}\n")
    return "".join(out)
