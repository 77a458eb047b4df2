"""Property tests: whatever bytes or text arrive, the reader and the pipeline give a result
or a ReportError naming the file, never another exception."""

from __future__ import annotations

import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dutycheck.audit import audit_path, audit_text
from dutycheck.errors import ReportError
from dutycheck.models import AuditResult

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "inputs"))
import make  # noqa: E402

SUFFIXES = [".txt", ".md", ".docx", ".pdf", ".html", ".doc", ".wps", ".dat", ""]
REPORT_CHARS = st.sampled_from(list(make.SNIPPET) + list("　\r\t\x00\ufeff（）《》“”一二三是将未不足下一步"))
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _result_or_report_error(call, path: str):
    try:
        out = call()
    except ReportError as exc:
        assert exc.path == path and exc.zh
        return exc
    assert isinstance(out, AuditResult)
    assert 0 <= out.score <= 100
    return out


@FAST
@given(text=st.text(REPORT_CHARS, max_size=600) | st.text(max_size=300))
def test_any_text_gives_a_result_or_an_input_error(text):
    _result_or_report_error(lambda: audit_text(text, name="<t>"), "<t>")


@FAST
@given(data=st.binary(max_size=3000), suffix=st.sampled_from(SUFFIXES))
def test_any_bytes_under_any_suffix(tmp_path, data, suffix):
    p = tmp_path / f"report{suffix}"
    p.write_bytes(data)
    _result_or_report_error(lambda: audit_path(p), str(p))


@FAST
@given(text=st.text(REPORT_CHARS, min_size=1, max_size=400),
       encoding=st.sampled_from(["utf-8", "gb18030", "utf-16", "utf-8-sig"]))
def test_any_text_in_any_supported_encoding(tmp_path, text, encoding):
    p = tmp_path / "report.txt"
    p.write_bytes(text.encode(encoding))
    out = _result_or_report_error(lambda: audit_path(p), str(p))
    if isinstance(out, AuditResult):     # decoded to the same text: same statuses as from the string
        assert [i.status for i in out.items] == [i.status for i in audit_text(text).items]


_VALID: dict[str, bytes] = {}


def _valid(name: str) -> bytes:
    """A well-formed fixture's bytes, built once."""
    if not _VALID:
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            for key, path in make.build(Path(tmp)).items():
                if key in {"report.docx", "numbered.docx", "report.pdf", "gov-page.html", "utf16.txt"}:
                    _VALID[key] = path.read_bytes()
    return _VALID.get(name, b"")


@FAST
@given(name=st.sampled_from(["report.docx", "numbered.docx", "report.pdf", "gov-page.html", "utf16.txt"]),
       cut=st.floats(0.0, 1.0), flips=st.lists(st.tuples(st.floats(0.0, 1.0), st.integers(0, 255)), max_size=8))
def test_damaged_documents(tmp_path, name, cut, flips):
    data = bytearray(_valid(name))
    if not data:
        return      # no CJK font for the PDF fixture
    for where, value in flips:
        data[int(where * (len(data) - 1))] = value
    data = data[: max(1, int(len(data) * cut))] if cut < 0.98 else data
    p = tmp_path / name
    p.write_bytes(bytes(data))
    _result_or_report_error(lambda: audit_path(p), str(p))
