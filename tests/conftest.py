"""Shared fixtures: the bundled reports and small helpers to audit snippets."""

from __future__ import annotations

from pathlib import Path

import pytest

from dutycheck.audit import audit_text
from dutycheck.checklist.load import load_checklist

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "reports"
BUNDLED = sorted(REPORTS.rglob("*.txt"))


@pytest.fixture(scope="session")
def checklist():
    return load_checklist("default")


@pytest.fixture
def status_of(checklist):
    """status_of(text, item_id) -> 'done' | 'planned' | 'shortfall' | 'absent'."""

    def run(text: str, item_id: str) -> str:
        return audit_text(text, checklist).item(item_id).status.value

    return run


def read_report(name: str) -> str:
    """A bundled report by file name (without folder)."""
    for p in BUNDLED:
        if p.name == name:
            return p.read_text(encoding="utf-8")
    raise FileNotFoundError(name)
