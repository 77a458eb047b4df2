"""Command line: parse arguments, call the library, pick a renderer, map errors to exit codes."""

from __future__ import annotations

import sys

import click

from .errors import EXIT_BAD_INPUT, EXIT_BELOW_THRESHOLD, DutycheckError

CHECKLIST_HELP = "清单：内置名称（default、general）或 YAML 文件路径 (bundled name or file)"


class CLIError(click.ClickException):
    """A library error shown as `错误: path:line: 说明 (English)` with exit code 2."""

    exit_code = EXIT_BAD_INPUT

    def format_message(self) -> str:
        return self.message


def fail(exc: DutycheckError) -> CLIError:
    err = CLIError(exc.message())
    err.exit_code = exc.exit_code
    return err


def checklist_option(f):
    return click.option("--checklist", "-c", default="default", show_default=True, help=CHECKLIST_HELP)(f)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="dutycheck")
def main() -> None:
    """dutycheck：审查法治政府建设年度报告是否报告了法定职责。

    Audit annual rule-of-law reports (法治政府建设年度报告) against duty checklists.

    \b
    退出码 (exit codes): 0 正常; 1 得分低于 --fail-under; 2 输入或清单有误;
    3 批量审查中有文件失败 (batch: some files failed).
    """


@main.command()
@click.argument("path", type=click.Path(path_type=str))
@checklist_option
@click.option("--format", "-f", "fmt", type=click.Choice(["terminal", "json", "markdown"]),
              default="terminal", show_default=True, help="输出格式 (output format)")
@click.option("--fail-under", type=click.FloatRange(0, 100), default=None,
              help="得分低于此值时退出码为 1 (exit 1 when the score is below N)")
def audit(path: str, checklist: str, fmt: str, fail_under: float | None) -> None:
    """审查一份报告 (audit one report).

    \b
    Example:
        dutycheck audit reports/山西/晋城市教育局-2023.txt
        dutycheck audit report.docx --format json --fail-under 60
    """
    from .audit import audit_path

    try:
        result = audit_path(path, checklist)
    except DutycheckError as exc:
        raise fail(exc) from None
    if fmt == "json":
        from .render.json import render_json

        click.echo(render_json(result))
    elif fmt == "markdown":
        from .render.markdown import render_markdown

        click.echo(render_markdown(result), nl=False)
    else:
        from .render.terminal import render_terminal

        render_terminal(result)
    if fail_under is not None and result.score < fail_under:
        click.echo(f"得分 {result.score:.1f} 低于 --fail-under {fail_under:g} "
                   f"(score below threshold)", err=True)
        sys.exit(EXIT_BELOW_THRESHOLD)


@main.command()
@click.argument("path", type=click.Path(path_type=str))
@click.argument("item_id")
@checklist_option
def explain(path: str, item_id: str, checklist: str) -> None:
    """解释一项职责为何得到该状态 (explain one item's status).

    Shows which phrase matched which sentence, with score, section and role, and why
    the context made it planned or shortfall; for an absent item, the nearest misses.

    \b
    Example:
        dutycheck explain reports/河南/焦作市教育局-2024.txt legal-counsel.retained
    """
    from .audit import audit_path
    from .render.explain import render_explain

    try:
        result = audit_path(path, checklist, explain=True)
    except DutycheckError as exc:
        raise fail(exc) from None
    try:
        item = result.item(item_id)
    except KeyError:
        ids = ", ".join(i.id for i in result.items)
        raise CLIError(f"清单中没有条目“{item_id}” (no such item); 可用 (available): {ids}") from None
    render_explain(result, item)


@main.command("eval")
@click.option("--gold", required=True, type=click.Path(exists=True, dir_okay=False),
              help="人工标注 YAML (gold labels, shape of shared/gold/seeds.yaml)")
@click.option("--reports", required=True, type=click.Path(exists=True, file_okay=False),
              help="报告所在目录 (directory holding the labelled reports)")
@checklist_option
@click.option("--format", "-f", "fmt", type=click.Choice(["terminal", "json"]), default="terminal",
              show_default=True)
def eval_cmd(gold: str, reports: str, checklist: str, fmt: str) -> None:
    """与人工标注比对 (agreement with human labels).

    Non-doubtful labels only; an id the gold file does not list is `absent`. Only the
    ids of `concepts.yaml` beside the gold file are compared, when it is there.

    \b
    Example:
        dutycheck eval --gold ../shared/gold/seeds.yaml --reports ../shared/seeds
    """
    from .evaluate import evaluate
    from .render.evalview import render_eval

    try:
        result = evaluate(gold, reports, checklist)
    except DutycheckError as exc:
        raise fail(exc) from None
    if fmt == "json":
        import json

        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        render_eval(result)


from .cli_batch import batch as _batch_cmd, compare as _compare_cmd, history as _history_cmd  # noqa: E402

for _cmd in (_batch_cmd, _history_cmd, _compare_cmd):
    main.add_command(_cmd)


from .cli_checklist import checklist as _checklist_group  # noqa: E402

main.add_command(_checklist_group)


from .cli_serve import serve as _serve_cmd  # noqa: E402

main.add_command(_serve_cmd)
