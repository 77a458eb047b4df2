"""审查意见: the Word memo a reviewer sends back to one bureau about its annual report.

Reads one audit record and writes: the title 关于《…》的审查意见, the addressee, 一、基本情况
(agency, year, date, file, checklist, score and what it means), 二、报告结构 (the four required
parts), 三、已报告的职责 (short quotes and where they are), 四、缺项及补写要求 (依据 and 应补写),
五、形式问题 (formal.py findings, and the batch's copies and revisions), 六、复核意见 (the
reviewer's corrections, when the record carries them), and the 审查人 / 日期 lines.

Library use (the web workbench calls this for downloads)::

    from dutycheck.audit import audit_path
    from dutycheck.render.docx_memo import write_memo
    write_memo(audit_path("晋城市教育局-2023.txt"), "审查意见.docx", reviewer="张三")
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import IO, Any

from ..formal import Finding
from ..messages import (
    BASIS_LEAD,
    GUIDANCE_LEAD,
    NO_FORMAL,
    NO_STRUCTURE,
    SCORE_EXPLAINED,
    STATUS_ZH,
    UNKNOWN,
    Col,
    Field,
    checklist_label,
    formal_message,
    report_year,
    review_change,
    role_label,
    score_meaning,
    shorten,
    where_label,
)
from ..models import AuditResult, Evidence, ItemResult, Status
from . import docx_style as st

QUOTE_CHARS = 60
CN_NUM = "一二三四五六七八九十"
STRUCTURE_GROUP = "structure"


def cn_ordinal(n: int) -> str:
    """1 → 一, 12 → 十二 (headings 一、 and （一） up to 九十九)."""
    if n <= 10:
        return CN_NUM[n - 1]
    tens, ones = divmod(n, 10)
    return (CN_NUM[tens - 1] if tens > 1 else "") + "十" + (CN_NUM[ones - 1] if ones else "")


def report_name(r: AuditResult) -> str:
    """The report's name for the memo title: its own title, or one built from agency and year."""
    meta = r.report
    if meta.title and "报告" in meta.title:
        return meta.title
    year = f"{meta.year}年度" if meta.year else "年度"
    return f"{meta.agency or ''}{year}法治政府建设情况报告"


def memo_title(r: AuditResult) -> str:
    return f"关于《{report_name(r)}》的审查意见"


def _quote(it: ItemResult) -> tuple[str, Evidence]:
    """(short quote, where: 第15行 · 一、主要举措和成效) of an item's first evidence."""
    e = it.evidence[0]
    text = shorten(" ".join(e.text.split()), e.matched, width=QUOTE_CHARS)
    return text, e


def _place(e: Any, unit: str) -> str:
    parts = [where_label(e.line, e.page, unit)]
    part = e.section or role_label(e.role)
    if part:
        parts.append(part)
    return "，".join(p for p in parts if p)


def _review(it: ItemResult) -> tuple[Status | None, dict | None]:
    """(machine status, review entry) when a reviewer corrected this item (the review module's
    `machine_status` / `review` fields of the record), else (None, None)."""
    machine = getattr(it, "machine_status", None)
    review = getattr(it, "review", None)
    if machine is None and review is None:
        return None, None
    if isinstance(machine, str):
        machine = Status(machine)
    if review is not None and not isinstance(review, dict):
        review = {k: getattr(review, k) for k in ("note", "by", "at", "status") if hasattr(review, k)}
    return machine, review


def _status_zh(status: Any) -> str:
    try:
        return STATUS_ZH[Status(status)]
    except ValueError:
        return "不适用" if str(status) == "na" else str(status)


def build_memo(r: AuditResult, *, findings: Sequence[Finding] = (), reviewer: str | None = None,
               date: str | None = None, issuer: str | None = None) -> Any:
    """The memo as a python-docx Document (write it with `.save(path_or_stream)`)."""
    meta = r.report
    unit = getattr(r, "unit", "line") or "line"
    doc = st.new_document()
    st.title(doc, memo_title(r))
    st.para(doc, f"{meta.agency or '（报送单位）'}：", indent=False)
    st.para(doc, f"根据《法治政府建设与责任落实督察工作规定》，对照审查清单（{r.checklist_id}，"
                 f"版本 {r.checklist_version}），对你单位报送的《{report_name(r)}》进行了审查。"
                 "现将审查意见反馈如下。")

    counts = {s: sum(1 for i in r.items if i.status is s) for s in Status}
    # 一、基本情况
    st.heading(doc, "一、基本情况")
    rows = [[Field.AGENCY, meta.agency or UNKNOWN],
            [Field.YEAR, report_year(meta.year)],
            [Field.DATE, _zh_date(meta.date)],
            [Field.FILE, os.path.basename(r.path)],
            [Field.CHECKLIST, checklist_label(r.checklist_id, r.checklist_version)],
            [Field.SCORE, f"{r.score:.1f} 分（满分 100 分）：{score_meaning(r.score)}"],
            ["职责情况", "；".join(f"{STATUS_ZH[s]} {counts[s]} 项" for s in Status
                                  if counts[s] or s is not Status.NA)]]
    st.table(doc, ["项目", "情况"], rows, widths=[32, 124])
    st.para(doc, SCORE_EXPLAINED, small=True, grey=True)

    # 二、报告结构
    st.heading(doc, "二、报告结构")
    parts = [it for it in r.items if it.group == STRUCTURE_GROUP]
    missing = [it for it in parts if it.status is not Status.DONE]
    if parts:
        st.para(doc, "《法治政府建设与责任落实督察工作规定》要求年度报告包括以下部分，"
                     + (f"报告缺少其中 {len(missing)} 个部分。" if missing else "报告均已具备。"))
        rows = []
        for it in parts:
            if it.status is Status.DONE and it.evidence:
                rows.append([it.title, Col.HAVE, _place(it.evidence[0], unit)])
            else:
                rows.append([it.title, Col.MISSING, "—"])
        st.table(doc, [Col.PART, "情况", "位置"], rows, widths=[88, 18, 50])
    else:
        st.para(doc, NO_STRUCTURE)

    # 三、已报告的职责
    st.heading(doc, "三、已报告的职责")
    done = [it for it in r.items if it.status is Status.DONE and it.group != STRUCTURE_GROUP]
    if not done:
        st.para(doc, "报告未写明已开展清单中的任何职责。")
    n_group = 0
    for g in r.groups:
        if g.id == STRUCTURE_GROUP:
            continue
        its = [it for it in done if it.group == g.id]
        if not its:
            continue
        n_group += 1
        st.heading(doc, f"（{cn_ordinal(n_group)}）{g.title}（已开展 {g.done}/{g.total} 项）", level=2)
        rows = []
        for it in its:
            quote, ev = _quote(it)
            rows.append([it.title, f"“{quote}”", _place(ev, unit)])
        st.table(doc, ["职责", "报告原文（摘录）", "位置"], rows, widths=[40, 80, 36])

    # 四、缺项及补写要求
    st.heading(doc, "四、缺项及补写要求")
    gaps = sorted((it for it in r.items if it.status not in (Status.DONE, Status.NA)
                   and it.group != STRUCTURE_GROUP),
                  key=lambda i: -i.weight)
    if not gaps:
        st.para(doc, "未发现缺项。")
    else:
        st.para(doc, f"以下 {len(gaps)} 项职责未写明已开展（按权重排序），请在报告中补写，"
                     "或说明不适用的理由。")
    for n, it in enumerate(gaps, 1):
        st.heading(doc, f"（{cn_ordinal(n)}）{it.title}（{STATUS_ZH[it.status]}）", level=2)
        if it.status is not Status.ABSENT and it.evidence:
            quote, ev = _quote(it)
            st.para(doc, f"“{quote}”（{_place(ev, unit)}）", bold_lead="报告原文：")
        if it.basis:
            st.para(doc, it.basis, bold_lead=BASIS_LEAD)
        if it.guidance:
            st.para(doc, it.guidance, bold_lead=GUIDANCE_LEAD)

    # 五、形式问题
    st.heading(doc, "五、形式问题")
    every = list(getattr(r, "formal", ()) or ()) + list(findings)
    every = [f for f in every if f.code != "missing_part"] + [f for f in every if f.code == "missing_part"]
    if not every:
        st.para(doc, NO_FORMAL)
    for n, f in enumerate(every, 1):
        st.para(doc, f"{n}. {formal_message(f, unit)}")
        for passage in f.passages[:3]:
            st.para(doc, f"雷同段落：“{shorten(passage, width=80)}”", small=True, grey=True)

    # 六、复核意见
    st.heading(doc, "六、复核意见")
    corrected = [(it, *_review(it)) for it in r.items]
    corrected = [c for c in corrected if c[1] is not None or c[2] is not None]
    if not corrected:
        st.para(doc, "以上审查结果由 dutycheck 按清单自动比对生成，未经人工更正。审查人复核后可在下方补充意见。")
    else:
        st.para(doc, f"审查人对以下 {len(corrected)} 项的自动判定作了更正，得分已按更正后的状态计算。")
        for n, (it, machine, review) in enumerate(corrected, 1):
            line = f"{n}. {it.title}：" + review_change(_status_zh(machine) if machine else "—", _status_zh(it.status))
            review = review or {}
            if review.get("note"):
                line += f"。说明：{review['note']}"
            who = "，".join(str(v)[:10] if k == "at" else str(v)
                           for k, v in (("by", review.get("by")), ("at", review.get("at"))) if v)
            st.para(doc, line + (f"（{who}）" if who else "") + "。")
    st.para(doc, "其他意见：")
    doc.add_paragraph()

    # 审查人 / 日期
    doc.add_paragraph()
    if issuer:
        st.para(doc, issuer, align="right")
    st.para(doc, f"审查人：{reviewer or '　' * 6}", align="right")
    st.para(doc, f"日期：{_zh_date(date) if date else '　　　　年　　月　　日'}", align="right")
    core = doc.core_properties
    core.title = memo_title(r)
    core.author = reviewer or "dutycheck"
    core.subject = "法治政府建设年度报告审查意见"
    return doc


def write_memo(record: AuditResult, out: str | os.PathLike | IO[bytes], *,
               findings: Sequence[Finding] = (), reviewer: str | None = None, date: str | None = None,
               issuer: str | None = None) -> None:
    """Write the 审查意见 memo of one audit record to a path or a binary stream.

    `findings` adds batch-level 形式审查 facts about this report (copied reports, revisions);
    `reviewer`, `date` (ISO) and `issuer` (the reviewing office) fill the signature lines,
    which are left blank for a pen otherwise. Raises OSError when the path cannot be written.
    """
    doc = build_memo(record, findings=findings, reviewer=reviewer, date=date, issuer=issuer)
    doc.save(out if not isinstance(out, os.PathLike) else os.fspath(out))


def _zh_date(iso: str | None) -> str:
    if not iso:
        return UNKNOWN
    try:
        y, m, d = iso.split("-")
        return f"{int(y)}年{int(m)}月{int(d)}日"
    except ValueError:
        return iso
