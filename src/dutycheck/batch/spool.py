"""The spool: a run's JSON lines on disk, for the exports that need every audit at the end."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator

from ..schema import AuditRecord
from .records import Outcome


class Spool:
    """The JSON lines of a run on disk, for the exports that need every audit at the end
    (json, xlsx, html) without holding them in memory."""

    def __init__(self) -> None:
        import tempfile

        self._fh = tempfile.TemporaryFile(mode="w+b")
        self._offsets: dict[str, int] = {}

    def add(self, outcome: Outcome) -> None:
        self._fh.seek(0, os.SEEK_END)
        self._offsets[outcome.row.path] = self._fh.tell()
        self._fh.write(outcome.utf8 + b"\n")

    def line(self, path: str) -> str | None:
        off = self._offsets.get(path)
        if off is None:
            return None
        self._fh.seek(off)
        return self._fh.readline().decode("utf-8").rstrip("\n")

    def lines(self, paths: Iterable[str]) -> Iterator[str]:
        """The lines of these paths, in this order."""
        for p in paths:
            line = self.line(p)
            if line is not None:
                yield line

    def record(self, path: str) -> AuditRecord | None:
        """The audit of this path, typed (None for a file that failed or was not spooled)."""
        line = self.line(path)
        if line is None or line.startswith('{"schema": "dutycheck.error/1"'):
            return None
        return AuditRecord.from_json(line)

    def audits(self, paths: Iterable[str]) -> Iterator[AuditRecord]:
        for p in paths:
            rec = self.record(p)
            if rec is not None:
                yield rec

    def close(self) -> None:
        self._fh.close()

    def __enter__(self) -> "Spool":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
