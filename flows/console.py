"""Terminal output for the CLI: progress bars on stderr and tables on stdout."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import pyarrow as pa
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn
from rich.table import Table

from tradeline.warehouse.encoding import TEXT_FORMATS, encode_rows, encode_table

stdout = Console(width=None if sys.stdout.isatty() else 200)
stderr = Console(stderr=True)


class RichProgress:
    """Progress bars per stage (feeds, fetch, extract, store), drawn on stderr."""

    def __init__(self) -> None:
        self._progress = Progress(
            TextColumn("{task.description:<8}"),
            BarColumn(),
            MofNCompleteColumn(),
            console=stderr,
            transient=False,
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
        if stage not in self._tasks:
            self.start(stage, None)
        self._progress.advance(self._tasks[stage], n)

    def note(self, message: str) -> None:
        self._progress.console.print(message)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(_cell(v) for v in value)
    return str(value)


def render_rows(
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    fmt: str = "table",
    title: str | None = None,
) -> str | None:
    """Print rows as a rich table (returns None) or return them as CSV / JSON text, in the
    one encoding every command uses (`warehouse/encoding.py`)."""
    if fmt in TEXT_FORMATS:
        return encode_rows(columns, rows, fmt)
    table = Table(title=title, show_lines=False, header_style="bold")
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(_cell(v) for v in row))
    stdout.print(table)
    return None


def write_encoded(table: pa.Table, fmt: str) -> None:
    """Rows of a query as CSV or JSON on stdout, in `warehouse/encoding.py`'s encoding."""
    sys.stdout.write(encode_table(table, fmt))


def print_errors(errors: Sequence[Any], limit: int = 20) -> None:
    """The first recorded errors of a run on stderr; the rest are in the warehouse."""
    for error in errors[:limit]:
        stderr.print(f"  [yellow]{error.stage}[/] {error.url}: {error.reason}", highlight=False)
    if len(errors) > limit:
        stderr.print(f"  … {len(errors) - limit} more in the ingest_errors table")
