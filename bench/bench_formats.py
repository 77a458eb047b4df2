"""Cold `dutycheck audit` of the same report as .txt, .pdf, .docx and .html, from one run.

Builds (once, in --keep DIR or a temporary folder) a 10-page and a 40-page report: the text of
the bundled reports set the way bureaus publish them (16 pt, ~28 characters a line), saved as
.docx by python-docx and turned into PDF by LibreOffice, the way most published PDFs are made.
Both are the bundled reports one after the other (longest first), cut at the length. Then times each
format's cold audit (a fresh process, terminal view, output discarded), the formats interleaved
so machine noise hits all of them alike, and checks that every format gives the .txt statuses.
Beside the wall time (what the targets are about) it prints each audit's CPU time (user + system
of the process and its child, from wait4): steadier on a shared machine, but blind to the
overlap of a child's extraction with the parent's imports, which only a free core shows.

Targets: .pdf <= 1.5x .txt (10 and 40 pages), .docx and .html <= 1.3x .txt.

Usage: python bench/bench_formats.py [--runs 9] [--keep DIR]
"""

from __future__ import annotations

import argparse
import html
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPORTS = sorted((ROOT / "reports").rglob("*.txt"))
TARGETS = {"pdf": 1.5, "docx": 1.3, "html": 1.3}


def write_docx(path: Path, lines: list[str]) -> None:
    import docx
    from docx.shared import Pt

    d = docx.Document()
    d.styles["Normal"].font.size = Pt(16)
    for line in lines:
        d.add_paragraph(line)
    d.save(str(path))


def write_html(path: Path, lines: list[str]) -> None:
    body = "\n".join(f"<p>{html.escape(x)}</p>" for x in lines)
    page = (f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{html.escape(lines[0])}</title></head>"
            f"<body><div class=\"nav\"><a href=\"/\">首页</a></div><div class=\"article\">{body}</div></body></html>")
    path.write_text(page, encoding="utf-8")


def to_pdf(docx_path: Path) -> Path:
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if not office:
        raise SystemExit("LibreOffice is needed to make the PDFs (libreoffice-writer-nogui)")
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([office, "--headless", f"-env:UserInstallation=file://{profile}", "--convert-to", "pdf",
                        "--outdir", str(docx_path.parent), str(docx_path)],
                       capture_output=True, timeout=300, check=True)
    return docx_path.with_suffix(".pdf")


def pages(pdf: Path) -> int:
    import pypdfium2

    return len(pypdfium2.PdfDocument(str(pdf)))


def build(base: Path) -> dict[str, dict[str, Path]]:
    texts = sorted((p.read_text(encoding="utf-8").splitlines() for p in REPORTS), key=lambda t: -sum(map(len, t)))
    stream = [x for t in texts * 3 for x in t if x.strip()]

    def first(chars: int) -> list[str]:      # ~680 characters make a page at 16 pt
        out, n = [], 0
        for x in stream:
            if n >= chars:
                break
            out.append(x)
            n += len(x)
        return out

    sets = {"10-page": first(6_800), "40-page": first(27_200)}
    out = {}
    for label, lines in sets.items():
        d = base / label
        files = {fmt: d / f"report.{fmt}" for fmt in ("txt", "docx", "html", "pdf")}
        if not all(p.exists() for p in files.values()):
            d.mkdir(parents=True, exist_ok=True)
            files["txt"].write_text("\n".join(lines) + "\n", encoding="utf-8")
            write_docx(files["docx"], lines)
            write_html(files["html"], lines)
            to_pdf(files["docx"])
        out[label] = files
    return out


def cold(path: Path) -> tuple[float, float]:
    """Wall and CPU seconds (the process and its children) of one cold terminal-view audit."""
    t = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "dutycheck", "audit", str(path)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    proc.returncode = 0          # reaped by wait4
    return wall, usage.ru_utime + usage.ru_stime


def statuses(path: Path) -> dict[str, str]:
    out = subprocess.run([sys.executable, "-m", "dutycheck", "audit", str(path), "-f", "json"],
                         capture_output=True, text=True, check=False)
    data = json.loads(out.stdout)
    return {i["id"]: i["status"] for i in data["items"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--keep", metavar="DIR")
    args = ap.parse_args()
    import compileall

    compileall.compile_dir(str(ROOT / "src" / "dutycheck"), quiet=1)
    base = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="dutycheck-formats-"))
    try:
        sets = build(base)
        load = os.getloadavg()[0]
        for label, files in sets.items():
            expected = statuses(files["txt"])
            same = {fmt: statuses(p) == expected for fmt, p in files.items()}
            for p in files.values():
                cold(p)                                  # warm the page cache
            times: dict[str, list[float]] = {fmt: [] for fmt in files}
            cpus: dict[str, list[float]] = {fmt: [] for fmt in files}
            for _ in range(args.runs):
                for fmt, p in files.items():
                    wall, cpu = cold(p)
                    times[fmt].append(wall)
                    cpus[fmt].append(cpu)
            med = {fmt: statistics.median(t) for fmt, t in times.items()}
            cpu_med = {fmt: statistics.median(t) for fmt, t in cpus.items()}
            print(f"{label} report ({pages(files['pdf'])} PDF pages, {len(files['txt'].read_text()):,} characters)")
            for fmt in files:
                ratio = med[fmt] / med["txt"]
                target = TARGETS.get(fmt)
                verdict = "" if target is None else f"target <= {target}x  {'met' if ratio <= target else 'NOT met'}"
                print(f"  cold audit .{fmt:<5} {med[fmt] * 1000:7.0f} ms  ratio {ratio:4.2f}x  "
                      f"(CPU {cpu_med[fmt] * 1000:4.0f} ms, {cpu_med[fmt] / cpu_med['txt']:4.2f}x)  "
                      f"same statuses as .txt: {'yes' if same[fmt] else 'NO'}   {verdict}")
        print(f"load average before / after: {load:.2f} / {os.getloadavg()[0]:.2f}")
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
