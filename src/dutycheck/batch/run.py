"""`run_batch`: expand, audit, aggregate and hand every outcome to the sinks, in one call;
`exit_code`: the exit status a batch's result gives (the CLI's rule, for any caller)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

from ..errors import EXIT_BAD_INPUT, EXIT_BELOW_THRESHOLD, EXIT_OK, EXIT_PARTIAL
from .aggregate import Batch
from .inputs import Expansion, drain, expand_paths
from .pool import FILE_TIMEOUT, Lookup, iter_outcomes
from .records import Outcome
from .sinks import Sink

if TYPE_CHECKING:  # pragma: no cover
    from ..checklist.model import Checklist

Progress = Callable[[int, int], None]
"""progress(finished, total): called with (0, total) once the workers exist, then after every file."""


def run_batch(paths: Iterable[str | os.PathLike] | Expansion,
              checklist: "Checklist | str | os.PathLike" = "default", *,
              recursive: bool = False, jobs: int | None = None, lookup: Lookup | None = None,
              region: str = "auto", sinks: Sequence[Sink] = (), progress: Progress | None = None,
              on_outcome: Callable[[Outcome], None] | None = None,
              keep_rows: bool = True, timeout: float | None = FILE_TIMEOUT) -> Batch:
    """Expand, audit and aggregate in one call: the library entry point of batch mode.

    `paths` are files, folders and globs, or an `Expansion` from `expand_paths` (its inputs
    are consumed). Each outcome goes, as it finishes, to every sink (`sinks.py`: JsonlSink,
    StoreSink, SpoolSink, or any object with open/add/close) and to `on_outcome`; `progress`
    sees the count. A StoreSink among the sinks serves unchanged files from the store and
    applies the reviewer's corrections (the Batch and the other sinks see the final result).
    `keep_rows=False` keeps only the aggregates (no ranking, no copy check), for runs of any size.

    Raises ChecklistError for a bad checklist; bad report files become error rows. An error
    raised by a sink (StoreError, OutputError), Ctrl-C or any other exception stops the run:
    every sink is closed with complete=False first (the store commits what it has, a stream
    keeps its lines), then the exception propagates. Errors of closing after such a stop are
    kept in `batch.sink_errors`; a sink that captured the Batch in `open` can still read it.
    """
    from ..checklist.load import load_checklist
    from ..checklist.model import Checklist
    from ..errors import DutycheckError

    cl = checklist if isinstance(checklist, Checklist) else load_checklist(checklist)
    exp = paths if isinstance(paths, Expansion) else expand_paths(paths, recursive=recursive)
    batch = Batch(cl, exp.skipped, keep_rows=keep_rows)
    total = len(exp.inputs)
    if lookup is None:
        lookup = next((getattr(s, "lookup") for s in sinks if callable(getattr(s, "lookup", None))), None)
    machine = [s for s in sinks if getattr(s, "machine", False)]
    final = [s for s in sinks if not getattr(s, "machine", False)]
    correct = [getattr(s, "correct") for s in sinks if callable(getattr(s, "correct", None))]
    opened: list[Sink] = []
    outcomes = None
    try:
        for sink in sinks:
            sink.open(batch)
            opened.append(sink)
        finished = 0
        ready = (lambda: progress(0, total)) if progress is not None else None
        store_rows = any(getattr(s, "store_rows", False) for s in sinks)
        outcomes = iter_outcomes(drain(exp.inputs), cl, jobs=1 if total <= 1 else jobs, lookup=lookup,
                                 region=region, on_ready=ready, timeout=timeout, store_rows=store_rows)
        for outcome in outcomes:
            for sink in machine:        # the machine's result (the store); outputs show the final one
                sink.add(outcome)
            for fix in correct:
                outcome = fix(outcome)
            batch.add(outcome)
            for sink in final:
                sink.add(outcome)
            if on_outcome is not None:
                on_outcome(outcome)
            finished += 1
            if progress is not None:
                progress(finished, total)
        previous = [e for s in sinks if callable(getattr(s, "previous", None))
                    for e in getattr(s, "previous")(batch)]
        batch.finish(previous=previous)
    except BaseException:
        if outcomes is not None:
            outcomes.close()            # the workers stop now, not when the traceback is let go
        try:
            batch.finish()
        except Exception:  # noqa: BLE001 — the error being raised matters, not this one
            pass
        for sink in reversed(opened):
            try:
                sink.close(batch, False)
            except (DutycheckError, OSError) as exc:
                batch.sink_errors.append(exc)
        raise
    _close_all(opened, batch)
    return batch


def _close_all(sinks: list[Sink], batch: Batch) -> None:
    """Close every sink after a complete run; the first error is raised after all were closed."""
    first: BaseException | None = None
    for sink in reversed(sinks):
        try:
            sink.close(batch, first is None)
        except BaseException as exc:  # noqa: BLE001 — re-raised below, once every sink is closed
            first = first or exc
    if first is not None:
        raise first


def exit_code(batch: Batch | None, *, fail_under: float | None = None, stopped: int | None = None) -> int:
    """The exit status of a batch run; the first rule that applies wins:

    ==============================================================  ====
    stopped by a signal (`stopped` = its number: SIGINT, SIGTERM)   128 + signal (130, 143)
    no report audited (every file failed, or none was given)        2  (EXIT_BAD_INPUT)
    some files failed, the others were audited                      3  (EXIT_PARTIAL)
    an audited report (duplicates included) scores below fail_under 1  (EXIT_BELOW_THRESHOLD)
    otherwise                                                       0  (EXIT_OK)
    ==============================================================  ====

    So failures outrank low scores (2 > 3 > 1). Errors found before any audit (a bad checklist,
    no report file, an output that cannot be written) are DutycheckErrors, exit 2, raised earlier.
    `batch` None: the run was stopped (or failed) before its Batch existed; nothing was audited.
    """
    if stopped is not None:
        return 128 + int(stopped)
    if batch is None:
        return EXIT_BAD_INPUT
    c = batch.counts()
    if c["audited"] == 0:
        return EXIT_BAD_INPUT
    if c["failed"]:
        return EXIT_PARTIAL
    if fail_under is not None and batch.count_below(fail_under):
        return EXIT_BELOW_THRESHOLD
    return EXIT_OK
