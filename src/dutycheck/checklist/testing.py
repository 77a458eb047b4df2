"""Run a checklist's own examples, and optionally its agreement with gold labels.

Every item carries `examples: {match: [...], no_match: [...]}`: sentences from real
reports that must count as the duty done, and look-alikes that must not count at all.
They are the checklist's unit tests: when a legal officer adds a phrase or an exclusion,
`dutycheck checklist test` shows at once whether an old wording stopped matching or a
look-alike started to. Each example is audited alone, through the whole pipeline and
the whole checklist (so inherited context cues and exclusions apply), as a report
consisting of that one sentence.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from ..errors import DutycheckError
from .model import Checklist, Item


@dataclass(frozen=True)
class ExampleFailure:
    item: str
    kind: str              # "match" or "no_match"
    sentence: str
    status: str            # what the audit said
    evidence: str          # the sentence part that matched, or the rule, if any
    source: str            # where the item is defined

    def reason(self) -> str:
        """Why this example failed, in Chinese then English."""
        if self.kind == "match":
            return (f"应判为已开展，实际为 {self.status}"
                    f" (expected done, got {self.status})")
        return (f"不应匹配，却匹配了“{self.evidence}”"
                f" (must not match, but matched {self.evidence!r})")


@dataclass
class ExampleReport:
    checklist: str
    examples: int = 0
    passed: int = 0
    failures: list[ExampleFailure] = field(default_factory=list)
    without_examples: list[str] = field(default_factory=list)
    agreement: Any = None          # evaluate.EvalResult when gold labels were given

    @property
    def ok(self) -> bool:
        return not self.failures


def _rule_evidence(result: Any) -> list:
    """Evidence found by the item's phrases (not by the report having a section role)."""
    return [e for e in result.evidence if not e.phrase.startswith("role:")]


def check_example(checklist: Checklist, item: Item, sentence: str, kind: str) -> ExampleFailure | None:
    """Audit one example sentence alone; None when it behaves as the checklist says.

    A `match` example must make the item `done` through its phrases (a section item
    without phrases may be done through its role). A `no_match` example must not be
    evidence at all: no phrase of the item may match it, whatever the status.
    """
    from ..audit import audit_text

    result = audit_text(sentence, checklist, name=f"{item.id}:{kind}").item(item.id)
    found = _rule_evidence(result) if item.rules else list(result.evidence)
    if kind == "match":
        if result.status.value == "done" and any(e.status.value == "done" for e in found):
            return None
        status = next((e.status.value for e in found), "absent")
        return ExampleFailure(item.id, kind, sentence, status,
                              found[0].matched if found else "", item.source)
    if not _rule_evidence(result):
        return None
    e = _rule_evidence(result)[0]
    return ExampleFailure(item.id, kind, sentence, e.status.value, e.matched or e.phrase, item.source)


def run_examples(checklist: Checklist) -> ExampleReport:
    """Every example of every item (inherited ones too: an override can break them)."""
    report = ExampleReport(checklist=checklist.path)
    for item in checklist.items:
        examples = item.examples or {}
        sentences = [(k, s) for k in ("match", "no_match") for s in examples.get(k) or []]
        if not sentences:
            report.without_examples.append(item.id)
            continue
        for kind, sentence in sentences:
            report.examples += 1
            failure = check_example(checklist, item, sentence, kind)
            if failure is None:
                report.passed += 1
            else:
                report.failures.append(failure)
    return report


def run_checklist_tests(checklist: Checklist | str | os.PathLike, *, gold: str | os.PathLike | None = None,
                   reports: str | os.PathLike | None = None) -> ExampleReport:
    """Run the examples and, when `gold` and `reports` are given, `dutycheck eval`'s
    agreement with the human labels, with this checklist."""
    if not isinstance(checklist, Checklist):
        from .load import load_checklist_uncached, resolve_path

        checklist = load_checklist_uncached(resolve_path(checklist))
    report = run_examples(checklist)
    if gold is not None:
        if reports is None:
            raise DutycheckError("给出 --gold 时还需要 --reports（报告目录）",
                                 "--gold needs --reports (the directory of the labelled reports)")
        from ..evaluate import evaluate

        report.agreement = evaluate(gold, reports, checklist)
    return report

