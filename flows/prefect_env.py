"""Prefect defaults for quiet, offline-friendly runs, applied before Prefect is imported.

Analytics and telemetry are off so offline machines log no failing network calls; the temporary
server gets a start timeout that covers its slow first start (11-25 s measured, default 20 s);
logs are not shipped to the API, which otherwise stalls after a few hundred task runs.
Each value is only a default: a variable already set in the environment wins.
"""

from __future__ import annotations

import os

PREFECT_DEFAULTS: dict[str, str] = {
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    "PREFECT_LOGGING_TO_API_ENABLED": "false",
    "PREFECT_LOGGING_LEVEL": "WARNING",
}


def apply_prefect_defaults() -> None:
    """Set each default unless the user already chose a value."""
    for key, value in PREFECT_DEFAULTS.items():
        os.environ.setdefault(key, value)
