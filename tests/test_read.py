"""The read stage: every format a report arrives in, and every way a file can be bad.

Fixtures are built by tests/fixtures/inputs/make.py (python-docx, fpdf2, encoders) into
a temporary folder, so each test can say exactly what the file holds.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from dutycheck import read as reader
from dutycheck.audit import audit_path
from dutycheck.cli import main
from dutycheck.errors import EXIT_BAD_INPUT, ReportError
from dutycheck.read import decode_text, read_source

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "inputs"))
import make  # noqa: E402

SEEDS = ["晋城市教育局-2023.txt", "曲沃县教育科技局-2021.txt", "于田县教育局-2023.txt",
         "焦作市山阳区教育局-2024.txt", "焦作市教育局-2024.txt"]
needs_cjk_font = pytest.mark.skipif(make.cjk_font() is None,
                                    reason="no CJK font for the PDF fixture (.ci/run installs fonts-wqy-microhei)")


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> dict[str, Path]:
    return make.build(tmp_path_factory.mktemp("inputs"))


def statuses(path) -> dict[str, str]:
    return {i.id: i.status.value for i in audit_path(path).items}


# ---------------------------------------------------------------------------- text encodings

@pytest.mark.parametrize("name, encoding", [
    ("utf8.txt", "utf-8"), ("utf8-bom.txt", "utf-8-bom"), ("gb18030.txt", "gb18030"),
    ("utf16.txt", "utf-16-le"), ("crlf.txt", "utf-8"),
])
def test_text_encodings_give_the_same_lines(inputs, name, encoding):
    src = read_source(inputs[name])
    assert src.encoding == encoding
    assert src.lines == read_source(inputs["utf8.txt"]).lines
    assert src.lines[3] == "一、主要举措和成效" and src.locations[3].line == 4


def test_short_gbk_text_is_not_mistaken_for_korean(inputs):
    # 23 characters of GBK: charset guessers call this cp949; strict GB18030 comes first.
    text, enc = decode_text(inputs["gbk-short.txt"].read_bytes())
    assert (text, enc) == ("法治副校长配备到位，开展普法宣传活动二十余次。", "gb18030")


def test_big5_text_is_read_as_big5():
    text = "本局聘請常年法律顧問，全年出具法律意見書十五份，審核重大合同二十件。"
    assert decode_text(text.encode("big5")) == (text, "big5")


def test_markdown_headings_keep_their_roles(inputs):
    r = audit_path(inputs["report.md"])
    assert r.source_format == "md"
    assert r.item("normative-documents.cleanup").status.value == "shortfall"
    assert r.item("disputes.review-litigation").status.value == "planned"


# ---------------------------------------------------------------------------- docx

def test_docx_paragraphs_and_tables_in_order_without_header(inputs):
    src = read_source(inputs["report.docx"])
    assert src.format == "docx" and src.unit == "paragraph"
    assert "一、主要举措和成效" in src.lines
    assert src.lines[-2:] == ("行政复议案件；0件", "行政诉讼案件；1件")
    assert not any("内部资料" in s or "第 1 页" in s for s in src.lines)   # header and footer left out


def test_docx_automatic_numbering_rebuilt_and_deletions_dropped(inputs):
    src = read_source(inputs["numbered.docx"])
    assert src.lines[1:3] == ("一、主要举措和成效", "（一）严格规范公正文明执法")
    assert src.lines[4] == "（二）发挥法律顾问作用" and src.lines[6] == "二、存在的不足和原因"
    assert src.lines[3] == "全面推行行政执法公示制度，开展“双随机、一公开”抽查12次。"  # w:del left out, w:ins kept
    r = audit_path(inputs["numbered.docx"])
    # the numbering carries the structure: the last part is read as the shortfalls part
    assert r.item("normative-documents.cleanup").status.value == "shortfall"
    assert r.item("legal-counsel.retained").status.value == "done"   # not "尚未建立" from the deletion/header
    ev = r.item("legal-counsel.retained").evidence[0]
    assert ev.line == 6      # the sixth paragraph of the body


def test_a_docx_saved_as_txt_is_still_read_as_word(inputs, tmp_path):
    wrong = tmp_path / "report.txt"
    shutil.copy(inputs["report.docx"], wrong)
    assert read_source(wrong).format == "docx"


# ---------------------------------------------------------------------------- pdf

@needs_cjk_font
def test_pdf_text_layer_with_page_and_line(inputs):
    src = read_source(inputs["report.pdf"])
    assert src.format == "pdf" and src.meta["pages"] == 1
    assert not any(s.strip() == "- 1 -" for s in src.lines)          # page number stripped
    r = audit_path(inputs["report.pdf"])
    ev = r.item("legal-counsel.retained").evidence[0]
    assert ev.page == 1 and ev.line > 1
    assert "常年法律顾问" in ev.text


@needs_cjk_font
def test_pdf_running_headers_and_page_numbers_are_stripped(tmp_path):
    lines = make._report_lines("晋城市教育局-2023.txt")
    pdf = make.write_pdf(tmp_path / "jc.pdf", lines, running_header="晋城市人民政府公报")
    src = read_source(pdf)
    assert src.meta["pages"] >= 3
    assert not any("人民政府公报" in s for s in src.lines)
    assert not any(s.strip().startswith("- ") and s.strip().endswith(" -") for s in src.lines)
    assert {loc.page for loc in src.locations} == set(range(1, src.meta["pages"] + 1))


# ---------------------------------------------------------------------------- html

def test_html_article_body_not_menus_or_related_links(inputs):
    src = read_source(inputs["gov-page.html"])
    assert src.format == "html" and src.encoding == "gb18030"    # declared gb2312
    text = src.text
    assert src.lines[0] == "XX县教育局2023年法治政府建设工作报告"
    assert "聘请律师事务所担任常年法律顾问" in text
    for boilerplate in ("当前位置", "相关链接", "版权所有", "ICP", "用户登录", "分享到", "法治副校长聘任名单公示"):
        assert boilerplate not in text, boilerplate
    # evidence cites the line of the saved page
    html_lines = inputs["gov-page.html"].read_bytes().decode("gb18030").splitlines()
    ev = audit_path(inputs["gov-page.html"]).item("legal-counsel.retained").evidence[0]
    assert "常年法律顾问" in html_lines[ev.line - 1]


def test_a_web_page_is_read_without_importing_what_bs4_would_not_use(inputs):
    # soupsieve, charset-normalizer and lxml's tree builder were most of an .html audit's extra
    # time; none is needed, and a later import of one still works in the same process
    code = ("import sys; from dutycheck.read import lean_imports, read_source; lean_imports(); "
            "src = read_source(sys.argv[1]); "
            "assert '聘请律师事务所担任常年法律顾问' in src.text; "
            "print(sorted(m for m in ('soupsieve', 'charset_normalizer', 'bs4.builder._lxml') if m in sys.modules)); "
            "import charset_normalizer, soupsieve")
    import subprocess

    out = subprocess.run([sys.executable, "-c", code, str(inputs["gov-page.html"])], capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip() == "[]" and not out.stderr


def test_a_program_using_dutycheck_as_a_library_keeps_the_whole_of_bs4(inputs):
    # the lean import is for dutycheck's own processes (the CLI): a library caller reading a
    # web page must still have bs4's lxml builder and CSS selectors afterwards
    code = ("import sys; from dutycheck.read import read_source; read_source(sys.argv[1]); "
            "import bs4; soup = bs4.BeautifulSoup('<p>法律顾问</p>', 'lxml'); print(len(soup.select('p')))")
    import subprocess

    out = subprocess.run([sys.executable, "-c", code, str(inputs["gov-page.html"])], capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip() == "1"


def test_html_related_link_titles_are_not_evidence(inputs):
    # the page links to 《…法治副校长聘任名单公示》; the article only plans it
    assert audit_path(inputs["gov-page.html"]).item("vice-principals.appointed").status.value == "planned"


# ---------------------------------------------------------------------------- same report, any format

@pytest.mark.parametrize("seed", SEEDS)
def test_same_report_as_txt_docx_pdf_html_gives_the_same_statuses(seed, tmp_path):
    files = make.seed_in_formats(seed, tmp_path)
    expected = statuses(files["txt"])
    if "pdf" not in files:
        pytest.skip("no CJK font for the PDF fixture")
    for fmt in ("docx", "pdf", "html"):
        got = statuses(files[fmt])
        assert got == expected, (fmt, {k: (expected[k], got[k]) for k in got if got[k] != expected[k]})
    meta = {fmt: audit_path(p).report for fmt, p in files.items()}
    assert len({(m.agency, m.year) for m in meta.values()}) == 1, meta


# ---------------------------------------------------------------------------- bad input

BAD = [
    ("empty.txt", "文件为空", "empty file"),
    ("blank.txt", "只有空白", "whitespace"),
    ("junk.txt", "不是文本文件", "binary"),
    ("zip-renamed.docx", "不是 Word 文档", "zip archive"),
    ("truncated.pdf", "PDF 文件损坏或不完整", "truncated"),
    ("scanned.pdf", "没有文字层", "OCR"),
    ("not-a-pdf.pdf", "不是有效的 PDF", "no %PDF header"),
    ("huge.txt", "文件过大", "too large"),
    ("english.txt", "没有中文正文", "no Chinese text"),
    ("no-reports", "是一个目录", "directory"),
]


@pytest.mark.parametrize("name, zh, en", BAD, ids=[b[0] for b in BAD])
def test_bad_input_names_the_file_and_exits_2(inputs, name, zh, en):
    if name not in inputs:
        pytest.skip("fixture needs a CJK font")
    result = CliRunner().invoke(main, ["audit", str(inputs[name])])
    assert result.exit_code == EXIT_BAD_INPUT
    assert result.output.startswith(f"Error: {inputs[name]}: ") or f"{inputs[name]}: " in result.output
    assert zh in result.output and en in result.output
    assert "Traceback" not in result.output


def test_huge_file_is_refused_without_reading_it(inputs, monkeypatch):
    def no_open(*a, **k):
        raise AssertionError("the file was opened")

    monkeypatch.setattr(reader, "open", no_open, raising=False)
    with pytest.raises(ReportError, match="文件过大"):
        read_source(inputs["huge.txt"])


def test_size_limit_can_be_lowered(inputs):
    with pytest.raises(ReportError, match="文件过大"):
        read_source(inputs["utf8.txt"], max_bytes=512)


def test_missing_path():
    result = CliRunner().invoke(main, ["audit", "没有这个文件.txt"])
    assert result.exit_code == EXIT_BAD_INPUT
    assert "没有这个文件.txt: 文件不存在 (no such file)" in result.output


def test_permission_denied(inputs, tmp_path, monkeypatch):
    locked = tmp_path / "locked.txt"
    shutil.copy(inputs["utf8.txt"], locked)
    locked.chmod(0)
    if os.access(locked, os.R_OK):      # root reads anything: make open() refuse as it would
        def refuse(*a, **k):
            raise PermissionError(13, "Permission denied")

        monkeypatch.setattr(reader, "open", refuse, raising=False)
    result = CliRunner().invoke(main, ["audit", str(locked)])
    assert result.exit_code == EXIT_BAD_INPUT
    assert f"{locked}: 没有读取权限 (permission denied)" in result.output


def test_legacy_word_without_libreoffice_says_how_to_convert(tmp_path, monkeypatch):
    doc = tmp_path / "报告.doc"
    doc.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 2000)
    monkeypatch.setattr(reader.shutil, "which", lambda name: None)
    with pytest.raises(ReportError) as exc:
        read_source(doc)
    assert "LibreOffice" in exc.value.zh and "另存为" in exc.value.zh and exc.value.path == str(doc)


def test_invalid_checklist_yaml_names_file_and_line(inputs, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\nitems:\n  - id: a\n    title: [unclosed\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["audit", str(inputs["utf8.txt"]), "--checklist", str(bad)])
    assert result.exit_code == EXIT_BAD_INPUT
    assert f"{bad}:" in result.output and "Traceback" not in result.output


def test_json_output_of_a_pdf_cites_page_and_line(inputs):
    if "report.pdf" not in inputs:
        pytest.skip("fixture needs a CJK font")
    out = CliRunner().invoke(main, ["audit", str(inputs["report.pdf"]), "-f", "json"]).output
    data = json.loads(out)
    ev = next(i for i in data["items"] if i["id"] == "legal-counsel.retained")["evidence"][0]
    assert ev["page"] == 1 and isinstance(ev["line"], int)
    assert data["report"]["format"] == "pdf"


@pytest.mark.skipif(shutil.which("soffice") is None and shutil.which("libreoffice") is None,
                    reason="LibreOffice not installed (.ci/run installs libreoffice-writer-nogui)")
def test_legacy_word_doc_is_converted_through_libreoffice(tmp_path):
    import subprocess

    files = make.seed_in_formats("晋城市教育局-2023.txt", tmp_path)
    office = shutil.which("soffice") or shutil.which("libreoffice")
    subprocess.run([office, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "doc",
                    "--outdir", str(tmp_path), str(files["docx"])], capture_output=True, timeout=180, check=True)
    doc = files["docx"].with_suffix(".doc")
    assert doc.read_bytes()[:4] == b"\xd0\xcf\x11\xe0"      # a real binary Word file
    result = audit_path(doc)
    assert result.source_format == "doc"
    assert {i.id: i.status.value for i in result.items} == statuses(files["txt"])


# ------------------------------------------------ parsed ahead in a child (a single audit)

AHEAD_CASES = ["report.docx", "numbered.docx", "zip-renamed.docx", "gov-page.html", "utf8.txt", "report.pdf",
               "truncated.pdf", "not-a-pdf.pdf"]


def _read_or_error(read):
    try:
        return read()
    except ReportError as exc:
        return (exc.zh, exc.en, exc.path, exc.line)


@pytest.mark.parametrize("name", AHEAD_CASES)
def test_a_file_parsed_ahead_in_a_child_reads_as_in_this_process(inputs, name):
    if name not in inputs:
        pytest.skip("no CJK font for the PDF fixture")
    from dutycheck.read import start_source

    ahead = _read_or_error(lambda: start_source(inputs[name], parse_ahead=True).finish())
    assert ahead == _read_or_error(lambda: read_source(inputs[name]))


def test_hostile_pages_and_docx_parsed_ahead_read_as_in_this_process(tmp_path):
    from fixtures import hostile

    from dutycheck.read import start_source

    files = [hostile.docx_nested_tables(tmp_path / "t.docx", depth=3), hostile.docx_malformed_numbering(tmp_path / "m.docx"),
             hostile.docx_huge_roman_start(tmp_path / "r.docx"), hostile.html_deeply_nested(tmp_path / "n.html", depth=1000)]
    (tmp_path / "p.html").write_text(f"<html><body><p>{hostile.REPORT}{'&#x1b;[2J' * 40}</p></body></html>", encoding="utf-8")
    files.append(tmp_path / "p.html")
    for path in files:
        ahead = _read_or_error(lambda: start_source(path, parse_ahead=True).finish())
        assert ahead == _read_or_error(lambda: read_source(path)), path
    assert isinstance(_read_or_error(lambda: read_source(tmp_path / "p.html")), tuple)   # one of them is an error


@pytest.mark.parametrize("name", ["gov-page.html", "report.docx"])
def test_a_child_that_dies_before_answering_leaves_the_reading_to_this_process(inputs, name, monkeypatch):
    from dutycheck.read import start_source

    kind = "html" if name.endswith(".html") else "docx"
    monkeypatch.setitem(reader._AHEAD, kind, lambda data, name: os._exit(3))     # runs in the child only
    pending = start_source(inputs[name], parse_ahead=True)
    assert pending.finish() == read_source(inputs[name])
    pending.close()                                                              # after finish: nothing to do
