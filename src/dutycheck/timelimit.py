"""A deadline for one file's audit (a hostile PDF must not hang `dutycheck audit` or a worker).

Its own module, stdlib only: a single `dutycheck audit` arms it without importing the batch
package.
"""

from __future__ import annotations

import signal
from collections.abc import Callable
from typing import Any


class FileTimeout(BaseException):
    """Raised by the alarm; a BaseException so parsers' `except Exception` cannot swallow it."""


def _on_alarm(signum: int, frame: Any) -> None:
    raise FileTimeout


def time_limit(seconds: float | None) -> Callable[[], None]:
    """Arm a per-file alarm where signals allow it (Unix, main thread); returns a disarm function."""
    import threading

    if not seconds or not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        return lambda: None
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)

    def disarm() -> None:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)

    return disarm
