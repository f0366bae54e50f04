"""Progress reporting that plain functions can call without knowing who is watching.

The CLI installs a rich progress display; tests and library callers get the silent default.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol


class ProgressReporter(Protocol):
    def start(self, stage: str, total: int | None) -> None: ...
    def advance(self, stage: str, n: int = 1) -> None: ...
    def note(self, message: str) -> None: ...


class SilentProgress:
    """Reports nothing: the default outside the CLI."""

    def start(self, stage: str, total: int | None) -> None:
        return None

    def advance(self, stage: str, n: int = 1) -> None:
        return None

    def note(self, message: str) -> None:
        return None


_current: ProgressReporter = SilentProgress()


def reporter() -> ProgressReporter:
    return _current


@contextmanager
def reporting_to(new: ProgressReporter) -> Iterator[ProgressReporter]:
    """Route progress of everything run inside the block to `new`."""
    global _current
    previous, _current = _current, new
    try:
        yield new
    finally:
        _current = previous
