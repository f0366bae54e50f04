"""Which part of the merged timeline a run changed: the scope of the incremental merge.

Why: re-merging every event after every run costs time and memory in proportion to the whole
warehouse, and so does re-merging every event whose date merely overlaps a changed one (a
year-dated event overlaps a whole year of its busy block). The stored entries are already the
connected components of the merge rule, so a run need only re-merge its changed events, the
stored entries they can link to, and, transitively, the stored entries those can link to.

* *Dirty articles* are those of runs whose status or end changed since the last merge
  (`merge_runs`: finished, reopened or new) and those `load.refresh_articles` rewrote
  (`merge_pending_articles`): only their latest run, so only their events, can have changed.
* *Hit entries* are the stored entries with an event of a dirty article (gone, superseded by
  a newer run, or moved by a new publication date): all their current events are re-merged.
* Two current events of one block *can interact* (`_PAIRS_SQL`, then `merge.companies_compatible`
  in Python) when their companies are compatible and
  - both are day-dated at most `DAY_TOLERANCE_DAYS` apart, or both undated and published at
    most that far apart (a day link);
  - both are month- or both year-dated with the same date (a link of coarse dates no finer
    entry takes);
  - one's date is coarser and a prefix of the other's (the coarse one may join the finer one's
    entry; which one it joins depends on the size of every such entry, so all of them count).
* The *scope* is the smallest set of current events holding the dirty articles' current events
  and the hit entries' events, closed under "can interact" and under "the whole stored entry of
  every event in it". No event outside it interacts with one inside, so `merge.cluster` of the
  scope alone links, sizes and joins exactly as a full rebuild does there, and it is made of
  whole stored entries, which it replaces (`_merge_replaced`).
* Key numbering ('#n' among entries of one content key) is closed by `merge.update`: stored
  entries sharing a content key with a replaced or re-merged one join the scope (`extend`).
* The touched blocks' events are read into `_merge_current` a bucket at a time (a date's first
  four characters; one bucket for undated events), only the buckets the scope's events can
  reach (`_WANTED_SQL`), so a run reads the years it touches, not every year of a busy block.
"""

from __future__ import annotations

from collections.abc import Iterable

import duckdb

from tradeline.identity import comparable
from tradeline.warehouse import db, materialized
from tradeline.warehouse.merge import DAY_TOLERANCE_DAYS, sets_compatible

# One string per block; NULL matches only NULL (as in merge.Mention.block).
BLOCK_SQL = (
    "concat_ws(chr(31), {p}type, coalesce('=' || {p}authority_country, '-'), "
    "coalesce('=' || {p}commodity, '-'))"
)

# The event columns the scope and `merge.load_mentions` read; the events are first cut to the
# few that can matter (those of the dirty articles, those of the touched blocks) in a temp table
# of their own, so that the joins below never run over every event of the warehouse.
_EVENT_COLUMNS = (
    "e.fact_key, e.article_id, e.run_id, e.type, e.authority_country, e.commodity, "
    "e.event_date, e.date_granularity, e.start_char, e.end_char"
)

# merge._granularity in SQL: 'day', 'month', 'year' (or a stored other value), NULL: undated
_GRAN = (
    "CASE WHEN e.event_date IS NOT NULL THEN coalesce(e.date_granularity, "
    "CASE length(e.event_date) WHEN 10 THEN 'day' WHEN 7 THEN 'month' WHEN 4 THEN 'year' END) "
    "END"
)


def _current(events: str) -> str:
    """The current (latest run, not held back) events among those of the temp table `events`,
    with their block and article columns (`latest_article_runs`: the dirty articles' rows are
    rewritten first, the others' latest run is the one of the last merge)."""
    return f"""
SELECT e.*, {BLOCK_SQL.format(p="e.")} AS block, a.published, a.outlet, a.url
FROM {events} AS e
JOIN latest_article_runs AS lr ON lr.article_id = e.article_id AND lr.run_id = e.run_id
JOIN articles AS a ON a.article_id = e.article_id
"""


# The current events of a block's bucket, with what "can interact" reads: granularity, the day
# a day link measures from, the stored entry holding it, its companies.
_CURRENT_SQL = f"""
WITH cur AS (
    SELECT e.* EXCLUDE (bucket), a.published, a.outlet, a.url
    FROM {{events}} AS e
    JOIN latest_article_runs AS lr ON lr.article_id = e.article_id AND lr.run_id = e.run_id
    JOIN articles AS a ON a.article_id = e.article_id
),
listed AS (
    SELECT ec.fact_key, ec.run_id, list(ec.company ORDER BY ec.position) AS companies
    FROM event_companies AS ec SEMI JOIN cur USING (fact_key, run_id)
    GROUP BY ec.fact_key, ec.run_id
)
SELECT e.*, {_GRAN} AS gran,
       CASE WHEN e.event_date IS NULL AND length(e.published) = 10
            THEN try_cast(e.published AS DATE)
            WHEN {_GRAN} = 'day' AND length(e.event_date) = 10
            THEN try_cast(e.event_date AS DATE) END AS link_day,
       tm.entry_key, coalesce(l.companies, []) AS companies
FROM cur AS e
LEFT JOIN timeline_entry_mentions AS tm ON tm.fact_key = e.fact_key AND tm.run_id = e.run_id
LEFT JOIN listed AS l ON l.fact_key = e.fact_key AND l.run_id = e.run_id
"""

# articles whose latest run may have changed since the last merge
_DIRTY_SQL = """
    CREATE OR REPLACE TEMP TABLE _merge_dirty AS
    SELECT DISTINCT article_id FROM article_extractions
    WHERE run_id IN (
        SELECT r.run_id FROM extraction_runs AS r LEFT JOIN merge_runs AS m USING (run_id)
        WHERE m.run_id IS NULL OR m.status <> r.status
           OR m.finished_at IS DISTINCT FROM r.finished_at)
    UNION
    SELECT article_id FROM merge_pending_articles
    """
_STEPS = (
    # stored entries with an event of a dirty article (it may be gone, or have moved)
    """
    CREATE OR REPLACE TEMP TABLE _merge_hit AS
    SELECT DISTINCT entry_key FROM timeline_entry_mentions
    WHERE article_id IN (SELECT article_id FROM _merge_dirty)
    """,
    # the dirty articles' events, current or not (their latest run may be any of them)
    f"""
    CREATE OR REPLACE TEMP TABLE _merge_dirty_events AS
    SELECT {_EVENT_COLUMNS} FROM events AS e
    WHERE e.article_id IN (SELECT article_id FROM _merge_dirty)
      AND NOT coalesce(e.held_back, false)
    """,
    # the blocks of the dirty articles' current events and of the hit entries
    f"""
    CREATE OR REPLACE TEMP TABLE _merge_blocks AS
    SELECT type, authority_country, commodity FROM ({_current("_merge_dirty_events")})
    UNION
    SELECT type, authority_country, commodity FROM timeline_entries
    WHERE entry_key IN (SELECT entry_key FROM _merge_hit)
    """,
    # the events of those blocks: cut first on the raw columns (NULL matches NULL), so the
    # joins that find the current ones read only these; each in its bucket (`_WANTED_SQL`)
    f"""
    CREATE OR REPLACE TEMP TABLE _merge_block_events AS
    SELECT {_EVENT_COLUMNS}, {BLOCK_SQL.format(p="e.")} AS block,
           CASE WHEN e.event_date IS NULL THEN 'u' ELSE left(e.event_date, 4) END AS bucket
    FROM events AS e
    SEMI JOIN _merge_blocks AS b
      ON e.type = b.type AND e.authority_country IS NOT DISTINCT FROM b.authority_country
     AND e.commodity IS NOT DISTINCT FROM b.commodity
    WHERE NOT coalesce(e.held_back, false)
    """,
    "CREATE OR REPLACE TEMP TABLE _merge_loaded (block VARCHAR, bucket VARCHAR)",
    f"""
    CREATE OR REPLACE TEMP TABLE _merge_current AS
    SELECT * FROM ({_CURRENT_SQL.replace("{events}", "_merge_block_events")}) LIMIT 0
    """,
)

# Buckets: the events of a block are loaded into `_merge_current` a bucket at a time (the first
# four characters of the date, or 'u' for every undated one: their publication date is not read
# for the whole block), only those the frontier's events can reach: their own and their date's
# shorter prefixes (coarser dates that can join them), the years a day link reaches, and every
# bucket under a coarse date shorter than a year (`prefix`).
_WANTED_SQL = f"""
WITH x AS (SELECT * FROM _merge_current SEMI JOIN _merge_frontier USING (fact_key)),
w AS (
    SELECT block, unnest([left(event_date, 1), left(event_date, 2), left(event_date, 3),
                          left(event_date, 4),
                          strftime(link_day - {DAY_TOLERANCE_DAYS}, '%Y'),
                          strftime(link_day + {DAY_TOLERANCE_DAYS}, '%Y')]) AS bucket,
           false AS prefix
    FROM x WHERE event_date IS NOT NULL
    UNION ALL
    SELECT block, event_date, true FROM x
    WHERE gran IN ('month', 'year') AND length(event_date) BETWEEN 1 AND 3
    UNION ALL
    SELECT block, 'u', false FROM x WHERE event_date IS NULL AND link_day IS NOT NULL
)
SELECT block, bucket, prefix FROM w WHERE bucket IS NOT NULL
"""
# the buckets of the events of the stored entries in `_merge_add` (entry_key)
_MEMBER_BUCKETS_SQL = """
SELECT DISTINCT b.block, b.bucket, false AS prefix FROM _merge_block_events AS b
SEMI JOIN timeline_entry_mentions AS tm ON tm.fact_key = b.fact_key AND tm.run_id = b.run_id
  AND tm.entry_key IN (SELECT entry_key FROM _merge_add)
"""
_SEEDS_SQL = """
SELECT DISTINCT b.block, b.bucket, false AS prefix FROM _merge_block_events AS b
WHERE b.article_id IN (SELECT article_id FROM _merge_dirty)
UNION
SELECT DISTINCT b.block, b.bucket, false FROM _merge_block_events AS b
SEMI JOIN timeline_entry_mentions AS tm ON tm.fact_key = b.fact_key AND tm.run_id = b.run_id
  AND tm.entry_key IN (SELECT entry_key FROM _merge_hit)
"""
# the scope so far: the dirty articles' current events and the hit entries' events
_START_SQL = (
    """
    CREATE OR REPLACE TEMP TABLE _merge_in AS
    SELECT fact_key FROM _merge_current
    WHERE article_id IN (SELECT article_id FROM _merge_dirty)
       OR entry_key IN (SELECT entry_key FROM _merge_hit)
    """,
    "CREATE OR REPLACE TEMP TABLE _merge_frontier AS SELECT fact_key FROM _merge_in",
)


def _load(con: duckdb.DuckDBPyConnection, wanted: str) -> None:
    """Load into `_merge_current` the buckets (block, bucket, prefix) that the query `wanted`
    names and that are not loaded yet."""
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _merge_new_buckets AS
        SELECT DISTINCT b.block, b.bucket FROM _merge_block_events AS b
        SEMI JOIN ({wanted}) AS w ON w.block = b.block
         AND (b.bucket = w.bucket OR (w.prefix AND starts_with(b.bucket, w.bucket)))
        ANTI JOIN _merge_loaded AS l ON l.block = b.block AND l.bucket = b.bucket
        """
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _merge_new_events AS SELECT * FROM _merge_block_events "
        "SEMI JOIN _merge_new_buckets USING (block, bucket)"
    )
    con.execute(
        "INSERT INTO _merge_current " + _CURRENT_SQL.replace("{events}", "_merge_new_events")
    )
    con.execute("INSERT INTO _merge_loaded SELECT * FROM _merge_new_buckets")


_RANK = "CASE {g} WHEN 'day' THEN 0 WHEN 'month' THEN 1 WHEN 'year' THEN 2 END"

# The events outside the scope that an event of the frontier (the events last added to it) can
# interact with by date (module docstring); their companies are compared in Python. Distinct
# pairs of company lists and stored entries: a busy block repeats a few firms.
_PAIRS_SQL = f"""
WITH x AS (SELECT * FROM _merge_current SEMI JOIN _merge_frontier USING (fact_key)),
y AS (SELECT * FROM _merge_current ANTI JOIN _merge_in USING (fact_key)),
lens AS (SELECT DISTINCT length(event_date) AS n FROM x
         WHERE gran IN ('month', 'year') AND length(event_date) > 0),
y_prefixes AS (SELECT y.*, lens.n, left(y.event_date, lens.n) AS prefix FROM y, lens
               WHERE y.gran IN ('day', 'month')),
x_prefixes AS (SELECT x.*, unnest(range(1, length(x.event_date) + 1)) AS n FROM x
               WHERE x.gran IN ('day', 'month')),
pairs AS (
    -- a day link (both day-dated, or both undated by publication day)
    SELECT x.companies AS xc, y.companies AS yc, y.entry_key, y.fact_key FROM x JOIN y
      ON x.block = y.block AND (x.gran IS NULL) = (y.gran IS NULL)
     AND y.link_day BETWEEN x.link_day - {DAY_TOLERANCE_DAYS}
                        AND x.link_day + {DAY_TOLERANCE_DAYS}
    UNION ALL
    -- coarse dates of one granularity: the same date
    SELECT x.companies, y.companies, y.entry_key, y.fact_key FROM x JOIN y
      ON x.block = y.block AND x.gran = y.gran AND x.event_date = y.event_date
    WHERE x.gran IN ('month', 'year')
    UNION ALL
    -- x coarser: y's date starts with x's
    SELECT x.companies, y.companies, y.entry_key, y.fact_key FROM x JOIN y_prefixes AS y
      ON x.block = y.block AND length(x.event_date) = y.n AND x.event_date = y.prefix
    WHERE {_RANK.format(g="y.gran")} < {_RANK.format(g="x.gran")}
    UNION ALL
    -- y coarser: x's date starts with y's
    SELECT x.companies, y.companies, y.entry_key, y.fact_key
    FROM x_prefixes AS x JOIN y
      ON x.block = y.block AND y.event_date = left(x.event_date, x.n)
    WHERE y.gran IN ('month', 'year')
      AND {_RANK.format(g="x.gran")} < {_RANK.format(g="y.gran")}
)
SELECT DISTINCT xc, yc, entry_key, CASE WHEN entry_key IS NULL THEN fact_key END FROM pairs
"""

TEMP_TABLES = (
    "_merge_dirty",
    "_merge_dirty_events",
    "_merge_blocks",
    "_merge_block_events",
    "_merge_current",
    "_merge_hit",
    "_merge_loaded",
    "_merge_new_buckets",
    "_merge_new_events",
    "_merge_add",
    "_merge_in",
    "_merge_frontier",
    "_merge_scope",
    "_merge_replaced",
    "_merge_articles",  # written by merge.update, as are the next ones
    "_merge_changed",
)


def _norm(companies: Iterable[str]) -> frozenset[str]:
    return frozenset(n for n in map(comparable, companies) if n)


def _close(con: duckdb.DuckDBPyConnection) -> None:
    """Grow `_merge_in` from `_merge_frontier` until nothing outside can interact with it."""
    while True:
        _load(con, _WANTED_SQL)
        entries: set[str] = set()
        loose: set[str] = set()  # current events in no stored entry (none after a merge)
        for xc, yc, entry_key, fact_key in con.execute(_PAIRS_SQL).fetchall():
            if sets_compatible(_norm(xc), _norm(yc)):
                if entry_key is None:
                    loose.add(fact_key)
                else:
                    entries.add(entry_key)
        if not entries and not loose:
            return
        _add(con, entries, loose)


def _add(con: duckdb.DuckDBPyConnection, entries: Iterable[str], loose: Iterable[str]) -> None:
    """Make the stored entries' current events and the `loose` events the new frontier."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _merge_add AS SELECT unnest(?::VARCHAR[]) AS entry_key",
        [sorted(entries)],
    )
    _load(con, _MEMBER_BUCKETS_SQL)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _merge_frontier AS "
        "SELECT fact_key FROM _merge_current ANTI JOIN _merge_in USING (fact_key) "
        "WHERE entry_key IN (SELECT unnest(?::VARCHAR[])) "
        "   OR fact_key IN (SELECT unnest(?::VARCHAR[]))",
        [sorted(entries), sorted(loose)],
    )
    con.execute("INSERT INTO _merge_in SELECT fact_key FROM _merge_frontier")


def _finish(con: duckdb.DuckDBPyConnection) -> None:
    """`_merge_scope` (fact_key, run_id) and `_merge_replaced` (entry_key) from `_merge_in`."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _merge_scope AS SELECT fact_key, run_id "
        "FROM _merge_current SEMI JOIN _merge_in USING (fact_key)"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _merge_replaced AS "
        "SELECT entry_key FROM _merge_hit UNION "
        "SELECT entry_key FROM _merge_current SEMI JOIN _merge_in USING (fact_key) "
        "WHERE entry_key IS NOT NULL"
    )


def compute(con: duckdb.DuckDBPyConnection) -> None:
    """Rewrite the dirty articles' `latest_article_runs` rows; fill `_merge_dirty` (article_id),
    `_merge_current` (the touched blocks' current events,
    with the columns `merge.load_mentions` reads), `_merge_scope` (fact_key, run_id) and
    `_merge_replaced` (entry_key); the caller holds the transaction and calls `record` once the
    new entries are written."""
    # the steps' temp tables need no order: DuckDB then streams them in less memory
    kept = con.execute("SELECT current_setting('preserve_insertion_order')").fetchone()
    con.execute("SET preserve_insertion_order = false")
    try:
        con.execute(_DIRTY_SQL)
        materialized.refresh_latest(con, "_merge_dirty")
        for sql in _STEPS:
            con.execute(sql)
        _load(con, _SEEDS_SQL)
        for sql in _START_SQL:
            con.execute(sql)
        _close(con)
        _finish(con)
    finally:  # restored once the caller's transaction ends, also when it failed
        db.run_after_transaction(con, [f"SET preserve_insertion_order = {str(kept[0]).lower()}"])


def extend(con: duckdb.DuckDBPyConnection, entries: Iterable[str]) -> None:
    """Add the stored `entries` (and what then can interact with the scope) to the scope of
    `compute`: they share a content key with an entry of the scope (`merge.update`)."""
    _add(con, entries, ())
    _close(con)
    _finish(con)


def record(con: duckdb.DuckDBPyConnection) -> None:
    """Remember the runs as merged and forget the rewritten articles; drop the temp tables."""
    con.execute("DELETE FROM merge_runs")
    con.execute("INSERT INTO merge_runs SELECT run_id, status, finished_at FROM extraction_runs")
    con.execute("DELETE FROM merge_pending_articles")
    for table in TEMP_TABLES:
        con.execute(f"DROP TABLE IF EXISTS {table}")
