"""Sinks: where a batch's outcomes go while `run_batch` runs (a stream, the store, the spool).

A sink has three methods, called by `run_batch` in this order:

    open(batch)                 once, before the first file is audited (the Batch being filled)
    add(outcome)                once per finished file, in completion order (an error row too)
    close(batch, complete)      once, always: complete=False after Ctrl-C, SIGTERM or a failing
                                sink (what was added so far must be kept: commit, flush)

Any object with these methods is a sink (`Sink` is a Protocol). Two optional roles are looked
up by name: `lookup(sha256) -> str | None` (the stored `dutycheck.audit/1` line of an unchanged
file: a cache; the first sink that has one serves it), and `machine = True` (the sink sees the
machine's outcome, before the reviewer's corrections that every other sink and the Batch see).
A sink that also has `correct(outcome) -> Outcome` supplies those corrections, and
`previous(batch)` the stored reports of earlier years for the copy check (see StoreSink).

A sink that raises a DutycheckError stops the run: every sink is closed with complete=False
and the error propagates. The outcomes already added stay where they went.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import IO, TYPE_CHECKING, Protocol, runtime_checkable

from .records import Outcome

if TYPE_CHECKING:  # pragma: no cover
    from ..copies import Entry
    from ..review.model import ReviewSet
    from ..store import Store
    from .aggregate import Batch
    from .spool import Spool


@runtime_checkable
class Sink(Protocol):
    """Receives a batch's outcomes: `open(batch)`, `add(outcome)` per file, `close(batch, complete)`."""

    def open(self, batch: Batch) -> None: ...

    def add(self, outcome: Outcome) -> None: ...

    def close(self, batch: Batch, complete: bool) -> None: ...


class ListSink:
    """Keeps every outcome in a list (`.outcomes`): for tests and small runs from Python."""

    def __init__(self) -> None:
        self.outcomes: list[Outcome] = []
        self.opened = False
        self.closed: bool | None = None     # the `complete` flag close was called with

    def open(self, batch: Batch) -> None:
        self.opened = True

    def add(self, outcome: Outcome) -> None:
        self.outcomes.append(outcome)

    def close(self, batch: Batch, complete: bool) -> None:
        self.closed = complete


class JsonlSink:
    """Streams each outcome's JSON line (`dutycheck.audit/1` or `dutycheck.error/1`) as it
    finishes, flushed so a reader of a pipe sees it at once. Given a path, the file is opened
    in `open` and closed in `close`; given an open text stream, it is left open."""

    def __init__(self, target: str | os.PathLike | IO[str]) -> None:
        self._target = target
        self._fh: IO[str] | None = None if isinstance(target, (str, os.PathLike)) else target
        self._bytes: IO[bytes] | None = None if self._fh is None else _utf8_buffer(self._fh)

    def open(self, batch: Batch) -> None:
        if isinstance(self._target, (str, os.PathLike)):
            from ..errors import OutputError

            try:
                self._fh = open(self._target, "w", encoding="utf-8", newline="")
                self._bytes = _utf8_buffer(self._fh)
            except OSError as exc:
                raise OutputError(f"无法写入输出文件：{exc.strerror}", "cannot write the output file",
                                  path=os.fspath(self._target)) from None

    def add(self, outcome: Outcome) -> None:
        assert self._fh is not None, "JsonlSink.add before open"
        try:
            if self._bytes is not None:     # a worker's UTF-8 bytes as they came: the same bytes
                self._fh.flush()            # whatever was written as text goes first
                self._bytes.write(outcome.utf8 + b"\n")
                self._bytes.flush()
            else:
                self._fh.write(outcome.line + "\n")
                self._fh.flush()
        except OSError as exc:            # disk full, a closed pipe: the run stops, the rest is kept
            from ..errors import OutputError

            raise OutputError(f"写入输出失败：{exc.strerror or exc}", "writing the output failed",
                              path=self._name()) from None

    def _name(self) -> str:
        if isinstance(self._target, (str, os.PathLike)):
            return os.fspath(self._target)
        name = getattr(self._target, "name", None)
        return name if isinstance(name, str) and not name.startswith("<") else "标准输出"

    def close(self, batch: Batch, complete: bool) -> None:
        if self._fh is not None and isinstance(self._target, (str, os.PathLike)):
            self._fh.close()
            self._fh = self._bytes = None


def _utf8_buffer(fh: IO[str]) -> IO[bytes] | None:
    """The binary stream under a text stream that writes a line's UTF-8 bytes unchanged (the
    encoding UTF-8, errors strict, no newline translation), else None: write text."""
    import codecs

    buffer = getattr(fh, "buffer", None)
    encoding = getattr(fh, "encoding", None)
    if buffer is None or not isinstance(encoding, str) or getattr(fh, "errors", None) != "strict":
        return None
    try:
        if codecs.lookup(encoding).name != "utf-8":
            return None
    except LookupError:
        return None
    return buffer if os.linesep == "\n" else None


class SpoolSink:
    """Puts each outcome's line in a Spool (on disk), for the exports that need every audit at
    the end (json, xlsx, html, docx). The spool stays open after the run; its owner closes it."""

    def __init__(self, spool: Spool | None = None) -> None:
        from .spool import Spool

        self.spool = spool if spool is not None else Spool()

    def open(self, batch: Batch) -> None:
        pass

    def add(self, outcome: Outcome) -> None:
        self.spool.add(outcome)

    def close(self, batch: Batch, complete: bool) -> None:
        pass


class StoreSink:
    """The SQLite store (`--db`): records the run and each machine result, serves unchanged files
    from the stored results (`lookup`), applies the reviewer's corrections to what every other
    sink sees (`correct`), and gives the stored reports of the year before to the copy check.

    `store` is a Store or the path of one (opened here, so a bad file fails before any audit,
    and closed in `close`; a Store given is the caller's: committed in `close`, left open).
    `run_id`: add to that existing run (a workbench task, whose files come in several goes)
    instead of beginning one; its owner finishes it, `close` does not.
    """

    machine = True
    store_rows = True       # the workers build the store's rows of each audit (store.audit_rows)

    def __init__(self, store: Store | str | os.PathLike, args: Iterable[str] = (), *,
                 corrections: bool = True, run_id: int | None = None) -> None:
        from ..store import Store

        self._owned = not isinstance(store, Store)
        self.store = store if isinstance(store, Store) else Store(store)
        self._args = list(args)
        self._corrections = corrections
        self._resume = run_id
        self._reviews: ReviewSet | None = None
        self._index: tuple | None = None

    @property
    def run_id(self) -> int | None:
        return getattr(self.store, "run_id", None)

    def open(self, batch: Batch) -> None:
        if self._resume is not None:
            self.store.resume_run(self._resume, batch.checklist)
            batch.run_id = self._resume
        else:
            batch.run_id = self.store.begin_run(batch.checklist, self._args)
        if self._corrections:
            from ..review.log import load_current

            self._reviews = load_current(self.store) or None
            if self._reviews:
                ids = tuple(it.id for it in batch.items)
                self._index = ({i: n for n, i in enumerate(ids)}, tuple(it.weight for it in batch.items), ids)

    def lookup(self, sha256: str) -> str | None:
        return self.store.lookup(sha256)

    def add(self, outcome: Outcome) -> None:
        self.store.add(outcome)

    def correct(self, outcome: Outcome) -> Outcome:
        """The outcome as the reviewer's corrections in the store leave it."""
        if not self._reviews or self._index is None:
            return outcome
        from ..review import apply_outcome

        return apply_outcome(outcome, self._reviews, self._index)

    def previous(self, batch: Batch) -> list[Entry]:
        return self.store.previous_years(batch.reports_seen())

    def close(self, batch: Batch, complete: bool) -> None:
        try:
            if complete and self._resume is None:
                self.store.finish_run(batch)
        finally:
            if self._owned:
                self.store.close()      # commits what was stored so far
            else:
                self.store.commit()


__all__ = ["JsonlSink", "ListSink", "Sink", "SpoolSink", "StoreSink"]
