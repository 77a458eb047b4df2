"""The whole JSON output of one bundled report, pinned.

Regenerate after an intended change with:  DUTYCHECK_UPDATE_GOLDEN=1 pytest tests/test_golden.py
and review the diff before committing it.
"""

import json
import os
from pathlib import Path

from click.testing import CliRunner

from dutycheck.cli import main

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).parent / "golden" / "jiaozuo-2024.json"
REPORT = "reports/河南/焦作市教育局-2024.txt"


def test_whole_json_output_matches_golden(monkeypatch):
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, ["audit", REPORT, "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    if os.environ.get("DUTYCHECK_UPDATE_GOLDEN"):
        GOLDEN.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    assert data == json.loads(GOLDEN.read_text(encoding="utf-8"))


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
