"""Every renderer's output of the bundled reports, pinned in tests/golden/.

Regenerate after an intended change with:  DUTYCHECK_UPDATE_GOLDEN=1 pytest tests/test_golden.py
and review the diff before committing it.

What is not deterministic (clock values, the temporary output folder, the store's hash of
dutycheck's own source) is masked with the helpers of tools/snapshot_outputs.py.
"""

import importlib.util
import io
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from dutycheck.audit import audit_path
from dutycheck.cli import main
from dutycheck.render.terminal import render_terminal

ROOT = Path(__file__).resolve().parent.parent
GOLDEN_DIR = Path(__file__).parent / "golden"
GOLDEN = GOLDEN_DIR / "jiaozuo-2024.json"
REPORT = "reports/河南/焦作市教育局-2024.txt"
REGENERATE = "DUTYCHECK_UPDATE_GOLDEN=1 pytest tests/test_golden.py"

_spec = importlib.util.spec_from_file_location("snapshot_outputs", ROOT / "tools" / "snapshot_outputs.py")
assert _spec is not None and _spec.loader is not None
snapshot = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(snapshot)


def check_golden(name: str, text: str) -> None:
    """Compare `text` with tests/golden/NAME (rewrite it when DUTYCHECK_UPDATE_GOLDEN is set)."""
    path = GOLDEN_DIR / name
    if os.environ.get("DUTYCHECK_UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file {path}; create it with: {REGENERATE}"
    expected = path.read_text(encoding="utf-8")
    assert text == expected, (
        f"output differs from tests/golden/{name}. If the change is intended, regenerate with:\n"
        f"    {REGENERATE}\nand review `git diff tests/golden` before committing it.")


def cli(args: list[str], **env: str) -> str:
    # a FORCE_COLOR or TTY_COMPATIBLE in the caller's environment would turn colour on
    result = CliRunner().invoke(main, args, env={"FORCE_COLOR": None, "TTY_COMPATIBLE": None, **env})
    assert result.exit_code == 0, result.output
    return result.output


def test_whole_json_output_matches_golden(monkeypatch):
    monkeypatch.chdir(ROOT)
    data = json.loads(cli(["audit", REPORT, "--format", "json"]))
    if os.environ.get("DUTYCHECK_UPDATE_GOLDEN"):
        GOLDEN.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    assert data == json.loads(GOLDEN.read_text(encoding="utf-8")), (
        f"audit json differs from tests/golden/{GOLDEN.name}; if intended, regenerate with: {REGENERATE}")


def test_markdown_matches_golden(monkeypatch):
    monkeypatch.chdir(ROOT)
    check_golden("jiaozuo-2024.md", snapshot.mask(cli(["audit", REPORT, "--format", "markdown"])))


def test_plain_terminal_view_matches_golden(monkeypatch):
    """The terminal view without colour at the snapshot tool's fixed width (120 cells)."""
    monkeypatch.chdir(ROOT)
    buf = io.StringIO()
    render_terminal(audit_path(REPORT, "default"), snapshot.plain_console(buf))
    check_golden("jiaozuo-2024.terminal.txt", snapshot.mask(buf.getvalue()))


@pytest.mark.parametrize("item", ["legal-counsel.retained", "enforcement.publicity"])   # done, absent
def test_explain_matches_golden(monkeypatch, item):
    monkeypatch.chdir(ROOT)
    check_golden(f"jiaozuo-2024.explain.{item}.txt", snapshot.mask(cli(["explain", REPORT, item], COLUMNS="100")))


@pytest.mark.parametrize("fmt", ["json", "csv", "table"])
def test_batch_output_over_bundled_reports_matches_golden(monkeypatch, tmp_path, fmt):
    monkeypatch.chdir(ROOT)
    out = tmp_path / f"batch.{fmt}"
    shown = cli(["batch", "reports", "-r", "-j", "1", "-f", fmt, "-o", str(out)])
    body = out.read_text(encoding="utf-8-sig" if fmt == "csv" else "utf-8")
    text = (shown + "\n----\n" + body).replace(str(tmp_path), "TMP")
    check_golden(f"batch-reports.{fmt}" + (".txt" if fmt == "table" else ""), snapshot.mask(text))


def test_json_contract_shape(monkeypatch):
    monkeypatch.chdir(ROOT)
    data = json.loads(CliRunner().invoke(main, ["audit", REPORT, "-f", "json"]).output)
    assert data["schema"] == "dutycheck.audit/1"
    assert set(data) >= {"path", "sha256", "report", "checklist", "score", "groups", "items", "gaps"}
    assert set(data["report"]) >= {"agency", "year", "date", "chars"}
    for it in data["items"]:
        assert it["status"] in {"done", "planned", "shortfall", "absent"}
        assert set(it) >= {"id", "title", "group", "weight", "status", "confidence", "evidence", "basis", "guidance"}
        for e in it["evidence"]:
            assert set(e) >= {"text", "line", "section", "role", "score"}
            assert isinstance(e["line"], int) and e["line"] >= 1
    assert data["gaps"] == [i["id"] for i in data["items"] if i["status"] != "done"]
