"""Prefect defaults for quiet, offline-friendly runs, applied before Prefect is imported.

Analytics and telemetry are off so offline machines log no failing network calls; the temporary
server gets a start timeout that covers its slow first start (11-25 s measured, default 20 s).

Logs: the flow-run logger's INFO lines (the flows' stage messages, `run_logs.py`, and Prefect's
"Beginning flow run" / "Finished in state") go to the Prefect API, so each run's page in the UI
shows them; task runs log only WARNING and above (one INFO line per task run per batch once
stalled the API after a few hundred task runs); the console shows WARNING and above, so a
command's terminal and `serve`'s one line per run stay readable (`-v` lowers both levels:
`cli/app_options.py`). Each value is only a default: a variable already set in the environment
wins.
"""

from __future__ import annotations

import os

PREFECT_DEFAULTS: dict[str, str] = {
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    "PREFECT_LOGGING_TO_API_ENABLED": "true",
    "PREFECT_LOGGING_LEVEL": "WARNING",  # Prefect's loggers, task runs included
    "PREFECT_LOGGING_LOGGERS_PREFECT_FLOW_RUNS_LEVEL": "INFO",  # flow runs: INFO to the API
    "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL": "WARNING",  # … but not to the console
}


def apply_prefect_defaults() -> None:
    """Set each default unless the user already chose a value."""
    for key, value in PREFECT_DEFAULTS.items():
        os.environ.setdefault(key, value)
