"""`tradeline reextract`: run page parsing and the extractors again over the raw archive,
offline, as a new extraction run (kind 'reextract') that records the extractor version, the
model name and version and the assets hash. Earlier runs and their facts stay; the views show
each article's latest completed run.

An interrupted run (status running, interrupted or failed) is resumed with `resume=RUN_ID`: it
is set running again and goes on with the articles it has not stored yet, with the filters it
was started with and the same versions (refused otherwise), so it ends with the same facts as
an uninterrupted run. Each batch is stored in one transaction, so a batch is all or nothing.

Nothing here touches the network: pages come from the `documents` table, the pipeline is
loaded from installed packages and files. `reextract_archive` is the plain function;
`reextract` is the Prefect flow whose batches run as tasks. It is recorded like every run
(`flows/runs.py`: under the warehouse's run lock, so it never interleaves with another run).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from prefect import flow

from tradeline.config import Settings
from tradeline.extractors.engine import Extractor
from tradeline.flows import outcome, steps
from tradeline.flows.progress import reporter
from tradeline.flows.run_logs import log_errors, run_logger
from tradeline.flows.runs import recorded_run
from tradeline.flows.tasks import batch_task, quote
from tradeline.records import Article, Document, IngestError
from tradeline.report.publish import publish_report
from tradeline.warehouse import load, runs
from tradeline.warehouse.db import connect
from tradeline.warehouse.runref import NAMED, resolve_run_ref


@dataclass
class ReextractSummary:
    """What one (possibly resumed) re-extraction did."""

    run_id: str = ""
    resumed: bool = False
    selected: int = 0  # archived articles matching the filters
    already_done: int = 0  # stored by this run before it was resumed
    extracted: int = 0  # articles extracted in this call
    failed: int = 0  # pages that no longer parse
    text_changed: int = 0  # articles whose re-parsed text replaced the stored one
    facts: int = 0
    batches: int = 0
    errors: list[IngestError] = field(default_factory=list)

    @property
    def status(self) -> str:
        """completed / completed_with_errors / failed (`outcome.run_status`)."""
        return outcome.run_status(self.extracted + self.already_done, self.failed)

    def line(self) -> str:
        resumed = f" (resumed, {self.already_done} done before)" if self.resumed else ""
        return (
            f"run {self.run_id}{resumed} · articles: {self.selected} · extracted: "
            f"{self.extracted} · failed: {self.failed} · text changed: {self.text_changed} · "
            f"facts: {self.facts}"
        )

    def outcome_line(self) -> str:
        """The flow-run state's message: 'extracted: 40 · facts: 120 · errors: 1 (1 page
        failed)'."""
        counts = f"extracted: {self.extracted} · facts: {self.facts} · errors: {self.failed}"
        failed = outcome.describe_errors(self.errors)
        return f"{counts} ({failed})" if failed else counts


BatchResult = tuple[int, int, int, list[IngestError]]  # extracted, facts, text changed, errors


def load_extractor(settings: Settings, model: str | None = None) -> Extractor:
    """The extractor for `model` (default: the configured one) on the configured assets folder."""
    wanted = settings.model.model_copy(update={"name": model or settings.model.name})
    return steps.get_extractor(wanted)


def reextract_batch(
    warehouse_path: Path,
    extractor: Extractor,
    run_id: str,
    pairs: Sequence[tuple[Document, Article]],
) -> BatchResult:
    """Parse the archived pages again, refresh changed texts, extract (nlp.pipe), store."""
    parsed, errors = steps.parse_documents([doc for doc, _ in pairs])
    articles = [article for _, article in parsed]
    with connect(warehouse_path) as con:
        changed = load.refresh_articles(con, articles)
    extractions = steps.extract_articles(extractor, articles)
    items = [(None, a, e) for a, e in zip(articles, extractions, strict=True)]
    steps.store_results(warehouse_path, items, errors, run_id)
    return len(items), sum(e.n_facts for e in extractions), changed, errors


def _batches(
    warehouse_path: Path,
    since: str | None,
    source: str | None,
    skip: set[str],
    size: int,
    summary: ReextractSummary,
) -> Iterator[list[tuple[Document, Article]]]:
    """Archived (document, article) pairs not yet done, in batches, read lazily (the archive
    is read in chunks, so this connection holds no rows while batches are stored)."""
    with connect(warehouse_path) as con:
        batch: list[tuple[Document, Article]] = []
        for doc, article in load.iter_archived(con, since=since, source=source):
            summary.selected += 1
            if article.article_id in skip:
                summary.already_done += 1
                continue
            batch.append((doc, article))
            if len(batch) >= size:
                yield batch
                batch = []
        if batch:
            yield batch


def _resume(
    warehouse_path: Path,
    extractor: Extractor,
    resume: str,
    since: str | None,
    source: str | None,
) -> tuple[str, str | None, str | None, set[str]]:
    """Check that run `resume` (an id, a unique prefix of one: `runref.py`) is a re-extraction
    with these versions and filters, set it running again; returns its id, its filters and the
    articles it already stored."""
    with connect(warehouse_path) as con:
        if resume.strip().lower() in NAMED:  # they name finished runs: never resumable
            raise runs.RunError(
                f"--resume takes the id (or a unique prefix) of an unfinished re-extraction, "
                f"not {resume!r} (see `tradeline runs`)"
            )
        resume = resolve_run_ref(con, resume)
        run = runs.get_run(con, resume)
        if run["kind"] != "reextract":
            raise runs.RunError(f"run {resume} is a {run['kind']} run, not a re-extraction")
        mine = {
            "extractor_version": extractor.extractor_version,
            "model_name": extractor.model_name,
            "model_version": extractor.model_version,
            "assets_hash": extractor.assets_hash,
            "trained_hash": extractor.trained_hash,  # a retrained part gives other facts too
        }
        differ = [k for k, v in mine.items() if run[k] != v]
        if differ:
            raise runs.RunError(
                f"run {resume} was made with other {', '.join(differ)} "
                f"({', '.join(f'{run[k]} ≠ {mine[k]}' for k in differ)}); "
                "resume it with the same model, assets and trained parts, or start a new run"
            )
        notes = runs.run_notes(run)
        for name, given in (("since", since), ("source", source)):
            if given is not None and given != notes.get(name):
                raise runs.RunError(
                    f"run {resume} was started with --{name} {notes.get(name)!r}, not {given!r}"
                )
        runs.reopen_run(con, resume)
        done = runs.done_articles(con, resume)
    return resume, notes.get("since"), notes.get("source"), done


def reextract_archive(
    settings: Settings,
    warehouse_path: Path,
    *,
    since: str | None = None,
    source: str | None = None,
    model: str | None = None,
    resume: str | None = None,
    batch_size: int | None = None,
    run_batch: Callable[..., BatchResult] = reextract_batch,
) -> ReextractSummary:
    """Re-extract the archived articles (filtered by date and source) as one run of kind
    'reextract' (`flows/runs.py`), or go on with the unfinished run `resume`."""
    if since is not None:
        load.check_date_prefix(since)
    extractor = load_extractor(settings, model)
    size = batch_size or settings.model.batch_size
    # the filters, and the model and assets folder when not the configured defaults: `runs`
    # shows them, so a user can tell which run used which edited assets
    recorded = {"since": since, "source": source}
    recorded |= {k: v for k, v in (("model", model), ("assets", settings.model.assets_dir)) if v}
    notes = json.dumps(recorded)
    with recorded_run(
        warehouse_path, "reextract", extractor, notes=notes, start=resume is None
    ) as run:
        done: set[str] = set()
        if resume is not None:
            run_id, since, source, done = _resume(warehouse_path, extractor, resume, since, source)
            run.adopt(run_id)
        summary = ReextractSummary(run_id=run.id, resumed=resume is not None)
        progress = reporter()
        with connect(warehouse_path) as con:  # counted first: the bar shows a total and ETA
            total = load.count_archived(con, since=since, source=source)
        progress.start("reextract", max(total - len(done), 0))  # what is left to do
        logger = run_logger()
        logger.info(
            "re-extracting %d archived articles (%d done before) as run %s",
            total,
            len(done),
            run.id,
        )
        for batch in _batches(warehouse_path, since, source, done, size, summary):
            extracted, facts, changed, errors = run_batch(warehouse_path, extractor, run.id, batch)
            logger.info(
                "batch %d: %d of %d articles extracted, %d facts, %d texts changed",
                summary.batches + 1,
                extracted,
                len(batch),
                facts,
                changed,
            )
            log_errors(logger, errors)
            summary.extracted += extracted
            summary.facts += facts
            summary.text_changed += changed
            summary.failed += len(errors)
            summary.errors.extend(errors)
            summary.batches += 1
            progress.advance("reextract", len(batch))
        run.outcome = summary.status
    return summary


reextract_batch_task = batch_task(reextract_batch, name="reextract-batch")


def _quoted_batch_task(
    warehouse_path: Path, extractor: Extractor, run_id: str, batch: Sequence
) -> BatchResult:
    """The batch task, with the batch passed as-is (flows/tasks.py)."""
    return reextract_batch_task(warehouse_path, extractor, run_id, quote(batch))


@flow(name="reextract", validate_parameters=False)
def reextract(
    settings: Settings,
    warehouse: str,
    since: str | None = None,
    source: str | None = None,
    model: str | None = None,
    resume: str | None = None,
) -> ReextractSummary:
    """Re-extract the archive offline: each batch (parse → extract → store) is a task. Ends
    like `ingest` (Completed, CompletedWithErrors, or Failed raising `outcome.RunFailed`)."""
    summary = reextract_archive(
        settings,
        Path(warehouse),
        since=since,
        source=source,
        model=model,
        resume=resume,
        run_batch=_quoted_batch_task,
    )
    publish_report(Path(warehouse), enabled=settings.report.enabled)
    run_logger().info("done: %s", summary.line())
    return outcome.flow_state(summary.status, summary, summary.outcome_line())
