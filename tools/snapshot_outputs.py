"""Dump every output dutycheck writes, for a byte-for-byte comparison before/after a refactor.

Usage:  python tools/snapshot_outputs.py OUT_DIR      (then: diff -r BEFORE AFTER)

Covers, for the bundled reports (reports/) and the eval sets (tests/eval*/reports):
`audit` as json, markdown and plain terminal (width 120), `explain` of every item; and for
the batch fixtures (reports/ recursive, each eval set, the reader's fixture set of
tests/fixtures/inputs/make.py): `batch` as table, json, jsonl, csv, html and xlsx (cells
dumped as text), a `--db` run and its rerun from the store, `history` and `compare`.
The fixture set is built once into /tmp/dutycheck-snapshot-fixtures (the folder is
$DUTYCHECK_SNAPSHOT_TMP when set) and reused (its .docx and
.pdf files embed creation times); outputs are written through the fixed folder
/tmp/dutycheck-snapshot-work so paths (and the wrapping of tables) are the same every time.
Clock values (elapsed seconds, rates, the html's "generated at") are masked.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from click.testing import CliRunner  # noqa: E402
from rich.console import Console  # noqa: E402

from dutycheck.audit import audit_path  # noqa: E402
from dutycheck.cli import main  # noqa: E402
from dutycheck.render.explain import render_explain  # noqa: E402
from dutycheck.render.json import render_json  # noqa: E402
from dutycheck.render.markdown import render_markdown  # noqa: E402
from dutycheck.render.terminal import render_terminal  # noqa: E402

# DUTYCHECK_SNAPSHOT_TMP moves both folders (engineers working side by side each keep their own;
# keep it the same for the "before" and the "after" run: the fixture paths appear in outputs)
_TMP_ROOT = Path(os.environ.get("DUTYCHECK_SNAPSHOT_TMP", "/tmp"))
FIXTURES = _TMP_ROOT / "dutycheck-snapshot-fixtures"
WORK = _TMP_ROOT / "dutycheck-snapshot-work"

_CLOCK = [
    (re.compile(r'"(elapsed_s|reports_per_s)": [0-9.]+'), r'"\1": 0'),
    (re.compile(r"用时 [0-9.]+ 秒，[0-9.]+ 份/秒 *"), "用时 X 秒，X 份/秒"),
    (re.compile(r"用时 [0-9.]+ 秒"), "用时 X 秒"),
    (re.compile(r"生成于 [0-9: -]+"), "生成于 X"),
    (re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?(\+00:00|Z)?"), "TIME"),
    (re.compile(r'"(started|finished|elapsed)": [0-9.]+'), r'"\1": 0'),
    # the store's cache key hashes dutycheck's own source: any code change changes it
    (re.compile(r'"checklist_hash": "[0-9a-f]{64}"'), '"checklist_hash": "HASH"'),
]


def mask(text: str) -> str:
    for pat, rep in _CLOCK:
        text = pat.sub(rep, text)
    return text


def plain_console(buf: io.StringIO) -> Console:
    return Console(file=buf, width=120, force_terminal=False, color_system=None, legacy_windows=False)


def reports() -> list[Path]:
    out = sorted((ROOT / "reports").rglob("*.txt"))
    for d in sorted(ROOT.glob("tests/eval*/reports")):
        out += sorted(d.glob("*.txt"))
    return out


def dump_audits(out: Path) -> None:
    for p in reports():
        rel = p.relative_to(ROOT)
        name = str(rel).replace("/", "__")
        r = audit_path(str(rel), "default", explain=True)
        plain = audit_path(str(rel), "default")
        (out / "audit" / f"{name}.json").write_text(render_json(plain) + "\n", encoding="utf-8")
        (out / "audit" / f"{name}.md").write_text(render_markdown(plain), encoding="utf-8")
        buf = io.StringIO()
        render_terminal(plain, plain_console(buf))
        (out / "audit" / f"{name}.term").write_text(buf.getvalue(), encoding="utf-8")
        buf = io.StringIO()
        con = plain_console(buf)
        for it in r.items:
            con.print(f"===== {it.id}")
            render_explain(r, it, con)
        (out / "audit" / f"{name}.explain").write_text(buf.getvalue(), encoding="utf-8")


def run(args: list[str]) -> str:
    res = CliRunner().invoke(main, args, catch_exceptions=False)
    return f"exit={res.exit_code}\n" + res.output


def dump_batches(out: Path, tmp: Path) -> None:
    sys.path.insert(0, str(ROOT / "tests" / "fixtures" / "inputs"))
    import make  # type: ignore[import-not-found]

    # .docx/.pdf fixtures carry creation times: build them once and reuse them across snapshots
    fixtures = FIXTURES
    if not fixtures.exists():
        make.build(fixtures)
    sets = {"reports": ["reports", "-r"], "fixtures": [str(fixtures), "-r"]}  # noqa: E501
    for d in sorted(ROOT.glob("tests/eval*/reports")):
        sets[d.parent.name] = [str(d.relative_to(ROOT))]
    for name, args in sets.items():
        for fmt in ("table", "json", "jsonl", "csv", "html"):
            target = tmp / f"{name}.{fmt}"
            text = run(["batch", *args, "-j", "1", "-f", fmt, "-o", str(target)])
            body = target.read_text(encoding="utf-8") if target.exists() else ""
            if fmt == "jsonl":  # completion order is fixed with -j 1
                pass
            text = text.replace(str(tmp), "TMP")
            body = body.replace(str(tmp), "TMP")
            (out / "batch" / f"{name}.{fmt}").write_text(mask(text + "\n----\n" + body), encoding="utf-8")
        # table to stdout (the terminal width path)
        (out / "batch" / f"{name}.stdout-table").write_text(
            mask(run(["batch", *args, "-j", "1"]).replace(str(tmp), "TMP")), encoding="utf-8")
        xlsx = tmp / f"{name}.xlsx"
        run(["batch", *args, "-j", "1", "-f", "xlsx", "-o", str(xlsx)])
        (out / "batch" / f"{name}.xlsx.txt").write_text(mask(dump_xlsx(xlsx).replace(str(tmp), "TMP")),
                                                         encoding="utf-8")
    # store: a run, a rerun from the cache, history and compare
    db = tmp / "results.sqlite"
    first = run(["batch", "reports", "-r", "-j", "1", "-f", "csv", "--db", str(db)])
    second = run(["batch", "reports", "-r", "-j", "1", "-f", "jsonl", "--db", str(db)])
    (out / "store" / "run1").write_text(mask(first.replace(str(tmp), "TMP")), encoding="utf-8")
    (out / "store" / "run2-cached").write_text(mask(second.replace(str(tmp), "TMP")), encoding="utf-8")
    (out / "store" / "compare").write_text(mask(run(["compare", "1", "2", "--db", str(db)])), encoding="utf-8")
    (out / "store" / "compare.json").write_text(
        mask(run(["compare", "1", "2", "--db", str(db), "-f", "json"])), encoding="utf-8")
    for agency in ("晋城市教育局", "焦作市教育局", "教育局"):
        for fmt in ("table", "json"):
            (out / "store" / f"history-{agency}.{fmt}").write_text(
                mask(run(["history", agency, "--db", str(db), "-f", fmt])), encoding="utf-8")


def dump_xlsx(path: Path) -> str:
    if not path.exists():
        return "(no file)"
    from openpyxl import load_workbook

    wb = load_workbook(path)
    lines = []
    for ws in wb.worksheets:
        lines.append(f"## {ws.title} freeze={ws.freeze_panes} filter={ws.auto_filter.ref}")
        for row in ws.iter_rows():
            lines.append("\t".join("" if c.value is None else repr(c.value) for c in row))
    return "\n".join(lines) + "\n"


def main_() -> None:
    out = Path(sys.argv[1])
    if out.exists():
        shutil.rmtree(out)
    for sub in ("audit", "batch", "store"):
        (out / sub).mkdir(parents=True)
    os.chdir(ROOT)
    dump_audits(out)
    if WORK.exists():
        shutil.rmtree(WORK)
    WORK.mkdir()
    try:
        dump_batches(out, WORK)
    finally:
        shutil.rmtree(WORK)
    print(f"wrote {sum(1 for _ in out.rglob('*') if _.is_file())} files to {out}")


if __name__ == "__main__":
    main_()
