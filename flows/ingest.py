"""The `ingest` flow: poll feeds, fetch new pages, parse, extract, store — in batches.

The body reads as the list of steps; each task wraps a plain function from `flows.steps`.
Fetching retries inside the fetcher (per request, with backoff), so tasks themselves don't.
Tasks are uncached and batches are passed `quote`d (see flows/tasks.py). An entry is owed
until its article is stored (`warehouse/entries.py`): each run also fetches what earlier runs
still owe, and goes on from the archived page of an entry fetched but not stored.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from prefect import flow

from tradeline.alerts import notify_watches
from tradeline.config import Settings, settings_parameter
from tradeline.flows import outcome, steps, taskrunners
from tradeline.flows.progress import reporter
from tradeline.flows.run_logs import log_errors, run_logger
from tradeline.flows.runs import Run, recorded_run
from tradeline.flows.tasks import batch_task, quote
from tradeline.records import FeedEntry
from tradeline.report.publish import publish_report
from tradeline.warehouse.db import utcnow, writes_wait

poll_feeds = batch_task(steps.poll_feeds, name="poll-feeds")
select_new_entries = batch_task(steps.select_new_entries, name="select-new-entries")
load_archived = batch_task(steps.load_archived, name="load-archived-pages")
fetch_documents = batch_task(steps.fetch_documents, name="fetch-pages")
archive_documents = batch_task(steps.archive_documents, name="archive-pages")
parse_documents = batch_task(steps.parse_documents, name="parse-pages")
store_results = batch_task(steps.store_results, name="store-batch")


def _extract_facts(settings: Settings, articles: list) -> list:
    extractor = steps.get_extractor(settings.model)
    return steps.extract_articles(extractor, articles)


extract_facts = batch_task(_extract_facts, name="extract-facts")
fetch_parse_extract = batch_task(steps.fetch_parse_extract, name="fetch-parse-extract")


def _processed_batches(
    settings: Settings, warehouse_path: Path, entries: list[FeedEntry], batch_size: int
) -> Iterator[tuple[list[FeedEntry], list, list]]:
    """(entries, items, errors) per batch: here as tasks (each page archived as soon as it is
    fetched), or on a Dask cluster as one task each (archived with its batch)."""
    batches = [list(batch) for batch in steps.batched(entries, batch_size)]
    if not taskrunners.runs_in_flow_process():
        done = taskrunners.submitted_in_order(fetch_parse_extract, settings, batches, 4)
        for batch, (items, errors) in zip(batches, done, strict=True):
            yield batch, items, errors
        return
    for batch in batches:
        archived, to_fetch = [], [e for e in batch if not e.document_id]
        if len(to_fetch) < len(batch):  # fetched by an earlier run: go on from the archive
            archived, refetch = load_archived(
                warehouse_path, quote([e for e in batch if e.document_id])
            )
            to_fetch += refetch
        docs, fetch_errors = fetch_documents(settings, quote(to_fetch))
        archive_documents(warehouse_path, quote(docs))
        parsed, parse_errors = parse_documents(quote([*archived, *docs]))
        extractions = extract_facts(settings, quote([article for _, article in parsed]))
        items = [
            (doc, article, extraction)
            for (doc, article), extraction in zip(parsed, extractions, strict=True)
        ]
        yield batch, items, [*fetch_errors, *parse_errors]


@flow(name="ingest", validate_parameters=False)
def ingest(
    settings: Settings,
    warehouse: str,
    feeds: list[str] | None = None,
    batch_size: int = 32,
    alerts: bool = True,
) -> steps.IngestSummary:
    """Poll feeds, then fetch → parse → extract → store each batch of new articles.

    Recorded as one run of kind 'ingest' (`flows/runs.py`), started only when there is
    something to fetch or record: a poll that finds nothing new and nothing owed leaves only
    the feed state. Writes wait up to `[warehouse] lock_wait_s` for a file another process
    holds. Ends Completed (named CompletedWithErrors when some feed or page failed) with the
    summary, or Failed when nothing could be fetched: calling it then raises
    `outcome.RunFailed`, which carries the summary. The state's message counts new articles,
    facts and what failed (`IngestSummary.outcome_line`); each stage logs a line to the run's
    logs in the Prefect UI (`run_logs.py`). Then the watchlist alerts owed are sent
    (`tradeline/alerts/`; with `alerts` False, what this run stored is recorded unsent).
    """
    # A deployment's parameters arrive as JSON (without notify URLs), or as a config path.
    settings = settings_parameter(settings)
    warehouse_path = Path(warehouse)
    extractor = steps.ExtractorVersions(settings.model)  # loads the model only if a run starts
    summary = steps.IngestSummary()
    with (
        writes_wait(settings.warehouse.lock_wait_s),
        recorded_run(warehouse_path, "ingest", extractor, start=False) as run,
    ):
        _ingest(settings, warehouse_path, feeds, batch_size, run, summary)
        run.outcome = summary.status
    if run.run_id is not None:  # a poll that found nothing new records no run: same picture
        publish_report(warehouse_path, enabled=settings.report.enabled)
    summary.alerts = notify_watches(settings, warehouse_path, run.run_id, send=alerts).line()
    run_logger().info("done: %s", summary.line())
    return outcome.flow_state(summary.status, summary, summary.outcome_line())


def _ingest(
    settings: Settings,
    warehouse_path: Path,
    feeds: list[str] | None,
    batch_size: int,
    run: Run,
    summary: steps.IngestSummary,
) -> None:
    feed_configs = steps.feeds_to_poll(settings, feeds)

    def current_run() -> str:
        summary.run_id = run.id
        return summary.run_id

    started = utcnow()
    results, feed_errors = poll_feeds(settings, feed_configs, warehouse_path)
    summary.feeds_polled = len(results)
    summary.feeds_not_modified = sum(r.not_modified for r in results)
    summary.feeds_failed = len(feed_errors)
    summary.errors.extend(feed_errors)
    entries, summary.entries_seen, summary.already_stored = select_new_entries(
        warehouse_path, quote(results)
    )
    summary.owed = steps.owed_count(entries, results)
    logger = run_logger()
    logger.info(
        "feeds polled: %d (%d unchanged, %d failed) · entries: %d (%d already stored) · "
        "to fetch: %d (%d owed from earlier runs)",
        summary.feeds_polled,
        summary.feeds_not_modified,
        summary.feeds_failed,
        summary.entries_seen,
        summary.already_stored,
        len(entries),
        summary.owed,
    )
    log_errors(logger, feed_errors)
    retry = steps.retry_policy(settings)
    progress = reporter()
    for stage in ("fetch", "extract", "store"):
        progress.start(stage, len(entries))
    if entries or feed_errors:
        current_run()  # recorded from here on, so an interrupt mid-fetch is recorded too
    if feed_errors:
        store_results(warehouse_path, [], quote(feed_errors), current_run())
    n_batches = -(-len(entries) // batch_size)
    batches = _processed_batches(settings, warehouse_path, entries, batch_size)
    for number, (batch, items, errors) in enumerate(batches, 1):
        stored = store_results(
            warehouse_path, quote(items), quote(errors), current_run(), quote(batch), retry
        )
        facts = sum(extraction.n_facts for _, _, extraction in items)
        logger.info(
            "batch %d/%d: %d of %d pages fetched and parsed, %d new articles stored, "
            "%d facts, %d errors",
            number,
            n_batches,
            len(items),
            len(batch),
            stored,
            facts,
            len(errors),
        )
        log_errors(logger, errors)
        summary.new_articles += stored
        summary.facts += facts
        summary.skipped_non_english += sum(
            1 for _, _, extraction in items if extraction.skipped_reason
        )
        summary.errors.extend(errors)
    if entries:
        summary.given_up = steps.given_up_since(warehouse_path, started)
