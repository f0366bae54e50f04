"""`tradeline import`: pages from WARC files, folders of saved pages and JSONL dumps go through
the same parse → extract → store steps as fetched pages, into the same tables, with the same
dedup: a page whose canonical URL is already stored (or came earlier in this import) is a
duplicate and is not stored again, exactly as `tradeline run` skips known feed entries.

A plain function (no Prefect): an import is one local pass over files, nothing to retry. It
is recorded as a run of kind 'import' (`flows/runs.py`), under the warehouse's run lock.
Records a reader skips (not HTML pages) are counted; broken ones are counted and kept in
`ingest_errors` (stage 'import') with the file, offset and reason.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from tradeline.alerts import notify_watches
from tradeline.config import Settings
from tradeline.extractors.engine import Extractor
from tradeline.flows import outcome, steps
from tradeline.flows.progress import reporter
from tradeline.flows.runs import recorded_run
from tradeline.records import Document, IngestError
from tradeline.report.publish import publish_report
from tradeline.sources.archives import RecordIssue, count_records, read_path
from tradeline.sources.urls import redact_url
from tradeline.warehouse import load
from tradeline.warehouse.db import connect


@dataclass
class ImportSummary:
    """What one import did: per outcome counts, and every failure with its place and reason."""

    run_id: str | None = None
    records: int = 0  # records / files / lines read
    imported: int = 0  # new articles stored
    skipped: int = 0  # not HTML pages (requests, metadata, images, non-2xx, ...)
    failed: int = 0  # broken records and pages with no article text
    duplicates: int = 0  # canonical URL already stored or seen earlier in this import
    facts: int = 0
    problems: list[RecordIssue] = field(default_factory=list)  # failed ones only
    errors: list[IngestError] = field(default_factory=list)

    @property
    def status(self) -> str:
        """completed / completed_with_errors / failed (`outcome.run_status`): a record read
        (imported, skipped or a duplicate) is a success, a broken one a failure."""
        return outcome.run_status(self.records - self.failed, self.failed)

    def line(self) -> str:
        return (
            f"records: {self.records} · imported: {self.imported} · skipped: {self.skipped} · "
            f"failed: {self.failed} · duplicates: {self.duplicates} · facts: {self.facts}"
        )


def _issue_error(issue: RecordIssue) -> IngestError:
    where = f"offset {issue.offset}: " if issue.offset is not None else ""
    return IngestError(
        url=redact_url(issue.url) if issue.url else issue.where(),
        stage="import",
        reason=f"{where}{issue.reason}",
        source_url=issue.path,
        at=datetime.now(UTC),
    )


def _chunks(
    items: Iterator[Document | RecordIssue], size: int
) -> Iterator[list[Document | RecordIssue]]:
    chunk: list[Document | RecordIssue] = []
    for item in items:
        chunk.append(item)
        if sum(isinstance(i, Document) for i in chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def import_paths(
    settings: Settings,
    warehouse_path: Path,
    paths: Sequence[Path],
    *,
    fmt: str | None = None,
    batch_size: int = 32,
) -> ImportSummary:
    """Import every path (file or folder); returns the counts. One run of kind 'import'."""
    extractor = steps.get_extractor(settings.model)
    summary = ImportSummary()
    with recorded_run(warehouse_path, "import", extractor) as run:
        summary.run_id = run.id
        with connect(warehouse_path) as con:
            for path in paths:
                load.update_source_state(
                    con, str(path), name=path.name, kind="import", etag=None,
                    last_modified=None, status=None, error=None, title=None,
                )
        progress = reporter()
        progress.start("import", sum(count_records(path, fmt) for path in paths))
        seen: set[str] = set()
        for path in paths:
            for chunk in _chunks(read_path(path, fmt), batch_size):
                _import_chunk(settings, warehouse_path, extractor, run.id, chunk, seen, summary)
                progress.advance("import", len(chunk))
        run.outcome = summary.status
    publish_report(warehouse_path, enabled=settings.report.enabled)  # no flow: the file only
    # an archive is old news: its entries are recorded as seen by the watches, not sent
    notify_watches(settings, warehouse_path, summary.run_id, send=False)
    return summary


def _import_chunk(
    settings: Settings,
    warehouse_path: Path,
    extractor: Extractor,
    run_id: str,
    chunk: list[Document | RecordIssue],
    seen: set[str],
    summary: ImportSummary,
) -> None:
    summary.records += len(chunk)
    errors: list[IngestError] = []
    docs: list[Document] = []
    for item in chunk:
        if isinstance(item, RecordIssue):
            if item.outcome == "skipped":
                summary.skipped += 1
            else:
                summary.failed += 1
                summary.problems.append(item)
                errors.append(_issue_error(item))
        else:
            docs.append(item)
    with connect(warehouse_path) as con:
        known = load.known_canonical_urls(con, [d.canonical_url for d in docs])
    fresh: list[Document] = []
    for doc in docs:
        if doc.canonical_url in known or doc.canonical_url in seen:
            summary.duplicates += 1
            continue
        seen.add(doc.canonical_url)
        fresh.append(doc)
    parsed, parse_errors = steps.parse_documents(fresh)
    summary.failed += len(parse_errors)
    errors.extend(parse_errors)
    extractions = steps.extract_articles(extractor, [article for _, article in parsed])
    items = [
        (doc, article, extraction)
        for (doc, article), extraction in zip(parsed, extractions, strict=True)
    ]
    summary.imported += steps.store_results(warehouse_path, items, errors, run_id)
    summary.facts += sum(extraction.n_facts for _, _, extraction in items)
    summary.errors.extend(errors)
