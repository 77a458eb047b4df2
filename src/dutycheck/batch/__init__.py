"""Batch mode: audit a region's reports in parallel and stream a compact row per report.

A reviewer drops a folder of hundreds or thousands of reports. Workers (processes) audit
them and send back the report's `dutycheck.audit/1` JSON line plus a compact summary; the
caller writes the line out as it arrives (or spools it to disk) and keeps only the small
`ReportRow`, so memory does not grow with the size of the audits. A file that fails gets
an `ErrorRow` naming it, and the others carry on. Identical files (same sha256) are
audited once and flagged as duplicates.

Library use (the audits streamed to a file and kept in a store; the CLI does the same)::

    from dutycheck.batch import JsonlSink, StoreSink, exit_code, run_batch
    batch = run_batch(["reports/"], recursive=True, jobs=2,
                      sinks=[JsonlSink("audits.jsonl"), StoreSink("results.sqlite")])
    for rank, row in batch.ranking():
        print(rank, row.agency, row.score)
    status = exit_code(batch, fail_under=60)

The package, one module per concern:

  inputs.py     paths, folders and globs → Input / Skipped (expand_paths, drain)
  regions.py    the region a report is grouped under (places, region_of)
  records.py    ReportRow / ErrorRow / Outcome, the compact summary of an audit
  pool.py       the worker pool: iter_outcomes, per-file time limit, crash isolation
  aggregate.py  Batch: running totals, ranking, coverage, regions
  spool.py      Spool: the JSON lines of a run on disk for the final exports
  table.py      ReportTable: a ranking batch's rows and copy-check entries on disk (SQLite)
  sinks.py      where outcomes go as they finish: JsonlSink, StoreSink, SpoolSink, ListSink
  run.py        run_batch: the whole pipeline in one call; exit_code: the exit status rule
"""

from .aggregate import STRUCTURE_GROUP, Batch, Coverage, RegionStats
from .inputs import Expansion, Input, Skipped, drain, expand_paths, supported_suffixes
from .pool import FILE_TIMEOUT, Lookup, default_jobs, iter_outcomes
from .records import (
                      BATCH_SCHEMA,
                      CODE_STATUS,
                      ERROR_SCHEMA,
                      STATUS_CODE,
                      STATUSES,
                      ErrorRow,
                      Extras,
                      ItemInfo,
                      Outcome,
                      ReportRow,
                      error_info,
                      items_of,
                      summarize,
    summary_fields,
)
from .regions import UNKNOWN_REGION, places, region_of
from .run import Progress, exit_code, run_batch
from .sinks import JsonlSink, ListSink, Sink, SpoolSink, StoreSink
from .spool import Spool

__all__ = [
    "BATCH_SCHEMA", "CODE_STATUS", "ERROR_SCHEMA", "FILE_TIMEOUT", "STATUSES",
    "STATUS_CODE", "STRUCTURE_GROUP", "UNKNOWN_REGION", "Batch", "Coverage", "ErrorRow", "Expansion", "Extras",
    "Input", "ItemInfo", "JsonlSink", "ListSink", "Lookup", "Outcome", "Progress", "RegionStats", "ReportRow",
    "Sink", "Skipped", "Spool", "SpoolSink", "StoreSink",
    "default_jobs", "drain", "error_info", "exit_code", "expand_paths", "items_of", "iter_outcomes", "places",
    "region_of", "run_batch", "summarize", "summary_fields", "supported_suffixes",
]
