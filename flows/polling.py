"""The feed poll as plain functions, light on imports: the ingest flow's first two steps, and
the whole of a `tradeline run` that finds nothing new (`flows/quick_poll.py`), which polls
before Prefect or spaCy are imported.

Polling reads the stored validators, asks each feed, and records the answer: the validators
commit with the entries they cover (`warehouse/entries.py`), so a 304 next time hides none.
Reading, asking and recording are separate so that a caller can decide, after asking, not to
record anything (the flow then asks again with the same validators and loses nothing).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tradeline.config import FeedConfig, FetchConfig, Settings
from tradeline.flows.progress import reporter
from tradeline.records import Article, FeedEntry, FeedResult, IngestError
from tradeline.sources.feeds import poll_feed
from tradeline.sources.http import Fetcher
from tradeline.sources.urls import canonical_url, redact_url
from tradeline.warehouse import entries as owed_entries
from tradeline.warehouse import load
from tradeline.warehouse.db import connect, transaction, utcnow


def ingest_error(url: str, stage: str, reason: str, source_url: str | None = None) -> IngestError:
    """An error as recorded: its URLs redacted, stamped now."""
    return IngestError(
        url=redact_url(url),
        stage=stage,
        reason=reason,
        source_url=redact_url(source_url) if source_url else None,
        at=datetime.now(UTC),
    )


def feeds_to_poll(settings: Settings, explicit: Sequence[str] | None) -> list[FeedConfig]:
    """The feeds given on the command line, else the configured ones."""
    if explicit:
        return [FeedConfig(url=url) for url in explicit]
    return list(settings.feeds)


@dataclass
class FeedStates:
    """What the warehouse remembers of the feeds before a poll: each one's stored state
    (validators, name) by URL, and the feeds to ask without validators."""

    stored: dict[str, dict[str, Any]]
    unconditional: set[str]


def read_feed_states(warehouse_path: Path, feeds: Sequence[FeedConfig]) -> FeedStates:
    with connect(warehouse_path) as con:
        # Sources are keyed and stored by the redacted URL: a token in a feed URL never
        # reaches the warehouse (feeds differing only in a secret would share one row).
        stored = {
            feed.url: load.get_source_state(con, redact_url(feed.url)) or {} for feed in feeds
        }
        # A feed owing an entry whose link held a secret is asked without validators: only
        # its answer gives that link back.
        unconditional = {
            feed.url for feed in feeds if owed_entries.owes_redacted(con, redact_url(feed.url))
        }
    return FeedStates(stored, unconditional)


def ask_feed(fetcher: Fetcher, feed: FeedConfig, states: FeedStates) -> FeedResult:
    """One conditional GET of a feed (never raises: a failure is the result's `error`)."""
    state = {} if feed.url in states.unconditional else states.stored.get(feed.url) or {}
    return poll_feed(
        fetcher,
        feed.url,
        etag=state.get("etag"),
        last_modified=state.get("last_modified"),
        allow_local=True,  # the user configured or passed this feed explicitly
    )


def record_poll(
    warehouse_path: Path,
    feeds: Sequence[FeedConfig],
    results: Sequence[FeedResult],
    states: FeedStates,
) -> None:
    """Record what the feeds answered, in one transaction: the entries seen (owed until
    stored) with the validators that cover them."""
    with connect(warehouse_path) as con, transaction(con):
        owed_entries.record_seen(con, seen_entries(results), utcnow())
        for feed, result in zip(feeds, results, strict=True):
            state = states.stored.get(feed.url) or {}
            load.update_source_state(
                con,
                redact_url(feed.url),
                name=feed.name,
                kind="feed",
                etag=result.etag or state.get("etag"),
                last_modified=result.last_modified or state.get("last_modified"),
                status=result.status,
                error=result.error or result.bozo_reason,
                title=result.title,
            )


def poll_feeds(
    settings: Settings, feeds: Sequence[FeedConfig], warehouse_path: Path
) -> tuple[list[FeedResult], list[IngestError]]:
    """Poll each feed with a conditional GET and remember its validators for next time."""
    states = read_feed_states(warehouse_path, feeds)
    results, errors = ask_feeds(settings.fetch, feeds, states)
    record_poll(warehouse_path, feeds, results, states)
    return results, errors


def ask_feeds(
    fetch: FetchConfig, feeds: Sequence[FeedConfig], states: FeedStates
) -> tuple[list[FeedResult], list[IngestError]]:
    """Ask each feed in turn (progress under 'feeds'); an error per feed that failed."""
    results: list[FeedResult] = []
    errors: list[IngestError] = []
    progress = reporter()
    progress.start("feeds", len(feeds))
    with Fetcher(fetch) as fetcher:
        for feed in feeds:
            result = ask_feed(fetcher, feed, states)
            results.append(result)
            if result.error:
                errors.append(ingest_error(feed.url, "feed", result.error))
            progress.advance("feeds")
    return results, errors


def entry_key(url: str) -> str:
    """The key of a feed entry: the id of the article it owes (`Article.id_for`)."""
    return Article.id_for(canonical_url(url))


def seen_entries(results: Iterable[FeedResult]) -> list[owed_entries.SeenEntry]:
    """The polled entries as recorded: links and feed URLs redacted."""
    seen = []
    for result in results:
        for entry in result.entries:
            url = redact_url(entry.url)
            seen.append(
                owed_entries.SeenEntry(
                    article_id=entry_key(entry.url),
                    url=url,
                    url_redacted=url != entry.url,
                    source_url=redact_url(entry.feed_url or result.url),
                    title=entry.title,
                    published=entry.published,
                )
            )
    return seen


def select_new_entries(
    warehouse_path: Path, results: Iterable[FeedResult]
) -> tuple[list[FeedEntry], int, int]:
    """What to fetch: the polled entries not stored yet, then the entries earlier runs still
    owe for these feeds (whatever the feeds answered now, 304 included), each once; an entry
    failed earlier waits for its next try, and one given up is not fetched again. Returns
    them with the number of entries seen and of those already stored."""
    results = list(results)
    candidates: dict[str, FeedEntry] = {}
    seen = 0
    for result in results:
        for entry in result.entries:
            seen += 1
            candidates.setdefault(canonical_url(entry.url), entry)
    keys = {url: Article.id_for(url) for url in candidates}
    sources = sorted({redact_url(r.url) for r in results})
    with connect(warehouse_path) as con:
        known = load.known_canonical_urls(con, candidates.keys())
        due = owed_entries.owed(con, sources, list(keys.values()), utcnow())
        recorded = owed_entries.recorded(con, keys.values())
    new = []
    for url, entry in candidates.items():
        key = keys[url]
        if url in known or (key in recorded and key not in due):
            continue  # stored, waiting for its next try, or given up
        archived = due.pop(key, None)
        new.append(_with_archive(entry, archived.document_id if archived else None))
    return [*new, *due.values()], seen, len(known)


def _with_archive(entry: FeedEntry, document_id: str | None) -> FeedEntry:
    if document_id is None:
        return entry
    return FeedEntry(entry.url, entry.title, entry.published, entry.feed_url, document_id)


def owed_count(entries: Sequence[FeedEntry], results: Iterable[FeedResult]) -> int:
    """How many of the entries to fetch come from earlier runs rather than from this poll."""
    polled = {entry_key(e.url) for r in results for e in r.entries}
    return sum(entry_key(e.url) not in polled or e.document_id is not None for e in entries)
