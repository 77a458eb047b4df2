"""Facts in the core, words in the renderers: the pipeline records why (a reason code and its
parameters), `messages.reason_text` says it in Chinese, the JSON keeps both."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import THREE_PART_REPORT

from dutycheck.audit import audit_path, audit_text
from dutycheck.messages import REASON_TEXT, reason_text
from dutycheck.models import Reason, Role, Status
from dutycheck.render.json import render_json
from dutycheck.schema import AuditRecord, EvidenceRecord

ROOT = Path(__file__).resolve().parent.parent

HEADING = Reason.of("heading_cue", cue="下一步")
PARAGRAPH = Reason.of("paragraph_cue", cue="在推动法治政府建设工作中存在")

# every code, with parameters as the pipeline gives them, and the words audit/1 has always had
TEXTS = [
    (HEADING, "标题含“下一步”"),
    (PARAGRAPH, "段首“在推动法治政府建设工作中”"),                      # cut to 12 characters
    (Reason.of("parent_heading", heading="一、主要举措和工作成效及存在的问题与不足的情况说明"),
     "继承上级标题“一、主要举措和工作成效及存在的问题与不足”"),         # cut to 20
    (Reason("after_part"), "位于上一部分之后，沿用其角色"),
    (Reason("body_before_parts"), "正文部分（不足与计划之前）"),
    (Reason("title_and_opening"), "标题与导语"),
    (Reason("title_block"), "标题区"),
    (Reason("sign_off"), "落款与抄送"),
    (Reason("opening"), "导语"),
    (Reason("untitled_body"), "无标题的正文"),
    (Reason.of("in_part", role=Role.PLANS, role_reason=HEADING), "位于“下一年度安排”部分（标题含“下一步”）"),
    (Reason.of("in_part", role=Role.SHORTFALLS, role_reason=PARAGRAPH),
     "位于“存在的不足”部分（段首“在推动法治政府建设工作中”）"),
    (Reason.of("in_part", role=Role.ACHIEVEMENTS, role_reason=Reason("body_before_parts")),
     "位于“举措和成效”部分（正文部分（不足与计划之前））"),
    (Reason.of("in_part", role=Role.FIRST_RESPONSIBLE, role_reason=Reason.of("heading_cue", cue="第一责任人")),
     "位于“第一责任人履职”部分（标题含“第一责任人”）"),
    (Reason.of("in_part", role=Role.PREAMBLE, role_reason=Reason("title_and_opening")), "位于导语（标题与导语）"),
    (Reason.of("in_part", role=Role.OTHER, role_reason=Reason("sign_off")), "位于其他部分（落款与抄送）"),
    (Reason.of("rectified", cue="已完成整改"), "“存在的不足”部分中的整改完成（“已完成整改”）"),
    (Reason.of("rectified_before", cue="已于"), "“存在的不足”部分中的整改完成（“已于”之后）"),
    (Reason.of("shortfall_cue", cue="有待加强"), "同一分句有不足提示词“有待加强”"),
    (Reason.of("plan_cue", cue="下一步"), "句中有计划提示词“下一步”"),
    (Reason.of("tentative_cue", cue="将"), "句中有计划提示词“将”"),
    (Reason.of("tentative_with_figure", cue="将", figure="12次"), "“将”之外同句有已做工作的数字“12次”"),
    (Reason.of("has_part", role=Role.ACHIEVEMENTS, role_reason=Reason.of("heading_cue", cue="主要举措")),
     "报告有“主要举措和成效”部分（标题含“主要举措”）"),
    (Reason.of("has_part", role=Role.FIRST_RESPONSIBLE, role_reason=Reason.of("heading_cue", cue="第一责任人")),
     "报告有“第一责任人履职情况”部分（标题含“第一责任人”）"),
    (Reason.of("has_part", role=Role.PLANS, role_reason=HEADING), "报告有“下一年度安排”部分（标题含“下一步”）"),
    (Reason.of("excluded", term="审查决定"), "排除词“审查决定”"),
    (Reason("in_cited_title"), "出现在书名号《》内：引用文件名，不是工作举措"),
    (Reason.of("talk_topic", cue="专题讲座"), "讲座、培训、竞赛的主题（“专题讲座”），不是履行职责"),
    (Reason("heading_only"), "只出现在标题中，其下正文没有相关内容"),
    (Reason("near_other_groups"), "其他组的词未在同一句出现"),
    (Reason("near_low_score"), "相似度低于阈值"),
    (Reason("near_excluded"), "同句已被排除"),
    (Reason.of("recorded", text="位于导语（标题与导语）"), "位于导语（标题与导语）"),
    (Reason("quote_elsewhere"), "状态一致，但引文与人工标注不重合"),
    (Reason("no_evidence"), "未找到证据"),
    (Reason("not_in_checklist"), "清单中没有这个条目"),
    (Reason.of("reviewer_note", text="引文在第三部分"), "引文在第三部分"),
    (Reason("reviewer_corrected"), "人工复核改定"),
    (Reason.of("low_confidence", confidence=0.6), "置信度低（0.60）"),
    (Reason.of("absent_in_full", share=0.25), "其他职责大多已写到（未提及仅 25%），此项未找到"),
    (Reason("context_status"), "状态由上下文（计划/不足）判定"),
    (Reason.of("done_in_sparse", share=0.75), "报告多数职责未提及（75%），此项判为已开展"),
    (Reason("single_evidence"), "只有一处证据"),
    (Reason("heading_evidence"), "证据只是标题"),
    (Reason("opening_evidence"), "证据只在导语/开头"),
    (Reason("fuzzy_only"), "只有近似匹配"),
    (Reason("mixed_statuses"), "同一职责既有已开展又有计划/不足的表述"),
    (Reason("structure_missing"), "报告缺少必备部分，分段可能有误"),
    (Reason.of("changed_since_last_year", previous="done"), "与上一年度不同（上年 done）"),
    (Reason.of("often_corrected", share=0.5), "其他报告中此项常被改判（50%）"),
    (Reason("stale_after_revision"), "待复核：报告修订后机器结果有变化"),
]


@pytest.mark.parametrize(("reason", "text"), TEXTS, ids=lambda v: v.code if isinstance(v, Reason) else "")
def test_each_reason_code_reads_as_it_always_did(reason, text):
    assert reason_text(reason) == text
    assert str(reason) == text


def test_the_table_covers_every_code():
    assert {r.code for r, _ in TEXTS} == set(REASON_TEXT)


def test_a_cue_with_braces_is_quoted_not_formatted():
    assert reason_text(Reason.of("shortfall_cue", cue="{不足}")) == "同一分句有不足提示词“{不足}”"


def test_words_changed_at_run_time_reach_a_reason_worded_before(monkeypatch):
    from dutycheck import structure

    shared = structure._BODY_BEFORE           # a module-level Reason every report shares
    assert reason_text(shared) == "正文部分（不足与计划之前）"
    monkeypatch.setitem(REASON_TEXT, "body_before_parts", "正文")
    assert reason_text(shared) == "正文"
    assert reason_text(Reason.of("in_part", role=Role.ACHIEVEMENTS, role_reason=shared)).endswith("（正文）")


def test_equal_reasons_of_a_record_are_worded_once_and_read_the_same():
    d = json.loads(render_json(audit_path(ROOT / "reports" / "山西" / "晋城市教育局-2023.txt")))
    evidence = [e for it in d["items"] for e in it["evidence"]]
    by_words: dict[str, set] = {}
    for e in evidence:
        by_words.setdefault(e["reason"], set()).add(json.dumps(e["reason_params"], sort_keys=True))
    assert len(by_words) < len(evidence) / 2          # a few parts' words, shared
    assert all(len(params) == 1 for params in by_words.values())


def test_the_pipeline_records_codes_and_the_json_keeps_both():
    r = audit_text(THREE_PART_REPORT)
    counsel = r.item("legal-counsel.retained").evidence[0]
    assert counsel.reason == Reason.of("in_part", role=Role.ACHIEVEMENTS,
                                       role_reason=Reason.of("heading_cue", cue="举措"))
    ev = json.loads(render_json(r))["items"]
    by_id = {it["id"]: it for it in ev}
    e = by_id["legal-counsel.retained"]["evidence"][0]
    assert e["reason"] == "位于“举措和成效”部分（标题含“举措”）"
    assert e["reason_code"] == "in_part" and e["unit"] == "line"
    assert e["reason_params"] == {"role": "achievements",
                                  "role_reason": {"reason_code": "heading_cue", "reason_params": {"cue": "举措"}}}
    cleanup = by_id["normative-documents.cleanup"]["evidence"][0]
    assert cleanup["status"] == "shortfall" and cleanup["reason_code"] == "in_part"
    assert cleanup["reason_params"]["role"] == "shortfalls"


def test_every_code_the_pipeline_writes_has_words():
    reports = sorted((ROOT / "reports").rglob("*.txt")) + sorted(ROOT.glob("tests/eval*/reports/*.txt"))
    seen: set[str] = set()

    def codes(reason: Reason) -> None:
        seen.add(reason.code)
        for v in reason.params.values():
            if isinstance(v, Reason):
                codes(v)

    for path in reports:
        for it in audit_path(path, explain=True).items:
            for e in it.evidence:
                codes(e.reason)
            for c in it.candidates:
                codes(c.why_rejected)
    assert seen <= set(REASON_TEXT)
    assert {"in_part", "has_part", "heading_cue", "paragraph_cue", "parent_heading"} <= seen


def test_a_record_round_trips_with_reason_code_and_unit():
    d = json.loads(render_json(audit_text(THREE_PART_REPORT)))
    rec = AuditRecord.from_dict(d)
    assert rec.to_dict() == d
    e = rec.item("legal-counsel.retained").evidence[0]
    assert e.unit == "line" and e.reason_code == "in_part"
    assert reason_text(e.reason_fact) == e.reason
    back = rec.to_result().item("legal-counsel.retained").evidence[0]
    assert back.reason == Reason.of("in_part", role=Role.ACHIEVEMENTS,
                                    role_reason=Reason.of("heading_cue", cue="举措"))


def test_a_record_from_before_reason_codes_keeps_its_words():
    old = {"text": "聘请律师担任法律顾问。", "line": 3, "section": "一、主要举措和成效", "role": "achievements",
           "score": 100.0, "status": "done", "phrase": "法律顾问", "reason": "位于“举措和成效”部分（旧的说法）"}
    e = EvidenceRecord.from_dict(old)
    assert e.reason_code is None and e.unit is None and e.to_dict() == old
    assert e.reason_fact == Reason.of("recorded", text="位于“举措和成效”部分（旧的说法）")
    assert reason_text(e.reason_fact) == old["reason"]


def test_a_code_this_version_does_not_know_keeps_its_words():
    newer = {"text": "…", "line": 1, "section": "", "role": "plans", "score": 90.0, "status": "planned",
             "phrase": "x", "reason": "新版本的说法", "reason_code": "from_the_future", "reason_params": {"x": 1}}
    e = EvidenceRecord.from_dict(newer)
    assert e.to_dict() == newer and reason_text(e.reason_fact) == "新版本的说法"


def test_a_docx_report_counts_paragraphs(tmp_path):
    from docx import Document

    doc = Document()
    for line in THREE_PART_REPORT.splitlines():
        doc.add_paragraph(line)
    path = tmp_path / "县教育局.docx"
    doc.save(path)
    d = json.loads(render_json(audit_path(path)))
    units = {e["unit"] for it in d["items"] for e in it["evidence"]}
    assert units == {"paragraph"} == {d["unit"]}
    assert Status(d["items"][0]["status"])


def test_the_readme_names_every_reason_code():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    contract = readme[readme.index("## JSON contract"):]
    missing = [code for code in REASON_TEXT if f"`{code}`" not in contract]
    assert not missing, f"README's JSON contract does not name the reason codes {missing}"


def test_the_store_and_its_cache_keep_the_codes(tmp_path):
    from click.testing import CliRunner

    from dutycheck.cli import main

    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "XX县教育局-2023.txt").write_text(THREE_PART_REPORT, encoding="utf-8")
    db = tmp_path / "s.sqlite"
    outputs = []
    for _ in range(2):   # the second run reads the audit back from the store
        res = CliRunner().invoke(main, ["batch", str(folder), "--jobs", "1", "-f", "jsonl", "--db", str(db)],
                                 catch_exceptions=False)
        outputs.append(res.output)
        e = json.loads(res.output.splitlines()[0])["items"][0]["evidence"][0]
        assert e["reason_code"] == "has_part" and e["unit"] == "line"
        assert e["reason_params"]["role"] == "achievements"
    assert "缓存命中 1" in outputs[1]
    import sqlite3

    with sqlite3.connect(db) as con:
        rows = con.execute("SELECT role, status, reason_code, unit FROM evidence WHERE item_id = ?",
                           ("legal-counsel.retained",)).fetchall()
    assert rows == [("achievements", "done", "in_part", "line")]
