"""Small key sets pushed into DuckDB's table scans: a few keys written into SQL as constants, and
joins to a few keys turned into scan filters (`push_small_joins`).

Why: `col IN (SELECT unnest(?))`, or a semi join to a temp table, reaches the scan as a hash
join: every row's other columns are read before the join drops them, which on a large
warehouse means the whole `articles.text` or `timeline_rows` column for a handful of keys.
A list of constants reaches the scan as a filter, and only the vectors that hold a key are
read past the key column: the text of 100 new articles out of a million costs 35 ms instead of
4 s (bench/scale.py). Meant for the short key lists of one run, not for whole tables.
"""

from __future__ import annotations

from collections.abc import Iterable

import duckdb

from tradeline.warehouse import db


def literal(value: str) -> str:
    """A SQL string constant."""
    return "'" + value.replace("'", "''") + "'"


def in_list(column: str, keys: Iterable[str]) -> str:
    """`column IN ('a', 'b', …)`, or `false` when there are no keys; past `JOIN_KEYS_PUSHED`
    keys a join to them (`IN (SELECT unnest([…]))`): a long list of constants costs more to
    plan and test than the hash join it replaces, and the keys are then spread over the whole
    table anyway."""
    values = sorted(set(keys))
    if not values:
        return "false"
    listed = ", ".join(map(literal, values))
    if len(values) > JOIN_KEYS_PUSHED:
        return f"{column} IN (SELECT unnest([{listed}]))"
    return f"{column} IN ({listed})"


# The most keys the build side of a hash join may hold for DuckDB to also filter the other
# side's scan by them (DuckDB's default: 50). Measured on a 1M-article warehouse: the text of
# 300 random articles through a semi join takes 156 ms at 1024 against 2.8 s at 50; past about
# a thousand keys the filter costs more per row than it saves (3,000 keys: 470 ms against
# 148 ms for a narrow column), so the cap stays there.
JOIN_KEYS_PUSHED = 1024


def push_small_joins(con: duckdb.DuckDBPyConnection) -> None:
    """For the rest of the caller's transaction, let joins to a few keys (a run's articles,
    entries, firms) filter the scans of the big tables, so they read only the vectors holding
    those keys; the setting is restored when the transaction ends."""
    row = con.execute("SELECT current_setting('dynamic_or_filter_threshold')").fetchone()
    con.execute(f"SET dynamic_or_filter_threshold = {JOIN_KEYS_PUSHED}")
    db.run_after_transaction(con, [f"SET dynamic_or_filter_threshold = {row[0]}"])
