"""The documents a reviewer sends and prints: the Word memo and the printable report page.

Each document is opened again: python-docx reads the memo back; LibreOffice converts it to
PDF and pdftoppm renders page 1, which must not be blank (skipped where LibreOffice is not
installed: CI installs it, see .ci/run).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document
from docx.oxml.ns import qn

from dutycheck.audit import audit_text
from dutycheck.cli import main
from dutycheck.render.docx_memo import memo_title, write_memo
from dutycheck.render.report_html import render_report_html

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "reports/新疆/于田县教育局-2023.txt"

SNIPPET = """\
平安县教育局2023年度法治政府建设情况报告

县委、县政府：
2023年，我局深入学习贯彻习近平法治思想，现将有关情况报告如下。
一、2023年度推进法治政府建设的主要举措和成效
（一）落实第一责任人职责。局党组书记、局长切实履行推进法治建设第一责任人职责，亲自部署法治工作。
（二）规范性文件管理。全年制定行政规范性文件*件，均经合法性审核并报县司法局备案。
（三）法律顾问。聘请律师事务所律师担任法律顾问，全年审查合同<b>12</b>份。
二、2024年工作安排
下一步，我局将全面推行行政执法三项制度。

平安县教育局
2024年3月20日
"""


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def text_of(doc) -> str:
    parts = [p.text for p in doc.paragraphs]
    for t in doc.tables:
        for row in t.rows:
            parts += [c.text for c in row.cells]
    return "\n".join(parts)


def render_first_page(document: Path, tmp: Path) -> Path:
    """document → PDF (LibreOffice) → page 1 as PNG (pdftoppm)."""
    if not shutil.which("soffice") or not shutil.which("pdftoppm"):
        pytest.skip("LibreOffice (soffice) or pdftoppm not installed: apt-get install libreoffice-writer-nogui "
                    "poppler-utils")
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp}/lo", "--convert-to", "pdf",
                    "--outdir", str(tmp), str(document)], check=True, capture_output=True, timeout=180)
    pdf = tmp / (document.stem + ".pdf")
    assert pdf.exists(), "LibreOffice did not convert the document"
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp / "page")],
                   check=True, timeout=60)
    return next(tmp.glob("page*.png"))


def ink_share(png: Path) -> float:
    """The share of pixels on the page that are not white."""
    from PIL import Image

    img = Image.open(png).convert("L")
    return sum(img.histogram()[:200]) / (img.width * img.height)


def test_memo_from_the_cli_has_every_part_and_reads_back(tmp_path):
    out = tmp_path / "审查意见.docx"
    r = run("audit", REPORT, "--format", "docx", "--out", out, "--reviewer", "张三")
    assert r.exit_code == 0, r.output
    doc = Document(str(out))
    body = text_of(doc)
    assert doc.paragraphs[0].text == "关于《于田县教育局2023年法治政府建设工作报告》的审查意见"
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings == ["一、基本情况", "二、报告结构", "三、已报告的职责", "四、缺项及补写要求", "五、形式问题",
                        "六、复核意见"]
    assert any(p.text.startswith("（一）") for p in doc.paragraphs if p.style.name == "Heading 2")
    assert "于田县教育局：" in body and "83.3 分" in body
    assert "存在的不足和原因" in body and "缺少" in body          # the missing required part
    assert "依据：" in body and "应补写：" in body
    assert "晚于报送期限2024年3月1日" in body                     # signed 2024-03-05
    assert "审查人：张三" in body
    assert re.search(r"第\d+行", body)                              # quotes say where they are


def test_memo_is_official_a4_with_east_asian_fonts_and_page_numbers(tmp_path):
    out = tmp_path / "memo.docx"
    write_memo(audit_text(SNIPPET, name="平安县教育局-2023.txt"), out)
    doc = Document(str(out))
    sec = doc.sections[0]
    assert (round(sec.page_width.mm), round(sec.page_height.mm)) == (210, 297)
    title_fonts = doc.paragraphs[0].runs[0]._r.rPr.rFonts
    assert title_fonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    normal = doc.styles["Normal"].element.rPr.rFonts
    assert normal.get(qn("w:eastAsia")) == "仿宋_GB2312"
    footer_xml = sec.footer.paragraphs[0]._p.xml
    assert "PAGE" in footer_xml and "— " in sec.footer.paragraphs[0].text
    fonts = next(r.target_part for r in doc.part.rels.values() if r.reltype.endswith("/fontTable")).blob
    assert "仿宋_GB2312".encode() in fonts and b"w:altName" in fonts


def test_memo_lists_formal_problems_and_escapes_nothing(tmp_path):
    out = tmp_path / "memo.docx"
    write_memo(audit_text(SNIPPET, name="平安县教育局-2023.txt"), out)
    body = text_of(Document(str(out)))
    assert "残留模板占位文字“*件”" in body
    assert "报告落款日期为2024年3月20日" in body
    assert "报告缺少“存在的不足和原因”部分" in body
    assert "<b>12</b>" in body   # report text is text in Word, not markup


def test_memo_writes_to_a_stream():
    import io

    buf = io.BytesIO()
    r = audit_text(SNIPPET)
    write_memo(r, buf)
    doc = Document(io.BytesIO(buf.getvalue()))
    assert doc.paragraphs[0].text == memo_title(r)


def test_memo_renders_to_a_non_blank_first_page(tmp_path):
    out = tmp_path / "memo.docx"
    assert run("audit", REPORT, "-f", "docx", "-o", out).exit_code == 0
    png = render_first_page(out, tmp_path)
    assert ink_share(png) > 0.01


def test_docx_needs_out_and_an_unwritable_out_is_one_clean_message(tmp_path):
    r = run("audit", REPORT, "--format", "docx")
    assert r.exit_code == 2 and "--out" in r.output
    bad = tmp_path / "no-such-folder" / "memo.docx"
    r = run("audit", REPORT, "--format", "docx", "--out", bad)
    assert r.exit_code == 2
    assert "无法写入输出文件" in r.output and "cannot write the output file" in r.output
    assert "Traceback" not in r.output
    assert r.exception is None or isinstance(r.exception, SystemExit)


def test_report_page_highlights_matches_and_prints_on_a4():
    page = render_report_html(audit_text(SNIPPET, name="平安县教育局-2023.txt"))
    assert "@media print" in page and "size:A4" in page
    assert "<script" not in page and "http" not in page.split("<body>")[1].split("generator")[0]
    assert re.search(r"<mark>[^<]*第一责任人职责[^<]*</mark>", page)
    assert "&lt;b&gt;12&lt;/b&gt;" in page and "<b>12</b>" not in page
    assert page.count('class="item ') == len(audit_text(SNIPPET).items)
    assert "依据：" in page and "应补写：" in page and "残留模板占位文字" in page


def test_report_page_from_the_cli(tmp_path):
    out = tmp_path / "page.html"
    r = run("audit", REPORT, "--format", "html", "--out", out)
    assert r.exit_code == 0, r.output
    page = out.read_text(encoding="utf-8")
    assert "于田县教育局" in page and "structure.shortfalls" in page
    assert run("audit", REPORT, "--format", "html").output.startswith("<!DOCTYPE html>")


def test_memo_shows_the_reviewers_corrections(tmp_path):
    db = tmp_path / "r.sqlite"
    assert run("batch", REPORT, "--db", db, "-f", "json", "-o", tmp_path / "b.json").exit_code == 0
    r = run("review", "set", REPORT, "legal-counsel.retained", "absent", "--note", "律师仅列席会议",
            "--by", "李四", "--db", db)
    assert r.exit_code == 0, r.output
    out = tmp_path / "memo.docx"
    assert run("audit", REPORT, "--db", db, "-f", "docx", "-o", out).exit_code == 0
    paras = [p.text for p in Document(str(out)).paragraphs]
    review = paras[paras.index("六、复核意见") + 1:]
    assert review[0].startswith("审查人对以下 1 项的自动判定作了更正")
    assert "法律顾问" in review[1] and "自动判定为“已开展”，复核为“未提及”" in review[1]
    assert "律师仅列席会议" in review[1] and "李四" in review[1]
    # the corrected duty is now a gap with what to add
    gaps = paras[paras.index("四、缺项及补写要求"):paras.index("五、形式问题")]
    assert any("法律顾问" in p and "未提及" in p for p in gaps)
