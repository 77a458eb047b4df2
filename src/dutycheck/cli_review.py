"""Command line of the reviewer's corrections: `dutycheck review set|undo|list|queue|export|import`.

Only click and the standard library at module level (cli.py imports this for every command);
the library (`dutycheck.review`) does the work, renderers (`render/review.py`) print.
"""

from __future__ import annotations

import click

from .errors import DutycheckError

DB_HELP = "dutycheck batch --db 写入的 SQLite 文件 (the store written by batch --db)"
REPORT_HELP = ("REPORT 是报告文件路径（按内容匹配）或“单位 年度”，如 晋城市教育局 2023 "
               "(a file path, matched by content, or AGENCY YEAR)")


def _fail(exc: DutycheckError) -> click.ClickException:
    from .cli import fail

    return fail(exc)


def _usage(text: str) -> click.ClickException:
    from .cli import CLIError

    return CLIError(text)


def _open(db: str):
    from .store import Store

    try:
        return Store(db)
    except DutycheckError as exc:
        raise _fail(exc) from None


def _resolve(reviews, parts: tuple[str, ...]):
    """REPORT given as one argument (path, or 'AGENCY YEAR') or two (AGENCY YEAR)."""
    if not parts:
        raise _usage("缺少 REPORT：报告文件路径或“单位 年度” (missing REPORT)")
    if len(parts) == 2 and parts[1].rstrip("年度").isdigit():
        return reviews.resolve(parts[0], int(parts[1].rstrip("年度")))
    if len(parts) > 2:
        raise _usage(f"无法识别的报告“{' '.join(parts)}”：{REPORT_HELP}")
    return reviews.resolve(" ".join(parts))


db_option = click.option("--db", required=True, type=click.Path(exists=True, dir_okay=False), help=DB_HELP)
by_option = click.option("--by", default=None, help="复核人，默认 $DUTYCHECK_REVIEWER 或登录名 (reviewer)")


@click.group()
def review() -> None:
    """人工复核：改定状态、撤销、复核队列、导出导入 (reviewer's corrections).

    改定的状态在所有带 --db 的输出中生效（audit、batch、history、compare），得分按最终状态重算。
    每次改定都追加记录（复核人、时间、机器当时的状态和证据），撤销也是一条新记录。

    \b
    状态 (STATUS): done 已开展 · planned 仅有计划 · shortfall 仅列为不足 · absent 未提及 ·
    na 不适用（该单位没有这项职责，不计入得分分母）
    """


@review.command("set")
@click.argument("args", nargs=-1, required=True, metavar="REPORT ITEM STATUS")
@db_option
@click.option("--note", default="", help="说明：为什么改定 (why)")
@by_option
@click.option("--evidence", default="", help="原文引文：人工找到的证据 (the quote the reviewer points at)")
def set_cmd(args: tuple[str, ...], db: str, note: str, by: str | None, evidence: str) -> None:
    """改定一项职责的状态 (set an item's final status).

    \b
    Examples:
        dutycheck review set 晋城市教育局 2023 legal-counsel.retained absent --note "只写了计划" --db r.sqlite
        dutycheck review set reports/于田县教育局-2023.txt 法律顾问 done --db r.sqlite
        dutycheck review set 焦作市教育局 2024 normative-documents.filing na --note "本年未制发规范性文件" --db r.sqlite
    """
    from .review import Reviews

    if len(args) < 3:
        raise _usage("用法：dutycheck review set REPORT ITEM STATUS --db FILE (usage)")
    with _open(db) as store:
        try:
            rv = Reviews(store)
            ref = _resolve(rv, args[:-2])
            c = rv.set(ref, args[-2], args[-1], note=note, by=by, evidence=evidence)
        except DutycheckError as exc:
            raise _fail(exc) from None
    from .render.review import correction_line

    click.echo(correction_line(c, ref.label))


@review.command("undo")
@click.argument("args", nargs=-1, required=True, metavar="REPORT ITEM")
@db_option
@click.option("--note", default="", help="说明 (why)")
@by_option
def undo_cmd(args: tuple[str, ...], db: str, note: str, by: str | None) -> None:
    """撤销一项职责当前的改定（追加一条撤销记录）(undo the correction in force).

    \b
    Example:
        dutycheck review undo 晋城市教育局 2023 legal-counsel.retained --db r.sqlite
    """
    from .review import Reviews

    if len(args) < 2:
        raise _usage("用法：dutycheck review undo REPORT ITEM --db FILE (usage)")
    with _open(db) as store:
        try:
            rv = Reviews(store)
            ref = _resolve(rv, args[:-1])
            c = rv.undo(ref, args[-1], note=note, by=by)
        except DutycheckError as exc:
            raise _fail(exc) from None
    from .render.review import correction_line

    click.echo(correction_line(c, ref.label))


@review.command("list")
@click.argument("report", nargs=-1, metavar="[REPORT]")
@db_option
@click.option("--log", "show_log", is_flag=True, help="列出全部记录（含撤销和被取代的）(every entry)")
@click.option("--format", "-f", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def list_cmd(report: tuple[str, ...], db: str, show_log: bool, fmt: str) -> None:
    """列出生效的改定（或 --log 全部记录）(list corrections in force).

    \b
    Examples:
        dutycheck review list --db r.sqlite
        dutycheck review list 晋城市教育局 2023 --log --db r.sqlite
    """
    from .review import Reviews

    with _open(db) as store:
        try:
            rv = Reviews(store)
            ref = _resolve(rv, report) if report else None
            if show_log:
                entries = rv.log(ref)
            else:
                entries = [c for c in rv.current().all() if ref is None or c.report_key == ref.key]
        except DutycheckError as exc:
            raise _fail(exc) from None
        titles = store.titles()
    if fmt == "json":
        import json

        click.echo(json.dumps({"schema": "dutycheck.reviews/1", "entries": [c.to_dict() for c in entries]},
                              ensure_ascii=False, indent=2))
        return
    from .render.review import render_corrections

    render_corrections(entries, titles, log=show_log)


@review.command("queue")
@db_option
@click.option("--limit", "-n", type=click.IntRange(min=1), default=20, show_default=True,
              help="列出前 N 项 (first N items)")
@click.option("--format", "-f", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def queue_cmd(db: str, limit: int, fmt: str) -> None:
    """复核队列：最可能判错的条目在前 (the items to look at first).

    依据：置信度低、证据只是标题或只在导语、同一职责既有已开展又有计划/不足、报告缺少必备部分、
    与上一年度不同、其他报告中常被改判。已改定的条目不再列出；报告修订后需重新确认的（待复核）在最前。

    \b
    Example:
        dutycheck review queue --db r.sqlite --limit 30
    """
    from .review import review_queue

    with _open(db) as store:
        try:
            entries = review_queue(store, limit)
        except DutycheckError as exc:
            raise _fail(exc) from None
    if fmt == "json":
        import json

        click.echo(json.dumps({"schema": "dutycheck.queue/1", "entries": [q.to_dict() for q in entries]},
                              ensure_ascii=False, indent=2))
        return
    from .render.review import render_queue

    render_queue(entries)


@review.command("export")
@db_option
@click.option("--out", "-o", required=True, type=click.Path(dir_okay=False),
              help="输出文件：.yaml（标注格式，可用于 dutycheck eval）或 .csv（Excel）(output file)")
def export_cmd(db: str, out: str) -> None:
    """导出复核结果：YAML 为标注（gold）格式，CSV 供 Excel 打开 (export corrections).

    \b
    Examples:
        dutycheck review export --db r.sqlite --out 复核.yaml
        dutycheck review export --db r.sqlite --out 复核.csv
    """
    from .review.exchange import export_corrections

    with _open(db) as store:
        try:
            n = export_corrections(store, out)
        except DutycheckError as exc:
            raise _fail(exc) from None
    click.echo(f"已导出 {n['reports']} 份报告的 {n['corrections']} 项改定到 {out}", err=True)


@review.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@db_option
@by_option
def import_cmd(path: str, db: str, by: str | None) -> None:
    """导入改定：review export 的 YAML/CSV，或任何标注（gold）YAML (import corrections).

    只导入与机器结果（或当前改定）不同的标注；标注中找不到的报告会列出。

    \b
    Example:
        dutycheck review import 复核.yaml --db r.sqlite
    """
    from .review.exchange import import_corrections

    with _open(db) as store:
        try:
            res = import_corrections(store, path, by=by)
        except DutycheckError as exc:
            raise _fail(exc) from None
    for name in res.unknown:
        click.echo(f"跳过 {name}：数据库中没有这份报告 (unknown report)", err=True)
    click.echo(f"已导入 {res.added} 项改定（{res.same} 项与现有结果相同，未重复记录）", err=True)


@click.command("suggest")
@db_option
@click.option("--checklist", "-c", default="default", show_default=True,
              help="运行时使用的清单：内置名称或 YAML 文件 (the checklist the runs used)")
@click.option("--target", default=None, metavar="FILE",
              help="要修改的清单文件（命令和 diff 针对它；默认 my-checklist.yaml，继承 --checklist）"
                   " (the checklist file the commands edit)")
@click.option("--format", "-f", "fmt", type=click.Choice(["commands", "diff", "json"]), default="commands",
              show_default=True, help="checklist set 命令、YAML diff 或 JSON (output)")
def suggest_cmd(db: str, checklist: str, target: str | None, fmt: str) -> None:
    """从人工复核中学习：建议新增的短语和排除词 (checklist suggestions from corrections).

    漏判（改定为已开展并给出 --evidence 引文）：以引文的 jieba 关键词为候选短语；误判（机器判已开展，
    改定为未提及）：以机器证据句中的关键词为候选排除词。每个候选都在所有复核过的报告上重新比对，
    只保留修正多于破坏的，并给出净效果。

    \b
    Examples:
        dutycheck checklist suggest --db results.sqlite
        dutycheck checklist suggest --db results.sqlite --target my.yaml --format diff
    """
    from .review.suggest import as_diff, suggest

    with _open(db) as store:
        try:
            result = suggest(store, checklist)
        except DutycheckError as exc:
            raise _fail(exc) from None
    shown = target or "my-checklist.yaml"
    if fmt == "json":
        import json

        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return
    if fmt == "diff":
        try:
            click.echo(as_diff(result, target, extends=checklist), nl=False)
        except DutycheckError as exc:
            raise _fail(exc) from None
    else:
        from .render.review import render_suggestions

        click.echo(render_suggestions(result, shown, new=target is None or not _exists(target),
                                      extends=checklist), nl=False)
    click.echo(f"复核过的报告 {result.reports} 份，改定 {result.corrections} 项，建议 {len(result.suggestions)} 条"
               + (f"；{len(result.missing_files)} 份报告文件已不在原处，未参与比对" if result.missing_files else ""),
               err=True)


def _exists(path: str) -> bool:
    import os

    return os.path.isfile(path)
