"""Terminal output for the CLI: progress bars on stderr and tables on stdout.

Output that is not a terminal is never wrapped: a log file or a pipe gets each summary and
error line whole, and tables as wide as their content (unless $COLUMNS sets a width).
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Collection, Sequence
from typing import Any

import pyarrow as pa
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from tradeline.warehouse.encoding import TEXT_FORMATS, encode_rows, encode_table

UNLIMITED_WIDTH = 100_000  # a table on a pipe is as wide as its content
stderr = Console(stderr=True, soft_wrap=not sys.stderr.isatty())
_show_progress = True


def show_progress(show: bool) -> None:
    """Draw progress bars (the default) or not (`tradeline -q`)."""
    global _show_progress
    _show_progress = show


def table_width() -> int:
    """The width tables get on stdout: $COLUMNS when set, else the terminal's, else (a file or
    a pipe) unlimited."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    return Console(file=sys.stdout).width if sys.stdout.isatty() else UNLIMITED_WIDTH


def stdout_console() -> Console:
    """A console on the current stdout, at `table_width`."""
    return Console(file=sys.stdout, width=table_width())


class _RateColumn(ProgressColumn):
    """Items per second since the stage started: rich's own rate is taken over the last few
    updates, so a batch that lands at once read as 183649/s."""

    def render(self, task: Any) -> Text:
        speed = task.completed / task.elapsed if task.completed and task.elapsed else None
        return Text(f"{speed:.1f}/s" if speed else "", style="progress.data.speed")


class RichProgress:
    """Progress bars per stage (feeds, fetch, extract, store), drawn on stderr: done/total,
    elapsed time, rate and time left (callers count their input first, so totals are known)."""

    def __init__(self) -> None:
        self._progress = Progress(
            TextColumn("{task.description:<8}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            _RateColumn(),
            TimeRemainingColumn(),
            console=stderr,
            transient=False,
            disable=not _show_progress,
        )
        self._tasks: dict[str, TaskID] = {}

    def __enter__(self) -> RichProgress:
        self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()

    def start(self, stage: str, total: int | None) -> None:
        if stage in self._tasks:
            self._progress.update(self._tasks[stage], total=total, completed=0)
        else:
            self._tasks[stage] = self._progress.add_task(stage, total=total)

    def advance(self, stage: str, n: int = 1) -> None:
        """Advance a stage the command started; a step it did not start (e.g. `extract`
        inside `import`, which counts records) has no total of its own and is not drawn."""
        if stage in self._tasks:
            self._progress.advance(self._tasks[stage], n)

    def note(self, message: str) -> None:
        self._progress.console.print(message)


def cell_text(value: Any) -> str:
    """A value as a table or CSV cell shows it (lists joined with ', ')."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(cell_text(v) for v in value)
    return str(value)


def render_rows(
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    fmt: str = "table",
    title: str | None = None,
    no_wrap: Collection[str] = (),
) -> str | None:
    """Print rows as a rich table (returns None) or return them as CSV / JSON text, in the
    one encoding every command uses (`warehouse/encoding.py`). Columns in `no_wrap`, and those
    of dates and numbers, are never wrapped."""
    if fmt in TEXT_FORMATS:
        return encode_rows(columns, rows, fmt)
    cells = [[cell_text(v) for v in row] for row in rows]
    table = Table(title=title, show_lines=False, header_style="bold")
    for i, column in enumerate(columns):
        whole = column in no_wrap or _all_atoms(row[i] for row in cells)
        table.add_column(column, overflow="fold", no_wrap=whole)
    for row in cells:
        table.add_row(*row)
    stdout_console().print(table)
    return None


def write_encoded(table: pa.Table, fmt: str) -> None:
    """Rows of a query as CSV or JSON on stdout, in `warehouse/encoding.py`'s encoding."""
    sys.stdout.write(encode_table(table, fmt))


_ATOM = re.compile(r"^[-+]?\d[\d\-:.T Z+]*$")  # a date, timestamp or number


def _all_atoms(cells: Any) -> bool:
    """Whether a column holds only dates, timestamps and numbers: never broken across lines
    (a date split as "2025-/12-02" is unreadable)."""
    return all(not c or (len(c) <= 32 and _ATOM.match(c)) for c in cells)


def print_errors(errors: Sequence[Any], limit: int = 20) -> None:
    """The first recorded errors of a run on stderr; the rest are in the warehouse."""
    for error in errors[:limit]:
        stderr.print(f"  [yellow]{error.stage}[/] {error.url}: {error.reason}", highlight=False)
    if len(errors) > limit:
        stderr.print(f"  … {len(errors) - limit} more in the ingest_errors table")
