"""The record model (`schema.py`): audit/1, error/1 and batch/1 built and read back in one place."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest
from conftest import THREE_PART_REPORT

from dutycheck.audit import audit_path, audit_text
from dutycheck.batch import run_batch
from dutycheck.errors import ReportError
from dutycheck.models import Role, Status
from dutycheck.render.json import render_json
from dutycheck.schema import AuditRecord, BatchRecord, ErrorInfo, ErrorRecord, error_record, parse_line

ROOT = Path(__file__).resolve().parent.parent
REPORTS = sorted((ROOT / "reports").rglob("*.txt"))

@pytest.mark.parametrize("path", REPORTS, ids=lambda p: p.name)
def test_audit_json_reads_back_to_the_same_bytes(path):
    text = render_json(audit_path(path))
    rec = AuditRecord.from_json(text)
    assert json.dumps(rec.to_dict(), ensure_ascii=False, indent=2) == text


def test_the_record_is_typed():
    rec = AuditRecord.from_result(audit_text(THREE_PART_REPORT, name="县教育局.txt"))
    counsel = rec.item("legal-counsel.retained")
    assert counsel.status is Status.DONE and counsel.evidence[0].role is Role.ACHIEVEMENTS
    assert counsel.evidence[0].line == 3 and "法律顾问" in counsel.evidence[0].text
    assert rec.item("normative-documents.cleanup").status is Status.SHORTFALL
    assert rec.agency == "XX县教育局" and rec.year == 2023 and rec.report.format == "text"
    assert rec.gaps == tuple(i.id for i in rec.items if i.status is not Status.DONE)


def test_keys_from_a_newer_writer_survive_a_round_trip():
    d = AuditRecord.from_result(audit_text(THREE_PART_REPORT)).to_dict()
    d["reviewed_by"] = "张三"
    d["report"]["pages"] = 3
    d["items"][0]["note"] = "人工复核"
    d["items"][0]["evidence"][0]["unit"] = "paragraph"
    assert AuditRecord.from_dict(d).to_dict() == d


def test_another_schema_is_refused():
    with pytest.raises(ValueError, match="audit/1"):
        AuditRecord.from_dict({"schema": "dutycheck.batch/1"})


def test_error_record_of_a_report_error_names_the_file():
    rec = error_record(ReportError("文件为空", "empty file", path="空.txt"), "空.txt", "ab" * 32)
    d = rec.to_dict()
    assert list(d) == ["schema", "path", "sha256", "error", "duplicate_of"]
    assert d["error"] == {"path": "空.txt", "line": None, "column": None, "key": None,
                          "zh": "文件为空", "en": "empty file", "kind": "ReportError"}
    assert parse_line(rec.to_json()) == rec
    assert pickle.loads(pickle.dumps(rec.error)) == rec.error   # crosses the worker pool


def test_an_internal_error_keeps_its_type():
    info = ErrorInfo.of(RuntimeError("解析器内部错误"), "a.txt")
    assert info.kind == "RuntimeError" and "内部错误" in info.zh and info.path == "a.txt"


def test_batch_head_reads_back(tmp_path):
    (tmp_path / "县教育局.txt").write_text(THREE_PART_REPORT, encoding="utf-8")
    (tmp_path / "空.txt").write_text("", encoding="utf-8")
    head = run_batch([tmp_path], jobs=1).to_dict()
    rec = BatchRecord.from_dict(json.loads(json.dumps(head, ensure_ascii=False)))
    assert rec.to_dict() == head
    assert [e.error.kind for e in rec.errors] == ["ReportError"] and rec.summary["audited"] == 1
    assert isinstance(rec.errors[0], ErrorRecord)


def _variants(result):
    """The result as audited, and with every optional part set: a reviewer's correction (and one
    without a machine status), a page, damaged characters, paragraphs as the unit."""
    import dataclasses

    items = list(result.items)
    first = next(i for i, it in enumerate(items) if it.evidence)
    ev = items[first].evidence
    items[first] = dataclasses.replace(items[first], evidence=(dataclasses.replace(ev[0], page=2), *ev[1:]),
                                       machine_status=items[first].status, status=Status.PLANNED,
                                       review={"status": "planned", "note": "人工复核", "by": "张三"})
    items[-1] = dataclasses.replace(items[-1], machine_status=None, review={"status": "na"})
    yield result
    yield dataclasses.replace(result, items=tuple(items), replaced_chars=3, unit="paragraph")


@pytest.mark.parametrize("path", REPORTS[:6], ids=lambda p: p.name)
def test_the_line_built_straight_from_a_result_is_the_records_line(path):
    # a batch worker writes AuditRecord.json_of(result); every other writer goes through the record
    for result in _variants(audit_path(path)):
        assert AuditRecord.json_of(result) == AuditRecord.from_result(result).to_json()


def test_the_line_written_straight_from_a_result_escapes_and_numbers_as_the_encoder_does():
    """`json_of` writes each value itself: every character JSON escapes (quotes, backslashes,
    control characters, a lone surrogate from a GBK file name), astral characters, integer and
    float weights and scores (1 and 1.0 differ), NaN, a bool, a missing page or text, and
    Reason parameters that cannot be a dict key come out as `to_json` writes them."""
    import dataclasses
    import math

    from dutycheck.models import Reason

    result = audit_text(THREE_PART_REPORT, name="县教育局.txt")
    hostile = ['引号"与\\反斜杠', "控制\x00\x01\x1f\x7f字符\t\n\r", "换行\u2028段落\u2029", "𠀀𝒳😀",
               "\udcc4\udce3", "", " "]
    items = []
    for n, it in enumerate(result.items):
        text = hostile[n % len(hostile)]
        evidence = tuple(
            dataclasses.replace(e, text=text + e.text, section=text, phrase=hostile[(n + 1) % len(hostile)],
                                score=[87.5, 90, 1e-7, 1e22, -0.0, math.nan, math.inf, True][(n + k) % 8],
                                line=[3, 10**20, False][k % 3], page=[None, 2, 0][n % 3],
                                matched=[e.matched, None, text][k % 3],
                                reason=[e.reason, Reason.of("heading_cue", cue=text, heading=[text, 1]),
                                        Reason.of("heading_cue", cue=text, heading=1.0)][k % 3])
            for k, e in enumerate(it.evidence or result.items[0].evidence))
        items.append(dataclasses.replace(it, title=text + it.title, weight=[1, 1.0, 2.5, math.nan][n % 4],
                                         basis=hostile[(n + 2) % len(hostile)], guidance=text,
                                         confidence=[0.9, 1, -math.inf][n % 3], evidence=evidence))
    odd = dataclasses.replace(result, path="\udcc4\udce3/县\"教育局\\.txt", sha256="", items=tuple(items),
                              score=95, unit="paragraph")
    as_float = tuple(dataclasses.replace(it, weight=1.0) for it in odd.items)     # the same items, 1.0
    as_int = tuple(dataclasses.replace(it, weight=1) for it in odd.items)          # and 1
    for r in (odd, dataclasses.replace(odd, unit=None), dataclasses.replace(odd, items=as_float),
              dataclasses.replace(odd, items=as_int)):
        assert AuditRecord.json_of(r) == AuditRecord.from_result(r).to_json()
