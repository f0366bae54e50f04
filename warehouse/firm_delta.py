"""`firm_stats` and `firm_entries` of the firms a run named, updated by the links it changed.

Why: a run's articles name the busiest firms again, and recomputing such a firm's counts, dates
and tickers from every one of its links (114k for the busiest firm of a 1M-article warehouse)
costs each run time and memory in proportion to the warehouse. `materialized` rewrites the
`company_links` of whole articles, so it knows the links it removed (`_mat_old_links`) and
wrote (`_mat_new_links`); for a firm whose spellings were not regrouped:

* the counts of distinct articles and events are sums over articles (every link of an article
  is removed or written together): stored − removed + written;
* `firm_entries` is re-derived for the (firm, entry) pairs those links name only, and
  `n_events` counts the firm's pairs;
* an earliest or latest date is the stored one combined with the written links' unless a removed
  link held it and the written ones do not reach it; the ticker list likewise, unless a removed
  link's ticker is not written again. Then, or when the firm has no stored row or may have lost
  its last link, `materialized.refresh_firms` recomputes it whole, as before;
* the registry's columns (spelling, aliases, first and last stored) are read again per firm.
"""

from __future__ import annotations

import duckdb

from tradeline.warehouse import pushdown

OLD = "_mat_old_links"
NEW = "_mat_new_links"
SPOILED = "_fd_spoiled"  # links rewritten twice, or whole, since the last refresh_firms
TEMP_TABLES = (OLD, NEW, SPOILED, "_fd_links", "_fd_rows", "_fd_pairs")

_LINK_COLUMNS = "l.article_id, l.kind, l.fact_key, l.entry_key, l.shown, l.ticker, l.published"

_LINKS_SQL = f"""
CREATE OR REPLACE TEMP TABLE _fd_links AS
SELECT fk.firm_key, 'old' AS side, {_LINK_COLUMNS}
FROM {OLD} AS l JOIN firm_keys AS fk USING (canonical_key)
WHERE fk.firm_key IN (SELECT firm_key FROM {{firms}})
UNION ALL
SELECT fk.firm_key, 'new', {_LINK_COLUMNS}
FROM {NEW} AS l JOIN firm_keys AS fk USING (canonical_key)
WHERE fk.firm_key IN (SELECT firm_key FROM {{firms}})
"""


def _earliest(old: str, stored: str, new: str) -> tuple[str, str]:
    """(exact, value) of a min over the firm's links from the removed (`old`) and written
    (`new`) links' mins and the stored one."""
    exact = f"coalesce({old} IS NULL OR {old} > {stored} OR {new} <= {old}, false)"
    return exact, f"least({stored}, {new})"  # DuckDB's least and greatest skip NULLs


def _latest(old: str, stored: str, new: str) -> tuple[str, str]:
    exact = f"coalesce({old} IS NULL OR {old} < {stored} OR {new} >= {old}, false)"
    return exact, f"greatest({stored}, {new})"


_DATES = {
    "first_published": _earliest("o.pmin", "s.first_published", "n.pmin"),
    "last_published": _latest("o.pmax", "s.last_published", "n.pmax"),
    "first_seen": _earliest("o.smin", "s.first_seen", "n.smin"),
    "last_seen": _latest("o.smax", "s.last_seen", "n.smax"),
}

# per firm and side: what the stats sum, and the extremes and tickers of its links
_AGG = """
SELECT firm_key,
       count(DISTINCT article_id) FILTER (WHERE kind = 'mention') AS arts,
       count(DISTINCT fact_key) FILTER (WHERE kind = 'event' AND shown) AS shown,
       count(DISTINCT fact_key) FILTER (WHERE kind = 'event' AND entry_key IS NOT NULL)
           AS merged,
       min(published) FILTER (WHERE kind = 'mention') AS pmin,
       max(published) FILTER (WHERE kind = 'mention') AS pmax,
       min(published) FILTER (WHERE kind = 'mention' OR entry_key IS NOT NULL) AS smin,
       max(published) FILTER (WHERE kind = 'mention' OR entry_key IS NOT NULL) AS smax,
       list(DISTINCT ticker) FILTER (WHERE kind = 'mention' AND ticker IS NOT NULL) AS tick,
       count(*) AS n
FROM _fd_links WHERE side = '{side}' GROUP BY firm_key
"""

_ROWS_SQL = f"""
CREATE OR REPLACE TEMP TABLE _fd_rows AS
WITH o AS ({_AGG.format(side="old")}), n AS ({_AGG.format(side="new")}),
merged AS (
    SELECT s.*, o.arts AS o_arts, o.shown AS o_shown, o.merged AS o_merged, o.tick AS o_tick,
           o.n AS o_n, n.arts AS n_arts, n.shown AS n_shown, n.merged AS n_merged,
           n.tick AS n_tick, n.n AS n_n,
           {", ".join(f"{v} AS new_{k}" for k, (_, v) in _DATES.items())},
           {" AND ".join(e for e, _ in _DATES.values())}
           AND (o.tick IS NULL OR list_has_all(coalesce(n.tick, []), o.tick))
           AND (coalesce(n.n, 0) > 0 OR coalesce(o.n, 0) = 0) AS exact
    FROM firm_stats AS s
    LEFT JOIN o USING (firm_key) LEFT JOIN n USING (firm_key)
    WHERE s.firm_key IN (SELECT firm_key FROM {{firms}})
)
SELECT * FROM merged WHERE exact
"""


def capture_old(con: duckdb.DuckDBPyConnection, links: str) -> None:
    """Keep the links (the table `links`, `company_links` rows) of the articles about to be
    rewritten; a second rewrite before `drop` spoils the kept links (the firms are then
    recomputed)."""
    if _exists(con, OLD) or _exists(con, SPOILED):
        spoil(con)
        return
    _capture(con, OLD, links)


def capture_new(con: duckdb.DuckDBPyConnection, links: str) -> None:
    """Keep the links (the table `links`) the rewrite wrote."""
    if _exists(con, OLD) and not _exists(con, NEW):
        _capture(con, NEW, links)


def spoil(con: duckdb.DuckDBPyConnection) -> None:
    """The links were rewritten other than once by article: no delta until `drop`."""
    con.execute(f"DROP TABLE IF EXISTS {OLD}")
    con.execute(f"DROP TABLE IF EXISTS {NEW}")
    con.execute(f"CREATE TEMP TABLE IF NOT EXISTS {SPOILED} (spoiled BOOLEAN)")


def _capture(con: duckdb.DuckDBPyConnection, table: str, links: str) -> None:
    con.execute(f"CREATE TEMP TABLE {table} AS SELECT * FROM {links}")


def _exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    row = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE temporary AND table_name = ?", [table]
    ).fetchone()
    return bool(row and row[0])


def captured(con: duckdb.DuckDBPyConnection) -> bool:
    """Were the links of exactly one rewrite kept (`capture_old`, then `capture_new`)?"""
    return _exists(con, OLD) and _exists(con, NEW) and not _exists(con, SPOILED)


def apply(con: duckdb.DuckDBPyConnection, firms: str) -> set[str]:
    """Update the rows of the firms in the table `firms` (column firm_key: firms not regrouped)
    that the kept links allow (module docstring); returns their keys, which the caller need not
    recompute. The caller holds the transaction."""
    con.execute(_LINKS_SQL.format(firms=firms))
    con.execute(_ROWS_SQL.format(firms=firms))
    done = {r[0] for r in con.execute("SELECT firm_key FROM _fd_rows").fetchall()}
    if not done:
        return done
    keys = pushdown.in_list("firm_key", done)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _fd_pairs AS SELECT DISTINCT firm_key, entry_key "
        f"FROM _fd_links WHERE kind = 'event' AND entry_key IS NOT NULL AND {keys}"
    )
    con.execute(
        "DELETE FROM firm_entries USING _fd_pairs AS p "
        "WHERE firm_entries.firm_key = p.firm_key AND firm_entries.entry_key = p.entry_key"
    )
    entries = [r[0] for r in con.execute("SELECT DISTINCT entry_key FROM _fd_pairs").fetchall()]
    con.execute(
        "INSERT INTO firm_entries SELECT DISTINCT fk.firm_key, l.entry_key "
        "FROM company_links AS l JOIN firm_keys AS fk USING (canonical_key) "
        "SEMI JOIN _fd_pairs AS p ON p.firm_key = fk.firm_key AND p.entry_key = l.entry_key "
        f"WHERE l.kind = 'event' AND {pushdown.in_list('l.entry_key', entries)}"
    )
    fk_keys = pushdown.in_list("fk.firm_key", done)
    con.execute(f"DELETE FROM firm_stats WHERE {keys}")
    con.execute(
        f"""
        INSERT INTO firm_stats
        WITH stored AS (
            SELECT fk.firm_key, min(r.first_seen) AS first_stored, max(r.last_seen) AS last_stored
            FROM firm_keys AS fk JOIN company_registry AS r USING (canonical_key)
            WHERE {fk_keys} GROUP BY fk.firm_key
        ),
        alias_lists AS (
            SELECT fk.firm_key, list(DISTINCT ca.alias ORDER BY ca.alias) AS aliases
            FROM company_aliases AS ca JOIN firm_keys AS fk USING (canonical_key)
            WHERE {fk_keys} GROUP BY fk.firm_key
        ),
        entry_counts AS (
            SELECT firm_key, count(*) AS n FROM firm_entries WHERE {keys} GROUP BY firm_key
        ),
        tickers AS (
            SELECT firm_key,
                   list_sort(list_distinct(list_concat(coalesce(tickers, []),
                                                       coalesce(n_tick, [])))) AS t
            FROM _fd_rows
        )
        SELECT d.firm_key, c.canonical, coalesce(al.aliases, []::VARCHAR[]), st.first_stored,
               st.last_stored, d.n_articles - coalesce(d.o_arts, 0) + coalesce(d.n_arts, 0),
               CASE WHEN len(t.t) > 0 THEN t.t END, d.new_first_published,
               d.new_last_published,
               d.n_events_shown - coalesce(d.o_shown, 0) + coalesce(d.n_shown, 0),
               coalesce(ec.n, 0),
               d.n_event_mentions - coalesce(d.o_merged, 0) + coalesce(d.n_merged, 0),
               d.new_first_seen, d.new_last_seen
        FROM _fd_rows AS d
        JOIN stored AS st USING (firm_key)
        JOIN company_registry AS c ON c.canonical_key = d.firm_key
        JOIN tickers AS t USING (firm_key)
        LEFT JOIN alias_lists AS al USING (firm_key)
        LEFT JOIN entry_counts AS ec USING (firm_key)
        """
    )
    return done


def drop(con: duckdb.DuckDBPyConnection) -> None:
    """Forget the kept links (the end of `materialized.refresh_firms`)."""
    for table in TEMP_TABLES:
        con.execute(f"DROP TABLE IF EXISTS {table}")
