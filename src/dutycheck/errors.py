"""Typed errors: the library raises them, only the CLI turns them into messages and exit codes.

Every user-facing error carries a Chinese and an English text and names the file
(and line/column where it applies), so a reviewer knows what to fix.
"""

from __future__ import annotations

# Exit codes, documented in the README ("退出码").
EXIT_OK = 0
EXIT_BELOW_THRESHOLD = 1
EXIT_BAD_INPUT = 2
EXIT_PARTIAL = 3  # batch: some files failed, the rest were audited
EXIT_INTERRUPTED = 130  # Ctrl-C (128 + SIGINT): stopped cleanly, what was audited is stored
EXIT_TERMINATED = 143   # SIGTERM (128 + SIGTERM): stopped cleanly, what was audited is stored


class DutycheckError(Exception):
    """Base class: a problem the user can fix, reported without a traceback."""

    exit_code = EXIT_BAD_INPUT

    def __init__(self, zh: str, en: str = "", *, path: str | None = None,
                 line: int | None = None, column: int | None = None, key: str | None = None):
        self.zh = zh
        self.en = en
        self.path = path
        self.line = line
        self.column = column
        self.key = key
        super().__init__(self.message())

    def location(self) -> str:
        if not self.path:
            return ""
        loc = str(self.path)
        if self.line is not None:
            loc += f":{self.line}"
            if self.column is not None:
                loc += f":{self.column}"
        return loc

    def message(self) -> str:
        """`path:line:col: 中文说明 (English)` on one line."""
        text = self.zh + (f" ({self.en})" if self.en else "")
        loc = self.location()
        return f"{loc}: {text}" if loc else text

    def to_dict(self) -> dict:
        return {"path": self.path, "line": self.line, "column": self.column,
                "key": self.key, "zh": self.zh, "en": self.en,
                "kind": type(self).__name__}


class ReportError(DutycheckError):
    """A report file could not be read or holds no usable text."""


class ChecklistError(DutycheckError):
    """A checklist is malformed; `problems` holds every problem found, not just the first."""

    def __init__(self, zh: str, en: str = "", *, problems: list[ChecklistError] | None = None,
                 **kwargs):
        self.problems = problems or []
        super().__init__(zh, en, **kwargs)

    def message(self) -> str:
        if not self.problems:
            return super().message()
        return "\n".join(p.message() for p in self.problems)


class GoldError(DutycheckError):
    """A gold-label file for `eval` is malformed."""


class ReviewError(DutycheckError):
    """A reviewer's correction names an unknown report or item, a bad status, or a bad file."""


class ItemError(DutycheckError):
    """A checklist item named on the command line is unknown or ambiguous."""


class OutputError(DutycheckError):
    """An output (a batch's --out stream, an export) cannot be written: the disk, permissions."""
