"""What the report shows, read once from the warehouse on a read-only connection: the filtered
timeline entries, the permits active today among them, the companies ranked by their events,
and the run the warehouse's facts come from (so a picture can be traced back)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from tradeline.warehouse.db import connect
from tradeline.warehouse.query import lock_wait_s, timeline
from tradeline.warehouse.runref import resolve_run_ref
from tradeline.warehouse.runs import RunError

Entry = dict[str, Any]  # one row of the `timeline` view, by column name

_PROVENANCE_COLUMNS = (
    "run_id", "kind", "status", "finished_at", "extractor_version", "model_name",
    "model_version", "assets_hash", "trained_hash",
)


@dataclass
class ReportData:
    """Everything the page draws; `filters` are the ones given (None left out)."""

    entries: list[Entry]
    active_permits: list[Entry]
    companies_ranked: list[tuple[str, int]]  # (canonical name, events), most first
    firm_of: dict[str, list[str]]  # entry_key → the canonical names of its firms
    provenance: dict[str, Any] | None  # the latest completed run, None before any
    runs_shown: int  # how many runs the shown facts come from
    today: date
    filters: dict[str, str] = field(default_factory=dict)


def load_report_data(
    warehouse_path: str | Path, *, today: date | None = None, **filters: str | None
) -> ReportData:
    """Read the report's data; bad filter values raise the query's errors (`QueryError`,
    `vocab.UnknownValue`), each naming what is accepted."""
    today = today or date.today()
    with connect(warehouse_path, read_only=True, lock_wait_s=lock_wait_s()) as con:
        names, rows = timeline(con, **filters)
        entries = [dict(zip(names, row, strict=True)) for row in rows]
        keys = [e["entry_key"] for e in entries]
        firm_of = _firms(con, keys)
        return ReportData(
            entries=entries,
            active_permits=_active_permits(con, today, set(keys)),
            companies_ranked=_ranked(firm_of),
            firm_of=firm_of,
            provenance=_provenance(con),
            runs_shown=_runs_shown(con),
            today=today,
            filters={k: v for k, v in filters.items() if v is not None},
        )


def _firms(con: duckdb.DuckDBPyConnection, keys: list[str]) -> dict[str, list[str]]:
    """entry_key → its firms' canonical names (spellings of one firm grouped, as `companies`
    groups them)."""
    if not keys:
        return {}
    rows = con.execute(
        "SELECT entry_key, list(DISTINCT canonical ORDER BY canonical) FROM company_timeline "
        "WHERE entry_key IN (SELECT unnest(?::VARCHAR[])) GROUP BY entry_key",
        [keys],
    ).fetchall()
    return {key: list(names) for key, names in rows}


def _ranked(firm_of: dict[str, list[str]]) -> list[tuple[str, int]]:
    counts: dict[str, int] = {}
    for names in firm_of.values():
        for name in names:
            counts[name] = counts.get(name, 0) + 1
    return sorted(counts.items(), key=lambda item: (-item[1], item[0].lower()))


def _active_permits(
    con: duckdb.DuckDBPyConnection, today: date, keys: set[str]
) -> list[Entry]:
    """The permits in force today (`permits_active`), among the shown entries."""
    cur = con.execute("SELECT * FROM permits_active(?)", [today])
    names = [d[0] for d in cur.description]
    rows = [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
    return [row for row in rows if row["entry_key"] in keys]


def _provenance(con: duckdb.DuckDBPyConnection) -> dict[str, Any] | None:
    """The run `tradeline runs diff latest` names (runref.py), with its versions."""
    try:
        run_id = resolve_run_ref(con, "latest")
    except RunError:  # no completed run yet
        return None
    row = con.execute(
        f"SELECT {', '.join(_PROVENANCE_COLUMNS)} FROM extraction_runs WHERE run_id = ?",
        [run_id],
    ).fetchone()
    return None if row is None else dict(zip(_PROVENANCE_COLUMNS, row, strict=True))


def _runs_shown(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute("SELECT count(DISTINCT run_id) FROM latest_runs").fetchone()[0]
