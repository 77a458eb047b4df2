"""The terminal view written to a file or a pipe is laid out without rich.console (render/layout.py):
it must be the very text rich draws without colour, whatever the report holds."""

from __future__ import annotations

import dataclasses
import io
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

from dutycheck.audit import audit_path
from dutycheck.models import Status
from dutycheck.render.terminal import render_terminal, terminal_text

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "reports/山西/晋城市教育局-2023.txt"
BULLETS = ROOT / "tests/eval4/reports/a_bullets.txt"     # a heading holding tabs (a pasted table row)


def drawn_by_rich(result, width: int) -> str:
    buf = io.StringIO()
    render_terminal(result, Console(file=buf, width=width, color_system=None, markup=False, force_terminal=False,
                                    legacy_windows=False))
    return buf.getvalue()


@pytest.mark.parametrize("width", [32, 33, 47, 80, 120, 160])
@pytest.mark.parametrize("report", [REPORT, BULLETS], ids=["jincheng", "bullets"])
def test_the_redirected_view_is_what_rich_draws(report, width):
    result = audit_path(report)
    assert terminal_text(result, width) == drawn_by_rich(result, width)


def hostile(result):
    """The report's result with what a layout trips over: long unbroken words, words ending at
    the column's edge, tabs, control characters, joined emoji, a path wider than the console,
    reviewers' marks and notes, a status line too long for its column."""
    items = list(result.items)
    first = next(i for i, it in enumerate(items) if it.evidence)
    e = items[first].evidence[0]
    items[first] = dataclasses.replace(
        items[first], title="行政执法\t公示制度 https://www.example.gov.cn/" + "x" * 150
        + " ".join(c * n for n, c in enumerate("abcdefghijklmnopqrstuvwxyz", 1)),
        evidence=(dataclasses.replace(e, section="一、\t主要工作\r举措", text="👩‍👩‍👧 家校共育\x07" + e.text),)
        + items[first].evidence[1:],
        review={"status": "done", "by": "张三", "note": "已核对原文\t第3页", "evidence": "原文" * 30, "stale": True},
        machine_status=Status.SHORTFALL)
    absent = next(i for i, it in enumerate(items) if it.status is Status.ABSENT)
    items[absent] = dataclasses.replace(items[absent], basis="", guidance="补写\t执法 " + "制度" * 90,
                                        review={"status": "absent", "by": ""}, machine_status=Status.ABSENT)
    meta = dataclasses.replace(result.report, title="", agency="晋城市\t教育局")
    return dataclasses.replace(result, items=tuple(items), report=meta, replaced_chars=3,
                               path="/srv/报告/" + "很长的文件夹名称/" * 12 + "报告.txt")


@pytest.mark.parametrize("width", [32, 41, 80, 120, 160])
def test_reports_that_trip_a_layout_are_drawn_as_rich_draws_them(width):
    result = hostile(audit_path(REPORT))
    assert terminal_text(result, width) == drawn_by_rich(result, width)


def test_a_report_without_gaps_has_no_gap_panel():
    result = audit_path(REPORT)
    done = dataclasses.replace(result, items=tuple(dataclasses.replace(it, status=Status.DONE) for it in result.items))
    assert terminal_text(done) == drawn_by_rich(done, 160) and "缺项" not in terminal_text(done)


def test_a_console_too_narrow_for_the_columns_is_drawn_by_rich():
    result = audit_path(REPORT)
    assert terminal_text(result, 24) == drawn_by_rich(result, 24)


def test_a_redirected_cold_audit_does_not_import_rich_console():
    code = ("import sys; from dutycheck.cli import main\n"
            "try:\n    main(['audit', sys.argv[1]])\nexcept SystemExit:\n    pass\n"
            "sys.stderr.write(str(sorted(m for m in sys.modules if m.startswith('rich'))))")
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "TTY_COMPATIBLE")}   # else rich decides
    run = subprocess.run([sys.executable, "-c", code, str(REPORT)], capture_output=True, text=True, cwd=ROOT, env=env)
    assert "晋城市教育局" in run.stdout and "┏" in run.stdout
    assert "rich.console" not in run.stderr and "rich.cells" in run.stderr


SAMPLES = ["完善市教育局法治政府建设领导小组工作机制，研究部署教育系统全面推进依法行政。",
           "a bb ccc dddd eeeee ffffff ggggggg  hhhhhhhh   iiiiiiiii jjjjjjjjjj",
           "第15行 [举措和成效 · 一、\t主要工作]\n聘请 律师事务所 担任常年法律顾问 ，出具法律意见书15份。 ",
           "", "\n\n", "   ", "👩‍👩‍👧 ✔ ◐ ✖ ○ ⊘ 〇\x07\r"]


@pytest.mark.parametrize("text", SAMPLES)
def test_text_is_wrapped_as_rich_wraps_it(text):
    from rich.text import Text

    from dutycheck.render.layout import plain, wrap

    console = Console(width=80)
    for width in range(2, 40):
        for pad, justify in ((True, "left"), (False, "default")):
            rich_lines = Text(text).wrap(console, width, justify=justify, overflow="fold")
            assert wrap(plain(text), width, pad=pad) == [line.plain for line in rich_lines], (width, justify)
        rich_lines = Text(text).wrap(console, width, justify="left", overflow="ellipsis", no_wrap=True)
        assert wrap(plain(text), width, pad=True, no_wrap=True) == [line.plain for line in rich_lines], width


@pytest.mark.parametrize("texts", [["短"], ["一行", "两\n行"], SAMPLES])
def test_panels_are_drawn_as_rich_draws_them(texts):
    from rich.console import Group
    from rich.panel import Panel
    from rich.text import Text

    from dutycheck.render.layout import panel, plain

    for width in (24, 32, 50, 80):
        for fit, align in ((True, "center"), (False, "left")):
            buf = io.StringIO()
            Console(file=buf, width=width, color_system=None).print(
                Panel(Group(*map(Text, texts)), title="dutycheck 审查结果", expand=not fit, title_align=align))
            drawn = panel([plain(t) for t in texts], "dutycheck 审查结果", width, fit=fit)
            assert "".join(f"{line}\n" for line in drawn) == buf.getvalue(), (width, fit)


# ----------------------------------------------------------------------------- on a terminal, with colour

from dutycheck.render.terminal import terminal_ansi  # noqa: E402

# rich's colour systems, NO_COLOR (bold and dim kept), a dumb terminal (no colour system)
COLOUR_MODES = {"truecolor": ("truecolor", False, True), "256": ("256", False, True),
                "standard": ("standard", False, True), "no_color": ("truecolor", True, False),
                "dumb": (None, False, None)}


def written_by_rich(result, width: int, mode: str) -> str:
    system, no_color, _ = COLOUR_MODES[mode]
    buf = io.StringIO()
    render_terminal(result, Console(file=buf, width=width, force_terminal=True, color_system=system, no_color=no_color,
                                    markup=False, emoji=False, legacy_windows=False))
    return buf.getvalue()


@pytest.mark.parametrize("mode", list(COLOUR_MODES))
@pytest.mark.parametrize("report", [REPORT, BULLETS], ids=["jincheng", "bullets"])
def test_the_terminal_view_is_what_rich_writes_on_a_terminal(report, mode):
    result = audit_path(report)
    for width in range(32, 161, 3 if mode == "truecolor" else 16):
        assert terminal_ansi(result, width, colour=COLOUR_MODES[mode][2]) == written_by_rich(result, width, mode), width


@pytest.mark.parametrize("mode", list(COLOUR_MODES))
@pytest.mark.parametrize("width", [32, 41, 80, 120, 160])
def test_reports_that_trip_a_layout_are_written_in_colour_as_rich_writes_them(width, mode):
    result = hostile(audit_path(REPORT))
    assert terminal_ansi(result, width, colour=COLOUR_MODES[mode][2]) == written_by_rich(result, width, mode)


def test_each_segment_gets_its_own_codes_as_rich_writes_them():
    view = terminal_ansi(audit_path(REPORT), 80, colour=True)
    assert "\x1b[1m晋城市教育局  \x1b[0m\x1b[1m2023 年度\x1b[0m" in view      # two bold parts: two segments
    assert "┃\x1b[1m \x1b[0m\x1b[1m状态        \x1b[0m\x1b[1m \x1b[0m┃" in view   # the header's padding is bold too
    assert "\x1b[1;33m80.6\x1b[0m" in view
    assert "\x1b[" not in terminal_ansi(audit_path(REPORT), 80, colour=None)
    assert "\x1b[33m" not in terminal_ansi(audit_path(REPORT), 80, colour=False)


def test_a_console_too_narrow_for_the_columns_is_left_to_rich():
    assert terminal_ansi(audit_path(REPORT), 31, colour=True) is None


def test_style_codes_are_rich_s():
    from rich.style import Style

    from dutycheck.render.layout import sgr

    styles = ["bold", "dim", "green", "yellow", "red", "bright_black", "blue", "cyan", "magenta", "bold green",
              "bold yellow", "bold red", "bold bright_black", "bold blue"]
    for first in styles:
        for second in ["", *styles]:
            combined = Style.combine([Style.parse(first), Style.parse(second or "none")])
            assert sgr((first, second)) == combined._make_ansi_codes(None), (first, second)
            assert sgr((first, second), colour=False) == combined.without_color._make_ansi_codes(None)


@pytest.mark.skipif(not shutil.which("script"), reason="needs script(1) for a pseudo-terminal")
@pytest.mark.parametrize("env", [{"COLORTERM": "truecolor"}, {"TERM": "xterm-256color"}, {"NO_COLOR": "1"},
                                 {"TERM": "dumb"}], ids=["truecolor", "256", "no_color", "dumb"])
def test_a_cold_audit_on_a_terminal_writes_rich_s_view_without_rich_console(env, tmp_path):
    code = ("import sys; from dutycheck.cli import main\n"
            "try:\n    main(['audit', sys.argv[1]])\nexcept SystemExit:\n    pass\n"
            "open(sys.argv[2], 'w').write(str(sorted(m for m in sys.modules if m.startswith('rich'))))")
    base = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "TTY_COMPATIBLE", "NO_COLOR", "COLORTERM")}
    environ = {**base, "TERM": "xterm", "COLUMNS": "97", **env}
    modules = tmp_path / "modules"
    command = " ".join(map(shlex.quote, [sys.executable, "-c", code, str(REPORT), str(modules)]))
    run = subprocess.run(["script", "-qec", command, "/dev/null"], capture_output=True, cwd=ROOT, env=environ,
                         stdin=subprocess.DEVNULL)
    mode = {"COLORTERM": "truecolor", "TERM": "256" if "256" in env.get("TERM", "") else "dumb"}.get(
        next(iter(env)), "no_color")
    expected = written_by_rich(audit_path(REPORT), 97, mode)
    assert run.stdout.decode().replace("\r\n", "\n") == expected
    assert "rich.console" not in modules.read_text()
