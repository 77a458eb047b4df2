"""Make the README's pictures of every output from the bundled reports, so they stay current.

    python docs/make_screenshots.py            # writes docs/img/*.png

Needs what CI installs (Debian: chromium, libreoffice-writer-nogui, poppler-utils,
fonts-wqy-microhei). The terminal view is rich's own SVG export, photographed by headless
Chromium; the HTML pages are photographed by Chromium; the Word documents go through
LibreOffice to PDF and pdftoppm renders their first page. PNGs are cut to a readable width
and stored with a 32-colour palette so the repository stays small.
"""

from __future__ import annotations

import argparse
import io
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "reports/新疆/于田县教育局-2023.txt"
WIDTH = 820


def run(*cmd: str, cwd: Path | None = None) -> None:
    subprocess.run(cmd, check=True, cwd=cwd, capture_output=True, timeout=300)


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return name
    sys.exit("chromium is needed (apt-get install chromium)")


def shoot(url: str, png: Path, width: int = 1100, height: int = 1400) -> None:
    run(chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
        f"--window-size={width},{height}", f"--screenshot={png}", url)


def save_small(src: Path, dest: Path, *, crop_height: int | None = None) -> None:
    from PIL import Image

    img = Image.open(src).convert("RGB")
    if crop_height:
        img = img.crop((0, 0, img.width, min(img.height, crop_height)))
    if img.width > WIDTH:
        img = img.resize((WIDTH, round(img.height * WIDTH / img.width)), Image.LANCZOS)
    img.quantize(colors=32, method=Image.Quantize.MEDIANCUT).save(dest, optimize=True)


def terminal(tmp: Path, out: Path) -> None:
    from rich.console import Console

    from dutycheck.audit import audit_path
    from dutycheck.render.terminal import render_terminal

    console = Console(record=True, width=100, force_terminal=True, file=io.StringIO(), markup=False)
    render_terminal(audit_path(REPORT.relative_to(ROOT)), console)
    # rich's HTML export in a monospace face whose CJK glyphs are two cells wide (the SVG
    # export places each character in one cell and CJK glyphs overlap)
    page = tmp / "terminal.html"
    page.write_text(console.export_html(inline_styles=True, code_format=(
        '<html><head><meta charset="utf-8"><style>body{{margin:0;background:#1e1e1e}}'
        'pre{{margin:0;padding:14px;color:#ddd;font:15px/1.25 "WenQuanYi Micro Hei Mono","Noto Sans Mono CJK SC",'
        'monospace}}</style></head><body><pre>{code}</pre></body></html>')), encoding="utf-8")
    shoot(page.as_uri(), tmp / "terminal.png", 1000, 1500)
    save_small(tmp / "terminal.png", out / "terminal.png", crop_height=1000)


def docx_page(docx: Path, dest: Path, tmp: Path) -> None:
    run("soffice", "--headless", f"-env:UserInstallation=file://{tmp}/lo", "--convert-to", "pdf",
        "--outdir", str(tmp), str(docx))
    pdf = tmp / (docx.stem + ".pdf")
    run("pdftoppm", "-r", "90", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp / docx.stem))
    save_small(next(tmp.glob(f"{docx.stem}*.png")), dest)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(ROOT / "docs/img"))
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    from click.testing import CliRunner

    from dutycheck.cli import main as cli

    def dutycheck(*argv: str) -> None:
        r = CliRunner().invoke(cli, list(argv))
        if r.exit_code not in (0, 3):
            sys.exit(f"dutycheck {' '.join(argv)} failed:\n{r.output}")

    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        terminal(tmp, out)

        page = tmp / "report.html"
        dutycheck("audit", str(REPORT), "--format", "html", "--out", str(page))
        shoot(page.as_uri(), tmp / "report.png", 1000, 1500)
        save_small(tmp / "report.png", out / "report-html.png")

        batch = tmp / "审查结果.html"
        dutycheck("batch", str(ROOT / "reports"), "-r", "--jobs", "1", "--format", "html", "--out", str(batch))
        shoot(batch.as_uri() + "#report-0", tmp / "batch.png", 1200, 1500)
        save_small(tmp / "batch.png", out / "batch-html.png")

        memo = tmp / "memo.docx"
        dutycheck("audit", str(REPORT), "--format", "docx", "--out", str(memo))
        docx_page(memo, out / "memo.png", tmp)

        memos = tmp / "memos"
        dutycheck("batch", str(ROOT / "reports"), "-r", "--jobs", "1", "--format", "docx", "--out", str(memos))
        summary = tmp / "summary.docx"
        shutil.copyfile(memos / "区域汇总.docx", summary)
        docx_page(summary, out / "region-summary.png", tmp)
    for p in sorted(out.glob("*.png")):
        print(f"{p.relative_to(ROOT)}  {p.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
