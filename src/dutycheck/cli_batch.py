"""Command line of batch mode: `batch`, `history`, `compare`.

Only click and the standard library at module level: `dutycheck audit`'s cold start is
benchmarked and imports this module through cli.py. Everything else is imported when a
command runs.
"""

from __future__ import annotations

import os
import sys
from typing import IO, TYPE_CHECKING

import click

from .errors import EXIT_BAD_INPUT, EXIT_BELOW_THRESHOLD, DutycheckError

if TYPE_CHECKING:  # pragma: no cover
    from .batch import Batch

FORMATS = ("table", "json", "jsonl", "csv", "xlsx", "html", "docx")
CHECKLIST_HELP = "清单：内置名称（default、general）或 YAML 文件路径 (bundled name or file)"
NOTE_LIMIT = 50


def _fail(exc: DutycheckError) -> click.ClickException:
    from .cli import fail

    return fail(exc)


def _usage(zh_en: str) -> click.ClickException:
    from .cli import CLIError

    return CLIError(zh_en)


def _note(text: str) -> None:
    click.echo(text, err=True)


def _notes(lines: list[str], what: str) -> None:
    for line in lines[:NOTE_LIMIT]:
        _note(line)
    if len(lines) > NOTE_LIMIT:
        _note(f"……另有 {len(lines) - NOTE_LIMIT} 个{what}未列出 (and {len(lines) - NOTE_LIMIT} more)")


def _progress(total: int):
    """A progress bar on stderr (count, rate, ETA), or None when stderr is not a terminal."""
    from rich.console import Console

    console = Console(stderr=True)
    if not console.is_terminal or total <= 1:
        return None
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        ProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )
    from rich.text import Text

    class Rate(ProgressColumn):
        def render(self, task) -> Text:
            speed = task.finished_speed or task.speed
            return Text(f"{speed:.1f} 份/秒" if speed else "— 份/秒", style="cyan")

    return Progress(TextColumn("[bold]审查"), BarColumn(), MofNCompleteColumn(), Rate(),
                    TextColumn("已用"), TimeElapsedColumn(), TextColumn("剩余"), TimeRemainingColumn(),
                    console=console, transient=True)


def _same_file(a: str, b: str) -> bool:
    """Whether two paths name one file (through links, `./`, case-folding file systems)."""
    import os

    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)


def _check_outputs(out: str | None, db: str | None, inputs: list, fmt: str = "") -> None:
    """Refuse, before any work, an output that would destroy an input or the store, and an
    output that cannot be written: found at the end, it would cost the whole run."""
    import os
    import tempfile

    from .safetext import display_path

    for flag, target in (("--out", out), ("--db", db)):
        if target is None:
            continue
        for inp in inputs:
            if _same_file(target, inp.path):
                raise _usage(f"{display_path(target)}: {flag} 指向了一份待审查的报告，写入会毁掉它；"
                             f"请换一个输出文件名 ({flag} is one of the input reports)")
    if out is not None and db is not None and _same_file(out, db):
        raise _usage(f"{display_path(out)}: --out 与 --db 是同一个文件，写入结果会清空数据库；"
                     "请换一个输出文件名 (--out is the --db store)")
    for flag, target in (("--out", out), ("--db", db)):
        if target is None:
            continue
        shown = display_path(target)
        what = "无法写入输出文件" if flag == "--out" else "无法写入数据库文件"
        if flag == "--out" and fmt == "docx":         # a folder of memos
            if os.path.exists(target) and not os.path.isdir(target):
                raise _usage(f"{shown}: --format docx 的 --out 应为文件夹 (--out must be a folder for docx)")
            target = os.path.join(target, ".dutycheck-probe") if os.path.isdir(target) else target
        elif os.path.isdir(target):
            raise _usage(f"{shown}: {flag} 是一个文件夹，请给出文件名 ({flag} is a folder)")
        parent = os.path.dirname(os.path.abspath(target))
        if not os.path.isdir(parent):
            raise _usage(f"{shown}: {what}：{flag} 所在的文件夹不存在，未开始审查 "
                         f"(the folder of {flag} does not exist; nothing was audited)")
        try:
            if os.path.exists(target):
                with open(target, "ab"):         # opens for writing without changing a byte
                    pass
            else:
                with tempfile.NamedTemporaryFile(dir=parent, prefix=".dutycheck-probe-"):
                    pass
        except OSError as exc:
            raise _usage(f"{shown}: {what}（{flag}）：{exc.strerror}，未开始审查 "
                         f"(cannot write {flag}; nothing was audited)") from None


def _exit_now(code: int) -> None:
    """Exit after an interruption without waiting for the worker pool's threads at interpreter
    shutdown (a signal can land while they hold a lock); the store is closed already. Inside
    click's test runner (no real stdout) a normal exit."""
    import os

    try:
        sys.stdout.flush()
        sys.stderr.flush()
        sys.stdout.fileno()
    except (OSError, ValueError, AttributeError):
        sys.exit(code)
    os._exit(code)


class _Stopped(BaseException):
    """SIGTERM, raised in the main thread so that every `finally` runs (the store commits)."""


def _on_term(signum: int, frame) -> None:
    raise _Stopped


def _open_out(out: str | None, encoding: str = "utf-8") -> IO[str]:
    if out is None:
        if encoding == "utf-8-sig":
            sys.stdout.write("\ufeff")
        return sys.stdout
    try:
        return open(out, "w", encoding=encoding, newline="")
    except OSError as exc:
        raise _usage(f"{out}: 无法写入输出文件：{exc.strerror} (cannot write the output file)") from None


@click.command()
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("--recursive", "-r", is_flag=True, help="展开子目录 (descend into subfolders)")
@click.option("--checklist", "-c", default="default", show_default=True, help=CHECKLIST_HELP)
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="并行进程数，默认使用全部核心；1 表示在本进程内审查 (worker processes; default: all cores)")
@click.option("--format", "-f", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
              help="输出格式 (output format)")
@click.option("--out", "-o", type=click.Path(), default=None,
              help="输出文件；xlsx 必须指定 (output file; required for xlsx)")
@click.option("--db", type=click.Path(dir_okay=False), default=None,
              help="SQLite 结果库：保存本次运行，未变化的报告直接取用已存结果 (store runs; cache)")
@click.option("--region", "region_mode", type=click.Choice(["auto", "folder", "name"]), default="auto",
              show_default=True,
              help="地区分组依据：文件夹或单位名称中的省市县 (group regions by folder or by the agency name)")
@click.option("--fail-under", type=click.FloatRange(0, 100), default=None,
              help="有报告得分低于此值时退出码为 1 (exit 1 when some report scores below N)")
@click.option("--timeout", type=click.FloatRange(min=0), default=120, show_default=True,
              help="单个文件最长审查秒数，超时记为失败；0 表示不限 (seconds per file; 0: no limit)")
def batch(paths: tuple[str, ...], recursive: bool, checklist: str, jobs: int | None, fmt: str,
          out: str | None, db: str | None, region_mode: str, fail_under: float | None,
          timeout: float) -> None:
    """批量审查一个地区的报告：排名、职责覆盖、地区分组 (audit many reports).

    PATH 可以是文件、文件夹或通配符；不支持的文件会列出并跳过。
    结果在审查完成时逐份写出（jsonl），一份文件出错不影响其他文件。

    \b
    Examples:
        dutycheck batch reports/ --recursive
        dutycheck batch reports/ -r --format html --out 审查结果.html
        dutycheck batch 'reports/**/*.txt' -r --format xlsx --out 审查结果.xlsx --db results.sqlite
        dutycheck batch reports/ -r --format jsonl | jq .score

    \b
    退出码 (exit codes): 0 正常; 1 有报告得分低于 --fail-under; 2 没有可审查的文件、全部失败
    或清单有误; 3 部分文件失败，其余已审查 (2 > 3 > 1 when several apply).
    """
    from .batch import JsonlSink, SpoolSink, StoreSink, exit_code, expand_paths, run_batch
    from .checklist.load import load_checklist

    if fmt == "xlsx" and not out:
        raise _usage("xlsx 格式需要 --out 指定输出文件 (--format xlsx needs --out FILE)")
    if fmt == "docx" and not out:
        raise _usage("docx 格式需要 --out 指定输出文件夹（每份报告一份审查意见，另加区域汇总.docx）"
                     " (--format docx needs --out FOLDER)")
    if out and fmt != "docx" and os.path.isdir(out):
        raise _usage(f"{out}: 这是一个文件夹，--out 需要文件名 (--out names a folder; give a file name)")
    try:
        cl = load_checklist(checklist)
    except DutycheckError as exc:
        raise _fail(exc) from None
    exp = expand_paths(paths, recursive=recursive)
    _notes([f"跳过 {s.path}：{s.zh} (skipped: {s.en})" for s in exp.skipped], "跳过的文件")
    if not exp.inputs:
        raise _usage("没有找到可审查的报告文件 (no report files to audit)"
                     + ("；文件夹请加 --recursive 展开子目录"
                        if not recursive and any("--recursive" in s.en for s in exp.skipped) else ""))
    _check_outputs(out, db, exp.inputs, fmt)

    # the sinks, in the order they see each outcome: the store (the machine's result, and the
    # reviewer's corrections every other output shows), the spool for the final exports, jsonl
    sinks: list = [kept := _Kept()]
    store = None
    if db:
        try:
            store = StoreSink(db, list(paths))
        except DutycheckError as exc:
            raise _fail(exc) from None
        sinks.insert(0, store)
    spool = SpoolSink() if fmt in ("json", "xlsx", "html", "docx") else None
    if spool is not None:
        sinks.append(spool)
    stream = _open_out(out) if fmt == "jsonl" else None
    if stream is not None:
        sinks.append(JsonlSink(stream))
    total = len(exp.inputs)
    display = _progress(total)
    import signal
    import threading

    main_thread = threading.current_thread() is threading.main_thread()
    previous_term = signal.signal(signal.SIGTERM, _on_term) if main_thread else None
    stopped: int | None = None
    try:
        # jsonl streams every audit as it finishes and keeps no per-report rows: flat memory
        result = run_batch(exp, cl, jobs=jobs, region=region_mode, timeout=timeout or None,
                           keep_rows=fmt != "jsonl", sinks=sinks,
                           progress=_advance(display, total) if display is not None else None)
    except KeyboardInterrupt:
        stopped = signal.SIGINT
    except _Stopped:
        stopped = signal.SIGTERM
    except DutycheckError as exc:          # the store failed (locked for minutes, damaged)
        _sink_notes(kept.batch)
        raise _fail(exc) from None
    finally:
        if main_thread:
            signal.signal(signal.SIGTERM, previous_term)
        if display is not None:
            display.stop()
        if stream is not None and stream is not sys.stdout:
            stream.close()
    if stopped is not None:
        partial = kept.batch
        code = exit_code(partial, stopped=stopped)
        if partial is None:                 # stopped before the run began
            _exit_now(code)
            return
        _sink_notes(partial)
        c = partial.counts()
        _note(f"已中断：已审查 {c['audited']} 份、失败 {c['failed']} 份"
              + ("，结果已存入数据库；用同样的命令重新运行，已审查的报告直接从数据库取用" if store else "")
              + f" (interrupted; exit {code})")
        if spool is not None:
            spool.spool.close()
        _exit_now(code)

    try:
        _write(result, spool.spool if spool is not None else None, fmt, out)
    finally:
        if spool is not None:
            spool.spool.close()
    result.stop_clock()   # 用时 includes writing the exports

    c = result.counts()
    if fmt != "table" or out:  # the table shows these itself
        _notes([f"失败 {e.path}：{e.message}" for e in result.errors], "失败的文件")
        _note(f"已审查 {c['audited']} 份（失败 {c['failed']}，重复 {c['duplicates']}，跳过 {c['skipped']}，"
              f"缓存命中 {c['cached']}），用时 {c['elapsed_s']:.1f} 秒"
              + (f"，结果已写入 {out}" if out else "")
              + (f"，数据库运行编号 {result.run_id}" if result.run_id is not None else ""))

    code = exit_code(result, fail_under=fail_under)
    if code == EXIT_BAD_INPUT:
        _note("没有一份报告审查成功 (no report could be audited)")
    elif code == EXIT_BELOW_THRESHOLD and fail_under is not None:
        _note(f"{result.count_below(fail_under)} 份报告得分低于 --fail-under {fail_under:g} (score below threshold)")
    sys.exit(code)


class _Kept:
    """A sink that only keeps the Batch being filled, so that an interrupted run can still be
    summed up (run_batch raises; the Batch has what finished)."""

    batch: Batch | None = None

    def open(self, batch: Batch) -> None:
        self.batch = batch

    def add(self, outcome) -> None:
        pass

    def close(self, batch, complete: bool) -> None:
        pass


def _sink_notes(batch) -> None:
    """What failed while the sinks were closed after a stop (the store could not commit)."""
    for exc in getattr(batch, "sink_errors", ()):
        _note(_fail(exc).format_message() if isinstance(exc, DutycheckError) else str(exc))


def _advance(display, total: int):
    """run_batch's progress callback driving the rich bar: started once the workers exist
    (forking while its display thread runs is unsafe), then advanced per file."""
    task = display.add_task("审查", total=total)
    shown = [0]

    def progress(finished: int, total: int) -> None:
        if finished == 0:
            display.start()
        else:
            display.advance(task, finished - shown[0])
            shown[0] = finished

    return progress


def _write(result, spool, fmt: str, out: str | None) -> None:
    """Render the finished batch in the chosen format (jsonl was streamed already)."""
    if fmt == "jsonl":
        return
    if fmt == "xlsx":
        from .render.xlsx import write_xlsx

        try:
            write_xlsx(result, spool, out or "")
        except OSError as exc:
            raise _usage(f"{out}: 无法写入输出文件：{exc.strerror} (cannot write the output file)") from None
        return
    if fmt == "docx":
        from .render.docx_summary import write_batch_memos

        try:
            written = write_batch_memos(result, lambda paths: (rec.to_result() for rec in spool.audits(paths)),
                                        out or ".")
        except OSError as exc:
            raise _usage(f"{exc.filename or out}: 无法写入输出文件：{exc.strerror} (cannot write the output file)"
                         ) from None
        _note(f"已写入 {len(written) - 1} 份审查意见和区域汇总.docx 到 {out}")
        return
    if fmt == "html" and out:
        from .render.html import write_report_pages

        try:
            links = write_report_pages(result, spool, out)
        except OSError as exc:
            raise _usage(f"{exc.filename or out}: 无法写入输出文件：{exc.strerror} (cannot write the output file)"
                         ) from None
    else:
        links = {}
    fh = _open_out(out, "utf-8-sig" if fmt == "csv" else "utf-8")
    try:
        _render(result, spool, fmt, out, fh, links)
    except OSError as exc:          # disk full, a file system gone read-only while writing
        raise _usage(f"{out or '标准输出'}: 写入输出失败：{exc.strerror} (writing the output failed)") from None
    finally:
        if fh is not sys.stdout:
            try:
                fh.close()
            except OSError:
                pass
        else:
            fh.flush()


def _render(result, spool, fmt: str, out: str | None, fh, links: dict | None = None) -> None:
    if fmt == "table":
        from rich.console import Console

        from .render.batch_table import render_batch_table

        console = (Console(file=fh, width=160, force_terminal=False, color_system=None, markup=False)
                   if out else None)
        render_batch_table(result, console)
    elif fmt == "csv":
        from .render.csv import write_csv

        write_csv(result, fh)
    elif fmt == "json":
        from .render.batch_json import write_batch_json

        write_batch_json(result, spool, fh)
    elif fmt == "html":
        from .render.html import write_html

        write_html(result, spool, fh, links=links or {})


@click.command()
@click.argument("agency")
@click.option("--db", required=True, type=click.Path(exists=True, dir_okay=False),
              help="dutycheck batch --db 写入的 SQLite 文件 (the store written by batch --db)")
@click.option("--format", "-f", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
def history(agency: str, db: str, fmt: str) -> None:
    """一个单位历年的审查结果和变化 (an agency's audits over the years).

    每一年：得分、变化、新增报告的职责、不再报告的职责。单位名称先精确匹配，否则按包含匹配。

    \b
    Example:
        dutycheck history 晋城市教育局 --db results.sqlite
    """
    from .review.apply import store_overlay
    from .store import Store

    try:
        with Store(db) as store:
            store.overlay = store_overlay(store)   # the reviewer's corrections
            entries = store.history(agency)
            titles = store.titles()
    except DutycheckError as exc:
        raise _fail(exc) from None
    if not entries:
        raise _usage(f"数据库中没有“{agency}”的审查记录 (no audits of this agency in {db})")
    if fmt == "json":
        import json

        click.echo(json.dumps({"schema": "dutycheck.history/1", "agency": agency,
                               "entries": [e.to_dict() for e in entries]}, ensure_ascii=False, indent=2))
        return
    from .render.batch_table import render_history

    render_history(agency, entries, titles)


@click.command()
@click.argument("run_a", type=int)
@click.argument("run_b", type=int)
@click.option("--db", required=True, type=click.Path(exists=True, dir_okay=False),
              help="dutycheck batch --db 写入的 SQLite 文件 (the store written by batch --db)")
@click.option("--format", "-f", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
def compare(run_a: int, run_b: int, db: str, fmt: str) -> None:
    """比较两次批量审查：各单位得分变化、新增和不再报告的职责 (compare two runs).

    按单位名称配对（同一单位取该次运行中最新年度的报告）。运行编号见 batch 结束时的提示
    或 history 的“运行”列。

    \b
    Example:
        dutycheck compare 1 2 --db results.sqlite
    """
    from .review.apply import store_overlay
    from .store import Store

    try:
        with Store(db) as store:
            store.overlay = store_overlay(store)   # the reviewer's corrections
            cmp = store.compare(run_a, run_b)
    except DutycheckError as exc:
        raise _fail(exc) from None
    if fmt == "json":
        import json

        click.echo(json.dumps(cmp.to_dict(), ensure_ascii=False, indent=2))
        return
    from .render.batch_table import render_compare

    render_compare(cmp)
