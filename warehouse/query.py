"""Reading the timeline: the filtered view for the CLI, and free SQL on a read-only connection.

run_sql runs an analyst's SQL in a sandbox (`sql_guard.py`: DuckDB's read-only mode alone
blocks writes to the file, but not COPY TO, ATTACH, file-reading functions or SET
log_query_path) under a time limit (`timeout.py`), so a query can neither change nor leak
anything, nor run for ever.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import duckdb

from tradeline.warehouse import sql_guard, vocab
from tradeline.warehouse.datearg import check_date_prefix
from tradeline.warehouse.db import WarehouseError, connect
from tradeline.warehouse.timeout import Deadline, interrupt_after

LOCK_WAIT_S = 30.0  # how long an analyst's query waits for a writer (override: env below)
LOCK_WAIT_ENV = "TRADELINE_LOCK_WAIT_S"

QUERY_TIMEOUT_S = 120.0  # an analyst's SQL is stopped after this ([query] timeout_s)

_TIMELINE_ORDER = "ORDER BY event_date NULLS LAST, first_reported NULLS LAST, entry_key"


class QueryError(WarehouseError, ValueError):
    """An analyst's SQL or filter was refused or failed; the message says why in one line."""


# An entry's date: its event date, else (undated) its first report's publication date.
_WHEN = "coalesce(t.event_date, CAST(t.first_reported AS VARCHAR))"


def timeline(
    con: duckdb.DuckDBPyConnection,
    *,
    company: str | None = None,
    type: str | None = None,
    since: str | None = None,
    until: str | None = None,
    commodity: str | None = None,
    authority: str | None = None,
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Rows of the `timeline` view (one per merged real event), filtered.

    company: case-insensitive substring of the canonical name or any alias of a company named
    by any report of the entry. type, commodity, authority (an authority's name or its
    country): a value `vocab.resolve` accepts, else `vocab.UnknownValue` naming the valid ones.
    since / until: a real YYYY[-MM[-DD]]; an entry is kept when its date (or, if undated, its
    first report's publication date) is on or after `since` / on or before `until` at the
    coarser of the two granularities, so an entry dated "2024-03" is kept for
    since="2024-03-15" and for until="2024-03-01".
    """
    where: list[str] = []
    params: list[Any] = []
    if type is not None:
        where.append("t.type = ?")
        params.append(vocab.resolve(con, "type", type))
    if commodity is not None:
        where.append("t.commodity = ?")
        params.append(vocab.resolve(con, "commodity", commodity))
    if authority is not None:
        where.append("(lower(t.authority) = lower(?) OR lower(t.authority_country) = lower(?))")
        params += [vocab.resolve(con, "authority", authority)] * 2
    for what, bound in (("since", since), ("until", until)):
        if bound is None:
            continue
        try:
            check_date_prefix(bound, what)
        except ValueError as exc:
            raise QueryError(str(exc)) from exc
        if what == "since":
            where.append(f"{_WHEN} >= left(?, length({_WHEN}))")
        else:
            where.append(f"left({_WHEN}, length(?)) <= ?")
            params.append(bound)
        params.append(bound)
    if company is not None:
        needle = company.strip().lower()
        if not needle:
            raise QueryError("company filter is empty")
        where.append(
            """EXISTS (
                SELECT 1 FROM timeline_entry_mentions AS tm
                JOIN event_companies AS ec ON ec.fact_key = tm.fact_key AND ec.run_id = tm.run_id
                LEFT JOIN company_aliases AS ca ON ca.canonical_key = ec.canonical_key
                WHERE tm.entry_key = t.entry_key
                  AND (contains(lower(ec.company), ?) OR contains(lower(ca.alias), ?))
            )"""
        )
        params += [needle, needle]
    sql = "SELECT * FROM timeline AS t"
    if where:
        sql += " WHERE " + " AND ".join(where)
    cur = con.execute(f"{sql} {_TIMELINE_ORDER}", params)
    return [d[0] for d in cur.description], cur.fetchall()


def timeline_readonly(
    path: str | Path, **filters: str | None
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """`timeline()` with these filters on a read-only connection that is closed afterwards
    (for the CLI); waits up to `lock_wait_s()` while an ingest holds the file for writing."""
    con = connect(path, read_only=True, lock_wait_s=lock_wait_s())
    try:
        return timeline(con, **filters)
    finally:
        con.close()


def run_sql(
    path: str | Path,
    sql: str,
    *,
    timeout_s: float = QUERY_TIMEOUT_S,
    max_rows: int | None = None,
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Run an analyst's SQL in a read-only sandbox (`sql_guard.py`); returns the last
    statement's result.

    timeout_s: the whole SQL (every statement and the fetch) is stopped after this many seconds
    (0: no limit). max_rows: fetch at most this many rows and one more, so a caller can tell
    that more were left. Waits up to `lock_wait_s()` while an ingest holds the file.
    """
    con = connect(
        path, read_only=True, lock_wait_s=lock_wait_s(), config=sql_guard.CONNECT_CONFIG
    )
    try:
        try:
            plan = sql_guard.plan(con, sql)
            sql_guard.lock(con, plan.settings)
        except sql_guard.SQLRefused as exc:
            raise QueryError(str(exc)) from exc
        except duckdb.Error as exc:
            raise QueryError(f"SQL error: {_first_line(exc)}") from exc
        columns: list[str] = []
        rows: list[tuple[Any, ...]] = []
        with interrupt_after(con, timeout_s) as deadline:
            try:
                for statement in plan.statements:
                    cur = con.execute(statement)
                    if cur.description is None:
                        columns, rows = [], []
                        continue
                    columns = [d[0] for d in cur.description]
                    rows = cur.fetchall() if max_rows is None else cur.fetchmany(max_rows + 1)
            except duckdb.Error as exc:
                raise _query_error(exc, deadline) from exc
        return columns, rows
    finally:
        con.close()


def _query_error(exc: duckdb.Error, deadline: Deadline) -> QueryError:
    if isinstance(exc, duckdb.InterruptException) and deadline.expired:
        return QueryError(
            f"query stopped after {deadline.seconds:g} s, its time limit "
            "(raise it with --timeout, or timeout_s in the config's query section)"
        )
    if isinstance(exc, duckdb.PermissionException):
        return QueryError(
            "the warehouse is queried read-only and SQL may not read or write other files, "
            f"attach databases or load extensions ({_first_line(exc)})"
        )
    return QueryError(f"SQL error: {_first_line(exc)}")


def lock_wait_s() -> float:
    """Seconds a read waits for the writer: $TRADELINE_LOCK_WAIT_S, else LOCK_WAIT_S."""
    value = os.environ.get(LOCK_WAIT_ENV)
    try:
        return float(value) if value else LOCK_WAIT_S
    except ValueError as exc:
        raise QueryError(f"{LOCK_WAIT_ENV} must be a number of seconds, got {value!r}") from exc


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
