"""The warehouse side of alerts (migration 011): when each watch was first seen, which entries
are candidates, what was sent to whom, and the outcome of each delivery. Each function runs in
the caller's connection; `notify.py` keeps them short, sending with no connection open.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
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


def register_watches(
    con: duckdb.DuckDBPyConnection, names: Iterable[str], run_id: str | None, now: datetime
) -> dict[str, datetime]:
    """When each watch was first seen (now, for one seen for the first time), by name."""
    with transaction(con):
        con.executemany(
            "INSERT INTO alert_watches VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            [[name, now, run_id] for name in names],
        )
    return dict(con.execute("SELECT watch, created_at FROM alert_watches").fetchall())


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
WITH first_stored AS (
    SELECT tm.entry_key, min(a.stored_at) AS first_stored
    FROM timeline_entry_mentions AS tm
    JOIN articles AS a USING (article_id)
    GROUP BY tm.entry_key
),
wanted AS (
    SELECT entry_key, first_stored FROM first_stored WHERE first_stored >= ?
    UNION
    SELECT f.entry_key, f.first_stored
    FROM first_stored AS f
    WHERE f.entry_key IN (SELECT entry_key FROM alerts_sent)
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


def candidates(con: duckdb.DuckDBPyConnection, since: datetime) -> list[Entry]:
    """Timeline entries an alert may be owed for, in timeline order: those first stored at or
    after `since` (the earliest watch's creation) and those with alerts recorded."""
    cur = con.execute(_CANDIDATES, [since])
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
) -> None:
    """Record what was tried: a new row per new alert; a retried one keeps its first try's time
    and run (the run whose entries owed it) and counts one attempt more. A skipped alert counts
    no attempt."""
    rows = []
    for o in outcomes:
        attempts = 0 if o.status == "skipped" else 1
        rows.append([
            o.watch, o.entry_key, o.destination_key, o.destination, o.reason, o.status,
            o.n_sources, run_id, attempts, now, now, o.error, list(o.fact_keys),
        ])  # fmt: skip
    if not rows:
        return
    with transaction(con):
        con.executemany(
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


def counts(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, int]]:
    """Alerts recorded per watch and status ('sent', 'failed', 'skipped')."""
    out: dict[str, dict[str, int]] = {}
    for watch, status, n in con.execute(
        "SELECT watch, status, count(*) FROM alerts_sent GROUP BY ALL ORDER BY ALL"
    ).fetchall():
        out.setdefault(watch, {})[status] = int(n)
    return out


def watches_seen(con: duckdb.DuckDBPyConnection) -> dict[str, datetime]:
    """When each watch was first seen by an alert pass (`tradeline watch list`)."""
    return dict(con.execute("SELECT watch, created_at FROM alert_watches").fetchall())
