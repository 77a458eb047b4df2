"""`dutycheck checklist …`: look at, check, edit, test and build checklists.

Click commands only: each parses its options, calls one function of `checklist/`
(load, edit, testing, build) and prints the result. Module-level imports are click and
the standard library only, because `cli.py` imports this module on every start and
the cold start of `dutycheck audit` is measured; ruamel, jieba and rich load inside
the commands that use them.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .errors import EXIT_BAD_INPUT, EXIT_BELOW_THRESHOLD, ChecklistError, DutycheckError

EDIT_MARK = "# dutycheck: "
MAX_EDIT_ROUNDS = 50        # a scripted $EDITOR that always changes the text must not loop forever


class _Fail(click.ClickException):
    """A library error shown as `Error: path:line:col: 说明 (English)`, exit code 2."""

    exit_code = EXIT_BAD_INPUT

    def __init__(self, message: str, exit_code: int = EXIT_BAD_INPUT) -> None:
        super().__init__(message)
        vars(self)["exit_code"] = exit_code   # click declares exit_code a class variable

    def format_message(self) -> str:
        return self.message


def _fail(exc: DutycheckError, extra: str = "") -> _Fail:
    return _Fail(_message(exc) + extra, exc.exit_code)


def _problem_line(p: DutycheckError) -> str:
    """`file:line:col: key: 中文 (English)`: one line per problem, as editors expect."""
    loc = p.location()
    key = f"{p.key}: " if p.key else ""
    text = p.zh + (f" ({p.en})" if p.en else "")
    return f"{loc}: {key}{text}" if loc else f"{key}{text}"


def _message(exc: DutycheckError) -> str:
    problems = getattr(exc, "problems", None) or [exc]
    return "\n".join(_problem_line(p) for p in problems)


def _load(ref: str):
    """The checklist, read afresh; errors name the file as the user wrote it."""
    from .checklist.edit import renamed_error
    from .checklist.load import load_checklist_uncached, resolve_path

    path = resolve_path(ref)
    try:
        return load_checklist_uncached(path)
    except ChecklistError as exc:
        raise renamed_error(exc, path, path) from None


@click.group("checklist")
def checklist() -> None:
    """查看、校验、编辑、测试和生成职责清单 (view, validate, edit, test and build checklists).

    Checklists are YAML files (format: docs/checklist-format.md). Every edit keeps the
    file's comments and is validated before it is saved.

    \b
    Example:
        dutycheck checklist list
        dutycheck checklist validate checklists/examples/shanxi.yaml
        dutycheck checklist new shanxi --extends default
    """


# ----------------------------------------------------------------------------- list / show

def _summary(path: Path) -> tuple[str, str, str, str]:
    """(id, version, title, what it extends or an error) of one checklist file."""
    try:
        cl = _load(str(path))
    except DutycheckError as exc:
        first = (getattr(exc, "problems", None) or [exc])[0]
        return path.stem, "", f"✖ 无效 (invalid): {first.zh}", ""
    base = ""
    if len(cl.chain) > 1:
        base = f"继承 {Path(cl.chain[-2]).stem} (extends)"
    return cl.id, cl.version, f"{cl.title}  [{len(cl.items)} 项 items]", base


def _looks_like_checklist(path: Path) -> bool:
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return True                   # show it: a broken checklist should be seen
    return isinstance(data, dict) and bool({"items", "extends", "groups"} & set(data))


@checklist.command("list")
def list_cmd() -> None:
    """列出内置和本地清单 (list bundled and local checklists).

    Bundled checklists are used by name (`--checklist default`); local ones are the
    *.yaml files in ./checklists and in the current directory.

    \b
    Example:
        dutycheck checklist list
    """
    from .checklist.load import bundled_dir

    bundled = bundled_dir()
    sections = [
        ("内置清单 (bundled, use by name)", sorted(bundled.glob("*.yaml")), True),
        ("示例 (examples)", sorted((bundled / "examples").glob("*.yaml")), False),
    ]
    seen = {p.resolve() for _, files, _ in sections for p in files}
    local = []
    for folder in (Path("checklists"), Path(".")):
        for p in sorted(folder.glob("*.y*ml")) if folder.is_dir() else []:
            if p.resolve() in seen or p.name.startswith(".") or not _looks_like_checklist(p):
                continue
            seen.add(p.resolve())
            local.append(p)
    sections.append(("本地清单 (local: ./checklists, .)", local, False))
    for heading, files, by_name in sections:
        click.echo(heading)
        if not files:
            click.echo("  （无 none）")
        for p in files:
            cid, version, title, base = _summary(p)
            name = p.stem if by_name else str(p)
            click.echo(f"  {name:<28} {version:<9} {title}" + (f"  {base}" if base else ""))


def _rules_text(item) -> str:
    if item.kind == "section":
        parts = [f"报告部分 (part): {', '.join(r.value for r in item.roles)}"]
        parts += [r.label for r in item.rules]
    else:
        parts = [r.label for r in item.rules]
    text = " / ".join(parts)
    return text if len(text) <= 60 else text[:59] + "…"


@checklist.command()
@click.argument("ref", metavar="ID|FILE")
def show(ref: str) -> None:
    """以表格显示清单的条目，已按 extends 合并 (items in a table, resolved through extends).

    \b
    Example:
        dutycheck checklist show default
        dutycheck checklist show checklists/examples/shanxi.yaml
    """
    from rich.console import Console
    from rich.table import Table

    try:
        cl = _load(ref)
    except DutycheckError as exc:
        raise _fail(exc) from None
    console = Console()
    chain = " → ".join(Path(p).stem for p in cl.chain)
    console.print(f"[bold]{cl.title}[/bold]  id={cl.id}  version={cl.version}  "
                  f"{len(cl.items)} 项 (items)")
    console.print(f"继承链 (extends chain): {chain}", style="dim")
    wide = console.width >= 120
    order = list(cl.groups) + sorted({it.group for it in cl.items} - set(cl.groups))
    for gid in order:
        items = [it for it in cl.items if it.group == gid]
        if not items:
            continue
        group = cl.groups.get(gid)
        table = Table(title=f"{group.title if group else gid}  ({gid})", title_justify="left",
                      title_style="bold", expand=True)
        table.add_column("id", no_wrap=True)
        table.add_column("职责 (title)", ratio=3, overflow="fold")
        table.add_column("权重", justify="right", no_wrap=True)
        table.add_column("示例", justify="right", no_wrap=True)
        table.add_column("来源", no_wrap=True)
        if wide:
            table.add_column("规则 (rules)", ratio=4, overflow="fold")
        for it in items:
            examples = sum(len(v or []) for v in (it.examples or {}).values())
            row = [it.id, it.title, f"{it.weight:g}", str(examples), Path(it.source.split("#")[0]).stem]
            if wide:
                row.append(_rules_text(it))
            table.add_row(*row)
        console.print(table)


# ----------------------------------------------------------------------------- validate

@checklist.command()
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
def validate(files: tuple[str, ...]) -> None:
    """校验清单，列出全部错误及其位置 (validate; every error with file:line:column).

    Exit code 2 when any file is invalid.

    \b
    Example:
        dutycheck checklist validate checklists/examples/shanxi.yaml
    """
    bad = 0
    for ref in files:
        try:
            cl = _load(ref)
        except DutycheckError as exc:
            bad += 1
            problems = getattr(exc, "problems", None) or [exc]
            for p in problems:
                click.echo(_problem_line(p))
            click.echo(f"✖ {ref}: {len(problems)} 处错误 ({len(problems)} problem"
                       f"{'s' if len(problems) != 1 else ''})", err=True)
            continue
        click.echo(f"✔ {ref}: 有效，{len(cl.items)} 项 (valid, {len(cl.items)} items)")
    if bad:
        sys.exit(EXIT_BAD_INPUT)


# ----------------------------------------------------------------------------- edits

@checklist.command()
@click.argument("name")
@click.option("--extends", "extends", default=None, metavar="NAME|FILE",
              help="继承的清单，如 default (base checklist, e.g. default)")
@click.option("--out", "-o", type=click.Path(dir_okay=False), default=None,
              help="输出文件，默认 NAME.yaml (output file; default NAME.yaml)")
@click.option("--title", default=None, help="清单名称 (title)")
def new(name: str, extends: str | None, out: str | None, title: str | None) -> None:
    """新建清单文件 (create a checklist file).

    NAME is the checklist id (lower-case ascii). With --extends the new file holds only
    what differs from the base: new items, overrides, disabled items.

    \b
    Example:
        dutycheck checklist new shanxi --extends default --title 山西省教育局法治政府建设年度报告清单
    """
    from .checklist.edit import new_checklist

    path = Path(out or f"{name}.yaml")
    try:
        new_checklist(path, name, extends=extends, title=title)
    except DutycheckError as exc:
        raise _fail(exc) from None
    click.echo(f"已创建 (created) {path}")
    click.echo(f"下一步 (next): dutycheck checklist add {path} --id ... --title ... --group ... --phrase ...")


@checklist.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--id", "item_id", required=True, help="条目 id，如 legal-counsel.participation (item id)")
@click.option("--title", required=True, help="职责名称 (duty title)")
@click.option("--group", required=True, help="分组 id (group id)")
@click.option("--group-title", default=None, help="分组不存在时新建，并用此名称 (create the group with this title)")
@click.option("--weight", type=float, default=1, show_default=True, help="权重 0–10 (weight)")
@click.option("--phrase", "phrases", multiple=True, help="匹配短语，可多次给出 (a phrase; repeat for more)")
@click.option("--basis", default=None, help="法律依据 (legal basis)")
@click.option("--guidance", default=None, help="缺项时应补写的内容 (what to write when missing)")
@click.option("--example", "examples", multiple=True, help="应判为已开展的报告原句 (a report sentence that must match)")
@click.option("--no-match", "no_match", multiple=True, help="不应匹配的相似句 (a look-alike that must not match)")
def add(file: str, item_id: str, title: str, group: str, group_title: str | None, weight: float,
        phrases: tuple[str, ...], basis: str | None, guidance: str | None,
        examples: tuple[str, ...], no_match: tuple[str, ...]) -> None:
    """添加一项职责 (add an item).

    The item goes after the last item of its group; the file is validated before it is
    saved, and left unchanged if the new item is invalid.

    \b
    Example:
        dutycheck checklist add my.yaml --id legal-counsel.participation \\
            --title 法律顾问参与重大决策 --group legal-counsel --weight 2 \\
            --phrase 法律顾问参与 --phrase 法律顾问列席 \\
            --example 法律顾问全程参与重大行政决策合法性论证。
    """
    from .checklist.edit import _flow_seq, _map, add_item

    fields: dict = {"id": item_id, "title": title, "group": group,
                    "weight": int(weight) if float(weight).is_integer() else weight}
    if phrases:
        fields["match"] = [_map([("any", _flow_seq(list(phrases)))])]
    if basis is not None:
        fields["basis"] = basis
    if guidance is not None:
        fields["guidance"] = guidance
    if examples or no_match:
        ex = _map()
        if examples:
            ex["match"] = _flow_seq(list(examples))
        if no_match:
            ex["no_match"] = _flow_seq(list(no_match))
        fields["examples"] = ex
    try:
        add_item(file, fields, group_title=group_title)
    except DutycheckError as exc:
        raise _not_saved(exc) from None
    click.echo(f"已添加 (added) {item_id} → {file}")


def _not_saved(exc: DutycheckError) -> _Fail:
    return _fail(exc, "\n未保存，文件未改动 (not saved; the file is unchanged)")


@checklist.command("set")
@click.argument("file", type=click.Path(dir_okay=False))
@click.argument("item_id", metavar="ID")
@click.argument("key")
@click.argument("value")
def set_cmd(file: str, item_id: str, key: str, value: str) -> None:
    """修改条目的一个字段 (set one field of an item).

    VALUE is read as YAML: 3, true, [法律顾问, 公职律师], {any: [述法]}; title, basis and
    guidance are taken as written. KEY may be a path: examples.match, match.0.within.
    For an item inherited through extends, the change is written to `overrides`.

    \b
    Example:
        dutycheck checklist set shanxi.yaml legal-counsel.retained weight 4
        dutycheck checklist set my.yaml vice-principals.active examples.no_match "[每所学校配备法治副校长。]"
    """
    from .checklist.edit import set_value

    try:
        where = set_value(file, item_id, key, value)
    except DutycheckError as exc:
        raise _not_saved(exc) from None
    note = "（写入 overrides）(written to overrides)" if where == "overrides" else ""
    click.echo(f"已修改 (set) {item_id}.{key} = {value} {note}".rstrip())


@checklist.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.argument("item_id", metavar="ID")
def remove(file: str, item_id: str) -> None:
    """删除一项职责；继承来的条目改为 disable (remove an item; an inherited one is disabled).

    Comments stay. If a checklist extending FILE still names the id, nothing is removed
    and that checklist is named.

    \b
    Example:
        dutycheck checklist remove shanxi.yaml school-governance.charter
    """
    from .checklist.edit import remove_item

    try:
        what = remove_item(file, item_id)
    except DutycheckError as exc:
        raise _not_saved(exc) from None
    if what == "disabled":
        click.echo(f"已停用继承的条目 (disabled inherited item) {item_id}")
    else:
        click.echo(f"已删除 (removed) {item_id}")


@checklist.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.argument("old")
@click.argument("new")
def rename(file: str, old: str, new: str) -> None:
    """修改条目 id，并改写继承本文件的清单中对它的引用 (rename an item id and its references).

    Checklists that extend FILE (beside it, one folder down, in ./ and ./checklists) and
    name the id in `overrides` or `disable` are rewritten too; all are validated first.

    \b
    Example:
        dutycheck checklist rename shanxi.yaml shanxi.counsel legal-counsel.participation
    """
    from .checklist.edit import rename_item

    try:
        count, children = rename_item(file, old, new)
    except DutycheckError as exc:
        raise _not_saved(exc) from None
    click.echo(f"已改名 (renamed) {old} → {new}，共 {count} 处 ({count} place{'s' if count != 1 else ''})")
    for child in children:
        click.echo(f"  已同时改写继承本文件的清单 (also rewrote a checklist extending this one): {child}")


def _strip_marks(text: str) -> str:
    lines = text.split("\n")
    while lines and lines[0].startswith(EDIT_MARK.rstrip()):
        lines.pop(0)
    return "\n".join(lines)


def _error_header(exc: DutycheckError) -> str:
    """The errors as comments above the text, with line numbers of the reopened buffer."""
    problems = getattr(exc, "problems", None) or [exc]
    shift = len(problems) + 2
    lines = [f"清单有 {len(problems)} 处错误，尚未保存。改正后保存并关闭；不保存直接关闭则放弃修改。",
             f"({len(problems)} problem{'s' if len(problems) != 1 else ''}; not saved. Fix, save and "
             f"close; close without saving to discard. These lines are removed when saved.)"]
    for p in problems:
        where = f"第 {p.line + shift} 行" if p.line else ""
        where += f"第 {p.column} 列" if p.line and p.column else ""
        key = f" {p.key}:" if p.key else ""
        lines.append(f"{where}{key} {p.zh} ({p.en})".strip())
    return "".join(f"{EDIT_MARK}{line}\n" for line in lines)


@checklist.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def edit(file: str) -> None:
    """用编辑器（$EDITOR）修改清单，保存时校验 (edit in $EDITOR, validated on save).

    If the saved text is invalid, the editor reopens with the errors as comments at the
    top; closing without saving (or saving it unchanged) discards the changes and leaves
    the file as it was.

    \b
    Example:
        EDITOR=nano dutycheck checklist edit checklists/examples/shanxi.yaml
    """
    from .checklist.edit import save_text

    path = Path(file)
    original = path.read_bytes().decode("utf-8-sig", errors="replace").replace("\r\n", "\n")
    text = original
    failed: str | None = None            # the last invalid text, if any
    for _round in range(MAX_EDIT_ROUNDS):
        edited = click.edit(text, extension=".yaml", require_save=True)
        body = None if edited is None else _strip_marks(edited)
        if body is None or body == failed:
            if failed is not None:
                click.echo("已放弃修改，文件未改动 (changes discarded; the file is unchanged)", err=True)
                sys.exit(EXIT_BAD_INPUT)
            click.echo("未修改 (no changes)")
            return
        if body == original:
            click.echo("未修改 (no changes)")
            return
        try:
            save_text(path, body)
        except DutycheckError as exc:
            failed = body
            click.echo(_message(exc), err=True)
            click.echo("未保存，重新打开编辑器 (not saved; reopening the editor)", err=True)
            text = _error_header(exc) + body
            continue
        click.echo(f"已保存 (saved) {path}")
        return
    click.echo("已放弃修改，文件未改动 (changes discarded; the file is unchanged)", err=True)
    sys.exit(EXIT_BAD_INPUT)


# ----------------------------------------------------------------------------- test / build

@checklist.command("test")
@click.argument("ref", metavar="FILE")
@click.option("--gold", type=click.Path(exists=True, dir_okay=False), default=None,
              help="人工标注 YAML (gold labels, shape of shared/gold/seeds.yaml)")
@click.option("--reports", type=click.Path(exists=True, file_okay=False), default=None,
              help="标注报告所在目录 (directory of the labelled reports)")
@click.option("--min-agreement", type=click.FloatRange(0, 100), default=None,
              help="与标注一致率低于此百分比时退出码为 1 (exit 1 when agreement is below N%)")
def test_cmd(ref: str, gold: str | None, reports: str | None, min_agreement: float | None) -> None:
    """运行每个条目的示例句，可选与人工标注比对 (run every item's examples; optional gold agreement).

    A `match` example must make its item done; a `no_match` example must not match it.
    Exit code 1 when an example fails (or agreement is below --min-agreement).

    \b
    Example:
        dutycheck checklist test default
        dutycheck checklist test default --gold ../shared/gold/seeds.yaml --reports ../shared/seeds
    """
    from .checklist.testing import run_checklist_tests

    if (gold is None) != (reports is None):
        raise _Fail("--gold 与 --reports 需同时给出 (--gold and --reports go together)")
    try:
        cl = _load(ref)
        result = run_checklist_tests(cl, gold=gold, reports=reports)
    except DutycheckError as exc:
        raise _fail(exc) from None
    for f in result.failures:
        click.echo(f"✖ {f.item}  {f.kind}: {f.reason()}")
        click.echo(f"    「{f.sentence}」  ({f.source})")
    n_fail = len(result.failures)
    click.echo(f"{result.examples} 条示例，{result.passed} 条通过，{n_fail} 条失败 "
               f"({result.examples} examples, {result.passed} passed, {n_fail} failed)")
    if result.without_examples:
        click.echo(f"{len(result.without_examples)} 项没有示例 (items without examples): "
                   + ", ".join(result.without_examples))
    low = False
    if result.agreement is not None:
        ev = result.agreement
        click.echo(f"与人工标注一致率 (agreement with gold labels): {ev.agreement:.1%}，"
                   f"{ev.labels} 个标注 (labels)，{ev.reports} 份报告 (reports)；"
                   f"done 精确率 {ev.done_precision:.1%} / 召回率 {ev.done_recall:.1%} "
                   f"(precision / recall)；{len(ev.disagreements)} 处分歧 (disagreements, "
                   f"details: dutycheck eval)")
        for err in ev.errors:
            click.echo(f"  ! {err}", err=True)
        low = min_agreement is not None and ev.agreement * 100 < min_agreement
        if low:
            click.echo(f"一致率低于 --min-agreement {min_agreement:g}% (agreement below threshold)", err=True)
    if n_fail or low:
        sys.exit(EXIT_BELOW_THRESHOLD)


@checklist.command()
@click.argument("outline", type=click.Path(exists=True, dir_okay=False))
@click.option("--out", "-o", type=click.Path(dir_okay=False), default=None,
              help="输出文件；不给则输出到屏幕 (output file; stdout if absent)")
@click.option("--id", "checklist_id", default=None, help="清单 id (checklist id; default from the file name)")
@click.option("--extends", "extends", default=None, metavar="NAME|FILE",
              help="生成继承某清单的子清单 (make the skeleton extend this checklist)")
def build(outline: str, out: str | None, checklist_id: str | None, extends: str | None) -> None:
    """由职责提纲生成清单草稿 (build a checklist skeleton from an outline of duties).

    OUTLINE is a Markdown, text or .docx document such as a 年度法治工作要点: headings
    become groups, each bullet or numbered duty one item, and jieba proposes candidate
    phrases. The skeleton validates; review its phrases, weights and basis.

    \b
    Example:
        dutycheck checklist build 2025年法治工作要点.docx --out yaodian.yaml
    """
    from .checklist.build import build_checklist
    from .checklist.edit import validate_text, write_validated

    try:
        text = build_checklist(outline, checklist_id=checklist_id, extends=extends)
        if out:
            if Path(out).exists():
                raise ChecklistError("文件已存在，不会覆盖", "file exists; not overwriting", path=out)
            cl = write_validated(out, text)
        else:
            cl = validate_text(text, shown_as="<build>")
    except DutycheckError as exc:
        raise _fail(exc) from None
    if out:
        click.echo(f"已生成 (built) {out}：{len(cl.groups)} 组 (groups)，{len(cl.items)} 项 (items)")
        click.echo(f"下一步 (next): dutycheck checklist show {out}")
    else:
        click.echo(text, nl=False)
