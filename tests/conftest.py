"""Shared fixtures: the bundled reports and small helpers to audit snippets."""

from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path

import pytest

from dutycheck.audit import audit_text
from dutycheck.checklist.load import load_checklist

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "reports"
BUNDLED = sorted(REPORTS.rglob("*.txt"))

# A report with each of the three parts and one duty in each (done, shortfall, planned): the
# example the label, reason-code and record tests read their outputs against.
THREE_PART_REPORT = """XX县教育局2023年法治政府建设工作报告
一、主要举措和成效
聘请律师事务所担任常年法律顾问，出具法律意见书15份。
二、存在的不足和原因
规范性文件清理工作有待加强。
三、下一年度工作安排
2024年，我们将积极推进法治副校长全覆盖。
"""


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


def random_pattern(rng: random.Random, atoms: Sequence[str], *, alternation: str, repeats: Sequence[str],
                   asserts: Sequence[str], assert_rate: float, most: int, depth: int = 0) -> str:
    """A small random regex for the tests of what compile reads from `re`'s parser (lead
    characters, required literals): 1 to `most` pieces, each an atom (or, above depth 2, a
    (?:…) group or an alternation opened by `alternation`), repeated 30 % of the time, with a
    zero-width assertion after it `assert_rate` of the time."""
    def inner() -> str:
        return random_pattern(rng, atoms, alternation=alternation, repeats=repeats, asserts=asserts,
                              assert_rate=assert_rate, most=most, depth=depth + 1)

    choices = list(atoms)
    if depth < 2:
        choices += ["(?:" + inner() + ")", alternation + inner() + "|" + inner() + ")"]
    out = []
    for _ in range(rng.randint(1, most)):
        atom = rng.choice(choices)
        out.append(atom + rng.choice(repeats) if rng.random() < 0.3 else atom)
        if rng.random() < assert_rate:
            out.append(rng.choice(asserts))
    return "".join(out)
