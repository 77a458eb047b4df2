"""区域汇总: the Word summary of a batch for the reviewer's superiors, and the batch's memos.

One document, official style (A4, 方正小标宋/仿宋, 一、 headings, page numbers): 一、总体情况
(counts, mean, score bands), 二、得分排名, 三、职责覆盖情况 (a chart: coverage by duty), 四、最常
缺失的职责 (依据 and 应补写), 五、报告结构完整性, 六、各地区情况, 七、形式审查 (copies, revisions,
each report's findings), 八、未审查的文件.

The chart is a native table-bar, not a picture: each duty is a table row whose bar is a run
of █ in the done colour, ░ for the rest, and the percentage as text. Why: it needs no
plotting library and no CJK font file for labels (a PNG drawn with Pillow would need one on
every reviewer's machine, and matplotlib is a heavy install for Windows users); the labels
stay text that Word, WPS and LibreOffice lay out, search, copy and print alike at any
zoom; a reader can edit the table and a screen reader reads the percentage.

Library use (the web workbench calls these for downloads)::

    from dutycheck.batch import run_batch
    batch = run_batch(["reports/"], recursive=True)
    write_region_summary(batch, "区域汇总.docx")
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from docx.shared import Pt, RGBColor

from ..batch import STATUSES, Batch
from ..messages import (
    BASIS_LEAD,
    FAILED,
    FORMAL_TITLE,
    GUIDANCE_LEAD,
    NO_FORMAL,
    NO_STRUCTURE,
    SKIPPED,
    STATUS_ZH,
    Col,
    Title,
    formal_message,
    neglected_label,
    pct,
)
from ..models import AuditResult, Status
from . import docx_style as st
from .docx_memo import cn_ordinal, write_memo

SUMMARY_NAME = "区域汇总.docx"
BAR = 20                      # characters of a full bar
TOP_MISSED = 10
DONE_COLOUR = RGBColor(0x2E, 0x7D, 0x32)
REST_COLOUR = RGBColor(0xBF, 0xBF, 0xBF)


def _bands(batch: Batch) -> tuple[int, int, int]:
    good = mid = low = 0
    for _, r in batch.ranking():
        if r.duplicate_of:
            continue
        if r.score >= 90:
            good += 1
        elif r.score >= 50:
            mid += 1
        else:
            low += 1
    return good, mid, low


def coverage_chart(doc: Any, batch: Batch) -> Any:
    """Coverage by duty as a table-bar: duty, bar (█ done, ░ the rest), done share, counts."""
    coverage = sorted(batch.coverage(), key=lambda c: (-c.share("done"), c.item.id))
    t = st.table(doc, [Col.DUTY, Col.DONE_SHARE, Col.SHARE, f"{Col.DONE}/{Col.REPORTS}"],
                 [[c.item.title, "", pct(c.share("done")), f"{c.counts.get('done', 0)}/{c.reports}"]
                  for c in coverage], widths=[68, 46, 18, 24], size=Pt(10))
    for row, c in zip(t.rows[1:], coverage):
        p = row.cells[1].paragraphs[0]
        full = round(c.share("done") * BAR)
        st.run(p, "█" * full, font="SimHei", size=Pt(8), color=DONE_COLOUR)
        st.run(p, "░" * (BAR - full), font="SimHei", size=Pt(8), color=REST_COLOUR)
    return t


def build_region_summary(batch: Batch, *, title: str | None = None) -> Any:
    """The summary as a python-docx Document."""
    doc = st.new_document()
    c = batch.counts()
    st.title(doc, title or Title.SUMMARY_DOC)
    mean = "—" if c["mean_score"] is None else f"{c['mean_score']:.1f} 分"
    good, mid, low = _bands(batch)
    st.heading(doc, "一、总体情况")
    st.para(doc, f"本次对照审查清单（{batch.checklist_title or batch.checklist_id}，版本 {batch.checklist_version}）"
                 f"审查法治政府建设年度报告 {c['audited']} 份，其中不重复的报告 {c['unique']} 份，"
                 f"平均得分 {mean}。得分 90 分以上 {good} 份，50 至 90 分 {mid} 份，50 分以下 {low} 份。"
                 + "".join(f"另有 {n} 个文件{what}。" for n, what in ((c["failed"], "未能审查"), (c["skipped"], "跳过"))
                           if n)
                 + (f"同一单位同一年度的旧版本 {c['superseded']} 份不计入排名。" if c.get("superseded") else ""))
    worst = batch.coverage()[:3] if c["unique"] else []
    if worst:
        st.para(doc, "最常缺失的职责是" + "、".join(f"“{w.item.title}”（已开展 {pct(w.share('done'))}）"
                                           for w in worst) + "。")

    st.heading(doc, "二、得分排名")
    rows = [[str(rank), r.agency or Path(r.path).name, str(r.year or "—"), r.region, f"{r.score:.1f}",
             f"{r.done}/{r.total}", "；".join(batch.item_title(g) for g in r.gaps) or "—"]
            for rank, r in batch.ranking()]
    if rows:
        st.table(doc, [Col.RANK, Col.AGENCY, Col.YEAR, Col.REGION, Col.SCORE, Col.DONE, Col.GAPS], rows,
                 widths=[11, 32, 15, 16, 14, 16, 52], size=Pt(10))
    else:
        st.para(doc, "没有审查成功的报告。")

    st.heading(doc, f"三、{Title.COVERAGE}")
    if c["unique"]:
        st.para(doc, "下表为各项职责在全部报告中“已开展”的比例（由高到低）。", indent=True)
        coverage_chart(doc, batch)

        st.heading(doc, "四、最常缺失的职责")
        missed = [cv for cv in batch.coverage() if cv.share("done") < 1][:TOP_MISSED]
        if not missed:
            st.para(doc, "所有报告均已写明清单中的全部职责。")
        for n, cv in enumerate(missed, 1):
            shares = "，".join(f"{STATUS_ZH[Status(s)]} {pct(cv.share(s))}" for s in STATUSES)
            st.heading(doc, f"（{cn_ordinal(n)}）{cv.item.title}（{shares}）", level=2)
            if cv.item.basis:
                st.para(doc, cv.item.basis, bold_lead=BASIS_LEAD)
            if cv.item.guidance:
                st.para(doc, cv.item.guidance, bold_lead=GUIDANCE_LEAD)

        st.heading(doc, f"五、{Title.STRUCTURE}")
        parts = batch.structure()
        if parts:
            st.table(doc, [Col.PART, Col.HAVE, Col.SHARE, Col.MISSING],
                     [[p.item.title, f"{p.counts.get('done', 0)}/{p.reports}", pct(p.share("done")),
                       str(p.reports - p.counts.get("done", 0))] for p in parts], widths=[96, 20, 20, 20])
        else:
            st.para(doc, NO_STRUCTURE)

        st.heading(doc, "六、各地区情况")
        st.table(doc, [Col.REGION, Col.REPORTS, Col.MEAN, Col.RANGE, Col.LOWEST, Col.NEGLECTED],
                 [[s.region, str(s.reports), f"{s.mean:.1f}", f"{s.min:.1f}–{s.max:.1f}", s.lowest or "—",
                   neglected_label(s.neglected.title, s.neglected_share) if s.neglected else "—"]
                  for s in batch.regions()], widths=[24, 14, 14, 22, 30, 52], size=Pt(10.5))

    st.heading(doc, f"七、{Title.FORMAL}")
    found = batch.formal_list()
    if not found:
        st.para(doc, NO_FORMAL)
    else:
        by_code: dict[str, int] = {}
        for *_, f in found:
            by_code[f.code] = by_code.get(f.code, 0) + 1
        st.para(doc, "；".join(f"{FORMAL_TITLE.get(k, k)} {v} 项" for k, v in by_code.items()) + "。")
        st.table(doc, [Col.AGENCY, Col.PROBLEM, Col.EXPLANATION],
                 [[(agency or Path(path).name) + (f" {year}" if year else ""), FORMAL_TITLE.get(f.code, f.code),
                   formal_message(f)] for path, agency, year, f in found], widths=[34, 34, 88], size=Pt(10.5))

    if batch.errors or batch.skipped:
        st.heading(doc, f"八、{Title.UNAUDITED}")
        st.table(doc, [Col.FILE, Col.RESULT, Col.REASON],
                 [[e.path, FAILED, e.message] for e in batch.errors]
                 + [[s.path, SKIPPED, s.zh] for s in batch.skipped], widths=[60, 14, 82], size=Pt(10.5))

    doc.core_properties.title = title or Title.SUMMARY_DOC
    doc.core_properties.author = "dutycheck"
    return doc


def write_region_summary(batch: Batch, out: str | os.PathLike | IO[bytes], *, title: str | None = None) -> None:
    """Write the 区域汇总 of a finished batch to a path or a binary stream (raises OSError)."""
    doc = build_region_summary(batch, title=title)
    doc.save(os.fspath(out) if isinstance(out, (str, os.PathLike)) else out)


_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def memo_name(record: AuditResult) -> str:
    """The file name of a report's memo: 晋城市教育局-2023-审查意见.docx (safe on Windows too)."""
    meta = record.report
    base = meta.agency or Path(record.path).stem
    name = base + (f"-{meta.year}" if meta.year else "") + "-审查意见"
    return _UNSAFE.sub("_", name).strip(" .")[:80] + ".docx"


def write_batch_memos(batch: Batch, records: Callable[[list[str]], Iterator[AuditResult]],
                      folder: str | os.PathLike, *, reviewer: str | None = None) -> list[Path]:
    """One memo per ranked report (superseded versions and identical copies left out) plus
    区域汇总.docx in `folder` (created). `records(paths)` yields the typed audits of those paths
    in that order (from the batch's spool). Returns the files written."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    paths = [r.path for _, r in batch.ranking() if not r.duplicate_of]
    written: list[Path] = []
    used: set[str] = {SUMMARY_NAME}
    for record in records(paths):
        name = memo_name(record)
        stem, n = name[:-5], 2
        while name in used:
            name, n = f"{stem}-{n}.docx", n + 1
        used.add(name)
        target = out / name
        write_memo(record, target, findings=batch.cross.for_path(record.path), reviewer=reviewer)
        written.append(target)
    summary = out / SUMMARY_NAME
    write_region_summary(batch, summary)
    written.append(summary)
    return written
