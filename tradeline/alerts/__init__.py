"""Watchlist alerts: after a run, each new timeline entry that matches a `[[watch]]` is sent
once to each of the watch's destinations (Apprise URLs), and the warehouse records it.

One module per job: `matching` (which entries a watch wants, pure), `message` (the text),
`delivery` (Apprise), `sent` (the `alerts_sent` records, SQL), and `notify` (the one call the
flows make after a run, which ties them together).
"""

from __future__ import annotations

from tradeline.alerts.notify import AlertSummary, notify_watches

__all__ = ["AlertSummary", "notify_watches"]
