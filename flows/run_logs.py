"""The flows' own log lines: a few per stage, sent to the Prefect API, kept off the console.

Why: an operator reading a scheduled run in the Prefect UI needs to see what each stage did
(feeds polled, entries new, pages fetched and stored per batch, the summary) without one line
per article or task run, which once stalled the API after a few hundred task runs. The flows
log through `get_run_logger` at INFO; `prefect_env` sends the flow-run logger's INFO records
to the API and shows only WARNING and above on the console (`-v` shows them too).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

ERRORS_LOGGED = 10  # failures named one by one per call; the rest are counted


def run_logger() -> logging.Logger | logging.LoggerAdapter:
    """The flow run's logger (its lines reach the Prefect API), or tradeline's own logger when
    a step runs outside a flow (a script, a test calling the plain function)."""
    from prefect.exceptions import MissingContextError
    from prefect.logging import get_run_logger

    try:
        return get_run_logger()
    except MissingContextError:
        return logging.getLogger("tradeline.flows")


def log_errors(logger: Any, errors: Sequence[Any], limit: int = ERRORS_LOGGED) -> None:
    """One line per failed feed or page (its redacted URL and reason), at most `limit`."""
    for error in errors[:limit]:
        logger.info("%s failed: %s: %s", error.stage, error.url, error.reason)
    if len(errors) > limit:
        logger.info("… and %d more failures (all are in ingest_errors)", len(errors) - limit)


def flush_to_api() -> None:
    """Send the log lines still queued for the Prefect API, waiting at most 5 s.

    Why: the queue is otherwise drained at interpreter exit; a one-off command stops its
    temporary server before that, so a run's last lines (its final state) were lost."""
    from prefect.logging.handlers import APILogHandler

    APILogHandler().flush()  # drains the queue shared by every handler
