"""Excel workbook of a batch (openpyxl, write-only so memory stays flat), for Excel and WPS.

Sheets: 排名 (ranking), 覆盖矩阵 (coverage: duty × status shares, most neglected first),
状态矩阵 (reports × duties, coloured by status), 报告结构 (required parts), 地区 (regions),
明细 (one row per report and duty, with the first evidence quote), 错误 (errors and skipped).
A status a reviewer set is the final one; 明细 shows the machine's beside it, the 人工复核 mark and the note.
"""

from __future__ import annotations

from pathlib import Path

from ..batch import STATUSES, Batch, Spool
from ..messages import FAILED, FORMAL_TITLE, REVIEW_MARK, SKIPPED, STATUS_ZH, Col, Title, formal_message
from ..models import Status
from .review import review_note

FILLS = {"done": "C6EFCE", "planned": "FFEB9C", "shortfall": "FFC7CE", "absent": "EDEDED", "na": "DDEBF7"}
MAX_CELL = 32000


def write_xlsx(batch: Batch, spool: Spool, path: str | Path) -> None:
    """Write the workbook to `path`; per-report items are read back from the spool one at a time."""
    # open the target first: an unwritable path fails here, before any write-only sheet is
    # begun (a failure at save left half-written sheet generators that printed tracebacks)
    target = open(path, "wb")  # noqa: SIM115 — closed in the finally below
    try:
        _write_workbook(batch, spool, target)
    finally:
        target.close()


def _write_workbook(batch: Batch, spool: Spool, target) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font, PatternFill

    wb = Workbook(write_only=True)
    bold = Font(bold=True)
    fills = {s: PatternFill("solid", start_color=c, end_color=c) for s, c in FILLS.items()}

    def cell(ws, value, *, fill: str | None = None, font=None, fmt: str | None = None, wrap: bool = False):
        if isinstance(value, str):
            value = ILLEGAL_CHARACTERS_RE.sub("", value)[:MAX_CELL]
        c = WriteOnlyCell(ws, value=value)
        if isinstance(value, str) and (value.startswith("=") or value in ERROR_CODES):
            c.data_type = "s"   # text, never a formula
        if fill:
            c.fill = fills[fill]
        if font is not None:
            c.font = font
        if fmt:
            c.number_format = fmt
        if wrap:
            c.alignment = Alignment(wrap_text=True, vertical="top")
        return c

    rows_in: dict[str, int] = {}
    made: list = []

    def sheet(title: str, head: list[str], widths: list[int], *, wrap: tuple[int, ...] = ()):
        ws = wb.create_sheet(title)
        for n, w in enumerate(widths):
            ws.column_dimensions[_col(n)].width = w
        ws.freeze_panes = "A2"
        ws.append([cell(ws, h, font=bold) for h in head])
        # print set-up: A4 landscape, one page wide, the header row on every page
        ws.page_setup.paperSize = "9"  # A4
        ws.page_setup.orientation = "landscape"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_title_rows = "1:1"
        ws.print_options.gridLines = True
        ws.oddFooter.center.text = "第 &P 页，共 &N 页"
        rows_in[title] = 1
        made.append((ws, len(head)))
        wrapping[title] = set(wrap)
        return ws

    wrapping: dict[str, set[int]] = {}

    def row(ws, values: list) -> None:
        wrap = wrapping.get(ws.title, set())
        ws.append([v if hasattr(v, "coordinate") else cell(ws, v, wrap=n in wrap) for n, v in enumerate(values)])
        rows_in[ws.title] += 1

    ranking = batch.ranking()

    # 排名
    ws = sheet(Title.RANKING, [Col.RANK, Col.AGENCY, Col.YEAR, Col.REGION, Col.SCORE, Col.DONE, Col.TOTAL,
                               Col.TOP_GAPS, Col.DUPLICATE_OF, Col.FILE, Col.FORMAT, REVIEW_MARK],
               [6, 24, 7, 14, 7, 7, 8, 60, 30, 50, 6, 8])
    for rank, r in ranking:
        row(ws, [rank, r.agency or "", r.year, r.region, r.score, r.done, r.total,
                 "；".join(batch.item_title(g) for g in r.gaps), r.duplicate_of or "", r.path, r.format,
                 len(r.reviewed) or ""])

    # 覆盖矩阵
    head = [Col.DUTY, Col.ID, Col.GROUP, Col.WEIGHT, Col.REPORTS]
    for s in STATUSES:
        head += [STATUS_ZH[Status(s)], f"{STATUS_ZH[Status(s)]}{Col.SHARE}"]
    ws = sheet(Title.COVERAGE_SHEET, head, [36, 34, 16, 6, 7] + [8, 10] * len(STATUSES))
    coverage = batch.coverage()
    for c in coverage:
        values: list = [c.item.title, c.item.id, batch.groups.get(c.item.group, c.item.group), c.item.weight,
                        c.reports]
        for s in STATUSES:
            values += [c.counts.get(s, 0), cell(ws, round(c.share(s), 4), fmt="0%")]
        row(ws, values)

    # 状态矩阵: reports × duties, duties in coverage order (most neglected first)
    order = {it.id: n for n, it in enumerate(batch.items)}
    cols = [order[c.item.id] for c in coverage]
    ws = sheet(Title.STATUS_SHEET, [Col.RANK, Col.AGENCY, Col.YEAR, Col.REGION, Col.SCORE]
               + [batch.items[i].title for i in cols],
               [6, 24, 7, 14, 7] + [12] * len(cols))
    for rank, r in ranking:
        values = [rank, r.agency or Path(r.path).name, r.year, r.region, r.score]
        reviewed = set(r.reviewed)
        for i in cols:
            st = r.status(i)
            mark = "*" if batch.items[i].id in reviewed else ""
            values.append(cell(ws, STATUS_ZH[Status(st)] + mark, fill=st))
        row(ws, values)

    # 报告结构
    ws = sheet(Title.STRUCTURE_SHEET, [Col.PART, Col.ID, Col.HAVE, Col.REPORTS, Col.SHARE, Col.MISSING],
               [44, 36, 7, 7, 8, 7])
    for c in batch.structure():
        have = c.counts.get("done", 0)
        row(ws, [c.item.title, c.item.id, have, c.reports, cell(ws, round(c.share("done"), 4), fmt="0%"),
                 c.reports - have])

    # 地区
    ws = sheet(Title.REGIONS_SHEET, [Col.REGION, Col.REPORTS, Col.MEAN, Col.MIN, Col.MAX, Col.LOWEST, Col.NEGLECTED,
                                     Col.NEGLECTED_DONE_SHARE], [20, 8, 8, 8, 8, 24, 40, 10])
    for reg in batch.regions():
        row(ws, [reg.region, reg.reports, round(reg.mean, 1), reg.min, reg.max, reg.lowest or "",
                 reg.neglected.title if reg.neglected else "", cell(ws, round(reg.neglected_share, 4), fmt="0%")])

    # 明细
    ws = sheet(Title.DETAIL_SHEET, [Col.RANK, Col.AGENCY, Col.YEAR, Col.REGION, Col.FILE, Col.DUTY_ID, Col.DUTY,
                                    Col.GROUP, Col.WEIGHT, Col.STATUS, "证据（第一条）", Col.LINE, Col.PAGE, "所在部分",
                                    "依据（缺项）", "应补写（缺项）", Col.MACHINE_STATUS, REVIEW_MARK],
               [6, 24, 7, 14, 40, 34, 36, 16, 6, 10, 80, 6, 6, 30, 50, 60, 10, 40],
               wrap=(6, 10, 13, 14, 15, 17))
    guidance = {it.id: it.guidance for it in batch.items}
    basis = {it.id: it.basis for it in batch.items}
    for rank, r in ranking:
        rec = spool.record(r.path)
        if rec is None:
            continue
        for it in rec.items:
            e = it.evidence[0] if it.evidence else None
            st = it.status
            gap = st not in (Status.DONE, Status.NA)
            row(ws, [rank, r.agency or "", r.year, r.region, r.path, it.id, it.title,
                     batch.groups.get(it.group, it.group), it.weight,
                     cell(ws, STATUS_ZH[st], fill=st.value), e.text if e else "", e.line if e else None,
                     e.page if e else None, e.section if e else "",
                     basis.get(it.id, it.basis) if gap else "",
                     guidance.get(it.id, it.guidance) if gap else "",
                     STATUS_ZH[it.machine_status or st], review_note(it)])

    # 形式审查
    ws = sheet(Title.FORMAL, [Col.AGENCY, Col.YEAR, Col.FILE, Col.PROBLEM, Col.EXPLANATION, Col.LINE, "相关文件",
                              "雷同比例", "雷同段落"],
               [24, 7, 40, 22, 70, 6, 40, 9, 80], wrap=(4, 8))
    for report, agency, year, f in batch.formal_list():
        row(ws, [agency or "", year, report, FORMAL_TITLE.get(f.code, f.code), formal_message(f), f.line,
                 f.other or "", cell(ws, f.share, fmt="0%") if f.share is not None else None,
                 "\n".join(f.passages)])

    # 错误
    ws = sheet(Title.ERRORS_SHEET, [Col.FILE, Col.RESULT, Col.REASON, "reason", Col.DUPLICATE_OF], [50, 8, 60, 50, 30])
    for err in batch.errors:
        row(ws, [err.path, FAILED, err.error.zh, err.error.en, err.duplicate_of or ""])
    for skip in batch.skipped:
        row(ws, [skip.path, SKIPPED, skip.zh, skip.en, ""])

    for ws, ncols in made:   # a filter on every header row, over the rows written
        ws.auto_filter.ref = f"A1:{_col(ncols - 1)}{rows_in[ws.title]}"
    wb.save(target)


def _col(n: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(n + 1)
