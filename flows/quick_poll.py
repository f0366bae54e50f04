"""`tradeline run`'s fast path: a poll that finds nothing new ends without a flow run.

Why: importing Prefect and calling a flow costs about 6 s of CPU, while asking an unchanged
feed costs milliseconds; a cron job re-polling every few minutes mostly finds nothing. So the
command first asks each feed itself (`flows/polling.py`, no Prefect, no spaCy). Only when every
feed answered, nothing is new or owed and no alert waits for a retry does it record what the
flow would record for such a poll (each feed's state and validators, the entries seen; no
warehouse run) and stop. Anything else records nothing here: the flow then polls again with
the same validators, so nothing seen here can be lost, and does the work as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tradeline.config import Settings
from tradeline.flows.polling import (
    ask_feed,
    feeds_to_poll,
    read_feed_states,
    record_poll,
    select_new_entries,
)
from tradeline.records import FeedResult
from tradeline.sources.http import Fetcher
from tradeline.warehouse.db import connect

if TYPE_CHECKING:
    import duckdb


@dataclass(frozen=True)
class NothingNew:
    """What a poll with nothing new saw, for its one summary line."""

    feeds_polled: int
    feeds_not_modified: int
    entries_seen: int
    already_stored: int

    def line(self) -> str:
        """'nothing new: 2 feeds polled (1 unchanged) · entries: 7 (7 already stored)'."""
        feeds = "feed" if self.feeds_polled == 1 else "feeds"
        line = (
            f"nothing new: {self.feeds_polled} {feeds} polled ({self.feeds_not_modified} unchanged)"
        )
        if self.entries_seen:
            line += f" · entries: {self.entries_seen} ({self.already_stored} already stored)"
        return line


def poll_if_nothing_new(
    settings: Settings, warehouse_path: Path, explicit_feeds: Sequence[str] | None, *, alerts: bool
) -> NothingNew | None:
    """Ask the feeds; when nothing is new, record the poll and say what it saw, else record
    nothing and return None (the caller runs the flow). The caller holds the run lock.

    Stops at the first feed that fails or has something to fetch: the flow asks them all
    anyway. A failed feed is asked once, without the fetcher's retries (the flow retries)."""
    feeds = feeds_to_poll(settings, explicit_feeds)
    if not feeds:
        return None
    with connect(warehouse_path) as con:  # one open for both checks, before any feed is asked
        if _run_left_open(con) or _alerts_owed(con, settings, alerts):
            return None
    states = read_feed_states(warehouse_path, feeds)
    results: list[FeedResult] = []
    seen = stored = 0
    with Fetcher(settings.fetch.model_copy(update={"retries": 0})) as fetcher:
        for feed in feeds:
            result = ask_feed(fetcher, feed, states)
            if result.error:
                return None
            to_fetch, n_seen, n_stored = select_new_entries(warehouse_path, [result])
            if to_fetch:
                return None
            results.append(result)
            seen += n_seen
            stored += n_stored
    record_poll(warehouse_path, feeds, results, states)
    return NothingNew(len(results), sum(r.not_modified for r in results), seen, stored)


def _alerts_owed(con: duckdb.DuckDBPyConnection, settings: Settings, send: bool) -> bool:
    """Whether the alert pass after a flow would have work even with nothing new: a failed
    delivery to retry or articles no finished pass has considered (when sending), or a watch
    it has not registered yet. Plain SQL on
    `alerts_sent` and `alert_watches` (migration 011): the alerts package is not imported."""
    if not settings.watch:
        return False
    registered = {row[0] for row in con.execute("SELECT watch FROM alert_watches").fetchall()}
    failed = con.execute("SELECT 1 FROM alerts_sent WHERE status = 'failed' LIMIT 1").fetchone()
    (unconsidered,) = con.execute(_UNCONSIDERED).fetchone()
    unregistered = any(watch.name not in registered for watch in settings.watch)
    return unregistered or (send and (failed is not None or bool(unconsidered)))


# Articles stored after the last finished sending pass of some watch (an interrupted pass, or
# one that could not check): the flow's alert pass owes them a look.
_UNCONSIDERED = """
    SELECT EXISTS (
        SELECT 1 FROM articles
        WHERE stored_at > (SELECT min(coalesce(considered_until, created_at)) FROM alert_watches)
    )"""


def _run_left_open(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether an ingest run is still marked running. The caller holds the run lock, so its
    process died: the flow closes it (`runs.close_interrupted_runs`), and until then its
    stored articles are hidden from the timeline, so a poll must not end as nothing new."""
    row = con.execute(
        "SELECT 1 FROM extraction_runs WHERE kind = 'ingest' AND status = 'running' LIMIT 1"
    ).fetchone()
    return row is not None
