"""Command line: parse arguments, call the library, pick a renderer, map errors to exit codes."""

from __future__ import annotations

import sys
from typing import Any

import click

from .errors import EXIT_BAD_INPUT, EXIT_BELOW_THRESHOLD, DutycheckError

CHECKLIST_HELP = ("清单：内置名称（default、general）、示例名称（shanxi）或 YAML 文件路径 "
                  "(bundled or example name, or file)")


class CLIError(click.ClickException):
    """A library error shown as `错误: path:line: 说明 (English)` with exit code 2."""

    exit_code = EXIT_BAD_INPUT

    def __init__(self, message: str, exit_code: int = EXIT_BAD_INPUT) -> None:
        super().__init__(message)
        # click declares exit_code a class variable; this error's code comes from the library's error
        vars(self)["exit_code"] = exit_code

    def format_message(self) -> str:
        return self.message


def fail(exc: DutycheckError) -> CLIError:
    from .safetext import display

    return CLIError(display(exc.message()), exc.exit_code)   # a file name may hold ESC or non-UTF-8 bytes


def checklist_option(f):
    return click.option("--checklist", "-c", default="default", show_default=True, help=CHECKLIST_HELP)(f)


def click_message_zh(exc: click.ClickException) -> str:
    """click's own English error as 中文 (English): a missing argument, a bad value, an unknown option."""
    english = exc.format_message()
    if isinstance(exc, CLIError):
        return english                     # ours are bilingual already
    hint = ""
    param = getattr(exc, "param", None)
    if param is not None:
        hint = (param.human_readable_name if param.param_type_name == "argument"
                else "/".join(getattr(param, "opts", []) or []))
    hint = hint or getattr(exc, "param_hint", None) or ""
    if isinstance(hint, (list, tuple)):
        hint = "/".join(hint)
    if isinstance(exc, click.MissingParameter):
        kind = {"argument": "参数", "option": "选项"}.get(exc.param_type or "", "参数")
        zh = f"缺少{kind} {hint}".rstrip()
    elif isinstance(exc, click.NoSuchOption):
        zh = f"没有选项 {exc.option_name}" + (f"，是否想用 {'、'.join(exc.possibilities)}" if exc.possibilities else "")
    elif isinstance(exc, click.BadOptionUsage):
        zh = f"选项 {exc.option_name} 用法有误"
    elif isinstance(exc, click.BadParameter):
        zh = f"{hint} 的值无效" if hint else "参数值无效"
        if "does not exist" in english:
            zh += "：文件或文件夹不存在"
        elif "is a directory" in english:
            zh += "：这是文件夹，需要文件"
        elif "is a file" in english:
            zh += "：这是文件，需要文件夹"
        elif "is not one of" in english or "is not a valid" in english or "is not in the range" in english:
            zh += "：不在允许的取值内"
    elif isinstance(exc, click.FileError):
        zh = f"无法打开文件 {exc.ui_filename}"
    elif isinstance(exc, click.UsageError):
        zh = "用法有误" + ("：多余的参数" if "unexpected extra argument" in english else "")
    else:
        zh = "出错"
    return f"{zh} ({english})"


def show_error(exc: click.ClickException) -> None:
    """An error the way every dutycheck error reads: usage and help hint for a usage error,
    then `错误：中文 (English)` on stderr."""
    ctx = getattr(exc, "ctx", None)
    if isinstance(exc, click.UsageError) and ctx is not None:
        click.echo(f"用法 (usage): {ctx.get_usage().removeprefix('Usage: ')}", err=True)
        click.echo(f"帮助 (help): {ctx.command_path} --help\n", err=True)
    click.echo(f"错误：{click_message_zh(exc)}", err=True)


class BilingualGroup(click.Group):
    """The command group, with click's own errors shown in Chinese and English."""

    def main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:
        run: Any = super().main   # click's overloads key on a literal standalone_mode
        if not standalone_mode:
            return run(*args, standalone_mode=False, **kwargs)
        try:
            rv = run(*args, standalone_mode=False, **kwargs)
        except click.ClickException as exc:
            show_error(exc)
            sys.exit(exc.exit_code)
        except click.exceptions.Abort:
            click.echo("已中止 (aborted)", err=True)
            sys.exit(1)
        sys.exit(rv if isinstance(rv, int) else 0)


class _Commands(BilingualGroup):
    """A group whose commands named in `_LAZY_COMMANDS` are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(_LAZY_COMMANDS))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in _LAZY_COMMANDS and cmd_name not in self.commands:
            import importlib

            module, attr = _LAZY_COMMANDS[cmd_name]
            cmd = getattr(importlib.import_module(f".{module}", __package__), attr)
            for sub_module, sub_attr in _LAZY_SUBCOMMANDS.get(cmd_name, ()):
                cmd.add_command(getattr(importlib.import_module(f".{sub_module}", __package__), sub_attr))
            self.add_command(cmd, cmd_name)
        return super().get_command(ctx, cmd_name)

    @property
    def all_commands(self) -> dict[str, click.Command]:
        """Every command, the lazy ones imported (for tests and documentation)."""
        ctx = click.Context(self)
        return {name: cmd for name in self.list_commands(ctx) if (cmd := self.get_command(ctx, name))}


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="dutycheck")
def main() -> None:
    """dutycheck：审查法治政府建设年度报告是否报告了法定职责。

    Audit annual rule-of-law reports (法治政府建设年度报告) against duty checklists.

    \b
    退出码 (exit codes): 0 正常; 1 得分低于 --fail-under; 2 输入或清单有误;
    3 批量审查中有文件失败 (batch: some files failed).
    """
    from .read import lean_imports

    lean_imports()   # this process is dutycheck's own: bs4 may come without what it never uses


def write_document(out: str, write) -> None:
    """Run `write(out)`; an unwritable path becomes one clean message (no traceback)."""
    try:
        write(out)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise CLIError(f"{out}: 无法写入输出文件：{reason} (cannot write the output file)") from None


@main.command()
@click.argument("path", type=click.Path(path_type=str))
@checklist_option
@click.option("--format", "-f", "fmt",
              type=click.Choice(["terminal", "json", "markdown", "html", "docx"]),
              default="terminal", show_default=True,
              help="输出格式：docx 为审查意见（Word），html 为可打印的单份报告页 (output format)")
@click.option("--out", "-o", type=click.Path(dir_okay=False), default=None,
              help="输出文件；docx 必须指定 (output file; required for docx)")
@click.option("--agency", default=None, help="单位名称，覆盖报告标题中识别的名称 (override the agency)")
@click.option("--year", type=click.IntRange(1990, 2100), default=None,
              help="报告年度，覆盖识别的年度 (override the year)")
@click.option("--reviewer", default=None, help="审查意见的审查人 (reviewer named in the memo)")
@click.option("--fail-under", type=click.FloatRange(0, 100), default=None,
              help="得分低于此值时退出码为 1 (exit 1 when the score is below N)")
@click.option("--db", type=click.Path(exists=True, dir_okay=False), default=None,
              help="结果库：应用其中的人工复核改定 (apply the reviewer's corrections kept in this store)")
@click.option("--timeout", type=click.FloatRange(min=0), default=120, show_default=True,
              help="最长审查秒数，超时退出码为 2；0 表示不限 (seconds before giving up; 0: no limit)")
def audit(path: str, checklist: str, fmt: str, out: str | None, agency: str | None, year: int | None,
          reviewer: str | None, fail_under: float | None, db: str | None, timeout: float = 120) -> None:
    """审查一份报告 (audit one report).

    \b
    Example:
        dutycheck audit reports/山西/晋城市教育局-2023.txt
        dutycheck audit report.docx --format json --fail-under 60
        dutycheck audit report.pdf --format docx --out 审查意见.docx --reviewer 张三
        dutycheck audit report.pdf --format html --out 报告审查.html
        dutycheck audit report.docx --db results.sqlite     # with the reviewer's corrections
    """
    if fmt == "docx" and not out:
        raise CLIError("docx 格式需要 --out 指定输出文件 (--format docx needs --out FILE)")
    from .read import start_source
    from .timelimit import FileTimeout, time_limit

    disarm = time_limit(timeout or None)     # every input ends: a hostile file cannot hang the command
    pending = None
    try:
        # the file first: a PDF's text is extracted in its child (a web page or a .docx parsed in
        # one) while this process imports the pipeline and compiles the checklist (on two cores
        # the two overlap)
        pending = start_source(path, parse_ahead=True)
        from .audit import audit_source
        from .checklist.load import compiled_checklist

        _import_ahead(fmt)
        try:
            compiled = compiled_checklist(checklist)
        except DutycheckError:
            pending.finish()                 # a bad report is named before a bad checklist
            raise
        result = audit_source(pending.finish(), compiled, agency=agency, year=year)
    except FileTimeout:
        raise CLIError(f"{path}: 审查超时（超过 {timeout:g} 秒），未完成；可用 --timeout 放宽 "
                       f"(timed out after {timeout:g} s)") from None
    except DutycheckError as exc:
        raise fail(exc) from None
    finally:
        if pending is not None:
            pending.close()
        disarm()
    try:
        if db:
            from .review import apply_to_result
            from .review.log import load_current
            from .store import Store

            with Store(db) as store:
                result = apply_to_result(result, load_current(store))
    except DutycheckError as exc:
        raise fail(exc) from None
    if fmt == "docx":
        from .render.docx_memo import write_memo

        write_document(out or "", lambda p: write_memo(result, p, reviewer=reviewer))
        click.echo(f"审查意见已写入 {out}", err=True)
    elif fmt == "html":
        from .render.report_html import render_report_html

        page = render_report_html(result)
        if out:
            write_document(out, lambda p: _write_text(p, page))
            click.echo(f"报告页已写入 {out}", err=True)
        else:
            click.echo(page, nl=False)
    elif fmt == "json":
        from .render.json import render_json

        _emit(render_json(result) + "\n", out)
    elif fmt == "markdown":
        from .render.markdown import render_markdown

        _emit(render_markdown(result), out)
    elif out:                  # the terminal view into a file: no colour, 120 cells
        from .render.terminal import terminal_text

        _emit(terminal_text(result, width=120), out)
    else:
        from .render.terminal import render_terminal

        render_terminal(result)
    if fail_under is not None and result.score < fail_under:
        click.echo(f"得分 {result.score:.1f} 低于 --fail-under {fail_under:g} "
                   f"(score below threshold)", err=True)
        sys.exit(EXIT_BELOW_THRESHOLD)


# What `audit` imports after the report is read: imported while a PDF's child works instead
_IMPORT_AHEAD = {"terminal": ("render.terminal",), "json": ("render.json",), "markdown": ("render.markdown",),
                 "html": ("render.report_html",), "docx": ("render.docx_memo",)}


def _import_ahead(fmt: str) -> None:
    import importlib

    for module in ("formal", "score", *_IMPORT_AHEAD[fmt]):    # formal and score: audit_source's own
        importlib.import_module(f".{module}", __package__)


def _write_text(path: str, text: str) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)


def _emit(text: str, out: str | None) -> None:
    if out:
        write_document(out, lambda p: _write_text(p, text))
    else:
        click.echo(text, nl=False)


@main.command()
@click.argument("path", type=click.Path(path_type=str))
@click.argument("item_id", metavar="ITEM")
@checklist_option
def explain(path: str, item_id: str, checklist: str) -> None:
    """解释一项职责为何得到该状态 (explain one item's status).

    ITEM 是条目编号、编号的开头（唯一时）或中文名称（或其中一段，唯一时）。
    Shows which phrase matched which sentence, with score, section and role, and why
    the context made it planned or shortfall; for an absent item, the nearest misses.

    \b
    Example:
        dutycheck explain reports/河南/焦作市教育局-2024.txt legal-counsel.retained
        dutycheck explain reports/河南/焦作市教育局-2024.txt 法律顾问
        dutycheck explain reports/河南/焦作市教育局-2024.txt legal-counsel.ret
    """
    from .audit import audit_path, find_item
    from .render.explain import render_explain

    try:
        result = audit_path(path, checklist, explain=True)
        item = find_item(result, item_id)
    except DutycheckError as exc:
        raise fail(exc) from None
    render_explain(result, item)


@main.command("eval")
@click.option("--gold", type=click.Path(exists=True, dir_okay=False),
              help="人工标注 YAML (gold labels, shape of shared/gold/seeds.yaml)")
@click.option("--reports", type=click.Path(exists=True, file_okay=False),
              help="报告所在目录 (directory holding the labelled reports)")
@click.option("--db", type=click.Path(exists=True, dir_okay=False), default=None,
              help="改用结果库中的人工复核：机器与复核人的一致程度 (agreement with the reviewer's corrections)")
@checklist_option
@click.option("--format", "-f", "fmt", type=click.Choice(["terminal", "json"]), default="terminal",
              show_default=True)
def eval_cmd(gold: str | None, reports: str | None, db: str | None, checklist: str, fmt: str) -> None:
    """与人工标注比对 (agreement with human labels).

    Non-doubtful labels only; an id the gold file does not list is `absent`. Only the
    ids of `concepts.yaml` beside the gold file are compared, when it is there.

    \b
    Example:
        dutycheck eval --gold ../shared/gold/seeds.yaml --reports ../shared/seeds
        dutycheck eval --db results.sqlite     # the machine against the reviewer, reviewed reports only
    """
    from .evaluate import evaluate
    from .render.evalview import render_eval

    if db is None and (gold is None or reports is None):
        raise CLIError("需要 --gold 和 --reports，或 --db (give --gold and --reports, or --db)")
    try:
        if db is not None:
            from .review import machine_agreement
            from .store import Store

            with Store(db) as store:
                result = machine_agreement(store)
            if not result.reports:
                raise CLIError(f"{db}: 还没有复核过的报告，先用 dutycheck review set 改定 (no reviewed reports)")
        else:
            assert gold is not None and reports is not None
            result = evaluate(gold, reports, checklist)
    except DutycheckError as exc:
        raise fail(exc) from None
    if fmt == "json":
        import json

        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        render_eval(result)


# The other commands are imported when they are run (or listed by --help): a cold
# `dutycheck audit` does not pay for batch, checklist, review and serve.
_LAZY_COMMANDS = {
    "batch": ("cli_batch", "batch"), "history": ("cli_batch", "history"), "compare": ("cli_batch", "compare"),
    "checklist": ("cli_checklist", "checklist"), "review": ("cli_review", "review"), "serve": ("cli_serve", "serve"),
}
# subcommands defined elsewhere, added to a lazy group when it is loaded
_LAZY_SUBCOMMANDS = {
    "checklist": [("cli_review", "suggest_cmd")],   # `checklist suggest`: learned from the review log
}
