"""Reading the timeline: the filtered view for the CLI, and free SQL on a read-only connection.

run_sql runs an analyst's SQL in a sandbox (`sql_guard.py`: DuckDB's read-only mode alone
blocks writes to the file, but not COPY TO, ATTACH, file-reading functions or SET
log_query_path) under a time limit (`timeout.py`), so a query can neither change nor leak
anything, nor run for ever.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import pyarrow as pa

from tradeline.warehouse import sql_guard, vocab
from tradeline.warehouse.datearg import check_date_prefix
from tradeline.warehouse.db import WarehouseError, connect
from tradeline.warehouse.encoding import result_table
from tradeline.warehouse.timeout import Deadline, interrupt_after

LOCK_WAIT_S = 30.0  # how long an analyst's query waits for a writer (override: env below)
LOCK_WAIT_ENV = "TRADELINE_LOCK_WAIT_S"

QUERY_TIMEOUT_S = 120.0  # an analyst's SQL is stopped after this ([query] timeout_s)

_TIMELINE_ORDER = "ORDER BY event_date NULLS LAST, first_reported NULLS LAST, entry_key"

T = TypeVar("T")
Rows = tuple[list[str], list[tuple[Any, ...]]]


class QueryError(WarehouseError, ValueError):
    """An analyst's SQL or filter was refused or failed; the message says why in one line."""


def timeline(con: duckdb.DuckDBPyConnection, **filters: str | None) -> Rows:
    """Rows of the `timeline` view (one per merged real event), filtered.

    company: case-insensitive substring of the canonical name or any alias of a company named
    by any report of the entry. type, commodity, authority (an authority's name or its
    country): a value `vocab.resolve` accepts, else `vocab.UnknownValue` naming the valid ones.
    since / until: a real YYYY[-MM[-DD]]; an entry is kept when any day its date covers (or, if
    undated, its first report's publication date) is on or after the first day of `since` /
    on or before the last day of `until`, so an entry dated "2024-03" is kept for
    since="2024-03-15" and for until="2024-03-01".
    """
    cur = con.execute(*_timeline_sql(con, **filters))
    return [d[0] for d in cur.description], cur.fetchall()


def timeline_table(con: duckdb.DuckDBPyConnection, **filters: str | None) -> pa.Table:
    """`timeline()` as an Arrow table, with DuckDB's types, for `encoding.py`."""
    con.execute(*_timeline_sql(con, **filters))
    return result_table(con)


def _timeline_sql(
    con: duckdb.DuckDBPyConnection,
    *,
    company: str | None = None,
    type: str | None = None,
    since: str | None = None,
    until: str | None = None,
    commodity: str | None = None,
    authority: str | None = None,
) -> tuple[str, list[Any]]:
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
    if since is not None:
        where.append("coalesce(t.date_to, t.first_reported) >= ?")
        params.append(_day_range(since, "since")[0])
    if until is not None:
        where.append("coalesce(t.date_from, t.first_reported) <= ?")
        params.append(_day_range(until, "until")[1])
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
    return f"{sql} {_TIMELINE_ORDER}", params


def _day_range(value: str, what: str) -> tuple[date, date]:
    """The first and last day a YYYY[-MM[-DD]] filter covers; an impossible date is a
    QueryError naming the option."""
    try:
        check_date_prefix(value, what)
    except ValueError as exc:
        raise QueryError(str(exc)) from exc
    parts = [int(p) for p in value.split("-")]
    first = date(*[*parts, 1, 1][:3])
    if len(parts) == 3:
        return first, first
    if len(parts) == 2:
        nxt = date(first.year + first.month // 12, first.month % 12 + 1, 1)
        return first, date.fromordinal(nxt.toordinal() - 1)
    return first, date(first.year, 12, 31)


def timeline_readonly(path: str | Path, **filters: str | None) -> Rows:
    """`timeline()` on a read-only connection that is closed afterwards (for the CLI); waits
    up to `lock_wait_s()` while an ingest holds the file for writing."""
    return _readonly(path, lambda con: timeline(con, **filters))


def timeline_table_readonly(path: str | Path, **filters: str | None) -> pa.Table:
    """`timeline_table()` on a read-only connection, like `timeline_readonly()`."""
    return _readonly(path, lambda con: timeline_table(con, **filters))


def _readonly(path: str | Path, read: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
    con = connect(path, read_only=True, lock_wait_s=lock_wait_s())
    try:
        return read(con)
    finally:
        con.close()


def run_sql(
    path: str | Path,
    sql: str,
    *,
    timeout_s: float = QUERY_TIMEOUT_S,
    max_rows: int | None = None,
) -> Rows:
    """Run an analyst's SQL in a read-only sandbox (`sql_guard.py`); returns the last
    statement's result.

    timeout_s: the whole SQL (every statement and the fetch) is stopped after this many seconds
    (0: no limit). max_rows: fetch at most this many rows and one more, so a caller can tell
    that more were left. Waits up to `lock_wait_s()` while an ingest holds the file.
    """

    def answer(con: duckdb.DuckDBPyConnection, statement: str) -> Rows:
        cur = con.execute(statement)
        if cur.description is None:
            return [], []
        rows = cur.fetchall() if max_rows is None else cur.fetchmany(max_rows + 1)
        return [d[0] for d in cur.description], rows

    return _sandboxed(path, sql, timeout_s, answer, ([], []))


def run_sql_table(path: str | Path, sql: str, *, timeout_s: float = QUERY_TIMEOUT_S) -> pa.Table:
    """`run_sql()` answering with an Arrow table of every row (DuckDB's types), for
    `encoding.py`; a last statement without a result gives a table with no columns."""

    def answer(con: duckdb.DuckDBPyConnection, statement: str) -> pa.Table:
        cur = con.execute(statement)
        return pa.table({}) if cur.description is None else result_table(cur)

    return _sandboxed(path, sql, timeout_s, answer, pa.table({}))


def _sandboxed(
    path: str | Path,
    sql: str,
    timeout_s: float,
    answer: Callable[[duckdb.DuckDBPyConnection, str], T],
    nothing: T,
) -> T:
    """Check `sql`, run all its statements but the last, and `answer` with the last one, under
    the time limit, on a sandboxed read-only connection; `nothing` when only settings were
    given."""
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
        if not plan.statements:
            return nothing
        with interrupt_after(con, timeout_s) as deadline:
            try:
                for statement in plan.statements[:-1]:
                    con.execute(statement)
                return answer(con, plan.statements[-1])
            except duckdb.Error as exc:
                raise _query_error(exc, deadline) from exc
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
