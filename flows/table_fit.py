"""Which columns of a table fit a terminal, so a narrow one shows fewer columns, whole.

Why: given every column, rich squeezes each to a few characters at 80 columns and breaks
dates and names mid-word ("2025-/12-02"). Here each column has a priority and a width it
needs: a short value (a date, a type, a count) its longest cell, never wrapped; a text (names,
titles) a readable minimum, wrapped at words. Columns are taken by priority while they fit,
then shown in their usual order.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len

# rich's default table: a border and one space of padding each side per column, one closing
# border per row
COLUMN_OVERHEAD = 3
ROW_OVERHEAD = 1


@dataclass(frozen=True)
class Column:
    """A column a table may show: `wrap` texts need only `min_width`, others their widest cell."""

    name: str
    wrap: bool = False
    min_width: int = 0


# The timeline table's columns, most wanted first; shown in the order of TIMELINE_ORDER.
TIMELINE_PRIORITY = (
    Column("event_date"),
    Column("type"),
    Column("companies", wrap=True, min_width=16),
    Column("commodity", wrap=True, min_width=12),
    Column("authority_country"),
    Column("n_sources"),
    Column("validity", wrap=True, min_width=16),
    Column("outlet", wrap=True, min_width=14),
    Column("n_articles"),
    Column("title", wrap=True, min_width=24),
)
TIMELINE_ORDER = (
    "event_date",
    "type",
    "authority_country",
    "companies",
    "commodity",
    "validity",
    "n_articles",
    "n_sources",
    "outlet",
    "title",
)

# The runs table's columns, most wanted first; shown in the order of RUNS_ORDER.
RUNS_PRIORITY = (
    Column("run_id"),
    Column("status"),
    Column("kind"),
    Column("started"),
    Column("facts"),
    Column("assets"),
    Column("options", wrap=True, min_width=14),
    Column("articles"),
    Column("extractor"),
    Column("model", wrap=True, min_width=16),
)
RUNS_ORDER = ("run_id", "kind", "status", "started", "model", "extractor", "assets", "options",
              "articles", "facts")


def fitting(
    priority: Sequence[Column], order: Sequence[str], columns: Sequence[str],
    rows: Sequence[Sequence[str]], width: int,
) -> list[str]:
    """The columns of `order` a table of these `rows` (cells as text) shows at `width`."""
    shown = [c for c in order if c in columns]
    cells = {c: [row[columns.index(c)] for row in rows] for c in shown}
    keep = set(fit_columns([p for p in priority if p.name in cells], cells, width))
    return [c for c in shown if c in keep]


def needed_width(column: Column, cells: Sequence[str]) -> int:
    """The narrowest width `column` stays readable at: its widest cell or header, or for a
    wrapped text at most its `min_width`."""
    natural = max([cell_len(column.name), *(cell_len(c) for c in cells)])
    return min(natural, max(column.min_width, 1)) if column.wrap else natural


def fit_columns(
    columns: Sequence[Column], cells: dict[str, Sequence[str]], width: int
) -> list[str]:
    """Names of the `columns` (in priority order) that fit in `width` together; the first is
    always kept."""
    chosen: list[str] = []
    used = ROW_OVERHEAD
    for column in columns:
        need = needed_width(column, cells.get(column.name, ())) + COLUMN_OVERHEAD
        if not chosen or used + need <= width:
            chosen.append(column.name)
            used += need
    return chosen


def parse_columns(text: str, valid: Sequence[str]) -> list[str]:
    """The names of a `--columns a,b,c` value, in order; ValueError naming the valid ones (and
    the closest, for a typo) for an unknown or empty name."""
    names = [n.strip() for n in text.split(",")]
    for name in names:
        if name not in valid:
            close = difflib.get_close_matches(name, valid, n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            shown = repr(name) if name else "an empty name"
            raise ValueError(
                f"unknown column {shown} in --columns{hint}; valid columns: {', '.join(valid)}"
            )
    return names
