"""One self-contained HTML page of a batch, to send to superiors: opens offline in any browser.

No network, no CDN: CSS and JS are inline. Summary, coverage, structure, regions and
problem files are plain HTML; the sortable ranking, the heatmap (reports × duties,
coloured by status) and the per-report drill-down with evidence quotes are built by the
inline script from a JSON block. Every text from a report or a file name goes in through
`html.escape` (static parts) or `textContent` (script-built parts), never as markup, and
the JSON block is escaped so that no `</script>` in a quote can end it.
"""

from __future__ import annotations

import html
import json
import time
from pathlib import Path
from typing import IO

from ..batch import STATUSES, Batch, ReportRow, Spool
from ..messages import (
    FAILED,
    FORMAL_TITLE,
    REVIEW_MARK,
    SKIPPED,
    STALE_MARK,
    STATUS_MARK,
    STATUS_ZH,
    UNIT_ZH,
    Col,
    Title,
    formal_message,
    neglected_label,
    pct,
    role_label,
)
from ..models import REVIEW_STATUSES, Status
from ..schema import AuditRecord

QUOTE_CHARS = 300


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def script_json(value: object) -> str:
    """JSON safe inside <script>: <, >, & and the JS line separators as \\u escapes."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


CSS = """
:root{--done:#2e7d32;--done-bg:#c8e6c9;--planned:#8d6e00;--planned-bg:#fff1b8;--shortfall:#c62828;
--shortfall-bg:#ffcdd2;--absent:#757575;--absent-bg:#e9e9e9;--line:#d9dde3;--ink:#1d2330;--muted:#5f6b7a}
*{box-sizing:border-box}
body{margin:0;font:14px/1.55 "Microsoft YaHei","PingFang SC","Noto Sans CJK SC","WenQuanYi Micro Hei",
"Source Han Sans SC",sans-serif;color:var(--ink);background:#f6f7f9}
header{background:#1f3a5f;color:#fff;padding:18px 28px}
header h1{margin:0 0 4px;font-size:22px}
header p{margin:0;opacity:.85}
main{padding:12px 28px 40px;max-width:1500px}
section{background:#fff;border:1px solid var(--line);border-radius:6px;margin:16px 0;padding:12px 18px}
h2{font-size:17px;margin:4px 0 10px}
h3{font-size:15px;margin:14px 0 6px}
.cards{display:flex;flex-wrap:wrap;gap:12px}
.card{border:1px solid var(--line);border-radius:6px;padding:8px 14px;min-width:110px}
.card b{display:block;font-size:22px}
.card span{color:var(--muted);font-size:12px}
table{border-collapse:collapse;width:100%}
th,td{border-bottom:1px solid var(--line);padding:5px 8px;text-align:left;vertical-align:top}
th{background:#eef1f5;font-weight:600}
td.num,th.num{text-align:right;white-space:nowrap}
#ranking-table th[data-key]{cursor:pointer;user-select:none;white-space:nowrap}
#ranking-table th[aria-sort=ascending]::after{content:" ▲"}
#ranking-table th[aria-sort=descending]::after{content:" ▼"}
#ranking-table tbody tr{cursor:pointer}
#ranking-table tbody tr:hover,#heatmap-table tbody tr:hover{background:#f0f5ff}
.score-hi{color:var(--done);font-weight:600}.score-mid{color:#b26a00;font-weight:600}
.score-lo{color:var(--shortfall);font-weight:600}
.dup{color:#b26a00;font-size:12px}
.bar{display:inline-block;height:10px;background:var(--done);vertical-align:middle;border-radius:2px}
.barbox{display:inline-block;width:120px;background:var(--absent-bg);margin-right:6px;border-radius:2px}
.hm-wrap{overflow:auto;max-height:80vh}
#heatmap-table{width:auto}
#heatmap-table th.hm-col{writing-mode:vertical-rl;white-space:nowrap;font-weight:500;font-size:12px;
padding:6px 2px;max-height:14em;overflow:hidden;text-overflow:ellipsis}
#heatmap-table th.hm-name{white-space:nowrap;font-weight:500;position:sticky;left:0;background:#fff;
cursor:pointer;max-width:18em;overflow:hidden;text-overflow:ellipsis}
#heatmap-table td.cell{width:22px;height:22px;padding:0;text-align:center;font-size:12px;
border:1px solid #fff}
.st-done{background:var(--done-bg);color:var(--done)}
.st-planned{background:var(--planned-bg);color:var(--planned)}
.st-shortfall{background:var(--shortfall-bg);color:var(--shortfall)}
.st-absent{background:var(--absent-bg);color:var(--absent)}
.st-na{background:#ddebf7;color:#1f4e79}
.review{color:#7a1fa2;font-size:12px}
.badge{display:inline-block;padding:0 6px;border-radius:3px;white-space:nowrap;font-size:12px}
.legend span{margin-right:12px}
.quote{color:#333}
.where{color:var(--muted);font-size:12px;white-space:nowrap}
.guidance{color:var(--muted)}
#detail-empty{color:var(--muted)}
input[type=search]{padding:4px 8px;border:1px solid var(--line);border-radius:4px;width:16em;
margin-bottom:8px}
.muted{color:var(--muted)}
.report-link{display:inline-block;margin:6px 0;font-weight:600}
.formal{color:#b26a00;font-size:13px}
@media print{header{background:none;color:#000}section{break-inside:avoid-page;border:none}
.hm-wrap{max-height:none;overflow:visible}input{display:none}}
"""

JS = r"""
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("dc-data").textContent);
  var L = D.labels, M = D.marks, ITEMS = D.items;
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function scoreClass(s) { return s >= 90 ? "score-hi" : s >= 50 ? "score-mid" : "score-lo"; }
  function name(r) { return r.agency || r.path.split("/").pop(); }

  // ranking: built here, sortable by any column, filterable
  var rows = D.reports.map(function (r, i) { return { r: r, i: i }; });
  var tbody = document.querySelector("#ranking-table tbody");
  var sortKey = "rank", asc = true, filter = "";
  function cell(tr, cls, text) { var td = el("td", cls, text); tr.appendChild(td); return td; }
  function renderRanking() {
    tbody.textContent = "";
    rows.forEach(function (x) {
      var r = x.r;
      if (filter && (name(r) + " " + r.region + " " + r.path).indexOf(filter) < 0) return;
      var tr = el("tr", "rank-row");
      tr.setAttribute("data-index", x.i);
      cell(tr, "num", r.rank);
      var td = cell(tr, "agency", name(r));
      if (r.dup) td.appendChild(el("div", "dup", "重复：与 " + r.dup + " 内容相同"));
      if (r.rv.length) td.appendChild(el("div", "review", D.reviewMark + " " + r.rv.length + " 项"));
      cell(tr, "num", r.year || "—");
      cell(tr, "region", r.region);
      cell(tr, "num " + scoreClass(r.score), r.score.toFixed(1));
      cell(tr, "num", r.done + "/" + r.total);
      cell(tr, "gaps", r.gaps.map(function (g) { return ITEMS[g].title; }).join("；") || "—");
      tr.addEventListener("click", function () { openReport(x.i); });
      tbody.appendChild(tr);
    });
  }
  function value(r, k) {
    if (k === "agency") return name(r);
    if (k === "done") return r.done;
    var v = r[k];
    return v === null || v === undefined ? "" : v;
  }
  function compare(a, b) {
    var x = value(a.r, sortKey), y = value(b.r, sortKey), c;
    if (typeof x === "number" && typeof y === "number") c = x - y;
    else c = String(x).localeCompare(String(y), "zh-CN");
    if (c === 0) c = a.i - b.i;
    return asc ? c : -c;
  }
  var heads = document.querySelectorAll("#ranking-table th[data-key]");
  function markSorted() {
    Array.prototype.forEach.call(heads, function (th) {
      if (th.getAttribute("data-key") === sortKey) {
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
      } else th.removeAttribute("aria-sort");
    });
  }
  Array.prototype.forEach.call(heads, function (th) {
    th.addEventListener("click", function () {
      var k = th.getAttribute("data-key");
      if (k === sortKey) asc = !asc;
      else { sortKey = k; asc = !(k === "score" || k === "done" || k === "year"); }
      rows.sort(compare); renderRanking(); markSorted();
    });
  });
  var search = document.getElementById("ranking-filter");
  search.addEventListener("input", function () { filter = search.value.trim(); renderRanking(); });
  renderRanking(); markSorted();

  // heatmap: reports (ranking order) × duties (most neglected first)
  var hm = document.getElementById("heatmap-table");
  var thead = el("thead"), hr = el("tr");
  hr.appendChild(el("th", "hm-name", "单位"));
  D.order.forEach(function (j) {
    var t = ITEMS[j].title;
    var th = el("th", "hm-col", t.length > 14 ? t.slice(0, 13) + "…" : t);
    th.title = ITEMS[j].title + "（" + ITEMS[j].id + "）";
    hr.appendChild(th);
  });
  thead.appendChild(hr); hm.appendChild(thead);
  var hb = el("tbody");
  D.reports.forEach(function (r, i) {
    var tr = el("tr", "hm-row");
    tr.setAttribute("data-index", i);
    var th = el("th", "hm-name", name(r) + (r.year ? " " + r.year : ""));
    th.title = r.path;
    tr.appendChild(th);
    D.order.forEach(function (j) {
      var s = D.codes[r.st.charAt(j)];
      var td = el("td", "cell st-" + s, M[s]);
      td.title = name(r) + " · " + ITEMS[j].title + "：" + L[s];
      tr.appendChild(td);
    });
    tr.addEventListener("click", function () { openReport(i); });
    hb.appendChild(tr);
  });
  hm.appendChild(hb);

  // drill-down: one report's duties with the evidence quotes
  var box = document.getElementById("detail-body");
  function show(i) {
    var r = D.reports[i];
    if (!r) return;
    box.textContent = "";
    var h = el("h3", null, name(r) + "  " + (r.year ? r.year + " 年度" : "") + "  得分 ");
    h.appendChild(el("span", scoreClass(r.score), r.score.toFixed(1)));
    box.appendChild(h);
    box.appendChild(el("div", "muted",
      "文件：" + r.path + "    地区：" + r.region + "    已开展 " + r.done + "/" + r.total));
    if (r.dup) box.appendChild(el("div", "dup", "重复：与 " + r.dup + " 内容相同"));
    if (r.link) {
      var a = el("a", "report-link", "打开本报告的可打印审查页（含全部引文、依据和应补写）");
      a.href = r.link;
      box.appendChild(a);
    }
    (r.fm || []).forEach(function (t) { box.appendChild(el("div", "formal", "形式问题：" + t)); });
    var ev = {}, rv = {};
    r.ev.forEach(function (e) { ev[e[0]] = e; });
    r.rv.forEach(function (x) { rv[x[0]] = x; });
    var group = null, table = null;
    ITEMS.forEach(function (it, j) {
      if (it.group !== group) {
        group = it.group;
        box.appendChild(el("h3", null, it.groupTitle));
        table = el("table", "detail-table");
        box.appendChild(table);
      }
      var s = D.codes[r.st.charAt(j)];
      var tr = el("tr", "detail-row");
      var b = el("td"); b.appendChild(el("span", "badge st-" + s, M[s] + " " + L[s])); tr.appendChild(b);
      tr.appendChild(el("td", null, it.title));
      var q = el("td");
      var e = ev[j];
      if (e) {
        var where = (e[3] ? "第" + e[3] + "页" : "") + "第" + e[2] + D.unit[r.unit || "line"] + " ["
          + (e[5] || "") + (e[4] ? " · " + e[4] : "") + "] ";
        q.appendChild(el("span", "where", where));
        q.appendChild(el("span", "quote", e[1]));
      }
      var x = rv[j];
      if (x) {
        var t = (x[3] ? D.staleMark : D.reviewMark) + (x[1] && x[1] !== s ? "（机器：" + L[x[1]] + "）" : "");
        if (x[4]) t += "：" + x[4];
        if (x[2]) q.appendChild(el("div", "quote", "复核引文：" + x[2]));
        q.appendChild(el("div", "review", t + (x[5] ? "　— " + x[5] : "")));
      }
      if (s !== "done" && s !== "na" && it.guidance) q.appendChild(el("div", "guidance", "应补写：" + it.guidance));
      tr.appendChild(q);
      table.appendChild(tr);
    });
  }
  function openReport(i) {
    if (location.hash === "#report-" + i) show(i);
    else location.hash = "report-" + i;  // hashchange shows it; the back button returns
    document.getElementById("detail").scrollIntoView();
  }
  function fromHash() {
    var m = /^#report-(\d+)$/.exec(location.hash);
    if (m) show(parseInt(m[1], 10));
  }
  window.addEventListener("hashchange", fromHash);
  fromHash();
  document.documentElement.setAttribute("data-ready", "1");
})();
"""


def _score_class(s: float) -> str:
    return "score-hi" if s >= 90 else "score-mid" if s >= 50 else "score-lo"


def _summary(batch: Batch) -> str:
    c = batch.counts()
    mean = "—" if c["mean_score"] is None else f"{c['mean_score']:.1f}"
    cards = [("已审查报告", c["audited"]), ("不重复", c["unique"]), (Col.MEAN, mean),
             (FAILED, c["failed"]), ("重复", c["duplicates"]), (SKIPPED, c["skipped"])]
    out = ['<section id="summary"><h2>概况</h2><div class="cards">']
    out += [f'<div class="card"><b>{_e(v)}</b><span>{_e(k)}</span></div>' for k, v in cards]
    out.append("</div>")
    worst = batch.coverage()[:3] if c["unique"] else []
    if worst:
        out.append(f"<p>{Col.NEGLECTED}：" + "；".join(
            neglected_label(_e(w.item.title), w.share("done")) for w in worst) + "</p>")
    out.append("</section>")
    return "".join(out)


def _coverage(batch: Batch) -> str:
    n = batch.counts()["unique"]
    out = [f'<section id="coverage"><h2>{Title.COVERAGE}（{n} 份报告，最常缺失的在前）</h2>',
           f'<table><thead><tr><th>{Col.DUTY}</th><th class="num">{Col.WEIGHT}</th><th>{Col.DONE}</th>']
    out += [f'<th class="num">{_e(STATUS_ZH[Status(s)])}</th>' for s in STATUSES[1:]]
    out.append("</tr></thead><tbody>")
    for c in batch.coverage():
        d = c.share("done")
        out.append(f'<tr><td>{_e(c.item.title)} <span class="muted">{_e(c.item.id)}</span></td>'
                   f'<td class="num">{c.item.weight:g}</td>'
                   f'<td><span class="barbox"><span class="bar" style="width:{d * 100:.0f}%"></span></span>'
                   f'{pct(d)}</td>')
        out += [f'<td class="num">{pct(c.share(s))}</td>' for s in STATUSES[1:]]
        out.append("</tr>")
    out.append("</tbody></table></section>")
    return "".join(out)


def _structure(batch: Batch) -> str:
    rows = batch.structure()
    if not rows:
        return ""
    out = [f'<section id="structure"><h2>{Title.STRUCTURE}</h2><table><thead><tr><th>{Col.PART}</th>'
           f'<th class="num">{Col.HAVE}</th><th class="num">{Col.SHARE}</th><th class="num">{Col.MISSING}</th>'
           '</tr></thead><tbody>']
    for c in rows:
        have = c.counts.get("done", 0)
        out.append(f'<tr><td>{_e(c.item.title)}</td><td class="num">{have}/{c.reports}</td>'
                   f'<td class="num">{pct(c.share("done"))}</td>'
                   f'<td class="num">{c.reports - have}</td></tr>')
    out.append("</tbody></table></section>")
    return "".join(out)


def _regions(batch: Batch) -> str:
    out = [f'<section id="regions"><h2>{Title.REGIONS}</h2><table><thead><tr><th>{Col.REGION}</th>'
           f'<th class="num">{Col.REPORTS}</th><th class="num">{Col.MEAN}</th><th class="num">{Col.RANGE}</th>'
           f'<th>{Col.LOWEST}</th><th>{Col.NEGLECTED}</th></tr></thead><tbody>']
    for s in batch.regions():
        neglected = neglected_label(_e(s.neglected.title), s.neglected_share) if s.neglected else "—"
        out.append(f'<tr><td>{_e(s.region)}</td><td class="num">{s.reports}</td>'
                   f'<td class="num {_score_class(s.mean)}">{s.mean:.1f}</td>'
                   f'<td class="num">{s.min:.1f}–{s.max:.1f}</td><td>{_e(s.lowest)}</td>'
                   f'<td>{neglected}</td></tr>')
    out.append("</tbody></table></section>")
    return "".join(out)


def _problems(batch: Batch) -> str:
    if not batch.errors and not batch.skipped:
        return ""
    out = [f'<section id="errors"><h2>{Title.UNAUDITED}</h2><table><thead><tr><th>{Col.FILE}</th>'
           f'<th>{Col.RESULT}</th><th>{Col.REASON}</th></tr></thead><tbody>']
    for e in batch.errors:
        out.append(f'<tr class="error-row"><td>{_e(e.path)}</td><td>{FAILED}</td><td>{_e(e.message)}</td></tr>')
    for s in batch.skipped:
        out.append(f'<tr class="skipped-row"><td>{_e(s.path)}</td><td>{SKIPPED}</td>'
                   f'<td>{_e(s.zh)} ({_e(s.en)})</td></tr>')
    out.append("</tbody></table></section>")
    return "".join(out)


def _report_json(rank: int, r: ReportRow, rec: AuditRecord | None, order: dict[str, int],
                 link: str | None = None, formal: list[str] | None = None) -> str:
    ev = []
    rv = []   # a reviewer's corrections: [item, machine status, quote, stale, note, by]
    for it in rec.items if rec is not None else ():
        j = order.get(it.id)
        review = it.review
        if j is not None and review:
            rv.append([j, it.machine_status.value if it.machine_status else None, review.get("evidence") or "",
                       bool(review.get("stale")), review.get("note") or "", review.get("by") or ""])
        if j is None or not it.evidence:
            continue
        e = it.evidence[0]
        text = e.text if len(e.text) <= QUOTE_CHARS else e.text[:QUOTE_CHARS - 1] + "…"
        ev.append([j, text, e.line, e.page, e.section or "", role_label(e.role)])
    obj = {"rank": rank, "path": r.path, "agency": r.agency, "year": r.year, "region": r.region,
           "score": r.score, "done": r.done, "total": r.total, "st": r.statuses,
           "gaps": [order[g] for g in r.gaps if g in order], "dup": r.duplicate_of, "ev": ev, "rv": rv,
           "unit": rec.unit if rec is not None else "line", "link": link, "fm": formal or []}
    return json.dumps(obj, ensure_ascii=False)


def write_html(batch: Batch, spool: Spool, fh: IO[str], *, links: dict[str, str] | None = None) -> None:
    """Write the page; each report's evidence is read back from the spool one at a time.

    `links` maps a report's path to its printable page (`write_report_pages`), which the
    drill-down links to."""
    links = links or {}
    title = f"法治政府建设年度报告批量审查 — {batch.checklist_title or batch.checklist_id}"
    c = batch.counts()
    fh.write('<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
             '<meta name="viewport" content="width=device-width, initial-scale=1">'
             f'<meta name="generator" content="dutycheck"><title>{_e(title)}</title>'
             f"<style>{CSS}</style></head><body>")
    fh.write(f"<header><h1>{_e(title)}</h1><p>清单 {_e(batch.checklist_id)} {_e(batch.checklist_version)}"
             f"　·　{c['audited']} 份报告　·　生成于 {_e(time.strftime('%Y-%m-%d %H:%M'))}</p></header><main>")
    fh.write("<noscript><p>排名、热力图和报告详情需要启用 JavaScript 才能显示。</p></noscript>")
    fh.write(_summary(batch))
    fh.write(f'<section id="ranking"><h2>{Title.RANKING}</h2>'
             '<input type="search" id="ranking-filter" placeholder="筛选：单位、地区或文件名">'
             '<table id="ranking-table"><thead><tr>'
             f'<th class="num" data-key="rank">{Col.RANK}</th><th data-key="agency">{Col.AGENCY}</th>'
             f'<th class="num" data-key="year">{Col.YEAR}</th><th data-key="region">{Col.REGION}</th>'
             f'<th class="num" data-key="score">{Col.SCORE}</th><th class="num" data-key="done">{Col.DONE}</th>'
             f'<th>{Col.TOP_GAPS}</th></tr></thead><tbody></tbody></table>'
             '<p class="muted">点击表头排序；点击一行查看该报告的详情。</p></section>')
    legend = "".join(f'<span class="badge st-{s}">{_e(STATUS_MARK[Status(s)])} {_e(STATUS_ZH[Status(s)])}</span>'
                     for s in STATUSES)
    fh.write(f'<section id="heatmap"><h2>热力图：报告 × 职责（最常缺失的职责在左）</h2>'
             f'<p class="legend">{legend}</p><div class="hm-wrap"><table id="heatmap-table"></table></div>'
             f"</section>")
    fh.write('<section id="detail"><h2>报告详情</h2><div id="detail-body">'
             '<p id="detail-empty">点击排名或热力图中的一行，查看该报告每项职责的状态和原文引文。</p>'
             "</div></section>")
    fh.write(_coverage(batch) + _structure(batch) + _regions(batch) + _formal(batch) + _problems(batch))
    fh.write("</main>")

    order = {it.id: n for n, it in enumerate(batch.items)}
    head = {
        "items": [{"id": it.id, "title": it.title, "group": it.group,
                   "groupTitle": batch.groups.get(it.group, it.group), "weight": it.weight,
                   "guidance": it.guidance} for it in batch.items],
        "order": [order[c.item.id] for c in batch.coverage()],
        "labels": {s.value: STATUS_ZH[s] for s in REVIEW_STATUSES},
        "marks": {s.value: STATUS_MARK[s] for s in REVIEW_STATUSES},
        "codes": {"d": "done", "p": "planned", "s": "shortfall", "a": "absent", "n": "na"},
        "reviewMark": REVIEW_MARK, "staleMark": STALE_MARK,
        "unit": UNIT_ZH,
    }
    fh.write('<script type="application/json" id="dc-data">')
    fh.write(script_json(json.dumps(head, ensure_ascii=False)[:-1]) + ',"reports":[')
    for n, (rank, r) in enumerate(batch.ranking()):
        rec = spool.record(r.path)
        unit = rec.unit if rec is not None else "line"
        formal = [formal_message(f, unit) for f in batch.findings(r.path)]
        fh.write(("," if n else "") + script_json(_report_json(rank, r, rec, order, links.get(r.path), formal)))
    fh.write("]}</script>")
    fh.write(f"<script>{JS}</script></body></html>\n")


def _formal(batch: Batch) -> str:
    found = batch.formal_list()
    if not found:
        return ""
    out = [f'<section id="formal"><h2>{Title.FORMAL}（{len(found)} 项）</h2><table><thead><tr><th>{Col.AGENCY}</th>'
           f'<th>{Col.PROBLEM}</th><th>{Col.EXPLANATION}</th></tr></thead><tbody>']
    for path, agency, year, f in found:
        name = (agency or Path(path).name) + (f" {year}" if year else "")
        passages = "".join(f'<div class="quote muted">{_e(p[:200])}</div>' for p in f.passages[:2])
        out.append(f'<tr class="formal-row"><td>{_e(name)}</td><td>{_e(FORMAL_TITLE.get(f.code, f.code))}</td>'
                   f"<td>{_e(formal_message(f))}{passages}</td></tr>")
    out.append("</tbody></table></section>")
    return "".join(out)


def report_page_name(n: int, r) -> str:
    """A report page's file name in the pages folder: 003-晋城市教育局-2023.html."""
    import re

    base = re.sub(r'[\\/:*?"<>|\x00-\x1f\s]+', "_", r.agency or Path(r.path).stem)[:60]
    return f"{n:03d}-{base}" + (f"-{r.year}" if r.year else "") + ".html"


def pages_folder(out: str | Path) -> Path:
    """Where the printable per-report pages of a batch page go: 审查结果.html → 审查结果-报告/."""
    out = Path(out)
    return out.with_name(out.stem + "-报告")


def write_report_pages(batch: Batch, spool: Spool, out: str | Path) -> dict[str, str]:
    """One printable page per ranked report (render/report_html.py) in the folder beside the
    batch page `out`; returns path → link relative to the batch page. Raises OSError."""
    from .report_html import render_report_html

    folder = pages_folder(out)
    folder.mkdir(exist_ok=True)      # beside the page: its folder must exist, as for every --out
    links: dict[str, str] = {}
    back = Path(out).name
    for n, (_rank, r) in enumerate(batch.ranking(), 1):
        rec = spool.record(r.path)
        if rec is None:
            continue
        name = report_page_name(n, r)
        page = render_report_html(rec.to_result(), findings=batch.cross.for_path(r.path),
                                  back=f"../{back}")
        (folder / name).write_text(page, encoding="utf-8")
        links[r.path] = f"{folder.name}/{name}"
    return links

