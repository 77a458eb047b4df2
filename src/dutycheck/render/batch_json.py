"""JSON outputs of a batch.

- jsonl: one line per file as it finishes — the `dutycheck.audit/1` object exactly as
  `dutycheck audit --format json` gives it, or a `dutycheck.error/1` object for a file that
  failed: `{"schema": "dutycheck.error/1", "path", "sha256", "error": {zh, en, kind, ...},
  "duplicate_of"}`.
- json: one `dutycheck.batch/1` document: summary, ranking, coverage, structure, regions,
  errors, skipped, and `reports` (every audit/1 object, in ranking order), written from the
  spool so memory stays flat.
"""

from __future__ import annotations

import json
from typing import IO

from ..batch import Batch, Spool


def write_jsonl_line(fh: IO[str], line: str) -> None:
    """One finished file, flushed so a reader of a pipe sees it at once."""
    fh.write(line + "\n")
    fh.flush()


def write_batch_json(batch: Batch, spool: Spool, fh: IO[str]) -> None:
    """The whole batch as one JSON document (the per-report audits streamed from the spool)."""
    head = json.dumps(batch.to_dict(), ensure_ascii=False, indent=1)
    assert head.endswith("\n}")
    fh.write(head[:-2])
    fh.write(',\n "reports": [')
    first = True
    for r in batch.ranking():
        line = spool.line(r[1].path)
        if line is None:
            continue
        fh.write(("\n  " if first else ",\n  ") + line)
        first = False
    fh.write("\n ]\n}\n")

