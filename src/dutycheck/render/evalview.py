"""Terminal view of `eval`: headline figures, confusion matrix, each disagreement."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from ..evaluate import STATUSES, EvalResult
from ..messages import reason_text, where_label


def render_eval(r: EvalResult, console: Console | None = None) -> None:
    console = console or Console()
    for err in r.errors:
        console.print(f"[red]读取失败[/red] {err}")
    if r.disagreements:
        console.print(f"分歧 {len(r.disagreements)} 处 (disagreements):", style="bold")
        for d in r.disagreements:
            console.print(f"- {d.report} [bold]{d.item}[/bold]: 人工 {d.gold} / 工具 {d.predicted}"
                          f"  {where_label(d.line) or '-'}  {reason_text(d.reason)}")
            if d.gold_evidence:
                console.print(f"    人工引文: {d.gold_evidence}", style="dim")
            if d.evidence:
                console.print(f"    工具引文: {d.evidence[:140]}", style="dim")
    table = Table(title="混淆矩阵 (rows: human, columns: dutycheck)")
    table.add_column("")
    for s in STATUSES:
        table.add_column(s, justify="right")
    for g in STATUSES:
        table.add_row(g, *(str(r.confusion[g][p]) for p in STATUSES))
    console.print(table)
    console.print(f"reports: {r.reports}  labels: {r.labels} (doubtful skipped: {r.doubtful_skipped})")
    console.print(f"done precision: {r.done_precision:.3f}  done recall: {r.done_recall:.3f}")
    console.print(f"evidence quote overlap (correct done items): {r.quote_overlap:.3f} "
                  f"({r.done_quote_overlap}/{r.done_correct})")
    console.print(f"[bold]agreement: {r.agreement:.4f}[/bold] ({r.agree}/{r.labels})")
