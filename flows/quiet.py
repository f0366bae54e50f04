"""Failures the CLI reports in one line are not also logged by Prefect with their traceback.

Prefect's run loggers log a failed task and its flow with a full traceback each. For failures
a user fixes outside tradeline (a WarehouseError, a full disk) the command itself prints one
`error:` line (`cli/common.clean_errors`), so those log records are dropped; any other failure
is still logged in full.
"""

from __future__ import annotations

import logging

from tradeline.warehouse.db import WarehouseError, disk_full_error

RUN_LOGGERS = ("prefect.flow_runs", "prefect.task_runs")
_MENTIONS = ("WarehouseError", "No space left on device")  # Prefect's one-line state messages


def reported_by_cli(exc: BaseException) -> bool:
    """Whether `clean_errors` turns this failure into one `error:` line."""
    return isinstance(exc, WarehouseError) or disk_full_error(exc) is not None


class _KnownFailures(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.ERROR:
            return True
        if record.exc_info and record.exc_info[1] is not None:
            return not reported_by_cli(record.exc_info[1])
        return not any(text in record.getMessage() for text in _MENTIONS)


_FILTER = _KnownFailures()


def quiet_known_failures() -> None:
    """Install the filter on Prefect's run loggers (once; calling again changes nothing)."""
    for name in RUN_LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
