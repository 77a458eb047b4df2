"""Hostile files for the read stage: damaged encodings, bombs, hangs (issue 14).

Every fixture is built here, small, by the test that needs it; each test failed before the fix.
"""

import json
import tempfile
import time
import zipfile

import pytest
from click.testing import CliRunner
from fixtures import hostile  # tests/fixtures/hostile.py

from dutycheck import read as read_mod
from dutycheck.cli import main
from dutycheck.errors import ReportError
from dutycheck.read import read_source

REPORT = ("某市教育局2023年法治政府建设年度报告\n一、主要举措和成效\n"
          "我局聘请律师事务所律师担任法律顾问，全年审查合同12份。严格落实行政执法公示制度，"
          "执法全过程记录制度和重大执法决定法制审核制度。\n")


def audit_json(path) -> dict:
    r = CliRunner().invoke(main, ["audit", str(path), "-f", "json"])
    assert r.exit_code == 0, r.output
    return json.loads(r.output)


def status(d: dict, item: str) -> str:
    return next(i["status"] for i in d["items"] if i["id"] == item)


# ---------------------------------------------------------------- decoding with replacements

def test_one_bad_byte_in_a_utf8_file_is_replaced_and_counted(tmp_path):
    data = REPORT.encode("utf-8")
    cut = data.index("全年".encode())
    (tmp_path / "r.txt").write_bytes(data[:cut] + b"\xff" + data[cut:])
    d = audit_json(tmp_path / "r.txt")
    assert d["report"]["encoding"] == "utf-8"
    assert d["report"]["replaced_chars"] == 1
    assert status(d, "legal-counsel.retained") == "done"


def test_utf16le_without_bom_cut_at_an_odd_byte_is_read(tmp_path):
    # nearly all Chinese: hardly a NUL byte to give the encoding away, and one byte short
    data = REPORT.replace("12", "十二").encode("utf-16-le")[:-1]
    (tmp_path / "r.txt").write_bytes(data)
    d = audit_json(tmp_path / "r.txt")
    assert d["report"]["encoding"] == "utf-16-le"
    assert d["report"]["replaced_chars"] == 1
    assert status(d, "legal-counsel.retained") == "done"


def test_the_replacement_is_a_warning_in_terminal_and_markdown(tmp_path):
    data = REPORT.encode("utf-8")
    (tmp_path / "r.txt").write_bytes(data[:40] + b"\xff\xfe" + data[40:])
    for fmt in ("terminal", "markdown"):
        r = CliRunner().invoke(main, ["audit", str(tmp_path / "r.txt"), "-f", fmt])
        assert r.exit_code == 0, r.output
        assert "无法解码" in r.output and "replaced" in r.output


def test_a_clean_file_has_no_replacement_count(tmp_path):
    (tmp_path / "r.txt").write_text(REPORT, encoding="utf-8")
    assert "replaced_chars" not in audit_json(tmp_path / "r.txt")["report"]


def test_random_bytes_are_still_refused_not_decoded_with_replacements(tmp_path):
    import random

    rnd = random.Random(14)
    (tmp_path / "r.txt").write_bytes(bytes(rnd.randrange(256) for _ in range(6000)))
    with pytest.raises(ReportError):
        read_source(tmp_path / "r.txt")


# ---------------------------------------------------------------- .docx bombs


def timed(fn, *args):
    t0 = time.perf_counter()
    try:
        out = fn(*args)
    except ReportError as exc:
        out = exc
    return out, time.perf_counter() - t0


def test_numbering_part_inflating_to_64_mb_is_refused_before_parsing(tmp_path):
    path = hostile.docx_numbering_bomb(tmp_path / "n.docx")
    assert path.stat().st_size < 2**20
    out, secs = timed(read_source, path)
    assert isinstance(out, ReportError) and "numbering.xml" in out.zh and "压缩炸弹" in out.zh
    assert secs < 2


def test_document_part_inflating_to_200_mb_is_refused(tmp_path):
    path = hostile.docx_body_bomb(tmp_path / "b.docx", mb=200)
    assert path.stat().st_size < 2**20
    out, secs = timed(read_source, path)
    assert isinstance(out, ReportError) and "document.xml" in out.zh
    assert secs < 2


def test_a_header_that_lies_about_the_inflated_size_is_cut_off(tmp_path):
    # the zip header claims 1 KB; zipfile inflates no more than the claim, then fails the CRC
    path = hostile.docx_body_bomb(tmp_path / "b.docx", mb=40)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        info = z.getinfo("word/document.xml")
    import struct

    for sig, off in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):     # local header, central directory
        at = data.find(sig, 0 if sig == b"PK\x03\x04" else data.find(b"PK\x01\x02"))
        while at >= 0:
            name_len = struct.unpack_from("<H", data, at + (26 if sig == b"PK\x03\x04" else 28))[0]
            start = at + (30 if sig == b"PK\x03\x04" else 46)
            if data[start:start + name_len] == b"word/document.xml":
                struct.pack_into("<I", data, at + off, 1024)
            at = data.find(sig, at + 4)
    path.write_bytes(bytes(data))
    assert info.file_size > 40 * 2**20
    out, secs = timed(read_source, path)
    assert isinstance(out, ReportError)
    assert secs < 2


def test_text_beyond_the_cap_is_refused(tmp_path):
    path = hostile.docx_text_bomb(tmp_path / "t.docx", chars=5_000_000)
    out, secs = timed(read_source, path)
    assert isinstance(out, ReportError) and "文字过多" in out.zh
    assert secs < 15


def test_nested_tables_read_each_paragraph_once(tmp_path):
    src = read_source(hostile.docx_nested_tables(tmp_path / "t.docx", depth=3))
    assert src.text.count("重大执法决定法制审核制度。") == 3 + 1       # three levels, the body once
    assert src.text.count("执法全过程记录制度。") == 1


def test_tables_nested_80_deep_are_refused_fast(tmp_path):
    path = hostile.docx_nested_tables(tmp_path / "t.docx", depth=80)
    assert path.stat().st_size < 20_000
    out, secs = timed(read_source, path)
    assert isinstance(out, ReportError) and "嵌套" in out.zh
    assert secs < 2


def test_numbering_starting_at_ten_to_the_eighth_in_roman_is_fast(tmp_path):
    src, secs = timed(read_source, hostile.docx_huge_roman_start(tmp_path / "r.docx"))
    assert secs < 2
    assert not isinstance(src, ReportError)
    assert src.lines[0].startswith("32767.")          # Word's own bound on a start value


def test_malformed_levels_and_negative_starts_are_read_without_a_traceback(tmp_path):
    src = read_source(hostile.docx_malformed_numbering(tmp_path / "m.docx"))
    assert "聘请律师事务所律师担任法律顾问" in src.text
    d = audit_json(tmp_path / "m.docx")
    assert status(d, "legal-counsel.retained") == "done"


# ---------------------------------------------------------------- .docx styles.xml

_NUMBERED_STYLE = ('<w:style w:styleId="h1"><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/>'
                   "</w:numPr></w:pPr></w:style>")


def _styled(body_style: str | None) -> str:
    """The report, its second paragraph in style `body_style` (None: no paragraph names a style)."""
    ppr = f'<w:pPr><w:pStyle w:val="{body_style}"/></w:pPr>' if body_style else ""
    return (hostile.para(hostile.BODY[0]) + f"<w:p>{ppr}<w:r><w:t>主要举措和成效</w:t></w:r></w:p>"
            + hostile.para(hostile.BODY[2]))


def test_a_paragraph_style_carrying_the_numbering_gets_its_label(tmp_path):
    path = hostile.write_docx(tmp_path / "s.docx", _styled("h1"),
                              numbering=hostile.numbering("chineseCounting", "1", text="%1、"),
                              styles=_NUMBERED_STYLE)
    assert read_source(path).lines[1] == "一、主要举措和成效"


def test_a_damaged_styles_part_is_reported_when_a_paragraph_names_a_style(tmp_path):
    path = hostile.write_docx(tmp_path / "s.docx", _styled("h1"),
                              numbering=hostile.numbering("chineseCounting", "1", text="%1、"),
                              styles=_NUMBERED_STYLE[:-20])            # cut inside the XML
    with pytest.raises(ReportError, match="Word 文档已损坏") as err:
        read_source(path)
    assert err.value.path == str(path)


def test_a_damaged_styles_part_no_paragraph_uses_does_not_stop_the_document(tmp_path):
    # the text does not depend on it: the styles part is not read at all (it costs ~7 ms of a
    # python-docx file's 350 KB template otherwise)
    path = hostile.write_docx(tmp_path / "s.docx", _styled(None),
                              numbering=hostile.numbering("chineseCounting", "1", text="%1、"),
                              styles=_NUMBERED_STYLE[:-20])
    assert list(read_source(path).lines) == [hostile.BODY[0], "主要举措和成效", hostile.BODY[2]]


# ---------------------------------------------------------------- .html

def test_deeply_nested_tags_are_read_in_linear_time(tmp_path):
    small = hostile.html_deeply_nested(tmp_path / "s.html", depth=1000)
    big = hostile.html_deeply_nested(tmp_path / "b.html", depth=4000)
    src, t_small = timed(read_source, small)
    assert "聘请律师事务所律师担任法律顾问" in src.text
    _, t_big = timed(read_source, big)
    assert t_big < 3                      # was 87 s (and 152 s for 437 KB)
    assert t_big < 4 * t_small * 3         # 4× the input: about 4× the time, not 16×


def test_control_characters_written_as_entities_count_as_binary(tmp_path):
    junk = "&#x1b;[2J&#x1b;[8m&#27;&#x7;" * 40
    (tmp_path / "p.html").write_text(f"<html><body><p>{hostile.REPORT}{junk}</p></body></html>", encoding="utf-8")
    with pytest.raises(ReportError) as exc:
        read_source(tmp_path / "p.html")
    assert "二进制" in exc.value.zh


def test_audit_has_a_time_limit(tmp_path):
    path = hostile.html_deeply_nested(tmp_path / "slow.html", depth=20000)     # about 3 s to read
    t0 = time.perf_counter()
    r = CliRunner().invoke(main, ["audit", str(path), "--timeout", "0.5"])
    assert time.perf_counter() - t0 < 2.5
    assert r.exit_code == 2 and "审查超时" in r.output, r.output


def test_a_libreoffice_timeout_kills_its_processes_and_leaves_no_profile(tmp_path, monkeypatch):
    # a stand-in soffice that forks a helper (like soffice.bin) which would keep writing the
    # profile after the parent is killed; no real LibreOffice needed
    fake = tmp_path / "soffice"
    fake.write_text('#!/bin/sh\nprofile=${2#-env:UserInstallation=file://}\n'
                    'mkdir -p "$profile"\n(while true; do mkdir -p "$profile"; sleep 0.1; done) &\nsleep 60\n')
    fake.chmod(0o755)
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(read_mod.shutil, "which", lambda name: str(fake))
    monkeypatch.setattr(read_mod, "OFFICE_TIMEOUT", 1.0)
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    report = tmp_path / "报告.doc"
    report.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    start = time.monotonic()
    with pytest.raises(ReportError) as exc:
        read_source(report)
    assert time.monotonic() - start < 10
    assert "LibreOffice 转换超时" in exc.value.zh and "timed out" in exc.value.en
    time.sleep(0.5)   # a surviving helper would recreate the profile by now
    assert list(temp.iterdir()) == []
