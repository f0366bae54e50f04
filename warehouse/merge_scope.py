"""Which part of the merged timeline a run changed: the SQL half of the incremental merge.

Why: re-merging every event after every run costs time and memory in proportion to the whole
warehouse. `merge.cluster` only ever links events of one *block* (type, authority country,
commodity) and, within a block, of nearby dates, so a run need only re-merge the *segments* its
changed events fall in. The facts that decide this are computed here, in DuckDB, as temporary
tables of the caller's transaction; Python (`merge.update`) reads back only the mentions of
the touched segments.

* A *window* is one year of a block: the year of the event date for dated events (a month or
  year date only joins dates it contains; two day dates link when at most
  `DAY_TOLERANCE_DAYS` apart), the year of publication for undated ones (they link with
  undated events only, by publication date, within the same tolerance).
* Links cross a year's end only between a date in the last and one in the first
  `DAY_TOLERANCE_DAYS` days of two adjacent years. Two adjacent windows that both have such a
  date are *bridged* (a superset of the real links: safe), and a *segment* is a maximal run of
  bridged windows. No link, and so no entry, crosses segments; clustering one segment alone
  gives the entries a full rebuild gives it (the union-find roots are each component's
  smallest fact_key, and a coarser date only looks at finer dates of its own year).
* *Dirty articles* are those of runs whose status or end changed since the last merge
  (`merge_runs`: finished, reopened or new) and those `load.refresh_articles` rewrote
  (`merge_pending_articles`): only their latest run, so only their events, can have changed.
* *Hit entries* are the stored entries with an event of a dirty article (gone, superseded by
  a newer run, or moved by a new publication date). The *scope* is every current event in a
  segment holding a current event of a dirty article or of a hit entry, or a window a hit
  entry was merged in (its key's '#n' numbering and hand-on concern that window's entries even
  when none of its events is left). The entries to replace are the hit ones and those with an
  event in the scope.
"""

from __future__ import annotations

import duckdb

from tradeline.warehouse.merge import DAY_TOLERANCE_DAYS

# One string per block; NULL matches only NULL (as in merge.Mention.block).
BLOCK_SQL = (
    "concat_ws(chr(31), {p}type, coalesce('=' || {p}authority_country, '-'), "
    "coalesce('=' || {p}commodity, '-'))"
)

_HEAD = f"01-{DAY_TOLERANCE_DAYS:02d}"  # a day date at most this far into its year
_TAIL = f"12-{31 - DAY_TOLERANCE_DAYS + 1:02d}"  # ... or at least this close to its end

_CURRENT = """
SELECT e.fact_key, e.article_id, e.run_id, {block} AS block, e.event_date IS NOT NULL AS dated,
       coalesce(e.event_date, a.published) AS d
FROM events AS e
JOIN latest_runs AS lr ON lr.article_id = e.article_id AND lr.run_id = e.run_id
JOIN articles AS a ON a.article_id = e.article_id
WHERE NOT coalesce(e.held_back, false)
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
    # the windows those entries were merged in (a lost entry's key numbering and key
    # hand-on concern the entries of its old window, even when none of its events is left)
    f"""
    CREATE OR REPLACE TEMP TABLE _merge_old_windows AS
    SELECT DISTINCT {BLOCK_SQL.format(p="t.")} AS block, t.event_date IS NOT NULL AS dated,
           try_cast(left(CASE WHEN e.event_date IS NOT NULL THEN e.event_date
                              WHEN p.article_id IS NOT NULL THEN p.old_published
                              ELSE a.published END, 4) AS INTEGER) AS yr
    FROM timeline_entry_mentions AS tm
    JOIN timeline_entries AS t USING (entry_key)
    JOIN events AS e ON e.fact_key = tm.fact_key AND e.run_id = tm.run_id
    JOIN articles AS a ON a.article_id = tm.article_id
    LEFT JOIN merge_pending_articles AS p ON p.article_id = tm.article_id
    WHERE tm.entry_key IN (SELECT entry_key FROM _merge_hit)
    """,
    # the blocks of the dirty articles' current events and of those windows
    f"""
    CREATE OR REPLACE TEMP TABLE _merge_blocks AS
    WITH cur AS ({_CURRENT.format(block=BLOCK_SQL.format(p="e."))}
                 AND e.article_id IN (SELECT article_id FROM _merge_dirty))
    SELECT block FROM cur
    UNION
    SELECT block FROM _merge_old_windows
    """,
    # every current event of those blocks, with its window (year) and edge-of-year flags
    f"""
    CREATE OR REPLACE TEMP TABLE _merge_current AS
    WITH cur AS ({_CURRENT.format(block=BLOCK_SQL.format(p="e."))}
                 AND {BLOCK_SQL.format(p="e.")} IN (SELECT block FROM _merge_blocks))
    SELECT fact_key, article_id, run_id, block, dated,
           try_cast(left(d, 4) AS INTEGER) AS yr,
           coalesce(length(d) = 10 AND substr(d, 6) <= '{_HEAD}', false) AS head,
           coalesce(length(d) = 10 AND substr(d, 6) >= '{_TAIL}', false) AS tail
    FROM cur
    """,
    # windows -> segments: a window starts a new segment unless bridged to the year before
    """
    CREATE OR REPLACE TEMP TABLE _merge_segments AS
    WITH w AS (
        SELECT block, dated, yr, bool_or(head) AS head, bool_or(tail) AS tail
        FROM _merge_current GROUP BY ALL
    ), s AS (
        SELECT *, CASE WHEN yr IS NOT NULL AND head AND lag(yr) OVER p = yr - 1
                            AND lag(tail) OVER p THEN 0 ELSE 1 END AS starts
        FROM w WINDOW p AS (PARTITION BY block, dated ORDER BY yr NULLS LAST)
    )
    SELECT block, dated, yr,
           sum(starts) OVER (PARTITION BY block, dated ORDER BY yr NULLS LAST
                             ROWS UNBOUNDED PRECEDING) AS seg
    FROM s
    """,
    # the scope: current events of the segments holding a current event of a dirty article,
    # a current event of a hit entry, or a window a hit entry was merged in
    """
    CREATE OR REPLACE TEMP TABLE _merge_scope AS
    WITH c AS (
        SELECT c.*, s.seg FROM _merge_current AS c
        JOIN _merge_segments AS s
          ON s.block = c.block AND s.dated = c.dated AND s.yr IS NOT DISTINCT FROM c.yr
    ), touched AS (
        SELECT block, dated, seg FROM c
        WHERE article_id IN (SELECT article_id FROM _merge_dirty)
           OR fact_key IN (SELECT fact_key FROM timeline_entry_mentions
                           WHERE entry_key IN (SELECT entry_key FROM _merge_hit))
        UNION
        SELECT s.block, s.dated, s.seg FROM _merge_segments AS s
        SEMI JOIN _merge_old_windows AS w
          ON w.block = s.block AND w.dated = s.dated AND w.yr IS NOT DISTINCT FROM s.yr
    )
    SELECT c.fact_key, c.run_id FROM c SEMI JOIN touched AS t
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
    "_merge_blocks",
    "_merge_current",
    "_merge_segments",
    "_merge_hit",
    "_merge_old_windows",
    "_merge_scope",
    "_merge_replaced",
)


def compute(con: duckdb.DuckDBPyConnection) -> None:
    """Fill `_merge_scope` (fact_key, run_id) and `_merge_replaced` (entry_key); the caller
    holds the transaction and calls `record` once the new entries are written."""
    for sql in _STEPS:
        con.execute(sql)


def record(con: duckdb.DuckDBPyConnection) -> None:
    """Remember the runs as merged and forget the rewritten articles; drop the temp tables."""
    con.execute("DELETE FROM merge_runs")
    con.execute("INSERT INTO merge_runs SELECT run_id, status, finished_at FROM extraction_runs")
    con.execute("DELETE FROM merge_pending_articles")
    for table in TEMP_TABLES:
        con.execute(f"DROP TABLE IF EXISTS {table}")
