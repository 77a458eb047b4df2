"""Terminal view of a batch (rich): summary, ranking, coverage (most neglected duty first),
structure completeness, regions, errors, skipped files; and of `history` and `compare`."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ..batch import STATUSES, Batch
from ..messages import (
    FAILED,
    FORMAL_TITLE,
    REVIEW_MARK,
    SKIPPED,
    STATUS_STYLE,
    STATUS_ZH,
    UNKNOWN_AGENCY,
    Col,
    Title,
    duplicate_note,
    formal_message,
    neglected_label,
    pct,
    score_style,
)
from ..models import Status
from ..safetext import display, display_path


def _bar(share: float, width: int = 10) -> str:
    full = round(share * width)
    return "█" * full + "░" * (width - full)


def summary_text(batch: Batch) -> Text:
    c = batch.counts()
    t = Text()
    t.append(f"清单：{batch.checklist_title or batch.checklist_id} {batch.checklist_version}\n", style="dim")
    t.append(f"已审查 {c['audited']} 份", style="bold")
    t.append(f"（不重复 {c['unique']} 份）  平均分 ")
    mean = c["mean_score"]
    t.append(f"{mean:.1f}" if mean is not None else "—", style=f"bold {score_style(mean or 0)}")
    t.append(f"\n失败 {c['failed']}  重复 {c['duplicates']}  跳过 {c['skipped']}  缓存命中 {c['cached']}",
             style="red" if c["failed"] else "")
    if c["reports_per_s"]:
        t.append(f"\n用时 {c['elapsed_s']:.1f} 秒，{c['reports_per_s']:.0f} 份/秒", style="dim")
    if batch.run_id is not None:
        t.append(f"\n已存入数据库：第 {batch.run_id} 次运行 (run id)", style="dim")
    return t


def ranking_table(batch: Batch) -> Table:
    table = Table(title=f"{Title.RANKING} (ranking)", title_justify="left", title_style="bold", expand=True)
    table.add_column(Col.RANK, justify="right", no_wrap=True)
    table.add_column(Col.AGENCY, ratio=2, overflow="fold")
    table.add_column(Col.YEAR, justify="right", no_wrap=True)
    table.add_column(Col.REGION, ratio=1)
    table.add_column(Col.SCORE, justify="right", no_wrap=True)
    table.add_column(Col.DONE, justify="right", no_wrap=True)
    table.add_column(Col.TOP_GAPS, ratio=4, overflow="fold")
    for rank, r in batch.ranking():
        name = Text(r.agency or Path(display_path(r.path)).name)
        if r.duplicate_of:
            name.append("\n" + duplicate_note(r.duplicate_of), style="yellow")
        if r.reviewed:
            name.append(f"\n{REVIEW_MARK} {len(r.reviewed)} 项", style="magenta")
        gaps = "；".join(batch.item_title(g) for g in r.gaps) or "—"
        table.add_row(str(rank), name, str(r.year or "—"), Text(r.region),
                      Text(f"{r.score:.1f}", style=score_style(r.score)), f"{r.done}/{r.total}", Text(gaps))
    return table


def coverage_table(batch: Batch) -> Table:
    n = batch.counts()["unique"]
    table = Table(title=f"{Title.COVERAGE}（{n} 份报告，最常缺失的在前）(coverage, most neglected first)",
                  title_justify="left", title_style="bold", expand=True)
    table.add_column(Col.DUTY, ratio=3, overflow="fold")
    table.add_column(Col.WEIGHT, justify="right", no_wrap=True)
    table.add_column(Col.DONE, no_wrap=True)
    for s in STATUSES[1:]:
        table.add_column(STATUS_ZH[Status(s)], justify="right", no_wrap=True)
    for c in batch.coverage():
        done = c.share("done")
        table.add_row(
            Text(c.item.title) + Text(f"  {c.item.id}", style="dim"), f"{c.item.weight:g}",
            Text(f"{_bar(done)} {pct(done):>4}", style=score_style(done * 100)),
            *(Text(pct(c.share(s)), style=STATUS_STYLE[Status(s)]) for s in STATUSES[1:]))
    return table


def structure_table(batch: Batch) -> Table | None:
    rows = batch.structure()
    if not rows:
        return None
    table = Table(title=f"{Title.STRUCTURE} (required parts)", title_justify="left", title_style="bold")
    table.add_column(Col.PART)
    table.add_column(Col.HAVE, justify="right")
    table.add_column(Col.SHARE, justify="right")
    table.add_column(Col.MISSING, justify="right")
    for c in rows:
        have = c.counts.get("done", 0)
        table.add_row(Text(c.item.title), f"{have}/{c.reports}",
                      Text(pct(c.share("done")), style=score_style(c.share("done") * 100)),
                      str(c.reports - have))
    return table


def region_table(batch: Batch) -> Table:
    table = Table(title=f"{Title.REGIONS} (regions, lowest mean first)", title_justify="left", title_style="bold",
                  expand=True)
    table.add_column(Col.REGION, ratio=2)
    table.add_column(Col.REPORTS, justify="right")
    table.add_column(Col.MEAN, justify="right")
    table.add_column(Col.RANGE, justify="right", no_wrap=True)
    table.add_column(Col.LOWEST, ratio=2, overflow="fold")
    table.add_column(Col.NEGLECTED, ratio=3, overflow="fold")
    for s in batch.regions():
        neglected = neglected_label(s.neglected.title, s.neglected_share) if s.neglected else "—"
        table.add_row(Text(s.region), str(s.reports), Text(f"{s.mean:.1f}", style=score_style(s.mean)),
                      f"{s.min:.1f}–{s.max:.1f}", Text(s.lowest or "—"), Text(neglected))
    return table


def problems_table(batch: Batch) -> Table | None:
    if not batch.errors and not batch.skipped:
        return None
    table = Table(title=f"{Title.UNAUDITED} (errors and skipped files)", title_justify="left", title_style="bold red",
                  expand=True)
    table.add_column(Col.FILE, ratio=2)
    table.add_column("", no_wrap=True)
    table.add_column(Col.REASON, ratio=3)
    for e in batch.errors:
        table.add_row(_file_cell(e.path), Text(FAILED, style="red"), Text(display(e.message)))
    for s in batch.skipped:
        table.add_row(_file_cell(s.path), Text(SKIPPED, style="yellow"), Text(display(f"{s.zh} ({s.en})")))
    return table


def _file_cell(path: str) -> Text:
    """The file name on its own line, the folder dimmed below: a long path must not split the name."""
    p = Path(display_path(path))
    cell = Text(p.name)
    if str(p.parent) not in ("", "."):
        cell.append(f"\n{p.parent}", style="dim")
    return cell


def formal_table(batch: Batch) -> Table | None:
    """形式审查: missing parts, titles, deadlines, template text, copies and revisions, per report."""
    found = batch.formal_list()
    if not found:
        return None
    table = Table(title=f"{Title.FORMAL}（{len(found)} 项）(formal checks)", title_justify="left", title_style="bold",
                  expand=True)
    table.add_column(Col.AGENCY, ratio=2, overflow="fold")
    table.add_column(Col.PROBLEM, no_wrap=True)
    table.add_column(Col.EXPLANATION, ratio=6, overflow="fold")
    for path, agency, year, f in found:
        name = (agency or Path(path).name) + (f" {year}" if year else "")
        table.add_row(name, Text(FORMAL_TITLE.get(f.code, f.code), style="yellow"), formal_message(f))
    return table


def render_batch_table(batch: Batch, console: Console | None = None) -> None:
    """Print the batch result: everything a reviewer reads before opening the HTML or Excel."""
    console = console or Console(markup=False)   # names and titles are never markup
    console.print(Panel(summary_text(batch), title="dutycheck 批量审查", expand=False))
    if batch.rows:
        console.print(ranking_table(batch))
        console.print(coverage_table(batch))
        st = structure_table(batch)
        if st is not None:
            console.print(st)
        console.print(region_table(batch))
    ft = formal_table(batch)
    if ft is not None:
        console.print(ft)
    pt = problems_table(batch)
    if pt is not None:
        console.print(pt)


# ----------------------------------------------------------------------------- history / compare

def render_history(agency: str, entries: list, titles: dict[str, str],
                   console: Console | None = None) -> None:
    """Per agency: one row per audit, oldest year first; then, year by year, the duties newly
    reported and those no longer reported."""
    console = console or Console(markup=False)   # names and titles are never markup
    if not entries:
        console.print(Text(f"数据库中没有“{display(agency)}”的审查记录 (no audits of this agency in the store)"))
        return
    by: dict[str, list] = {}
    for e in entries:
        by.setdefault(e.agency or UNKNOWN_AGENCY, []).append(e)
    for name, rows in by.items():
        table = Table(title=Text(f"{display(name)} 历年审查 (history)"), title_justify="left", title_style="bold")
        for col in (Col.YEAR, Col.SCORE, Col.CHANGE, Col.DONE):
            table.add_column(col, justify="right")
        table.add_column("清单")
        table.add_column("运行", justify="right")
        table.add_column(Col.FILE, overflow="fold")
        for e in rows:
            if e.reviewed:
                table.caption = f"得分已按{REVIEW_MARK}改定的状态重算 (scores use the reviewer's statuses)"
            delta = Text("—" if e.delta is None else f"{e.delta:+.1f}",
                         style="" if e.delta is None else "green" if e.delta >= 0 else "red")
            score = Text(f"{e.score:.1f}", style=score_style(e.score))
            if e.reviewed:
                score.append(f" ({REVIEW_MARK} {e.reviewed})", style="magenta")
            table.add_row(f"{e.year or '—'}" + (" 修订" if e.revision_of else ""), score, delta,
                          f"{e.done}/{e.total}", Text(f"{e.checklist_id} {e.checklist_version}"), str(e.run_id),
                          Path(display_path(e.path)).name)
        console.print(table)
        prev = None
        for e in rows:
            if e.delta is not None and prev is not None:
                step = (f"{e.year} 年度两个版本（修订版 {Path(display_path(e.path)).name}）" if e.revision_of
                        else f"{prev.year} → {e.year}")
                console.print(_change_lines(f"{step}（{e.delta:+.1f} 分）", e.newly_done, e.dropped, titles))
            prev = e


def _change_lines(head: str, newly_done, dropped, titles: dict) -> Text:
    """A heading line, then the duties newly reported (green) and no longer reported (red)."""
    t = Text(head + "\n", style="bold")
    t.append("  新增报告的职责：", style="green")
    t.append("；".join(titles.get(i, i) for i in newly_done) or "—")
    t.append("\n  不再报告的职责：", style="red")
    t.append("；".join(titles.get(i, i) for i in dropped) or "—")
    return t


def render_compare(cmp, console: Console | None = None) -> None:
    """Run B against run A: per agency score change and duties newly done / dropped; per duty shares."""
    console = console or Console(markup=False)   # names and titles are never markup
    ra, rb = cmp.run_a, cmp.run_b
    head = Text("比较", style="bold")
    head.append(f" 运行 {ra['id']}（{ra['started']}，{ra['audited'] or 0} 份）→ "
                f"运行 {rb['id']}（{rb['started']}，{rb['audited'] or 0} 份）")
    console.print(head)
    if not cmp.same_checklist:
        console.print(Text(f"注意：两次运行使用的清单不同（{ra['checklist_id']} {ra['checklist_version']} / "
                           f"{rb['checklist_id']} {rb['checklist_version']}），只比较两者都有的职责。",
                           style="yellow"))
    t = cmp.titles
    table = Table(title="各单位变化 (per agency, biggest drop first)", title_justify="left", title_style="bold")
    for col, kw in ((Col.AGENCY, {"overflow": "fold"}), (Col.REGION, {"overflow": "fold"}),
                    (Col.YEAR, {"no_wrap": True}), (Col.SCORE, {"no_wrap": True}), (Col.CHANGE, {"justify": "right"}),
                    ("新增", {"justify": "right"}), ("不再报告", {"justify": "right"})):
        table.add_column(col, **kw)
    if any(p.reviewed for p in cmp.pairs):
        table.caption = f"得分已按{REVIEW_MARK}改定的状态重算 (scores use the reviewer's statuses)"
    for p in cmp.pairs:
        name = Text(display(p.agency))
        if p.reviewed:
            name.append(f"（{REVIEW_MARK} {p.reviewed}）", style="magenta")
        table.add_row(name, Text(display(p.region_b or p.region_a or "—")),
                      f"{p.year_a or '—'}→{p.year_b or '—'}",
                      f"{p.score_a:.1f}→{p.score_b:.1f}",
                      Text(f"{p.delta:+.1f}", style="green" if p.delta >= 0 else "red"),
                      Text(str(len(p.newly_done)), style="green"), Text(str(len(p.dropped)), style="red"))
    console.print(table)
    for p in cmp.pairs:
        if not p.newly_done and not p.dropped:
            continue
        console.print(_change_lines(f"{display(p.agency)}（{p.delta:+.1f} 分）", p.newly_done, p.dropped, t))
    if cmp.only_a or cmp.only_b:
        console.print(Text("只在运行 %s 中：%s" % (ra["id"], display("、".join(a for a, _ in cmp.only_a)) or "—")))
        console.print(Text("只在运行 %s 中：%s" % (rb["id"], display("、".join(a for a, _ in cmp.only_b)) or "—")))
    items = Table(title="各职责已开展比例变化 (done share per duty)", title_justify="left", title_style="bold",
                  expand=True)
    items.add_column(Col.DUTY, ratio=3)
    items.add_column(f"运行 {ra['id']}", justify="right")
    items.add_column(f"运行 {rb['id']}", justify="right")
    items.add_column(Col.CHANGE, justify="right")
    for d in cmp.items:
        ch = d["change"]
        items.add_row(Text(t.get(d["id"], d["id"])),
                      "—" if d["done_share_a"] is None else pct(d["done_share_a"]),
                      "—" if d["done_share_b"] is None else pct(d["done_share_b"]),
                      Text("—" if ch is None else f"{ch * 100:+.0f}%",
                           style="" if not ch else "green" if ch > 0 else "red"))
    console.print(items)
