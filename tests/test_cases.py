"""Independent wording cases: short passages from (or modelled on) other bureaus' reports.

Each file in tests/cases/ is one duty group: a list of cases
``{text, expect: {item_id: status}, source}``. The text is audited with the default
checklist and every expected status is checked. These wordings are not taken from the
seed reports, so they measure how the checklist generalises beyond the development set.
Only the items named in `expect` are checked; a case may mention other duties.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from dutycheck.audit import audit_text
from dutycheck.models import Status

CASES_DIR = Path(__file__).resolve().parent / "cases"
STATUSES = {s.value for s in Status}


def _load_cases():
    out = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        assert isinstance(data, list), f"{path.name}: top level must be a list of cases"
        for i, case in enumerate(data):
            out.append(pytest.param(case, id=f"{path.stem}:{i}"))
    return out


CASES = _load_cases()


def test_cases_exist():
    assert len(CASES) >= 100


def test_cases_are_well_formed(checklist):
    ids = {i.id for i in checklist.items}
    for p in CASES:
        case = p.values[0]
        assert isinstance(case.get("text"), str) and case["text"].strip(), p.id
        assert case.get("expect"), f"{p.id}: no expectations"
        for item_id, status in case["expect"].items():
            assert item_id in ids, f"{p.id}: unknown item {item_id}"
            assert status in STATUSES, f"{p.id}: bad status {status}"


def _describe(result) -> str:
    lines = [f"{result.id}: {result.status.value}"]
    for e in result.evidence:
        lines.append(f"    [{e.status.value}] {e.phrase} matched “{e.matched}” ({e.reason})\n"
                     f"        in: {e.text.strip()[:120]}")
    for c in result.candidates:
        lines.append(f"    (candidate) {c.phrase}: {c.why_rejected} — {c.text.strip()[:80]}")
    return "\n".join(lines)


@pytest.mark.parametrize("case", CASES)
def test_case(case, checklist):
    audit = audit_text(case["text"], checklist, explain=True)
    wrong = []
    for item_id, expected in case["expect"].items():
        result = audit.item(item_id)
        if result.status.value != expected:
            wrong.append(f"expected {expected}, got {_describe(result)}")
    assert not wrong, (
        f"\nsource: {case.get('source', '?')}\ntext:\n{case['text'].rstrip()}\n\n" + "\n\n".join(wrong))
