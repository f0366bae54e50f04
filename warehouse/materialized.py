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

`refresh_*` with no scope rewrites a table whole (`merge.rebuild`, an upgraded warehouse);
with a scope, only the given articles or entries (`merge.update`): the same rows either way.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import duckdb
import pyarrow as pa

# The migration that made the tables: a writable open that applies it fills `timeline_rows`
# (the migration itself fills `latest_article_runs`; the timeline needs the views).
FILLED_BY_OPEN = 13

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
def _timeline_sql() -> str:
    folder = resources.files("tradeline.warehouse").joinpath("derived")
    return folder.joinpath("timeline_rows.sql").read_text("utf-8")


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
    table named `removed` (column entry_key) and compute those of the `written` entry keys;
    the caller holds the transaction, after the entries are stored."""
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
        con.register("_written_entries", pa.table({"entry_key": pa.array(written, pa.string())}))
        try:
            con.execute(
                "INSERT INTO timeline_rows "
                + _timeline_sql().replace(
                    "{where}", "WHERE t.entry_key IN (SELECT entry_key FROM _written_entries)"
                )
            )
        finally:
            con.unregister("_written_entries")


def refresh_all(con: duckdb.DuckDBPyConnection) -> None:
    """Fill both tables whole (an upgraded warehouse, a full rebuild, a synthetic one)."""
    refresh_latest(con)
    refresh_timeline(con)
