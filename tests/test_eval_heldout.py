"""Held-out whole-report agreement: five sets of six to eight reports in styles unlike the seeds.

Each set (tests/eval*/reports, gold labels in tests/eval*/gold.yaml, concepts.yaml beside
them) was written and labelled by a different author *before* the tool was run on it; the
first run's agreement is the honest measure of how the checklist generalises. The tool was
then fixed on each set, so the thresholds here sit a small margin under the figures reached
after the fixes: a change that loses held-out labels, or starts calling weaknesses and plans
done, fails here.

- eval:  no headings (【…】 leads), 第一部分…, PDF hard wraps with page numbers and running
         headers, traditional characters.                         first run 0.935 (186/199)
- eval2: 直辖市 区教委 （一）…（十）, separate 第一责任人 chapter, 2020 法制-era wording, merged
         存在的问题及下一步打算, statistics rows, look-alikes.           first run 0.964 (189/196)
- eval3: 自治州 county, 工作总结 1.–8. with "但也要看到", 一把手 wording, 校外培训 enforcement,
         a report of generic statements only.                      first run 0.954 (187/196)
- eval4: Word bullets (■ ◆ ① ②), corrections already made inside 存在问题, two years' figures,
         slogans in the overview, zero records (未发生/未收到).      first run 0.927 (179/193)
  Two misses were left there: d_*'s 管理办法 goes through legality review and 报区政府备案
  without the words 规范性文件; eval5's rules for a document named by its kind fixed them (1.0).
- eval5: 8 reports (7 .txt, 1 .docx with a statistics table), written around the judgement
         classes of issue 9 by a helper who had not read the code: 将 as 把, party-group meetings,
         web-page furniture, bare headings, talks and contests on a duty, meeting counts,
         clause-stitched look-alikes, rectified weaknesses, {next_year} plan headings.
         first run 0.869 (233/268) at commit 2b6af4f, 0.910 (244/268) with issue 9's first
         landing (d640c71, class fixes from tests/cases and the real openings only), 0.989
         (265/268) after. Left: anping_*'s overview slogan (坚持依法行政…三项制度) reads done
         for the three enforcement items; eval4's labeller counts such an overview slogan
         (d_*'s 双随机、一公开) as done, so the two sets' authors disagree and it stays.
"""

from pathlib import Path

import pytest

from dutycheck.audit import audit_path
from dutycheck.checklist.load import load_checklist
from dutycheck.evaluate import evaluate

TESTS = Path(__file__).parent

# set: (agreement, done precision, done recall, quote overlap) at least
REPORTS = {"eval5": 8}
THRESHOLDS = {
    "eval": (0.99, 0.98, 0.95, 0.90),
    "eval2": (0.99, 0.98, 0.98, 0.86),   # quote misses: a second valid sentence chosen
    "eval3": (0.99, 0.98, 0.98, 0.93),
    "eval4": (0.98, 0.99, 0.97, 0.89),
    "eval5": (0.98, 0.975, 0.99, 0.91),
}


@pytest.mark.parametrize("name", sorted(THRESHOLDS))
def test_heldout_reports_agree_with_gold(name):
    folder = TESTS / name
    result = evaluate(folder / "gold.yaml", folder / "reports")
    assert not result.errors, result.errors
    assert result.reports == REPORTS.get(name, 6)
    assert result.labels >= 190          # the concept ids were compared (concepts.yaml beside gold)
    bad = [(d.report, d.item, d.gold, d.predicted) for d in result.disagreements if d.gold != d.predicted]
    agreement, precision, recall, overlap = THRESHOLDS[name]
    assert result.agreement >= agreement, bad
    assert result.done_precision >= precision, bad
    assert result.done_recall >= recall, bad
    assert result.quote_overlap >= overlap


def test_generic_report_stays_mostly_absent():
    """eval3's f_* names almost no concrete act: beyond its structure and the 宪法宣传 activity
    it states, only the three generic claims labelled doubtful (党组…摆在重要位置, 重大事项…按规定
    程序办理, 把法治教育作为德育工作的重要内容) may read done."""
    audit = audit_path(TESTS / "eval3" / "reports" / "f_qingshui_2022.txt", load_checklist("default"))
    done = sorted(r.id for r in audit.items if r.status.value == "done" and not r.id.startswith("structure."))
    assert len(done) <= 4, done


def test_word_bullets_give_the_parts():
    """eval4's ■ headings over ①②③ items: the plan part is found, and 谁执法谁普法 named only
    there is a plan."""
    audit = audit_path(TESTS / "eval4" / "reports" / "a_bullets.txt", load_checklist("default"))
    status = {r.id: r.status.value for r in audit.items}
    assert status["structure.next-year-plan"] == "done"
    assert status["legal-education.responsibility"] == "planned"
