"""The warehouse side of alerts (migration 011): when each watch was first seen, which entries
are candidates, what was sent to whom, and the outcome of each delivery. Each function runs in
the caller's connection; `notify.py` keeps them short, sending with no connection open.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import duckdb

from tradeline.alerts.matching import Entry, Record
from tradeline.warehouse.db import transaction

RecordKey = tuple[str, str, str, str]  # (watch, entry_key, destination_key, reason)


@dataclass(frozen=True)
class Outcome:
    """One alert tried (or skipped), to be recorded."""

    watch: str
    entry_key: str
    destination_key: str
    destination: str  # redacted
    reason: str
    status: str  # sent | failed | skipped
    n_sources: int
    error: str | None = None
    fact_keys: tuple[str, ...] = ()
    supersedes: str | None = None  # the continued entry key whose failed row this replaces


@dataclass(frozen=True)
class Seen:
    """Per (watch, destination key): since when entries are news to it, and from when the
    next pass must look (the newest article the last sending pass considered, else since)."""

    since: dict[tuple[str, str], datetime]
    look_from: datetime | None  # None: no watch registered


def _many(con: duckdb.DuckDBPyConnection, sql: str, rows: Sequence[Sequence[object]]) -> None:
    """`executemany`, which DuckDB refuses for no rows."""
    if rows:
        con.executemany(sql, rows)


def register_watches(
    con: duckdb.DuckDBPyConnection,
    destinations: Sequence[tuple[str, str, str]],
    run_id: str | None,
    now: datetime,
) -> Seen:
    """Register each (watch, destination key, criteria hash) not seen before as of `now`, and
    restart a watch whose criteria changed as of `now` (a widened watch does not send its
    history); return when each was first seen and where the next pass starts looking."""
    with transaction(con):
        _many(
            con,
            """UPDATE alert_watches SET created_at = ?, run_id = ?, criteria = ?
               WHERE watch = ? AND criteria <> ?""",
            [[now, run_id, c, w, c] for w, _, c in destinations],
        )
        _many(
            con,
            "INSERT INTO alert_watches VALUES (?, ?, ?, ?, ?, NULL) ON CONFLICT DO NOTHING",
            [[w, d, now, run_id, c] for w, d, c in destinations],
        )
    wanted = {(w, d) for w, d, _ in destinations}
    since, look_from = {}, None
    for watch, dest, created, considered in con.execute(
        "SELECT watch, destination_key, created_at, considered_until FROM alert_watches"
    ).fetchall():
        if (watch, dest) in wanted:
            since[(watch, dest)] = created
            start = considered if considered is not None else created
            look_from = start if look_from is None else min(look_from, start)
    return Seen(since, look_from)


def considered(
    con: duckdb.DuckDBPyConnection, destinations: Iterable[tuple[str, str]], until: datetime
) -> None:
    """Record that a sending pass considered every article stored up to `until`."""
    with transaction(con):
        _many(
            con,
            """UPDATE alert_watches SET considered_until = ?
               WHERE watch = ? AND destination_key = ?""",
            [[until, w, d] for w, d in destinations],
        )


def newest_stored(con: duckdb.DuckDBPyConnection) -> datetime | None:
    """When the newest article was stored (what a pass that starts now considers)."""
    row = con.execute("SELECT max(stored_at) FROM articles").fetchone()
    return row[0] if row else None


def run_started(con: duckdb.DuckDBPyConnection, run_id: str | None) -> datetime | None:
    """When run `run_id` started (a watch first seen after a run counts from its start, so that
    run's entries are news to it)."""
    if run_id is None:
        return None
    row = con.execute(
        "SELECT started_at FROM extraction_runs WHERE run_id = ?", [run_id]
    ).fetchone()
    return row[0] if row else None


def recorded(con: duckdb.DuckDBPyConnection) -> dict[RecordKey, Record]:
    """Every alert recorded so far, by (watch, entry_key, destination_key, reason)."""
    rows = con.execute(
        "SELECT watch, entry_key, destination_key, reason, status, n_sources FROM alerts_sent"
    ).fetchall()
    return {(w, e, d, r): Record(status, n) for w, e, d, r, status, n in rows}


_CANDIDATES = """
WITH failed AS (
    SELECT entry_key, fact_keys FROM alerts_sent WHERE status = 'failed'
),
touched AS (  -- a report stored since the last pass (new entries, grown ones, new keys)
    SELECT tm.entry_key
    FROM timeline_entry_mentions AS tm
    JOIN articles AS a USING (article_id)
    WHERE a.stored_at >= ?
    UNION
    SELECT entry_key FROM failed
    UNION  -- an entry that continues one whose alert failed
    SELECT tm.entry_key
    FROM timeline_entry_mentions AS tm
    WHERE tm.fact_key IN (SELECT unnest(fact_keys) FROM failed)
),
wanted AS (
    SELECT tm.entry_key, min(a.stored_at) AS first_stored
    FROM timeline_entry_mentions AS tm
    JOIN articles AS a USING (article_id)
    WHERE tm.entry_key IN (SELECT entry_key FROM touched)
    GROUP BY tm.entry_key
),
spellings AS (
    SELECT tm.entry_key, ec.company AS name
    FROM timeline_entry_mentions AS tm
    JOIN event_companies AS ec ON ec.fact_key = tm.fact_key AND ec.run_id = tm.run_id
    WHERE tm.entry_key IN (SELECT entry_key FROM wanted)
    UNION
    SELECT tm.entry_key, ca.alias
    FROM timeline_entry_mentions AS tm
    JOIN event_companies AS ec ON ec.fact_key = tm.fact_key AND ec.run_id = tm.run_id
    JOIN company_aliases AS ca ON ca.canonical_key = ec.canonical_key
    WHERE tm.entry_key IN (SELECT entry_key FROM wanted)
),
names AS (
    SELECT entry_key, list(DISTINCT name ORDER BY name) AS names FROM spellings GROUP BY ALL
),
reports AS (
    SELECT entry_key, list(fact_key ORDER BY fact_key) AS fact_keys
    FROM timeline_entry_mentions
    WHERE entry_key IN (SELECT entry_key FROM wanted)
    GROUP BY entry_key
)
SELECT t.entry_key, t.type, t.n_sources, w.first_stored, t.event_date, t.modality,
       t.authority, t.authority_country, t.companies,
       coalesce(n.names, []::VARCHAR[]) AS company_names, t.commodity, t.commodity_detail,
       t.n_articles, CAST(t.first_reported AS VARCHAR) AS first_reported, t.title,
       t.evidence, t.urls, r.fact_keys
FROM timeline AS t
JOIN wanted AS w USING (entry_key)
JOIN reports AS r USING (entry_key)
LEFT JOIN names AS n USING (entry_key)
ORDER BY t.event_date NULLS LAST, t.first_reported NULLS LAST, t.entry_key
"""


def continuations(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """Per timeline entry, the alerted entries (other keys) whose reports it holds."""
    rows = con.execute(
        """WITH alerted AS (
               SELECT DISTINCT entry_key, unnest(fact_keys) AS fact_key FROM alerts_sent
           )
           SELECT DISTINCT tm.entry_key, a.entry_key
           FROM alerted AS a
           JOIN timeline_entry_mentions AS tm USING (fact_key)
           WHERE tm.entry_key <> a.entry_key
           ORDER BY ALL"""
    ).fetchall()
    out: dict[str, list[str]] = {}
    for new, old in rows:
        out.setdefault(new, []).append(old)
    return out


def candidates(con: duckdb.DuckDBPyConnection, look_from: datetime) -> list[Entry]:
    """Timeline entries an alert may be owed for, in timeline order: those with a report
    stored at or after `look_from` (new entries, and ones whose sources grew or whose key
    changed) and those whose alert failed (or that continue one that did)."""
    cur = con.execute(_CANDIDATES, [look_from])
    columns = [d[0] for d in cur.description]
    entries = []
    for row in cur.fetchall():
        values = dict(zip(columns, row, strict=True))
        companies = tuple(values["companies"] or ())
        values.update(
            companies=companies,
            company_names=tuple(dict.fromkeys([*companies, *values["company_names"]])),
            urls=tuple(values["urls"] or ()),
            fact_keys=tuple(values["fact_keys"]),
        )
        entries.append(Entry(**values))
    return entries


def record(
    con: duckdb.DuckDBPyConnection,
    outcomes: Sequence[Outcome],
    run_id: str | None,
    now: datetime,
    max_attempts: Mapping[str, int] | None = None,
) -> int:
    """Record what was tried: a new row per new alert; a retried one keeps its first try's time
    and run (the run whose entries owed it) and counts one attempt more. A skipped alert counts
    no attempt. A failed alert tried `max_attempts[watch]` times is 'given_up' (never tried
    again); a failed row of an old entry key whose continuation went is 'superseded'. Returns
    how many alerts were given up now."""
    rows = []
    for o in outcomes:
        attempts = 0 if o.status == "skipped" else 1
        rows.append([
            o.watch, o.entry_key, o.destination_key, o.destination, o.reason, o.status,
            o.n_sources, run_id, attempts, now, now, o.error, list(o.fact_keys),
        ])  # fmt: skip
    if not rows:
        return 0
    with transaction(con):
        _many(
            con,
            """INSERT INTO alerts_sent VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (watch, entry_key, destination_key, reason) DO UPDATE SET
                   destination = excluded.destination,
                   status = excluded.status,
                   n_sources = excluded.n_sources,
                   attempts = alerts_sent.attempts + excluded.attempts,
                   last_tried_at = excluded.last_tried_at,
                   error = excluded.error,
                   fact_keys = excluded.fact_keys""",
            rows,
        )
        given_up = 0
        for watch, limit in (max_attempts or {}).items():
            given_up += len(
                con.execute(
                    """UPDATE alerts_sent SET status = 'given_up'
                       WHERE status = 'failed' AND watch = ? AND attempts >= ?
                       RETURNING entry_key""",
                    [watch, limit],
                ).fetchall()
            )
        _many(
            con,
            """UPDATE alerts_sent SET status = 'superseded'
               WHERE watch = ? AND entry_key = ? AND destination_key = ? AND reason = ?
                 AND status IN ('failed', 'given_up')""",
            [
                [o.watch, o.supersedes, o.destination_key, o.reason]
                for o in outcomes
                if o.supersedes and o.status in ("sent", "skipped")
            ],
        )
    return given_up


def counts(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, int]]:
    """Alerts recorded per watch and status ('sent', 'failed', 'skipped')."""
    out: dict[str, dict[str, int]] = {}
    for watch, status, n in con.execute(
        "SELECT watch, status, count(*) FROM alerts_sent GROUP BY ALL ORDER BY ALL"
    ).fetchall():
        out.setdefault(watch, {})[status] = int(n)
    return out


def watches_seen(con: duckdb.DuckDBPyConnection) -> dict[str, datetime]:
    """When each watch was first seen by an alert pass, with its current criteria
    (`tradeline watch list`)."""
    return dict(
        con.execute("SELECT watch, min(created_at) FROM alert_watches GROUP BY watch").fetchall()
    )
