"""What the workbench pages show, read from the store through the library.

The region page is the batch HTML's views, live: a `Batch` is rebuilt from the task's
stored rows (statuses from the `items` table, the summary through `batch.summarize`,
the same function fresh audits go through) and asked for its ranking, coverage, structure
and regions. Exports go through the CLI's own renderers with a `Spool` filled from the
stored audits. The report page is the stored `dutycheck.audit/1` object beside the report's
text (read once by the reader, then kept in `web_texts`).
"""

from __future__ import annotations

import itertools
import json
import os
import threading
import zlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from markupsafe import Markup, escape

from ..batch import STATUS_CODE, Batch, ErrorRow, Outcome, ReportRow, Skipped, Spool, summarize
from ..messages import STATUS_MARK, STATUS_ZH
from ..models import Status
from ..review import ReviewSet, apply_reviews
from ..review.log import load_current
from ..schema import ErrorInfo
from ..store import Store
from .tasks import Task, TaskFile, task_files

if TYPE_CHECKING:  # pragma: no cover
    from ..checklist.model import Checklist
    from ..review import QueueEntry

STATUS_VALUES = tuple(s.value for s in Status)
LABELS = {s.value: STATUS_ZH[s] for s in Status}
MARKS = {s.value: STATUS_MARK[s] for s in Status}


def checklist_of(task: Task) -> Checklist:
    from ..checklist.load import load_checklist

    return load_checklist(task.checklist)


@dataclass
class TaskData:
    """A task's batch (rows keyed by display path) and the files behind its rows."""

    batch: Batch
    files: dict[str, TaskFile]          # display path → file
    audit_ids: dict[str, int]           # display path → audit id
    _queue: list[QueueEntry] | None = field(default=None, repr=False)

    def queue(self, store: Store, reviews: ReviewSet | None = None) -> list[QueueEntry]:
        """The task's review queue, computed once per batch: a batch is rebuilt (task_batch)
        whenever the reports or the corrections change, and the queue with it."""
        if self._queue is None:
            self._queue = task_queue(store, self, reviews)
        return self._queue


def task_batch(store: Store, task: Task, checklist: Checklist | None = None,
               reviews: ReviewSet | None = None) -> TaskData:
    """The task as a Batch: one row per audited file (with the reviewer's corrections applied),
    its failed files as error rows and its refused files as skipped ones, in the order added."""
    files = task_files(store, task.id)
    if checklist is not None:
        return _build_task_batch(store, task, checklist, files, reviews)
    # Pages ask for the same batch again and again (a report page for its neighbours, the queue
    # for every step): rebuilt only when the task's files, its checklist or the review log change.
    row = store.db.execute("SELECT MAX(id), COUNT(*) FROM reviews").fetchone()
    key = (store.path, task.id, task.checklist, task.run_id, row, hash(tuple(map(repr, files))))
    with _BATCHES_LOCK:
        hit = _BATCHES.get(key)
    if hit is not None:
        return hit
    data = _build_task_batch(store, task, checklist_of(task), files, reviews)
    with _BATCHES_LOCK:
        if len(_BATCHES) >= 16:
            _BATCHES.pop(next(iter(_BATCHES)))
        _BATCHES[key] = data
    return data


_BATCHES: dict[tuple, TaskData] = {}
_BATCHES_LOCK = threading.Lock()


def _build_task_batch(store: Store, task: Task, cl: Checklist, files: list[TaskFile],
                      reviews: ReviewSet | None) -> TaskData:
    from ..batch.inputs import _skip_reason, supported_suffixes

    # as in `batch`: a file left out by its name is skipped, one whose content failed is an error row
    suffixes = supported_suffixes()
    by_name = {f.id for f in files if f.state == "rejected" and _skip_reason(f.name, suffixes)}
    skipped = [Skipped(f.display, f.error_zh or "", f.error_en or "") for f in files if f.id in by_name]
    batch = Batch(cl, skipped)
    batch.run_id = task.run_id
    ids = tuple(it.id for it in cl.items)
    order = {i: n for n, i in enumerate(ids)}
    weights = tuple(it.weight for it in cl.items)
    done = {f.audit_id: f for f in files if f.state == "done" and f.audit_id is not None}
    statuses: dict[int, list[dict]] = {a: [] for a in done}
    audit_list = list(done)
    for chunk in range(0, len(audit_list), 500):
        part = audit_list[chunk:chunk + 500]
        for audit_id, item_id, status in store.db.execute(
                f"SELECT audit_id, item_id, status FROM items WHERE audit_id IN ({','.join('?' * len(part))})",
                part):
            statuses[audit_id].append({"id": item_id, "status": status})
    meta: dict[int, tuple] = {}
    for chunk in range(0, len(audit_list), 500):
        part = audit_list[chunk:chunk + 500]
        for row in store.db.execute(
                f"SELECT a.id, a.agency, a.year, a.score, a.format, rr.region, rr.cached FROM audits a "
                f"JOIN run_reports rr ON rr.audit_id = a.id AND rr.run_id = ? "
                f"WHERE a.id IN ({','.join('?' * len(part))})", [task.run_id, *part]):
            meta[row[0]] = row[1:]
    facts = audit_facts(store, audit_list)
    by_path: dict[str, TaskFile] = {}
    audit_ids: dict[str, int] = {}
    current = reviews if reviews is not None else load_current(store)
    for f in files:
        by_path[f.display] = f
        if f.state == "done" and f.audit_id in meta:
            agency, year, score, fmt, region, cached = meta[f.audit_id]
            d = {"items": statuses[f.audit_id], "score": score,
                 "report": {"agency": agency, "year": year, "format": fmt}}
            reviewed: tuple[str, ...] = ()
            if current and current.for_report(agency, year, f.sha256 or ""):
                d = apply_reviews(audit_dict(store, f.audit_id), current)   # the reviewer's final statuses
                reviewed = tuple(it["id"] for it in d["items"] if "review" in it)
            rep = d["report"]
            s = summarize(((it["id"], it["status"]) for it in d["items"]), d["score"], rep.get("agency"),
                          rep.get("year"), rep.get("format"), order, weights, ids)
            batch.add(Outcome(ReportRow(f.display, f.sha256 or "", s[0], s[1], region, s[2], s[3], s[4], s[5], s[6],
                                        s[7], None, bool(cached), reviewed), facts[f.audit_id]))
            audit_ids[f.display] = f.audit_id
        elif f.state == "failed" or (f.state == "rejected" and f.id not in by_name):
            error = ErrorInfo(f.display, None, None, None, f.error_zh or "", f.error_en or "", "")
            batch.add(Outcome(ErrorRow(f.display, f.sha256, error), ""))
    # rows are named as the reviewer named the files; the copy check reads the uploaded copies
    batch.finish(locate=lambda name: (by_path[name].stored or name) if name in by_path else name)
    return TaskData(batch, by_path, audit_ids)


def facts_line(d: dict) -> str:
    """The part of an audit the batch's checks across reports read (Batch.add): date,
    fingerprints, the report's own 形式审查 findings."""
    return json.dumps({"report": {"date": (d.get("report") or {}).get("date")},
                       "fingerprints": d.get("fingerprints"), "formal": d.get("formal") or []},
                      ensure_ascii=False)


def audit_facts(store: Store, audit_ids: list[int]) -> dict[int, str]:
    """audit id → facts line, from `web_facts`, filled from the stored audit where missing."""
    out: dict[int, str] = {}
    for chunk in range(0, len(audit_ids), 500):
        part = audit_ids[chunk:chunk + 500]
        out.update(store.db.execute(f"SELECT audit_id, line FROM web_facts WHERE audit_id IN "
                                    f"({','.join('?' * len(part))})", part))
    missing = [a for a in audit_ids if a not in out]
    for a in missing:
        out[a] = facts_line(audit_dict(store, a))
    if missing:
        store.db.executemany("INSERT OR REPLACE INTO web_facts (audit_id, line) VALUES (?, ?)",
                             [(a, out[a]) for a in missing])
        store.db.commit()
    return out


def audit_dict(store: Store, audit_id: int) -> dict:
    row = store.db.execute("SELECT audit_json FROM audits WHERE id = ?", (audit_id,)).fetchone()
    return json.loads(zlib.decompress(row[0]).decode("utf-8"))


def fill_spool(store: Store, data: TaskData) -> Spool:
    """The stored audits of the task's rows, corrections applied (as `batch --db` does), as the
    spool the CLI's exports read from."""
    spool = Spool()
    current = load_current(store)
    for _rank, r in data.batch.ranking():
        d = apply_reviews(audit_dict(store, data.audit_ids[r.path]), current)
        d["path"] = r.path
        spool.add(Outcome(r, json.dumps(d, ensure_ascii=False)))
    return spool


# ----------------------------------------------------------------------------- region page

@dataclass
class RegionView:
    data: TaskData
    ranking: list[tuple[int, ReportRow]]
    columns: list[int]                   # item indexes, most neglected first
    regions: list[str]
    region: str | None
    item: str | None
    status: str | None
    heat: list[tuple[int, ReportRow, str]] = field(default_factory=list)   # rank, row, cells html
    _cell_parts: list | None = field(default=None, repr=False)

    @property
    def batch(self) -> Batch:
        return self.data.batch

    def heat_cells(self, row: ReportRow, href: str) -> Markup:
        """One heatmap row's cells as HTML: 500 reports × 36 duties are 18,000 cells, too many to
        build one Jinja expression at a time. Every text is escaped here."""
        if self._cell_parts is None:
            by_code = {code: status for status, code in STATUS_CODE.items()}
            items = self.data.batch.items
            self._cell_parts = [
                (j, str(escape(items[j].id)),
                 {code: (str(escape(status)), str(escape(f"{items[j].title}：{LABELS.get(status, status)}")),
                         str(escape(MARKS.get(status, ""))))
                  for code, status in by_code.items()})
                for j in self.columns]
        link = str(escape(href))
        out = []
        for j, item_id, by_status in self._cell_parts:
            cls, title, mark = by_status.get(row.statuses[j], ("", "", ""))
            out.append(f'<td class="cell st-{cls}"><a href="{link}#item-{item_id}" title="{title}">{mark}</a></td>')
        return Markup("".join(out))


def region_view(store: Store, task: Task, *, region: str | None = None, item: str | None = None,
                status: str | None = None) -> RegionView:
    """The task's region page; `region`, and `item` with `status`, filter the reports shown."""
    data = task_batch(store, task)
    b = data.batch
    index = {it.id: n for n, it in enumerate(b.items)}
    ranking = b.ranking()
    regions = sorted({r.region for _, r in ranking})
    if region:
        ranking = [(n, r) for n, r in ranking if r.region == region]
    if status in STATUS_CODE:
        code = STATUS_CODE[status]
        if item in index:
            ranking = [(n, r) for n, r in ranking if r.statuses[index[item]] == code]
        else:
            ranking = [(n, r) for n, r in ranking if code in r.statuses]
    columns = [index[c.item.id] for c in b.coverage()]
    return RegionView(data, ranking, columns, regions, region, item if item in index else None,
                      status if status in STATUS_CODE else None)


# ----------------------------------------------------------------------------- report page

@dataclass
class Segment:
    text: str
    items: tuple[int, ...] = ()          # indexes of the duties whose evidence this is


@dataclass
class TextLine:
    anchor: str
    label: str
    segments: list[Segment]
    items: tuple[int, ...] = ()


@dataclass
class ReportView:
    file: TaskFile
    audit: dict                          # the final audit (corrections applied)
    machine: dict                        # the machine's audit as stored
    items: list[dict]                    # audit items, each with anchor/label of its evidence
    lines: list[TextLine]
    text_error: str | None
    groups: dict[str, str]
    formal: list[str]                    # 形式审查 findings as sentences
    versions: dict[str, int]             # item id → id of the correction in force (0: none)


def anchor_of(line: int | None, page: int | None) -> str:
    if line is None:
        return ""
    return f"p{page}-l{line}" if page else f"l{line}"


def label_of(line: int | None, page: int | None, unit: str = "line") -> str:
    if line is None:
        return ""
    what = "段" if unit == "paragraph" else "行"
    return f"第{page}页第{line}行" if page else f"第{line}{what}"


def source_lines(store: Store, f: TaskFile) -> tuple[list[tuple[int | None, int, str]], str, str | None]:
    """The report's lines as (page, line, text), the unit, and why they are missing if they are.

    Read by the reader once, then kept in `web_texts` under the file's sha256."""
    if f.sha256:
        row = store.db.execute("SELECT lines FROM web_texts WHERE sha256 = ?", (f.sha256,)).fetchone()
        if row:
            d = json.loads(zlib.decompress(row[0]).decode("utf-8"))
            return [tuple(x) for x in d["lines"]], d.get("unit", "line"), None
    if not f.stored or not os.path.isfile(f.stored):
        return [], "line", "原文件已不在数据文件夹中，只能显示审查结果"
    from ..errors import DutycheckError
    from ..read import read_source

    try:
        src = read_source(f.stored)
    except DutycheckError as exc:
        return [], "line", exc.zh
    lines = [(loc.page, loc.line, text) for text, loc in zip(src.lines, src.locations)]
    if f.sha256:
        blob = zlib.compress(json.dumps({"unit": src.unit, "lines": lines}, ensure_ascii=False).encode("utf-8"), 6)
        store.db.execute("INSERT OR REPLACE INTO web_texts (sha256, lines) VALUES (?, ?)", (f.sha256, blob))
        store.db.commit()
    return lines, src.unit, None


def _spans(text: str, quote: str) -> tuple[int, int]:
    """Where an evidence quote sits in its first line: the whole quote, its start, or the line."""
    if not quote:
        return 0, len(text)
    pos = text.find(quote)
    if pos >= 0:
        return pos, pos + len(quote)
    head = quote[:12]
    pos = text.find(head) if len(head) >= 4 else -1
    if pos >= 0:
        end = pos + len(quote)
        return pos, min(end, len(text))
    return 0, len(text)


def report_view(store: Store, task: Task, f: TaskFile, reviews: ReviewSet | None = None) -> ReportView:
    """The report's text with every evidence sentence marked, and its duties with their evidence
    and final status (the reviewer's correction, where there is one)."""
    from ..formal import Finding
    from ..messages import formal_message

    machine = audit_dict(store, f.audit_id or 0)
    current = reviews if reviews is not None else load_current(store)
    audit = apply_reviews(machine, current)
    in_force = current.for_record(machine)
    raw, unit, error = source_lines(store, f)
    marks: dict[str, list[tuple[int, int, int]]] = {}    # anchor → (start, end, item index)
    items = []
    for n, it in enumerate(audit["items"]):
        it = dict(it)
        ev = []
        for e in it.get("evidence", []):
            a = anchor_of(e.get("line"), e.get("page"))
            ev.append({**e, "anchor": a, "label": label_of(e.get("line"), e.get("page"), unit)})
        it["evidence"] = ev
        it["index"] = n
        items.append(it)
    texts = {anchor_of(line, page): text for page, line, text in raw}
    for it in items:
        for e in it["evidence"]:
            text = texts.get(e["anchor"])
            if text is not None:
                s, t = _spans(text, e.get("text", ""))
                marks.setdefault(e["anchor"], []).append((s, t, it["index"]))
    lines = []
    for page, line, text in raw:
        a = anchor_of(line, page)
        m = marks.get(a)
        if not m:
            lines.append(TextLine(a, label_of(line, page, unit), [Segment(text)]))
            continue
        cuts = sorted({0, len(text), *[x for s, t, _ in m for x in (s, t)]})
        segs = []
        for s, t in itertools.pairwise(cuts):
            covering = tuple(sorted({i for a0, b0, i in m if a0 <= s and t <= b0}))
            segs.append(Segment(text[s:t], covering))
        lines.append(TextLine(a, label_of(line, page, unit), segs, tuple(sorted({i for _, _, i in m}))))
    groups = {g["id"]: g["title"] for g in audit.get("groups", [])}
    formal = [formal_message(Finding.from_dict(x), audit.get("unit") or unit) for x in audit.get("formal") or []]
    versions = {it["id"]: (in_force[it["id"]].id if it["id"] in in_force else 0) for it in items}
    return ReportView(f, audit, machine, items, lines, error, groups, formal, versions)


def task_queue(store: Store, data: TaskData, reviews: ReviewSet | None = None) -> list[QueueEntry]:
    """The review queue of the task's reports: items most likely wrong first (review.rank_records)."""
    from ..review.queue import rank_records

    current = reviews if reviews is not None else load_current(store)
    records = [(audit_dict(store, data.audit_ids[r.path]), r.path) for _, r in data.batch.ranking()]
    return rank_records(records, current)


def neighbours(data: TaskData, path: str) -> tuple[TaskFile | None, TaskFile | None, int, int]:
    """The reports before and after this one in the ranking, its position and the count."""
    order = [r.path for _, r in data.batch.ranking()]
    try:
        i = order.index(path)
    except ValueError:
        return None, None, 0, len(order)
    prev = data.files.get(order[i - 1]) if i > 0 else None
    nxt = data.files.get(order[i + 1]) if i + 1 < len(order) else None
    return prev, nxt, i + 1, len(order)


def score_class(score: float | None) -> str:
    if score is None:
        return ""
    return "score-hi" if score >= 90 else "score-mid" if score >= 50 else "score-lo"

