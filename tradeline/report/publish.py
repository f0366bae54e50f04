"""After every run: rebuild `<warehouse stem>.report.html` next to the warehouse and, inside a
Prefect flow run, publish it as the markdown artifact `timeline-report`, so the Prefect UI
shows the latest picture with every run.

A report is a by-product: a failure to build or publish it is a warning in the run's log, never
a failed run (the facts are stored either way).
"""

from __future__ import annotations

import logging
from pathlib import Path

from tradeline.report.build import ReportSummary, build_report

ARTIFACT_KEY = "timeline-report"


def report_path(warehouse_path: Path) -> Path:
    """Where the flows write the report: `<stem>.report.html` beside the warehouse."""
    return warehouse_path.with_name(f"{warehouse_path.stem}.report.html")


def publish_report(warehouse_path: Path, *, enabled: bool = True) -> ReportSummary | None:
    """Rebuild the report of `warehouse_path` and publish it; None when turned off
    (`[report] enabled = false`), when there is no warehouse yet, or when it failed."""
    if not enabled or not warehouse_path.is_file():
        return None
    log = _logger()
    try:
        summary = build_report(warehouse_path, report_path(warehouse_path))
    except Exception as exc:  # a report must never fail the run that stored the facts
        log.warning("timeline report not rebuilt: %s: %s", type(exc).__name__, exc)
        return None
    if _in_flow_run():
        try:
            _artifact(summary)
        except Exception as exc:
            log.warning("timeline report not published to Prefect: %s", exc)
    return summary


def artifact_markdown(summary: ReportSummary) -> str:
    """The artifact's text: what the page shows and where it is."""
    path = summary.path.resolve()
    how = (f", aggregated by month into {summary.marks} marks" if summary.aggregated
           else f", {summary.marks} marks")
    return (
        "### Timeline report\n\n"
        f"{summary.entries} timeline entries{how} · {summary.bytes / 1e6:.1f} MB, "
        "self-contained (opens offline).\n\n"
        f"[Open the report]({path.as_uri()})\n\n"
        f"`{path}`\n"
    )


def _artifact(summary: ReportSummary) -> None:
    from prefect.artifacts import create_markdown_artifact

    create_markdown_artifact(
        key=ARTIFACT_KEY,
        markdown=artifact_markdown(summary),
        description="The timeline as one HTML page, rebuilt after this run",
    )


def _in_flow_run() -> bool:
    try:
        from prefect.context import FlowRunContext
    except ImportError:  # pragma: no cover - prefect is a dependency
        return False
    return FlowRunContext.get() is not None


def _logger() -> logging.Logger | logging.LoggerAdapter:
    """The flow run's logger (its lines show in the Prefect UI), else this module's."""
    if _in_flow_run():
        from prefect.logging import get_run_logger

        return get_run_logger()
    return logging.getLogger(__name__)
