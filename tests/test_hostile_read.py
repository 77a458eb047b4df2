"""Hostile files for the read stage: damaged encodings, bombs, hangs (issue 14).

Every fixture is built here, small, by the test that needs it; each test failed before the fix.
"""

import json
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

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
