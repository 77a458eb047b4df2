"""Weighted coverage: only `done` counts; groups are subtotals of the same ratio."""

from dutycheck.checklist.load import load_checklist
from dutycheck.models import ItemResult, Status
from dutycheck.score import score_items


def item(id_, group, weight, status):
    return ItemResult(id_, id_, group, weight, status, 1.0, (), "", "")


def test_weighted_coverage_counts_only_done():
    cl = load_checklist("default")
    results = [item("a", "structure", 3, Status.DONE), item("b", "structure", 1, Status.PLANNED),
               item("c", "disputes", 2, Status.SHORTFALL), item("d", "disputes", 2, Status.DONE)]
    score, groups = score_items(results, cl)
    assert score == round(100 * 5 / 8, 1)
    by_id = {g.id: g for g in groups}
    assert (by_id["structure"].score, by_id["structure"].done, by_id["structure"].total) == (75.0, 1, 2)
    assert by_id["disputes"].score == 50.0
    assert [g.id for g in groups] == ["structure", "disputes"]   # checklist order


def test_empty_checklist_scores_zero():
    assert score_items([], load_checklist("default"))[0] == 0.0


def test_bundled_report_scores(checklist):
    from conftest import read_report

    from dutycheck.audit import audit_text

    full = audit_text(read_report("晋城市教育局-2023.txt"), checklist)
    thin = audit_text(read_report("焦作市山阳区教育局-2024.txt"), checklist)
    assert 0 < thin.score < full.score <= 100
    assert sum(g.total for g in full.groups) == len(checklist.items)
