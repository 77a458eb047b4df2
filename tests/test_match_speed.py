"""Matching cost grows with the report, not with the square of a repeated phrase."""

from __future__ import annotations

import gc
import time

from dutycheck.audit import audit_text

HEAD = "某县教育局2023年法治政府建设工作报告\n一、主要举措和成效\n"
# 党章 and 团章 exclude a 章程 two characters away (school-governance.charter). Every sentence
# naming the school charter is a candidate, and each candidate used to scan every 党章 and
# 团章 of the report: a report repeating them took minutes.
EXCLUSIONS = "组织党员学习党章和团章，重温党章和团章，对照党章和团章查找差距。"
CANDIDATE = "修订完善学校章程。"


def cpu_seconds(n: int, checklist) -> float:
    text = HEAD + (EXCLUSIONS + CANDIDATE) * n
    gc.collect()
    gc.disable()        # a collection landing in one run but not the other is not matching cost
    try:
        t = time.process_time()
        result = audit_text(text, checklist)
        elapsed = time.process_time() - t
    finally:
        gc.enable()
    assert result.item("school-governance.charter").status.value == "done"
    return elapsed


def test_a_repeated_exclusion_word_costs_linear_time(checklist):
    small = min(cpu_seconds(1000, checklist) for _ in range(2))
    large = min(cpu_seconds(4000, checklist) for _ in range(2))
    assert large / small < 7, (small, large)        # 4x the text: ~3-5x the time (16x when quadratic)


def test_an_exclusion_word_next_to_the_phrase_still_excludes(checklist):
    result = audit_text(HEAD + "组织全体党员学习党章程。" * 50 + "学习党章，修订学校章程。", checklist)
    item = result.item("school-governance.charter")
    assert item.status.value == "done"
    assert [e.text for e in item.evidence] == ["学习党章，修订学校章程。"]
