"""One bureau's audit as a self-contained page that prints well (A4, `@media print`).

Every item with its status, its quotes (the matched words highlighted), where each quote is,
依据 and 应补写; the required parts; the 形式审查 findings; the reviewer's corrections. No
script, no network: static HTML with inline CSS. Report text goes in through `html.escape`
only. The batch page's drill-down links to pages made by this module.

Library use::

    from dutycheck.render.report_html import render_report_html
    page = render_report_html(audit_path("report.txt"))
"""

from __future__ import annotations

import html
import os
from collections.abc import Sequence
from typing import Any

from ..formal import Finding
from ..messages import (
    BASIS_LEAD,
    GUIDANCE_LEAD,
    NO_FORMAL,
    SCORE_EXPLAINED,
    STATUS_MARK,
    STATUS_ZH,
    UNKNOWN,
    Col,
    Field,
    Title,
    checklist_label,
    find_match,
    formal_message,
    report_year,
    review_change,
    role_label,
    score_meaning,
    where_label,
)
from ..models import AuditResult, Evidence, ItemResult, Status
from .docx_memo import _review, _status_zh, memo_title, report_name

QUOTES_PER_ITEM = 3

CSS = """
:root{--done:#2e7d32;--done-bg:#e3f1e4;--planned:#8d6e00;--planned-bg:#fff4c7;--shortfall:#c62828;
--shortfall-bg:#fde0e0;--absent:#616161;--absent-bg:#eeeeee;--line:#d5d9df;--ink:#1b1f27;--muted:#5f6b7a}
*{box-sizing:border-box}
body{margin:0;background:#f4f5f7;color:var(--ink);
font:15px/1.7 "FangSong","仿宋","Songti SC","Noto Serif CJK SC","Source Han Serif SC","WenQuanYi Micro Hei",serif}
.page{max-width:210mm;margin:16px auto;background:#fff;padding:18mm 20mm;box-shadow:0 1px 4px #0002}
h1{font:bold 22px/1.5 "STZhongsong","SimSun","Noto Serif CJK SC","WenQuanYi Micro Hei",serif;
text-align:center;margin:0 0 14px}
h2{font:bold 17px/1.5 "SimHei","黑体","Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif;margin:20px 0 8px}
h3{font:bold 15px/1.5 "KaiTi","楷体","Noto Serif CJK SC","WenQuanYi Micro Hei",serif;margin:14px 0 6px}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{border:1px solid var(--line);padding:4px 7px;text-align:left;vertical-align:top}
th{background:#eef1f5}
.meta td:first-child{width:7em;color:var(--muted)}
.item{border:1px solid var(--line);border-left:5px solid var(--absent);border-radius:3px;
padding:6px 10px;margin:8px 0;break-inside:avoid}
.item.done{border-left-color:var(--done)}.item.planned{border-left-color:var(--planned)}
.item.shortfall{border-left-color:var(--shortfall)}
.item .head{display:flex;gap:10px;align-items:baseline;flex-wrap:wrap}
.item .title{font-weight:bold}
.item .id{color:var(--muted);font-size:12px}
.badge{display:inline-block;padding:0 6px;border-radius:3px;font-size:12px;white-space:nowrap}
.st-done{background:var(--done-bg);color:var(--done)}.st-planned{background:var(--planned-bg);color:var(--planned)}
.st-shortfall{background:var(--shortfall-bg);color:var(--shortfall)}.st-absent{background:var(--absent-bg);color:var(--absent)}
.quote{margin:4px 0 0 0;padding-left:10px;border-left:2px solid var(--line)}
.quote .where{color:var(--muted);font-size:12px}
mark{background:#ffe58a;color:inherit;padding:0 1px}
.basis,.guidance{font-size:13px;margin-top:3px}.basis b,.guidance b{color:var(--muted)}
.review{font-size:13px;margin-top:3px;color:#0b5394}
.muted{color:var(--muted)}
.score{font-size:20px;font-weight:bold}
.score-hi{color:var(--done)}.score-mid{color:#b26a00}.score-lo{color:var(--shortfall)}
ol.findings li{margin:3px 0}
footer{color:var(--muted);font-size:12px;margin-top:24px;border-top:1px solid var(--line);padding-top:6px}
@page{size:A4;margin:18mm 16mm 18mm 18mm}
@media print{body{background:#fff;font-size:12pt}.page{box-shadow:none;margin:0;padding:0;max-width:none}
h2{break-after:avoid}.item{break-inside:avoid}a{color:inherit;text-decoration:none}}
"""


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def highlighted(text: str, matched: str) -> str:
    """The quote, escaped, with the matched words in <mark>."""
    span = find_match(text, matched)
    if span is None:
        return _e(text)
    a, b = span
    return f"{_e(text[:a])}<mark>{_e(text[a:b])}</mark>{_e(text[b:])}"


def _score_class(s: float) -> str:
    return "score-hi" if s >= 90 else "score-mid" if s >= 50 else "score-lo"


def _where(e: Evidence, unit: str) -> str:
    parts = [where_label(e.line, e.page, unit), role_label(e.role)]
    if e.section:
        parts.append(e.section)
    return " · ".join(p for p in parts if p)


def _item(it: ItemResult, unit: str) -> str:
    s = it.status.value
    out = [(f'<div class="item {s}" id="item-{_e(it.id)}"><div class="head">'
            f'<span class="badge st-{s}">{_e(STATUS_MARK[it.status])} {_e(STATUS_ZH[it.status])}</span>'
            f'<span class="title">{_e(it.title)}</span><span class="id">{_e(it.id)} · {Col.WEIGHT} {it.weight:g}</span>'
            "</div>")]
    for e in it.evidence[:QUOTES_PER_ITEM]:
        badge = (f' <span class="badge st-{e.status.value}">{_e(STATUS_ZH[e.status])}</span>'
                 if e.status is not it.status else "")
        out.append(f'<div class="quote">{highlighted(e.text, e.matched)}'
                   f'<div class="where">{_e(_where(e, unit))}{badge}</div></div>')
    if len(it.evidence) > QUOTES_PER_ITEM:
        out.append(f'<div class="muted">另有 {len(it.evidence) - QUOTES_PER_ITEM} 处提及</div>')
    machine, review = _review(it)
    if machine is not None or review is not None:
        note = (review or {}).get("note")
        who = "，".join(str(v) for v in ((review or {}).get("by"), (review or {}).get("at")) if v)
        change = review_change(_status_zh(machine) if machine else "—", _status_zh(it.status))
        out.append(f'<div class="review">人工复核：{_e(change)}' + (f"；{_e(note)}" if note else "")
                   + (f"（{_e(who)}）" if who else "") + "</div>")
    if it.status not in (Status.DONE, Status.NA):
        if it.basis:
            out.append(f'<div class="basis"><b>{BASIS_LEAD}</b>{_e(it.basis)}</div>')
        if it.guidance:
            out.append(f'<div class="guidance"><b>{GUIDANCE_LEAD}</b>{_e(it.guidance)}</div>')
    out.append("</div>")
    return "".join(out)


def render_report_html(record: AuditResult, *, findings: Sequence[Finding] = (),
                       back: str | None = None) -> str:
    """The printable page of one audit record, as a complete HTML document.

    `findings` adds batch-level 形式审查 facts (copies, revisions); `back` is a link to the
    batch page the reader came from.
    """
    r = record
    meta = r.report
    unit = getattr(r, "unit", "line") or "line"
    counts = {s: sum(1 for i in r.items if i.status is s) for s in Status}
    title = memo_title(r)
    out = [('<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<meta name="generator" content="dutycheck"><title>{_e(title)}</title>'
            f"<style>{CSS}</style></head><body><main class=\"page\">")]
    if back:
        out.append(f'<p class="muted"><a href="{_e(back)}">← 返回批量审查结果</a></p>')
    out.append(f"<h1>{_e(report_name(r))}<br><span class=\"muted\" style=\"font-size:15px\">审查结果</span></h1>")
    out.append('<table class="meta"><tbody>')
    rows = [(Field.AGENCY, meta.agency or UNKNOWN), (Field.YEAR, report_year(meta.year)),
            (Field.DATE, meta.date or UNKNOWN), (Field.FILE, os.path.basename(r.path)),
            (Field.CHECKLIST, checklist_label(r.checklist_id, r.checklist_version))]
    out += [f"<tr><td>{_e(k)}</td><td>{_e(v)}</td></tr>" for k, v in rows]
    out.append(f'<tr><td>{Field.SCORE}</td><td><span class="score {_score_class(r.score)}">{r.score:.1f}</span>'
               f" / 100　{_e(score_meaning(r.score))}<br><span class=\"muted\">"
               + "　".join(f"{_e(STATUS_MARK[s])} {_e(STATUS_ZH[s])} {counts[s]}" for s in Status
                          if counts[s] or s is not Status.NA)
               + f"</span></td></tr></tbody></table><p class=\"muted\">{_e(SCORE_EXPLAINED)}</p>")

    every = list(getattr(r, "formal", ()) or ()) + list(findings)
    out.append(f'<section id="formal"><h2>{Title.FORMAL}</h2>')
    if every:
        out.append('<ol class="findings">' + "".join(
            f"<li>{_e(formal_message(f, unit))}"
            + "".join(f'<div class="quote muted">{_e(p[:200])}</div>' for p in f.passages[:3])
            + "</li>" for f in every) + "</ol>")
    else:
        out.append(f"<p>{NO_FORMAL}</p>")
    out.append("</section>")

    for g in r.groups:
        its = [it for it in r.items if it.group == g.id]
        out.append(f'<section class="group" id="group-{_e(g.id)}"><h2>{_e(g.title)}'
                   f'<span class="muted" style="font-weight:normal">　{g.score:.0f} 分 · 已开展 {g.done}/{g.total}'
                   f"</span></h2>")
        out += [_item(it, unit) for it in its]
        out.append("</section>")
    out.append(f"<footer>{_e(title)} · 由 dutycheck 生成 · 文件 {_e(r.path)} · sha256 {_e(r.sha256[:12])}</footer>")
    out.append("</main></body></html>\n")
    return "".join(out)


def write_report_html(record: AuditResult, path: str | os.PathLike, **kwargs: Any) -> None:
    """Write `render_report_html(record, **kwargs)` to a file (UTF-8)."""
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(render_report_html(record, **kwargs))
