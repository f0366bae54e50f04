"""Which part of the merged timeline a run changed: the SQL half of the incremental merge.

Why: re-merging every event after every run costs time and memory in proportion to the whole
warehouse. `merge.cluster` only ever links events of one *block* (type, authority country,
commodity) and, within a block, of nearby dates, so a run need only re-merge the *segments* its
changed events fall in. The facts that decide this are computed here, in DuckDB, as temporary
tables of the caller's transaction; Python (`merge.update`) reads back only the mentions of
the touched segments.

* Within a block, each event has a *position*: its day (reaching `DAY_TOLERANCE_DAYS`
  further, as far as a day link reaches), or the whole month or year a coarser date names (a
  coarse date joins finer dates inside it, so it couples everything it overlaps); an undated
  event sits on its publication day (undated events link with undated ones only, by that day),
  or is *loose* when it has none: it links with nothing.
* A *segment* is a maximal run of overlapping positions (gaps and islands over the positions
  sorted by start; loose events: one segment per publication value). Every link lies within
  one (the overlaps are a superset of the links), and so does every key clash: an entry's
  content key holds its date, or for an undated entry its first report's publication date.
  Clustering one segment alone gives the entries a full rebuild gives it: the union-find root
  is each component's smallest fact_key and a coarse date only looks at the components of
  finer dates inside it, all in its segment.
* *Dirty articles* are those of runs whose status or end changed since the last merge
  (`merge_runs`: finished, reopened or new) and those `load.refresh_articles` rewrote
  (`merge_pending_articles`): only their latest run, so only their events, can have changed.
* *Hit entries* are the stored entries with an event of a dirty article (gone, superseded by
  a newer run, or moved by a new publication date). The *scope* is every current event in a
  segment holding a current event of a dirty article or of a hit entry, or overlapping where a
  hit entry's events were when it was merged (its key's '#n' numbering and hand-on concern the
  entries there even when none of its events is left). The entries to replace are the hit
  ones and those with an event in the scope.
"""

from __future__ import annotations

import duckdb

from tradeline.warehouse import db
from tradeline.warehouse.merge import DAY_TOLERANCE_DAYS

# One string per block; NULL matches only NULL (as in merge.Mention.block).
BLOCK_SQL = (
    "concat_ws(chr(31), {p}type, coalesce('=' || {p}authority_country, '-'), "
    "coalesce('=' || {p}commodity, '-'))"
)


def _position(date: str, gran: str, published: str) -> str:
    """SQL columns lo, hi (DATE; NULL: no day to place it on) and loose (the island of an
    event that links with none: an undated one not published on a known day) of an event.

    A dated event sits on its day, or spans the month or year a coarser (or unparsable) date
    names: a coarse date joins finer dates inside it, so it couples what overlaps it. An
    undated one sits on its publication day. A day reaches `DAY_TOLERANCE_DAYS` further (hi),
    so overlapping positions are all the links there can be, and some more (safe).
    """
    g = (
        f"coalesce({gran}, CASE length({date}) WHEN 10 THEN 'day' WHEN 7 THEN 'month' "
        f"ELSE 'year' END)"
    )
    year = f"try_cast(left({date}, 4) || '-01-01' AS DATE)"
    month = f"try_cast(left({date}, 7) || '-01' AS DATE)"
    day = f"CASE WHEN length({date}) = 10 THEN try_cast({date} AS DATE) END"
    is_year = f"(length({date}) = 4 OR {g} = 'year' OR {month} IS NULL)"
    is_month = f"(length({date}) = 7 OR {g} = 'month' OR {day} IS NULL)"
    pub_day = f"CASE WHEN length({published}) = 10 THEN try_cast({published} AS DATE) END"
    tol = DAY_TOLERANCE_DAYS
    return f"""
        CASE WHEN {date} IS NULL THEN {pub_day}
             WHEN {is_year} THEN {year} WHEN {is_month} THEN {month} ELSE {day} END AS lo,
        CASE WHEN {date} IS NULL THEN {pub_day} + {tol}
             WHEN {is_year} THEN try_cast(left({date}, 4) || '-12-31' AS DATE)
             WHEN {is_month} THEN last_day({month}) ELSE {day} + {tol} END AS hi,
        CASE WHEN {date} IS NULL THEN 'p:' || coalesce({published}, '')
             ELSE 'd:' || {date} END AS loose"""


# The event columns the scope and `merge.load_mentions` read; the events are first cut to the
# few that can matter (those of the dirty articles, those of the touched blocks) in a temp table
# of their own, so that the joins below never run over every event of the warehouse.
_EVENT_COLUMNS = (
    "e.fact_key, e.article_id, e.run_id, e.type, e.authority_country, e.commodity, "
    "e.event_date, e.date_granularity, e.start_char, e.end_char"
)


def _current(events: str) -> str:
    """The current (latest run, not held back) events among those of the temp table `events`,
    with their block, position and article columns."""
    return f"""
SELECT e.*, {BLOCK_SQL.format(p="e.")} AS block, e.event_date IS NOT NULL AS dated,
       a.published, a.outlet, a.url,
       {_position("e.event_date", "e.date_granularity", "a.published")}
FROM {events} AS e
JOIN latest_runs AS lr ON lr.article_id = e.article_id AND lr.run_id = e.run_id
JOIN articles AS a ON a.article_id = e.article_id
"""


_STEPS = (
    # articles whose latest run may have changed since the last merge
    """
    CREATE OR REPLACE TEMP TABLE _merge_dirty AS
    SELECT DISTINCT article_id FROM article_extractions
    WHERE run_id IN (
        SELECT r.run_id FROM extraction_runs AS r LEFT JOIN merge_runs AS m USING (run_id)
        WHERE m.run_id IS NULL OR m.status <> r.status
           OR m.finished_at IS DISTINCT FROM r.finished_at)
    UNION
    SELECT article_id FROM merge_pending_articles
    """,
    # stored entries with an event of a dirty article (it may be gone, or have moved)
    """
    CREATE OR REPLACE TEMP TABLE _merge_hit AS
    SELECT DISTINCT entry_key FROM timeline_entry_mentions
    WHERE article_id IN (SELECT article_id FROM _merge_dirty)
    """,
    # where those entries' events were when they were merged (a lost entry's key numbering
    # and key hand-on concern the entries there, even when none of its events is left)
    f"""
    CREATE OR REPLACE TEMP TABLE _merge_old AS
    SELECT DISTINCT {BLOCK_SQL.format(p="e.")} AS block, e.type, e.authority_country, e.commodity,
           e.event_date IS NOT NULL AS dated,
           {
        _position(
            "e.event_date",
            "e.date_granularity",
            "CASE WHEN p.article_id IS NULL THEN a.published ELSE p.old_published END",
        )
    }
    FROM timeline_entry_mentions AS tm
    JOIN events AS e ON e.fact_key = tm.fact_key AND e.run_id = tm.run_id
    JOIN articles AS a ON a.article_id = tm.article_id
    LEFT JOIN merge_pending_articles AS p ON p.article_id = tm.article_id
    WHERE tm.entry_key IN (SELECT entry_key FROM _merge_hit)
    """,
    # the dirty articles' events, current or not (their latest run may be any of them)
    f"""
    CREATE OR REPLACE TEMP TABLE _merge_dirty_events AS
    SELECT {_EVENT_COLUMNS} FROM events AS e
    WHERE e.article_id IN (SELECT article_id FROM _merge_dirty)
      AND NOT coalesce(e.held_back, false)
    """,
    # the blocks of the dirty articles' current events and of those places
    f"""
    CREATE OR REPLACE TEMP TABLE _merge_blocks AS
    SELECT block, type, authority_country, commodity FROM ({_current("_merge_dirty_events")})
    UNION
    SELECT block, type, authority_country, commodity FROM _merge_old
    """,
    # the events of those blocks: cut first on the raw columns (NULL matches NULL), so the
    # joins that find the current ones read only these
    f"""
    CREATE OR REPLACE TEMP TABLE _merge_block_events AS
    SELECT {_EVENT_COLUMNS} FROM events AS e
    SEMI JOIN _merge_blocks AS b
      ON e.type = b.type AND e.authority_country IS NOT DISTINCT FROM b.authority_country
     AND e.commodity IS NOT DISTINCT FROM b.commodity
    WHERE NOT coalesce(e.held_back, false)
    """,
    # every current event of those blocks, with its segment: positions sorted by start, a new
    # segment where one starts after every earlier one ended (loose events: their own)
    f"""
    CREATE OR REPLACE TEMP TABLE _merge_current AS
    WITH cur AS ({_current("_merge_block_events")}),
    s AS (
        SELECT *, CASE WHEN lo <= max(hi) OVER before THEN 0 ELSE 1 END AS starts
        FROM cur
        WINDOW before AS (PARTITION BY block, dated, lo IS NULL ORDER BY lo, hi, fact_key
                          ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
    )
    SELECT fact_key, article_id, run_id, type, authority_country, commodity, event_date,
           date_granularity, start_char, end_char, published, outlet, url, block, dated, lo, hi,
           CASE WHEN lo IS NULL THEN loose
                ELSE 's' || sum(starts) OVER upto END AS seg
    FROM s
    WINDOW upto AS (PARTITION BY block, dated, lo IS NULL ORDER BY lo, hi, fact_key
                    ROWS UNBOUNDED PRECEDING)
    """,
    """
    CREATE OR REPLACE TEMP TABLE _merge_segments AS
    SELECT block, dated, seg, min(lo) AS lo, max(hi) AS hi
    FROM _merge_current GROUP BY ALL
    """,
    # the scope: current events of the segments holding a current event of a dirty article
    # or of a hit entry, or overlapping where a hit entry's events were
    """
    CREATE OR REPLACE TEMP TABLE _merge_scope AS
    WITH touched AS (
        SELECT block, dated, seg FROM _merge_current
        WHERE article_id IN (SELECT article_id FROM _merge_dirty)
           OR fact_key IN (SELECT fact_key FROM timeline_entry_mentions
                           WHERE entry_key IN (SELECT entry_key FROM _merge_hit))
        UNION
        SELECT s.block, s.dated, s.seg FROM _merge_segments AS s
        SEMI JOIN _merge_old AS o
          ON o.block = s.block AND o.dated = s.dated
         AND (CASE WHEN o.lo IS NULL THEN s.seg = o.loose
                   ELSE s.lo <= o.hi AND o.lo <= s.hi END)
    )
    SELECT c.fact_key, c.run_id FROM _merge_current AS c SEMI JOIN touched AS t
      ON t.block = c.block AND t.dated = c.dated AND t.seg = c.seg
    """,
    # the stored entries the scope's new entries replace
    """
    CREATE OR REPLACE TEMP TABLE _merge_replaced AS
    SELECT entry_key FROM _merge_hit
    UNION
    SELECT entry_key FROM timeline_entry_mentions
    WHERE fact_key IN (SELECT fact_key FROM _merge_scope)
    """,
)

TEMP_TABLES = (
    "_merge_dirty",
    "_merge_dirty_events",
    "_merge_blocks",
    "_merge_block_events",
    "_merge_current",
    "_merge_segments",
    "_merge_hit",
    "_merge_old",
    "_merge_scope",
    "_merge_replaced",
    "_merge_articles",  # written by merge.update, as are the next ones
    "_merge_changed",
)


def compute(con: duckdb.DuckDBPyConnection) -> None:
    """Fill `_merge_dirty` (article_id), `_merge_current` (the touched blocks' current events,
    with the columns `merge.load_mentions` reads), `_merge_scope` (fact_key, run_id) and
    `_merge_replaced` (entry_key); the caller holds the transaction and calls `record` once the
    new entries are written."""
    # the steps' temp tables need no order: DuckDB then streams them in less memory
    kept = con.execute("SELECT current_setting('preserve_insertion_order')").fetchone()
    con.execute("SET preserve_insertion_order = false")
    try:
        for sql in _STEPS:
            con.execute(sql)
    finally:  # restored once the caller's transaction ends, also when it failed
        db.run_after_transaction(con, [f"SET preserve_insertion_order = {str(kept[0]).lower()}"])


def record(con: duckdb.DuckDBPyConnection) -> None:
    """Remember the runs as merged and forget the rewritten articles; drop the temp tables."""
    con.execute("DELETE FROM merge_runs")
    con.execute("INSERT INTO merge_runs SELECT run_id, status, finished_at FROM extraction_runs")
    con.execute("DELETE FROM merge_pending_articles")
    for table in TEMP_TABLES:
        con.execute(f"DROP TABLE IF EXISTS {table}")
