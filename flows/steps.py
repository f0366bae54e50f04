"""The ingest steps as plain functions: Prefect tasks wrap them; tests and scripts call them.

Each step opens the warehouse only for a short transaction, so the write lock is held briefly
and no network or NLP work happens while it is held. Feed entries are owed until stored
(`warehouse/entries.py`): the poll records them with the feed's validators, fetched pages are
archived before they are parsed, and the store step settles each entry of its batch.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from tradeline.config import FetchConfig, ModelConfig, Settings
from tradeline.extractors.navigation import is_navigation_only
from tradeline.extractors.page import PageError, is_plain_text, parse_page, parse_text
from tradeline.flows.outcome import describe_errors, run_status
from tradeline.flows.polling import (  # the poll steps live there, light on imports
    entry_key,
    feeds_to_poll,  # noqa: F401 (a step the flow calls as steps.*)
    owed_count,  # noqa: F401
    poll_feeds,  # noqa: F401
    select_new_entries,  # noqa: F401
)
from tradeline.flows.polling import ingest_error as _error
from tradeline.flows.polling import seen_entries as _seen_entries  # noqa: F401 (tests)
from tradeline.flows.progress import reporter
from tradeline.flows.threads import map_in_threads
from tradeline.records import Article, Document, Extraction, FeedEntry, IngestError
from tradeline.sources.http import Fetcher, FetchError, FetchResponse
from tradeline.sources.robots import ROBOTS
from tradeline.sources.urls import canonical_url, is_local_url, redact_url
from tradeline.warehouse import entries as owed_entries
from tradeline.warehouse import load
from tradeline.warehouse.db import connect, transaction, utcnow

if TYPE_CHECKING:  # spaCy loads with the engine: only a run with something to extract needs it
    from tradeline.extractors.engine import Extractor

ENGLISH = "en"


@dataclass
class IngestSummary:
    """What one ingest run did, for the closing summary line and for tests."""

    run_id: str | None = None
    feeds_polled: int = 0
    feeds_not_modified: int = 0
    feeds_failed: int = 0
    entries_seen: int = 0
    already_stored: int = 0
    owed: int = 0  # entries of earlier runs tried again (failed, interrupted, not modified)
    given_up: int = 0
    new_articles: int = 0
    skipped_non_english: int = 0
    facts: int = 0
    errors: list[IngestError] = field(default_factory=list)
    alerts: str = ""  # what the watchlist alerts did (tradeline/alerts/), '' when nothing

    @property
    def status(self) -> str:
        """completed / completed_with_errors / failed (`outcome.run_status`): a feed read or
        an article stored is a success, each recorded error a failure."""
        succeeded = self.feeds_polled - self.feeds_failed + self.new_articles
        return run_status(succeeded, len(self.errors))

    def outcome_line(self) -> str:
        """The flow-run state's message, which `serve` prints per run: 'new articles: 3 ·
        facts: 12 · errors: 3 (2 of 5 feeds failed, 1 page failed)'."""
        counts = (
            f"new articles: {self.new_articles} · facts: {self.facts} · errors: {len(self.errors)}"
        )
        failed = describe_errors(self.errors, self.feeds_polled)
        return f"{counts} ({failed})" if failed else counts

    def line(self) -> str:
        return (
            f"feeds polled: {self.feeds_polled} ({self.feeds_not_modified} unchanged, "
            f"{self.feeds_failed} failed) · entries: {self.entries_seen} "
            f"({self.already_stored} already stored, {self.owed} owed from earlier runs) · "
            f"new articles: {self.new_articles} "
            f"({self.skipped_non_english} not English) · facts: {self.facts} · "
            f"errors: {len(self.errors)}"
            + (f" ({self.given_up} given up)" if self.given_up else "")
            + (f" · {self.alerts}" if self.alerts else "")
        )


def get_extractor(model: ModelConfig) -> Extractor:
    """Load a pipeline once per process and model settings (name, batching, assets folder):
    loading costs about a second, a batch far less."""
    return _extractor(model.model_dump_json())


@lru_cache(maxsize=4)
def _extractor(model_json: str) -> Extractor:
    from tradeline.extractors.engine import Extractor

    return Extractor(ModelConfig.model_validate_json(model_json))


class ExtractorVersions:
    """The versions a run records (`flows/runs.py` RunVersions), read from the extractor
    `get_extractor` loads, which happens only when a version is first asked for.

    Why: the run is started only when there is something to fetch or record, so a re-poll
    that finds nothing new never loads spaCy or the pipeline (about 2 s), and a run that is
    recorded gets exactly the versions of the extractor that makes its facts."""

    def __init__(self, model: ModelConfig) -> None:
        self.model = model

    def __getattr__(self, name: str) -> Any:  # only for what the instance lacks: the versions
        if name.startswith("_"):  # copy/pickle probes, asked before __init__ ran
            raise AttributeError(name)
        return getattr(get_extractor(self.model), name)


def archive_documents(warehouse_path: Path, docs: Sequence[Document]) -> int:
    """Archive fetched pages at once, in their own short transaction, and mark their entries
    fetched: a failure later in the batch (a parse, a kill, a lock) never throws a fetch away."""
    if not docs:
        return 0
    with connect(warehouse_path) as con, transaction(con):
        added = load.archive_documents(con, docs)
        owed_entries.mark_fetched(
            con, {Article.id_for(d.canonical_url): d.document_id for d in docs}, utcnow()
        )
    return added


def load_archived(
    warehouse_path: Path, entries: Sequence[FeedEntry]
) -> tuple[list[Document], list[FeedEntry]]:
    """The archived pages of owed entries fetched by an earlier run; entries whose document is
    gone come back to be fetched again."""
    with connect(warehouse_path) as con:
        docs = load.load_documents(con, [e.document_id for e in entries if e.document_id])
    found = [docs[e.document_id] for e in entries if e.document_id in docs]
    reporter().advance("fetch", len(found))
    missing = [
        FeedEntry(e.url, e.title, e.published, e.feed_url)
        for e in entries
        if e.document_id not in docs
    ]
    return found, missing


def _may_read_local(entry: FeedEntry) -> bool:
    """A local article path is trusted only when its feed is local too (the user's own files)."""
    return entry.feed_url is not None and is_local_url(entry.feed_url)


def fetch_documents(
    settings: Settings, entries: Sequence[FeedEntry]
) -> tuple[list[Document], list[IngestError]]:
    """Fetch pages concurrently; a failure is recorded for its URL and touches nothing else."""
    progress = reporter()

    def fetch_one(fetcher: Fetcher, entry: FeedEntry) -> Document | IngestError:
        try:
            response = _polite_fetch(fetcher, entry, settings.fetch)
        except FetchError as exc:
            return _error(entry.url, "fetch", str(exc), entry.feed_url)
        finally:
            progress.advance("fetch")
        return Document(
            url=entry.url,
            final_url=response.final_url,
            canonical_url=canonical_url(entry.url),
            body=response.body,
            status=response.status,
            content_type=response.content_type,
            fetched_at=response.fetched_at,
            etag=response.etag,
            last_modified=response.last_modified,
            origin="file" if is_local_url(entry.url) else "fetch",
            feed_url=redact_url(entry.feed_url) if entry.feed_url else None,
            feed_published=entry.published,
            feed_title=entry.title,
        )

    docs: list[Document] = []
    errors: list[IngestError] = []
    with Fetcher(settings.fetch) as fetcher:
        # daemon threads: on Ctrl-C a request in flight is abandoned, never waited for
        outcomes = map_in_threads(
            lambda e: fetch_one(fetcher, e), list(entries), settings.fetch.concurrency
        )
    for outcome in outcomes:
        (errors if isinstance(outcome, IngestError) else docs).append(outcome)
    return docs, errors


def _polite_fetch(fetcher: Fetcher, entry: FeedEntry, settings: FetchConfig) -> FetchResponse:
    """robots.txt first (a disallowed URL is a FetchError 'robots'; one of a site whose
    robots.txt is unreachable, 'robots_unreachable'), then one of the host's slots at the
    fetcher's gate (its Crawl-delay spaces the requests: sources/politeness.py)."""
    delay = None
    if settings.respect_robots and not is_local_url(entry.url):
        ROBOTS.check(fetcher, entry.url)
        delay = ROBOTS.crawl_delay(fetcher, entry.url)
    host = (urlsplit(entry.url).hostname or "").lower()
    with fetcher.gate.slot(host, settings.per_host_concurrency):
        return fetcher.fetch(
            entry.url, kind="page", allow_local=_may_read_local(entry), crawl_delay=delay
        )


def parse_documents(
    docs: Sequence[Document],
) -> tuple[list[tuple[Document, Article]], list[IngestError]]:
    """Body text and metadata of each page; the feed entry fills a missing date or title. A
    page whose text is only navigation ("Home") is a page error, not an article."""
    parsed: list[tuple[Document, Article]] = []
    errors: list[IngestError] = []
    for doc in docs:
        try:
            parse = parse_text if is_plain_text(doc.content_type) else parse_page
            page = parse(
                doc.body,
                url=doc.final_url or doc.url,
                fallback_published=doc.feed_published,
                fallback_title=doc.feed_title,
            )
            if parse is parse_page and is_navigation_only(page.text):
                raise PageError("no_article", f"navigation only: {page.text[:80]!r}")
        except PageError as exc:
            errors.append(_error(doc.url, "parse", f"{exc.reason}: {exc}", doc.feed_url))
            continue
        article = Article(
            article_id=Article.id_for(doc.canonical_url),
            url=doc.url,
            canonical_url=doc.canonical_url,
            text=page.text,
            title=page.title,
            author=page.author,
            published=page.published,
            published_source=page.published_source,
            outlet=page.outlet,
            language=page.language,
            document_id=doc.document_id,
        )
        parsed.append((doc, article))
    return parsed, errors


def extract_articles(extractor: Extractor, articles: Sequence[Article]) -> list[Extraction]:
    """Facts for each article, in order; non-English articles are kept but not run through NLP.

    A batch whose extraction raises is extracted again article by article, so one bad article
    is stored with its error as the reason it was skipped ("error: ...") and the others keep
    their facts: no poison pill fails a batch."""
    english = [a for a in articles if (a.language or ENGLISH) == ENGLISH]
    try:
        found = iter(list(extractor.extract_many((a.text, a.published) for a in english)))
    except Exception:
        found = iter([_extract_alone(extractor, a) for a in english])
    progress = reporter()
    out: list[Extraction] = []
    for article in articles:
        if (article.language or ENGLISH) == ENGLISH:
            out.append(next(found))
        else:
            out.append(Extraction(skipped_reason=f"language:{article.language}"))
        progress.advance("extract")
    return out


def _extract_alone(extractor: Extractor, article: Article) -> Extraction:
    try:
        return extractor.extract(article.text, article.published)
    except Exception as exc:  # one article's failure is recorded with it, not raised
        return Extraction(skipped_reason=f"error: {type(exc).__name__}: {exc}"[:500])


def store_results(
    warehouse_path: Path,
    items: Sequence[tuple[Document | None, Article, Extraction]],
    errors: Sequence[IngestError],
    run_id: str,
    entries: Sequence[FeedEntry] = (),
    retry: owed_entries.RetryPolicy | None = None,
) -> int:
    """One short write transaction per batch; returns the number of new articles.

    Every feed entry whose article this stores is owed no more; the other `entries` of the
    batch (its feed entries, for an ingest) count a failed attempt under `retry`.
    """
    now = utcnow()
    with connect(warehouse_path) as con, transaction(con):
        result = load.store_batch(con, items, run_id) if items else None
        if errors:
            load.record_errors(con, errors, run_id)
        stored = {article.article_id for _, article, _ in items}
        owed_entries.mark_stored(con, stored, now)
        if entries:
            failures = _failures(entries, stored, errors)
            owed_entries.mark_failed(con, failures, retry or owed_entries.RetryPolicy(), now)
    reporter().advance("store", len(items))
    return result.new_articles if result else 0


def _failures(
    entries: Sequence[FeedEntry], stored: set[str], errors: Sequence[IngestError]
) -> dict[str, str]:
    """Entry key → reason for each entry of a batch whose article was not stored."""
    reasons = {e.url: e.reason for e in errors}
    return {
        key: reasons.get(redact_url(entry.url), "not stored")
        for entry in entries
        if (key := entry_key(entry.url)) not in stored
    }


def given_up_since(warehouse_path: Path, since: datetime) -> int:
    """Entries given up since a moment (this run's start), for the summary."""
    with connect(warehouse_path) as con:
        return owed_entries.given_up_since(con, since)


def retry_policy(settings: Settings) -> owed_entries.RetryPolicy:
    """The configured backoff for owed entries ([fetch] entry_*)."""
    fetch = settings.fetch
    return owed_entries.RetryPolicy(
        fetch.entry_attempts, fetch.entry_backoff_s, fetch.entry_backoff_max_s
    )


def batched(items: Sequence, size: int) -> Iterable[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def fetch_parse_extract(
    settings: Settings, entries: Sequence[FeedEntry]
) -> tuple[list[tuple[Document, Article, Extraction]], list[IngestError]]:
    """One batch up to the point of storing: the unit of work a Dask worker runs.

    The worker loads the model once (`get_extractor` is cached per process) and sends back
    only what the single writer stores.
    """
    docs, fetch_errors = fetch_documents(settings, entries)
    parsed, parse_errors = parse_documents(docs)
    extractor = get_extractor(settings.model)
    extractions = extract_articles(extractor, [article for _, article in parsed])
    items = [
        (doc, article, extraction)
        for (doc, article), extraction in zip(parsed, extractions, strict=True)
    ]
    return items, [*fetch_errors, *parse_errors]
