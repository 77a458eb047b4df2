"""`run_batch`: expand, audit and aggregate in one call."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from .aggregate import Batch
from .inputs import expand_paths
from .pool import FILE_TIMEOUT, Lookup, iter_outcomes
from .records import Outcome

if TYPE_CHECKING:  # pragma: no cover
    from ..checklist.model import Checklist


def run_batch(paths: Iterable[str | os.PathLike], checklist: "Checklist | str | os.PathLike" = "default", *,
              recursive: bool = False, jobs: int | None = None, lookup: Lookup | None = None,
              region: str = "auto", on_outcome: Callable[[Outcome], None] | None = None,
              keep_rows: bool = True, timeout: float | None = FILE_TIMEOUT) -> Batch:
    """Expand, audit and aggregate in one call: the library entry point of batch mode.

    `on_outcome` sees each outcome as it finishes (write its `.line` to stream the audits);
    `keep_rows=False` keeps only the aggregates (no ranking), for runs of any size.
    Raises ChecklistError for a bad checklist; bad report files become error rows.
    """
    from ..checklist.load import load_checklist
    from ..checklist.model import Checklist

    cl = checklist if isinstance(checklist, Checklist) else load_checklist(checklist)
    exp = expand_paths(paths, recursive=recursive)
    batch = Batch(cl, exp.skipped, keep_rows=keep_rows)
    for outcome in iter_outcomes(exp.inputs, cl, jobs=jobs, lookup=lookup, region=region, timeout=timeout):
        batch.add(outcome)
        if on_outcome is not None:
            on_outcome(outcome)
    batch.finish()
    return batch
