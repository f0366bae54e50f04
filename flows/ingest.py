"""The `ingest` flow: poll feeds, fetch new pages, parse, extract, store — in batches.

The body reads as the list of steps; each task wraps a plain function from `flows.steps`.
Fetching retries inside the fetcher (per request, with backoff), so tasks themselves don't.
Tasks are uncached and batches are passed `quote`d (see flows/tasks.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from prefect import flow

from tradeline.config import Settings, load_settings
from tradeline.flows import steps, taskrunners
from tradeline.flows.progress import reporter
from tradeline.flows.runs import Run, recorded_run
from tradeline.flows.tasks import batch_task, quote

poll_feeds = batch_task(steps.poll_feeds, name="poll-feeds")
select_new_entries = batch_task(steps.select_new_entries, name="select-new-entries")
fetch_documents = batch_task(steps.fetch_documents, name="fetch-pages")
parse_documents = batch_task(steps.parse_documents, name="parse-pages")
store_results = batch_task(steps.store_results, name="store-batch")


def _extract_facts(settings: Settings, articles: list) -> list:
    extractor = steps.get_extractor(settings.model)
    return steps.extract_articles(extractor, articles)


extract_facts = batch_task(_extract_facts, name="extract-facts")
fetch_parse_extract = batch_task(steps.fetch_parse_extract, name="fetch-parse-extract")


def _processed_batches(settings: Settings, entries: list, batch_size: int) -> Iterator[tuple]:
    """(items, errors) per batch: here as three tasks, or on a Dask cluster as one task each."""
    batches = steps.batched(entries, batch_size)
    if not taskrunners.runs_in_flow_process():
        yield from taskrunners.submitted_in_order(fetch_parse_extract, settings, batches, 4)
        return
    for batch in batches:
        docs, fetch_errors = fetch_documents(settings, quote(batch))
        parsed, parse_errors = parse_documents(quote(docs))
        extractions = extract_facts(settings, quote([article for _, article in parsed]))
        items = [
            (doc, article, extraction)
            for (doc, article), extraction in zip(parsed, extractions, strict=True)
        ]
        yield items, [*fetch_errors, *parse_errors]


@flow(name="ingest", validate_parameters=False)
def ingest(
    settings: Settings, warehouse: str, feeds: list[str] | None = None, batch_size: int = 32
) -> steps.IngestSummary:
    """Poll feeds, then fetch → parse → extract → store each batch of new articles.

    Recorded as one run of kind 'ingest' (`flows/runs.py`), started only when there is
    something to store: a poll that finds nothing new leaves only the feed state.
    """
    if isinstance(settings, dict):  # a deployment's parameters arrive as JSON
        settings = Settings.model_validate(settings)
    elif isinstance(settings, str):  # or as a config file path (prefect.yaml)
        settings = load_settings(settings)
    warehouse_path = Path(warehouse)
    extractor = steps.get_extractor(settings.model)
    summary = steps.IngestSummary()
    with recorded_run(warehouse_path, "ingest", extractor, start=False) as run:
        _ingest(settings, warehouse_path, feeds, batch_size, run, summary)
    return summary


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

    results, feed_errors = poll_feeds(settings, feed_configs, warehouse_path)
    summary.feeds_polled = len(results)
    summary.feeds_not_modified = sum(r.not_modified for r in results)
    summary.feeds_failed = len(feed_errors)
    summary.errors.extend(feed_errors)
    entries, summary.entries_seen, summary.already_stored = select_new_entries(
        warehouse_path, quote(results)
    )
    progress = reporter()
    for stage in ("fetch", "extract", "store"):
        progress.start(stage, len(entries))
    if feed_errors:
        store_results(warehouse_path, [], quote(feed_errors), current_run())
    for items, errors in _processed_batches(settings, entries, batch_size):
        stored = store_results(warehouse_path, quote(items), quote(errors), current_run())
        summary.new_articles += stored
        summary.facts += sum(extraction.n_facts for _, _, extraction in items)
        summary.skipped_non_english += sum(
            1 for _, _, extraction in items if extraction.skipped_reason
        )
        summary.errors.extend(errors)
