"""CSV of a batch: one row per report in ranking order, then the error rows; UTF-8 with a BOM
so that Excel and WPS open the Chinese text correctly on a double click. A status a reviewer
set reads `未提及（人工复核）`."""

from __future__ import annotations

import csv
from typing import IO

from ..batch import Batch
from ..messages import REVIEW_MARK, STATUS_ZH, Col, formal_message
from ..models import Status

ENCODING = "utf-8-sig"


def head() -> list[str]:
    """The fixed columns, before one column per duty (names from messages.Col)."""
    return [Col.RANKING, Col.AGENCY, Col.YEAR, Col.REGION, Col.SCORE, Col.DONE, Col.TOTAL, "缺项1", "缺项2",
            "缺项3", Col.DUPLICATE_OF, Col.CACHED, Col.FILE, Col.FORMAT, "sha256", Col.ERROR]


def safe_cell(value: object) -> object:
    """Text that a spreadsheet would run as a formula (=, +, -, @) is prefixed with an apostrophe."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def item_headers(batch: Batch) -> list[str]:
    """Duty titles as column headers (the id is added where two titles coincide)."""
    titles = [it.title for it in batch.items]
    return [t if titles.count(t) == 1 else f"{t} [{it.id}]" for t, it in zip(titles, batch.items)]


def write_csv(batch: Batch, fh: IO[str]) -> None:
    """Write to a text stream opened with encoding='utf-8-sig', newline=''."""
    w = csv.writer(fh)
    w.writerow(head() + item_headers(batch) + [Col.FORMAL])
    for rank, r in batch.ranking():
        gaps = [batch.item_title(g) for g in r.gaps] + [""] * (3 - len(r.gaps))
        row = [rank, r.agency or "", r.year or "", r.region, f"{r.score:.1f}", r.done, r.total, *gaps,
               r.duplicate_of or "", "是" if r.cached else "", r.path, r.format, r.sha256, ""]
        reviewed = set(r.reviewed)
        row += [STATUS_ZH[Status(r.status(i))] + (f"（{REVIEW_MARK}）" if it.id in reviewed else "")
                for i, it in enumerate(batch.items)]
        row.append("；".join(formal_message(f) for f in batch.findings(r.path)))
        w.writerow([safe_cell(v) for v in row])
    for e in batch.errors:
        row = ["", "", "", "", "", "", "", "", "", "", e.duplicate_of or "", "", e.path, "", e.sha256 or "",
               e.message]
        w.writerow([safe_cell(v) for v in row])

