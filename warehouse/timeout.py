"""A statement timeout for DuckDB, which has none of its own.

A timer thread calls `con.interrupt()` when the time is up; the running statement (or the fetch
of its result) then fails with `duckdb.InterruptException`, and `Deadline.expired` tells that
failure apart from any other.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import duckdb


@dataclass(slots=True)
class Deadline:
    """Whether the timer fired; `seconds` is the limit it was set to (0: none)."""

    seconds: float
    expired: bool = False


@contextmanager
def interrupt_after(con: duckdb.DuckDBPyConnection, seconds: float) -> Iterator[Deadline]:
    """Interrupt whatever `con` runs once `seconds` have passed; 0 or less: no limit."""
    deadline = Deadline(seconds)
    if seconds <= 0:
        yield deadline
        return

    def fire() -> None:
        deadline.expired = True
        con.interrupt()

    timer = threading.Timer(seconds, fire)
    timer.daemon = True
    timer.start()
    try:
        yield deadline
    finally:
        timer.cancel()
        timer.join()
