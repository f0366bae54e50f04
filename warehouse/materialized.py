"""Tables that hold what the views would otherwise recompute over the whole warehouse.

Why: `latest_runs` (a window over every article_extractions row) and `timeline` (every
entry's reports joined, sorted and aggregated) cost time in proportion to the warehouse on
every query, and most views read them. The merge already knows what a run changed, so it keeps
two tables (migration 013) for just those rows:

* `latest_article_runs`: each article's latest run as of the last merge. The `latest_runs`
  view reads it for every article no run changed since (`merge_runs`) and computes the rest
  live, so the view never lags a run that finished or was reopened without a merge.
* `timeline_rows`: the `timeline` view's rows, written for the entries the merge writes, from
  `derived/timeline_rows.sql` (the aggregation the view used to run).

and (migration 014), for the articles whose latest run or entries the merge changed:

* `event_mention_rows`: the `event_mentions` view's rows, from the view's own macro
  `event_mentions_of`; the view computes the articles changed since the merge live.
* `company_links`: each firm spelling an article's latest run names (a company fact, or a firm
  of an event with its entry), from which `firm_stats` (what `companies_seen` and `companies`
  count) and `firm_entries` (`company_timeline`'s links) are computed per firm, for the firms
  those links or the registry's grouping (`firm_members`: the grouping they were computed
  with) changed.

`refresh_*` with no scope rewrites a table whole (`merge.rebuild`, an upgraded warehouse);
with a scope, only the given articles or entries (`merge.update`): the same rows either way.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from importlib import resources

import duckdb

from tradeline.warehouse import db, firm_delta, pushdown

# The migrations that made the tables: a writable open that applies one fills the tables
# computed by the views' SQL (migration 013 itself fills `latest_article_runs`).
FILLED_BY_OPEN = frozenset({13, 14})
# A whole `event_mention_rows` is computed this many articles at a time.
PART_ARTICLES = 100_000
# DuckDB's memory limit while a table is filled whole (past it DuckDB spills to a temp file)
WHOLE_MEMORY_LIMIT = "4GB"

_LATEST_SQL = """
SELECT ae.article_id, ae.run_id, ae.status, ae.skipped_reason, ae.n_facts, ae.extracted_at,
       ae.relevance, coalesce(ae.relevant, true) AS relevant
FROM article_extractions AS ae
JOIN extraction_runs AS r USING (run_id)
WHERE r.status IN ('completed', 'completed_with_errors', 'interrupted', 'failed')
  AND ae.status <> 'failed' {where}
QUALIFY row_number() OVER (
    PARTITION BY ae.article_id
    ORDER BY r.status IN ('completed', 'completed_with_errors') DESC,
             r.finished_at DESC NULLS LAST, r.started_at DESC, ae.run_id DESC
) = 1
"""


@cache
def _derived(name: str) -> str:
    """The SQL of derived/<name>.sql (its hash is recorded with the views')."""
    folder = resources.files("tradeline.warehouse").joinpath("derived")
    return folder.joinpath(f"{name}.sql").read_text("utf-8")


def _timeline_sql() -> str:
    return _derived("timeline_rows")


def refresh_latest(con: duckdb.DuckDBPyConnection, articles: str | None = None) -> None:
    """Rewrite `latest_article_runs` whole, or for the articles in the table or view named
    `articles` (column article_id); the caller holds the transaction."""
    if articles is None:
        con.execute("DELETE FROM latest_article_runs")
        con.execute(
            "INSERT INTO latest_article_runs "
            + _LATEST_SQL.replace("{where}", "")
            + " ORDER BY article_id"
        )
        return
    scope = f"ae.article_id IN (SELECT article_id FROM {articles})"
    con.execute(
        f"DELETE FROM latest_article_runs WHERE article_id IN (SELECT article_id FROM {articles})"
    )
    con.execute("INSERT INTO latest_article_runs " + _LATEST_SQL.replace("{where}", f"AND {scope}"))


def refresh_timeline(
    con: duckdb.DuckDBPyConnection,
    *,
    removed: str | None = None,
    written: list[str] | None = None,
) -> None:
    """Rewrite `timeline_rows` whole (no arguments), or drop the rows of the entries in the
    table named `removed` (column entry_key) and compute those of the `written` entry keys from
    `event_mention_rows`, which `refresh_article_rows` must have brought up to date for their
    articles; the caller holds the transaction, after the entries are stored."""
    if removed is None and written is None:
        con.execute("DELETE FROM timeline_rows")
        con.execute(
            "INSERT INTO timeline_rows "
            + _timeline_sql().replace("{where}", "")
            + " ORDER BY type, event_date, entry_key"
        )
        return
    if removed is not None:
        con.execute(
            f"DELETE FROM timeline_rows WHERE entry_key IN (SELECT entry_key FROM {removed})"
        )
    if written:
        # the written entries' reports, as constants: the filter then reaches the scans of
        # timeline_entries and event_mention_rows (see pushdown.py), which a join to a list of
        # keys would read whole
        facts = [
            r[0]
            for r in con.execute(
                "SELECT fact_key FROM timeline_entry_mentions WHERE "
                + pushdown.in_list("entry_key", written)
            ).fetchall()
        ]
        entries = pushdown.in_list("t.entry_key", written)
        sql = _timeline_sql().replace("{where}", f"WHERE {entries}")
        mentions = "JOIN event_mentions AS em "
        if mentions not in sql:
            raise AssertionError(f"derived/timeline_rows.sql no longer reads {mentions!r}")
        # the kept rows, not the view: `refresh_article_rows` has just rewritten those of every
        # article the written entries report, and the view would compute the run's unmerged
        # articles live and anti-join them with every kept row
        reports = pushdown.in_list("fact_key", facts)
        sql = sql.replace(
            mentions, f"JOIN (SELECT * FROM event_mention_rows WHERE {reports}) AS em "
        )
        con.execute("INSERT INTO timeline_rows " + sql)


def refresh_article_rows(con: duckdb.DuckDBPyConnection, articles: str | None = None) -> None:
    """Rewrite `event_mention_rows` and `company_links` whole, or for the articles in the table
    named `articles` (column article_id), after `latest_article_runs` and the entries are
    stored; notes the spellings whose links it touched for `refresh_firms`. The caller holds
    the transaction."""
    con.execute("CREATE TEMP TABLE IF NOT EXISTS _mat_touched (canonical_key VARCHAR)")
    if articles is None:
        firm_delta.spoil(con)
        con.execute("DELETE FROM event_mention_rows")
        # in parts of about PART_ARTICLES articles: one statement over every article joins
        # each event with its article's text at once, more than a run's memory
        row = con.execute("SELECT count(*) FROM articles").fetchone()
        parts = max(1, -(-int(row[0] if row else 0) // PART_ARTICLES))
        for part in range(parts):
            con.execute(
                "CREATE OR REPLACE TEMP TABLE _mat_part AS SELECT article_id FROM articles "
                f"WHERE hash(article_id) % {parts} = {part}"
            )
            con.execute(
                "INSERT INTO event_mention_rows SELECT * FROM event_mentions_of('_mat_part')"
            )
        con.execute("DROP TABLE IF EXISTS _mat_part")
        con.execute("DELETE FROM company_links")
        con.execute(
            "INSERT INTO company_links "
            + _derived("company_links").format(cut="")
            + " ORDER BY canonical_key, article_id"
        )
        return
    scope = f"SEMI JOIN {articles} AS s USING (article_id)"
    con.execute(
        f"DELETE FROM event_mention_rows WHERE article_id IN (SELECT article_id FROM {articles})"
    )
    con.execute(f"INSERT INTO event_mention_rows SELECT * FROM event_mentions_of('{articles}')")
    # the articles' links before and after, each read once: the touched spellings and the
    # links `firm_delta` updates the firms by
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _mat_links AS SELECT * FROM company_links "
        f"WHERE article_id IN (SELECT article_id FROM {articles})"
    )
    con.execute("INSERT INTO _mat_touched SELECT DISTINCT canonical_key FROM _mat_links")
    firm_delta.capture_old(con, "_mat_links")
    con.execute(
        f"DELETE FROM company_links WHERE article_id IN (SELECT article_id FROM {articles})"
    )
    con.execute("CREATE OR REPLACE TEMP TABLE _mat_links AS FROM company_links LIMIT 0")
    con.execute("INSERT INTO _mat_links " + _derived("company_links").format(cut=scope))
    con.execute("INSERT INTO company_links SELECT * FROM _mat_links")
    con.execute("INSERT INTO _mat_touched SELECT DISTINCT canonical_key FROM _mat_links")
    firm_delta.capture_new(con, "_mat_links")
    con.execute("DROP TABLE _mat_links")


def refresh_firms(con: duckdb.DuckDBPyConnection, *, whole: bool = False) -> None:
    """Rewrite `firm_stats` and `firm_entries` whole, or for the firms of the spellings whose
    links `refresh_article_rows` touched and of those the registry grouped anew or stored again
    since the last call (`firm_members`, compared with `firm_keys` and `company_registry`).
    Call it after `company_firms` is current; the caller holds the transaction."""
    con.execute("CREATE TEMP TABLE IF NOT EXISTS _mat_touched (canonical_key VARCHAR)")
    if whole:
        con.execute("DELETE FROM firm_stats")
        con.execute("DELETE FROM firm_entries")
        for table in ("firm_stats", "firm_entries"):
            con.execute(f"INSERT INTO {table} " + _derived(table).format(cut="") + " ORDER BY 1")
    else:
        con.execute(
            """
            CREATE OR REPLACE TEMP TABLE _mat_firms AS
            WITH now AS (
                SELECT fk.canonical_key, fk.firm_key, r.last_seen
                FROM firm_keys AS fk JOIN company_registry AS r USING (canonical_key)
            ),
            moved AS (
                SELECT n.firm_key AS now, o.firm_key AS was
                FROM now AS n FULL JOIN firm_members AS o USING (canonical_key)
                WHERE n.firm_key IS DISTINCT FROM o.firm_key
                   OR n.last_seen IS DISTINCT FROM o.last_seen
            )
            SELECT firm_key FROM firm_keys
            WHERE canonical_key IN (SELECT canonical_key FROM _mat_touched)
            UNION SELECT firm_key FROM firm_members
            WHERE canonical_key IN (SELECT canonical_key FROM _mat_touched)
            UNION SELECT now FROM moved WHERE now IS NOT NULL
            UNION SELECT was FROM moved WHERE was IS NOT NULL
            """
        )
        if firm_delta.captured(con):  # the firms not regrouped, by the links the run changed
            con.execute(
                """
                CREATE OR REPLACE TEMP TABLE _fd_firms AS
                WITH moved AS (
                    SELECT n.firm_key AS now, o.firm_key AS was
                    FROM firm_keys AS n FULL JOIN firm_members AS o USING (canonical_key)
                    WHERE n.firm_key IS DISTINCT FROM o.firm_key
                )
                SELECT firm_key FROM _mat_firms
                WHERE firm_key NOT IN (SELECT now FROM moved WHERE now IS NOT NULL)
                  AND firm_key NOT IN (SELECT was FROM moved WHERE was IS NOT NULL)
                """
            )
            done = firm_delta.apply(con, "_fd_firms")
            con.execute("DROP TABLE _fd_firms")
            con.execute(
                "DELETE FROM _mat_firms WHERE firm_key IN (SELECT unnest(?::VARCHAR[]))",
                [sorted(done)],
            )
        cut = "AND fk.firm_key IN (SELECT firm_key FROM _mat_firms)"
        for table in ("firm_stats", "firm_entries"):
            con.execute(f"DELETE FROM {table} WHERE firm_key IN (SELECT firm_key FROM _mat_firms)")
            con.execute(f"INSERT INTO {table} " + _derived(table).format(cut=cut))
        con.execute("DROP TABLE _mat_firms")
    con.execute("DELETE FROM firm_members")
    con.execute(
        "INSERT INTO firm_members SELECT fk.canonical_key, fk.firm_key, r.last_seen "
        "FROM firm_keys AS fk JOIN company_registry AS r USING (canonical_key)"
    )
    con.execute("DROP TABLE _mat_touched")
    firm_delta.drop(con)


def refresh_view_rows(con: duckdb.DuckDBPyConnection) -> None:
    """Fill every table computed by the views' SQL whole (an upgraded warehouse, changed view
    files); `latest_article_runs` must be current."""
    with roomy(con):
        refresh_article_rows(con)
        refresh_timeline(con)
        refresh_firms(con, whole=True)


def refresh_all(con: duckdb.DuckDBPyConnection) -> None:
    """Fill every table whole (a full rebuild, a synthetic warehouse)."""
    with roomy(con):
        refresh_latest(con)
        refresh_view_rows(con)


def _bytes(setting: str) -> float:
    """'488.2 MiB', '4GB' -> bytes (DuckDB's memory_limit as it reads or takes it)."""
    found = re.fullmatch(r"\s*([\d.]+)\s*([KMGT]?i?B)?\s*", setting)
    if found is None:
        return 0.0
    number, unit = found.groups()
    scale = {"K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}
    return float(number) * (scale[unit[0]] if unit and unit[0] in scale else 1)


@contextmanager
def roomy(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """More memory (`whole_memory_limit`) and no insertion order to keep, for work that reads the
    whole warehouse (a writable connection is capped lower for runs: `db.WRITE_MEMORY_LIMIT`).
    Both are restored once the caller's transaction ends, also when it failed."""
    before = con.execute(
        "SELECT current_setting('memory_limit'), current_setting('preserve_insertion_order')"
    ).fetchone()
    target = whole_memory_limit()
    if target is not None and _bytes(before[0]) < _bytes(target):
        con.execute(f"SET memory_limit = '{target}'")
    con.execute("SET preserve_insertion_order = false")
    try:
        yield
    finally:
        db.run_after_transaction(
            con,
            [
                f"SET memory_limit = '{before[0]}'",
                f"SET preserve_insertion_order = {str(before[1]).lower()}",
            ],
        )


def whole_memory_limit() -> str | None:
    """The limit for whole-warehouse work: `WHOLE_MEMORY_LIMIT`, but never above DuckDB's own
    default (80% of the machine's memory), and None (keep the connection's) when the user set
    $TRADELINE_WRITE_MEMORY_LIMIT: on a small host the user's cap spills to disk where 4 GB
    would be killed for memory."""
    if db.user_memory_limit():
        return None
    try:
        machine = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return WHOLE_MEMORY_LIMIT
    default = int(machine * 0.8)
    return WHOLE_MEMORY_LIMIT if _bytes(WHOLE_MEMORY_LIMIT) <= default else f"{default}B"
