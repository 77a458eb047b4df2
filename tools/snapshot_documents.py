"""Write the document outputs tools/snapshot_outputs.py leaves out, for a before/after diff:

    python tools/snapshot_documents.py /tmp/docs-before     # on the old code
    python tools/snapshot_documents.py /tmp/docs-after      # on the new code
    diff -r /tmp/docs-before /tmp/docs-after                # must be empty

Per bundled report and tests/eval4 report: the 审查意见 memo's word/document.xml (signed by a fixed
reviewer and date) and the printable report page; per folder (reports, tests/eval4, tests/eval5)
the 区域汇总's word/document.xml; and one report with reviewer corrections applied (a note, a
correction without a machine status, a stale one with its own quote) as memo, page, markdown and
plain terminal (120 cells). Zip timestamps are left out: only the document XML is written.
"""

from __future__ import annotations

import dataclasses
import io
import os
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from rich.console import Console  # noqa: E402

from dutycheck.audit import audit_path  # noqa: E402
from dutycheck.batch import run_batch  # noqa: E402
from dutycheck.models import Status  # noqa: E402
from dutycheck.render.docx_memo import build_memo  # noqa: E402
from dutycheck.render.docx_summary import build_region_summary  # noqa: E402
from dutycheck.render.markdown import render_markdown  # noqa: E402
from dutycheck.render.report_html import render_report_html  # noqa: E402
from dutycheck.render.terminal import render_terminal  # noqa: E402


def document_xml(doc) -> str:
    """The body of a python-docx Document (word/document.xml), without the zip's timestamps."""
    buf = io.BytesIO()
    doc.save(buf)
    return zipfile.ZipFile(io.BytesIO(buf.getvalue())).read("word/document.xml").decode("utf-8")


def main() -> None:
    out = Path(sys.argv[1]).resolve()
    out.mkdir(parents=True, exist_ok=True)
    os.chdir(ROOT)     # reports by relative path: two checkouts write the same names in the documents
    paths = sorted(Path("reports").rglob("*.txt")) + sorted(Path("tests/eval4/reports").glob("*.txt"))
    for p in paths:
        r = audit_path(p)
        (out / f"{p.name}.memo.xml").write_text(document_xml(build_memo(r, reviewer="张三", date="2025-01-02")),
                                                encoding="utf-8")
        (out / f"{p.name}.page.html").write_text(render_report_html(r), encoding="utf-8")
    for folder in ("reports", "tests/eval4/reports", "tests/eval5/reports"):
        batch = run_batch([folder], recursive=True, jobs=1)
        (out / f"{folder.replace('/', '_')}.summary.xml").write_text(
            document_xml(build_region_summary(batch)), encoding="utf-8")
    r = audit_path(paths[0])
    items = list(r.items)
    items[0] = dataclasses.replace(items[0], machine_status=Status.ABSENT,
                                   review={"note": "测试", "by": "张三", "at": "2025-01-02T10:00"})
    items[1] = dataclasses.replace(items[1], machine_status=None, review={"by": "李四"})
    items[2] = dataclasses.replace(items[2], machine_status=Status.DONE,
                                   review={"note": "说明", "by": "王五", "evidence": "复核选的引文", "stale": True})
    r = dataclasses.replace(r, items=tuple(items))
    (out / "reviewed.memo.xml").write_text(document_xml(build_memo(r, reviewer="张三", date="2025-01-02")),
                                           encoding="utf-8")
    (out / "reviewed.page.html").write_text(render_report_html(r), encoding="utf-8")
    (out / "reviewed.md").write_text(render_markdown(r), encoding="utf-8")
    console = Console(width=120, record=True, file=io.StringIO(), color_system=None)
    render_terminal(r, console)
    (out / "reviewed.terminal.txt").write_text(console.export_text(), encoding="utf-8")
    print(f"wrote {len(list(out.iterdir()))} files to {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
