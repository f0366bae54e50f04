"""Feed entries the warehouse still owes: recorded when a poll sees them, settled when their
article is stored or they are given up (table `feed_entries`, migration 005).

Why: a feed answers 304 once its validators are stored, so an entry that was seen but never
stored would otherwise be forgotten. Each entry goes seen → fetched (page archived) → stored,
or failed (tried again after a capped, doubling backoff) and, after the last attempt or a
failure no retry can change, given_up. Entries are keyed by the `article_id` they owe; the
caller holds the transaction and redacts URLs (it knows the URL rules). A link that held a
secret is stored redacted, so it is fetched again only when its feed lists it again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import duckdb
import pyarrow as pa

from tradeline.records import FeedEntry

OWED_STATES = ("seen", "fetched", "failed")
# Failure codes (the reason up to its first ':') that another try cannot change.
PERMANENT = frozenset({
    "robots", "content_type", "too_large", "bad_scheme", "bad_url", "private_address",
    "local_not_allowed", "http_410", "binary",
})

_SEEN = pa.schema([
    ("article_id", pa.string()), ("url", pa.string()), ("url_redacted", pa.bool_()),
    ("source_url", pa.string()), ("title", pa.string()), ("published", pa.string()),
])


@dataclass(frozen=True, slots=True)
class SeenEntry:
    """An entry as recorded: `url` and `source_url` already redacted; `url_redacted` says
    whether redacting changed the link (then only the feed can give it back)."""

    article_id: str
    url: str
    url_redacted: bool
    source_url: str
    title: str | None = None
    published: str | None = None


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often an owed entry is tried: `attempts` failures at most, the n-th failure waiting
    `backoff_s * 2**(n-1)` seconds, capped at `backoff_max_s`."""

    attempts: int = 12
    backoff_s: float = 60.0
    backoff_max_s: float = 6 * 3600.0

    def delay(self, failures: int) -> timedelta:
        return timedelta(seconds=min(self.backoff_max_s, self.backoff_s * 2 ** (failures - 1)))


def code_of(reason: str) -> str:
    """'http_503: http://… returned 503' → 'http_503'."""
    return reason.split(":", 1)[0].strip()


def record_seen(
    con: duckdb.DuckDBPyConnection, entries: Iterable[SeenEntry], now: datetime
) -> int:
    """Add entries not recorded yet: 'stored' when their article is already in the warehouse,
    else 'seen'. Returns how many were added."""
    rows = {e.article_id: e for e in entries}
    if not rows:
        return 0
    table = pa.Table.from_pylist(
        [
            {"article_id": e.article_id, "url": e.url, "url_redacted": e.url_redacted,
             "source_url": e.source_url, "title": e.title, "published": e.published}
            for e in rows.values()
        ],
        schema=_SEEN,
    )
    con.register("_incoming_entries", table)
    added = con.execute(
        """
        INSERT INTO feed_entries
        SELECT n.article_id, n.url, n.url_redacted, n.source_url, n.title, n.published,
               CASE WHEN EXISTS (SELECT 1 FROM articles AS a WHERE a.article_id = n.article_id)
                    THEN 'stored' ELSE 'seen' END,
               0, NULL, NULL, NULL, $now, $now
        FROM _incoming_entries AS n
        WHERE NOT EXISTS (SELECT 1 FROM feed_entries AS t WHERE t.article_id = n.article_id)
        """,
        {"now": now},
    ).fetchall()
    con.unregister("_incoming_entries")
    return int(added[0][0]) if added else 0


def owed(
    con: duckdb.DuckDBPyConnection,
    sources: Sequence[str],
    article_ids: Sequence[str],
    now: datetime,
) -> dict[str, FeedEntry]:
    """Entries due now (never failed, or past their next try) whose article is not stored:
    those of the given feeds that can be fetched from here (no redacted link), and those with
    the given article ids (the caller has their links from a poll); oldest first. A fetched
    entry carries the `document_id` of its archived page."""
    rows = con.execute(
        """
        SELECT article_id, url, source_url, title, published, document_id
        FROM feed_entries AS e
        WHERE state IN ('seen', 'fetched', 'failed')
          AND (next_try_at IS NULL OR next_try_at <= $now)
          AND ((source_url IN (SELECT unnest($sources::VARCHAR[])) AND NOT url_redacted)
               OR article_id IN (SELECT unnest($ids::VARCHAR[])))
          AND NOT EXISTS (SELECT 1 FROM articles AS a WHERE a.article_id = e.article_id)
        ORDER BY first_seen_at, article_id
        """,
        {"now": now, "sources": list(sources), "ids": list(article_ids)},
    ).fetchall()
    return {
        key: FeedEntry(url=url, title=title, published=published, feed_url=source or None,
                       document_id=document_id)
        for key, url, source, title, published, document_id in rows
    }


def recorded(con: duckdb.DuckDBPyConnection, article_ids: Iterable[str]) -> set[str]:
    """Which of these article ids have an entry row (in any state)."""
    rows = con.execute(
        "SELECT article_id FROM feed_entries WHERE article_id IN (SELECT unnest(?::VARCHAR[]))",
        [list(article_ids)],
    ).fetchall()
    return {r[0] for r in rows}


def owes_redacted(con: duckdb.DuckDBPyConnection, source_url: str) -> bool:
    """Whether a feed owes an entry whose link only the feed itself can give back (poll it
    without validators, so a 304 does not hide it)."""
    rows = con.execute(
        "SELECT 1 FROM feed_entries WHERE source_url = ? AND url_redacted "
        "AND state IN ('seen', 'fetched', 'failed') LIMIT 1",
        [source_url],
    ).fetchall()
    return bool(rows)


def mark_fetched(
    con: duckdb.DuckDBPyConnection, archived: Mapping[str, str], now: datetime
) -> None:
    """Owed entries (article id → document_id) whose page is now archived."""
    if not archived:
        return
    con.execute(
        """
        UPDATE feed_entries AS t SET state = 'fetched', document_id = n.document_id,
                                     updated_at = $now
        FROM (SELECT unnest($keys::VARCHAR[]) AS article_id,
                     unnest($docs::VARCHAR[]) AS document_id) AS n
        WHERE t.article_id = n.article_id AND t.state IN ('seen', 'failed')
        """,
        {"keys": list(archived), "docs": list(archived.values()), "now": now},
    )


def mark_stored(con: duckdb.DuckDBPyConnection, article_ids: Iterable[str], now: datetime) -> None:
    """Entries whose article is stored (by any flow) are owed no more."""
    keys = list(dict.fromkeys(article_ids))
    if not keys:
        return
    con.execute(
        """
        UPDATE feed_entries SET state = 'stored', next_try_at = NULL, last_error = NULL,
                                updated_at = $now
        WHERE article_id IN (SELECT unnest($keys::VARCHAR[])) AND state <> 'stored'
        """,
        {"keys": keys, "now": now},
    )


def mark_failed(
    con: duckdb.DuckDBPyConnection,
    failures: Mapping[str, str],
    policy: RetryPolicy,
    now: datetime,
) -> list[str]:
    """Count a failed attempt for each owed entry (article id → reason): 'failed' with its
    next try, or 'given_up' after the last attempt or a permanent failure. Returns the
    article ids given up."""
    if not failures:
        return []
    current = dict(
        con.execute(
            "SELECT article_id, attempts FROM feed_entries "
            "WHERE article_id IN (SELECT unnest(?::VARCHAR[])) "
            "AND state IN ('seen', 'fetched', 'failed')",
            [list(failures)],
        ).fetchall()
    )
    rows: list[tuple[str, str, int, datetime | None, str]] = []
    for key, attempts in current.items():
        reason = failures[key]
        attempts += 1
        if attempts >= policy.attempts or code_of(reason) in PERMANENT:
            rows.append((key, "given_up", attempts, None, reason))
        else:
            rows.append((key, "failed", attempts, now + policy.delay(attempts), reason))
    if rows:
        keys, states, counts, next_tries, reasons = (list(c) for c in zip(*rows, strict=True))
        con.execute(
            """
            UPDATE feed_entries AS t SET state = n.state, attempts = n.attempts,
                   next_try_at = n.next_try_at, last_error = n.reason, document_id = NULL,
                   updated_at = $now
            FROM (SELECT unnest($keys::VARCHAR[]) AS article_id,
                         unnest($states::VARCHAR[]) AS state,
                         unnest($counts::INTEGER[]) AS attempts,
                         unnest($next::TIMESTAMP[]) AS next_try_at,
                         unnest($reasons::VARCHAR[]) AS reason) AS n
            WHERE t.article_id = n.article_id
            """,
            {"keys": keys, "states": states, "counts": counts, "next": next_tries,
             "reasons": reasons, "now": now},
        )
    return [key for key, state, *_ in rows if state == "given_up"]


def given_up_since(con: duckdb.DuckDBPyConnection, since: datetime) -> int:
    """Entries given up at or after `since`."""
    rows = con.execute(
        "SELECT count(*) FROM feed_entries WHERE state = 'given_up' AND updated_at >= ?", [since]
    ).fetchall()
    return int(rows[0][0])


def counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Entries per state (for summaries and tests)."""
    return dict(
        con.execute("SELECT state, count(*) FROM feed_entries GROUP BY state").fetchall()
    )
