"""What a ranking batch keeps of every report until the end, on disk: its rows and the copy
check's entries, in a private temporary SQLite database (removed when the batch is let go).

A batch that ranks its reports (csv, table, xlsx, html, json) needs every row at the end, and
the copy check every report's sentence fingerprints. As Python objects they took ~1.3 KB a
report (~2 KB of the process's memory), so the batch process grew with N. Here a report is a
row of each table, SQLite's page cache is bounded (CACHE_KIB), the ranking is sorted by SQLite
and the revisions are grouped by it, so what stays in memory per report is 8 bytes of score;
the copy check's working set at the end (a few bytes a sentence while it counts) still grows.

`rows` and `entries` read like lists (len, index, iteration in the order added);
`rows.ranked()` gives the rows in ranking order without holding them all.
"""

from __future__ import annotations

import marshal
import sqlite3
import threading
from array import array
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, TypeVar, overload

from .records import ReportRow

if TYPE_CHECKING:  # pragma: no cover
    from ..copies import Entry

T = TypeVar("T")

CACHE_KIB = 1024        # SQLite's page cache for the tables (its default is 2 MiB)
_CHUNK = 256            # result rows fetched at a time while iterating


def _key(text: str | None, missing: str | None = "\uffff") -> bytes | None:
    """A text as a BLOB that SQLite orders as Python orders str, by code point (UTF-8 keeps that
    order; surrogatepass for the lone surrogates a decoded file name may hold)."""
    if text is None:
        text = missing
    return None if text is None else text.encode("utf-8", "surrogatepass")


class ReportTable:
    """The private temporary database of one batch, holding its `rows` and `entries`."""

    def __init__(self) -> None:
        # "" opens a private temporary database on disk, deleted when the connection closes
        self._db = sqlite3.connect("", isolation_level=None, check_same_thread=False)
        self._lock = threading.Lock()        # the workbench reads a batch from several threads
        db = self._db
        db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        db.execute("PRAGMA journal_mode = OFF")
        db.execute("PRAGMA synchronous = OFF")
        db.execute("CREATE TABLE rows (n INTEGER PRIMARY KEY, score REAL, agency BLOB, year INTEGER, "
                   "path BLOB, data BLOB)")
        db.execute("CREATE TABLE entries (n INTEGER PRIMARY KEY, path BLOB, agency BLOB, year INTEGER, "
                   "formal INTEGER, data BLOB)")
        db.execute("CREATE INDEX entries_path ON entries (path)")
        db.execute("CREATE INDEX entries_report ON entries (agency, year)")
        db.execute("BEGIN")                  # one transaction for the batch's life, never committed
        self.rows = Rows(self)
        self.entries = Entries(self)

    def fetch(self, sql: str, args: Sequence[Any] = ()) -> list[tuple]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    def write(self, sql: str, args: Sequence[Any]) -> None:
        with self._lock:
            self._db.execute(sql, args)

    def stream(self, sql: str, args: Sequence[Any] = ()) -> Iterator[tuple]:
        """The result of a query, a chunk at a time (the lock is not held between chunks)."""
        with self._lock:
            cur = self._db.execute(sql, args)
            chunk = cur.fetchmany(_CHUNK)
        while chunk:
            yield from chunk
            with self._lock:
                chunk = cur.fetchmany(_CHUNK)


class _Indexed(Sequence[T]):
    """A sequence whose items are looked up one at a time (`_at`): negative indexes and slices
    read as a list's, an index out of range raises IndexError naming `_what`."""

    _what = ""

    def _at(self, i: int) -> T:
        raise NotImplementedError

    @overload
    def __getitem__(self, i: int) -> T: ...

    @overload
    def __getitem__(self, i: slice) -> list[T]: ...

    def __getitem__(self, i):
        n = len(self)
        if isinstance(i, slice):
            return [self._at(k) for k in range(*i.indices(n))]
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError(f"{self._what} index out of range")
        return self._at(i)


class _Table(_Indexed[T]):
    """A table read like a list: its `data` column decoded by `_one`, in the order added."""

    _name = ""

    def __init__(self, table: ReportTable) -> None:
        self._t = table
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def __bool__(self) -> bool:
        return self._count > 0

    def _one(self, data: bytes) -> T:
        raise NotImplementedError

    def _at(self, i: int) -> T:
        return self._one(self._t.fetch(f"SELECT data FROM {self._name} WHERE n = ?", (i,))[0][0])

    def __iter__(self):
        return (self._one(d) for (d,) in self._t.stream(f"SELECT data FROM {self._name} ORDER BY n"))


class Rows(_Table[ReportRow]):
    """The batch's ReportRows, in the order added."""

    _name = _what = "rows"

    def append(self, r: ReportRow) -> None:
        data = marshal.dumps((r.path, r.sha256, r.agency, r.year, r.region, r.score, r.done, r.total,
                              r.statuses, r.gaps, r.format, r.duplicate_of, r.cached, r.reviewed))
        self._t.write("INSERT INTO rows VALUES (?,?,?,?,?,?)",
                      (self._count, r.score, _key(r.agency or None), r.year or 0, _key(r.path), data))
        self._count += 1

    def _one(self, data: bytes) -> ReportRow:
        return ReportRow(*marshal.loads(data))

    def ranked(self) -> Iterator[ReportRow]:
        """The rows by score, best first, then agency (none last), year, path, and the order added:
        what sorted(rows, key=(-score, agency or U+FFFF, year or 0, path)) gives."""
        return (self._one(d) for (d,) in self._t.stream(
            "SELECT data FROM rows ORDER BY score DESC, agency, year, path, n"))


class Entries(_Table["Entry"]):
    """The copy check's Entry of each report (path, agency, year, date, fingerprint keys) in the
    order added, with the report's own 形式审查 findings as an index (-1: none) into the
    batch's list of distinct ones."""

    _name = _what = "entries"

    def append(self, e: Entry, formal: int = -1) -> None:
        data = marshal.dumps((e.path, e.agency, e.year, e.date, e.hashes.tobytes()))
        self._t.write("INSERT INTO entries VALUES (?,?,?,?,?,?)",
                      (self._count, _key(e.path), _key(e.agency or None, None), e.year or None, formal, data))
        self._count += 1

    def _one(self, data: bytes) -> Entry:
        from ..copies import Entry

        path, agency, year, date, keys = marshal.loads(data)
        hashes = array("Q")
        hashes.frombytes(keys)
        return Entry(path, agency, year, date, hashes)

    def paths(self) -> Iterator[str]:
        """Every entry's path, in the order added."""
        return (marshal.loads(d)[0] for (d,) in self._t.stream("SELECT data FROM entries ORDER BY n"))

    def groups(self) -> Iterator[list[Entry]]:
        """The entries of each (agency, year) that has more than one, by agency and year, each in
        the order added (revisions of one report)."""
        keys = self._t.fetch("SELECT agency, year FROM entries WHERE agency IS NOT NULL AND year IS NOT NULL "
                             "GROUP BY agency, year HAVING COUNT(*) > 1 ORDER BY agency, year")
        for agency, year in keys:
            yield [self._one(d) for (d,) in self._t.fetch(
                "SELECT data FROM entries WHERE agency = ? AND year = ? ORDER BY n", (agency, year))]

    def formal(self, path: str) -> int:
        """The findings index of this path's entry (the last added with it); -1: none."""
        found = self._t.fetch("SELECT formal FROM entries WHERE path = ? ORDER BY n DESC LIMIT 1", (_key(path),))
        return found[0][0] if found else -1

    def name(self, path: str) -> tuple[str | None, int | None] | None:
        """(agency, year) of this path's entry (the last added with it); None: no entry."""
        found = self._t.fetch("SELECT data FROM entries WHERE path = ? ORDER BY n DESC LIMIT 1", (_key(path),))
        if not found:
            return None
        _path, agency, year, _date, _keys = marshal.loads(found[0][0])
        return agency, year

    def with_formal(self) -> dict[str, tuple[str | None, int | None, int]]:
        """path → (agency, year, findings index) of every entry that has findings of its own."""
        out = {}
        for (data, formal) in self._t.stream("SELECT data, formal FROM entries WHERE formal >= 0 ORDER BY n"):
            path, agency, year, _date, _keys = marshal.loads(data)
            out[path] = (agency, year, formal)
        return out


class View(_Indexed["Entry"]):
    """Some entries of a sequence (`keep`: their indexes, ascending), then those of another: what
    the copy check reads (the reports that stand, then stored ones of earlier years) without a
    list of them all."""

    _what = "entry"

    def __init__(self, base: Sequence[Entry], keep: array, more: Sequence[Entry] = ()) -> None:
        self._base, self._keep, self._more = base, keep, more

    def __len__(self) -> int:
        return len(self._keep) + len(self._more)

    def _at(self, i: int) -> Entry:
        kept = len(self._keep)
        return self._base[self._keep[i]] if i < kept else self._more[i - kept]

    def __iter__(self) -> Iterator[Entry]:
        keep, k = self._keep, 0
        for n, e in enumerate(self._base):
            if k == len(keep):
                break
            if keep[k] == n:
                k += 1
                yield e
        yield from self._more
