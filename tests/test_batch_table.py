"""A ranking batch keeps its rows and the copy check's entries on disk (batch/table.py): read back,
ranked and grouped exactly as the lists they replace were."""

from __future__ import annotations

import random
from array import array

from dutycheck.batch.records import ReportRow
from dutycheck.batch.table import ReportTable, View
from dutycheck.copies import CrossIndex, Entry, copied_pairs, revisions


def _rows(n: int, seed: int = 3) -> list[ReportRow]:
    rng = random.Random(seed)
    agencies = [None, "", "晋城市教育局", "晋城市教育局二", "阳城县教育局", "Z局", "\udcb3\udcc7局", "\U0001f600局"]
    folders = ["甲", "b", "\udcc4"]       # a GBK name decoded with surrogateescape
    out = []
    for i in range(n):
        out.append(ReportRow(f"{rng.choice(folders)}/{i % 7}-{rng.randint(0, 3)}.txt", f"{i:064x}",
                             rng.choice(agencies), rng.choice([None, 2023, 2024]), rng.choice(["山西", "新疆"]),
                             float(rng.choice([0, 12.5, 50, 50.0, 87.5, 100])), rng.randint(0, 3), 4,
                             "".join(rng.choice("dpsan") for _ in range(4)), tuple(rng.sample("wxyz", 2)),
                             rng.choice(["text", "pdf"]), rng.choice([None, "a.txt"]), rng.random() < 0.3,
                             tuple(rng.sample("wxyz", rng.randint(0, 2)))))
    return out


def test_rows_read_back_like_the_list_they_replace():
    rows = _rows(300)
    table = ReportTable().rows
    assert not table and len(table) == 0
    for r in rows:
        table.append(r)
    assert len(table) == 300 and bool(table)
    assert list(table) == rows
    assert table[0] == rows[0] and table[-1] == rows[-1] and table[10:13] == rows[10:13]


def test_the_ranking_order_is_pythons_sorted_order():
    # equal scores, missing agencies and years, lone surrogates and astral characters in names,
    # the same sort key twice (the order added decides, as sorted() is stable)
    rows = _rows(500) + _rows(50, seed=3)
    table = ReportTable().rows
    for r in rows:
        table.append(r)
    expected = sorted(rows, key=lambda r: (-r.score, r.agency or "\uffff", r.year or 0, r.path))
    assert list(table.ranked()) == expected


def _entries(n: int) -> list[Entry]:
    rng = random.Random(5)
    return [Entry.of(f"r{i}.txt", rng.choice([None, "", "甲县教育局", "乙县教育局", "丙县教育局"]),
                     rng.choice([None, 0, 2023, 2024]), rng.choice([None, "2024-01-05", "2024-03-01"]),
                     # 12 texts, each report most of one of them: copies, revisions, repeats
                     [f"{t:012x}" for t in _text(rng)]) for i in range(n)]


def _text(rng: random.Random) -> list[int]:
    source = rng.randrange(12)
    return [source * 1000 + k for k in rng.sample(range(40), rng.randint(5, 30))]


def test_entries_group_into_the_revisions_a_list_gives():
    entries = _entries(200)
    table = ReportTable().entries
    for e in entries:
        table.append(e)
    assert list(table) == entries and table[7] == entries[7] and list(table.paths()) == [e.path for e in entries]
    assert revisions(table) == revisions(entries) != []


def test_copied_pairs_over_the_table_and_a_view_are_those_of_the_lists():
    entries = _entries(120)
    index = CrossIndex(ReportTable().entries)
    for e in entries:
        index.add(e.path, e.agency, e.year, e.date, [f"{k:012x}" for k in e.hashes])
    listed = CrossIndex()
    for e in entries:
        listed.add(e.path, e.agency, e.year, e.date, [f"{k:012x}" for k in e.hashes])
    found, expected = index.check(passages=False), listed.check(passages=False)
    assert found == expected and expected.copies and expected.revisions
    keep = array("l", [n for n in range(len(entries)) if n % 3])
    view = View(entries, keep, entries[:5])
    assert list(view) == [entries[n] for n in keep] + entries[:5] == [view[i] for i in range(len(view))]
    assert copied_pairs(view, n_current=len(keep)) == copied_pairs(list(view), n_current=len(keep))
