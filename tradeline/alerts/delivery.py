"""Sending one message to one destination with Apprise, which Prefect already installs: one
URL form for Slack, Teams, e-mail, generic webhooks and 100 more services
(https://github.com/caronc/apprise/wiki). A destination is told apart by a hash of its URL
and shown with its secrets masked, so neither the warehouse nor a log holds a token. A
delivery waits at most Apprise's socket timeouts (a few seconds; a URL can set them with
`?cto=…&rto=…`).
"""

from __future__ import annotations

import hashlib
import logging

from tradeline.alerts.message import Message


def destination_key(url: str) -> str:
    """A stable id of a notify URL that does not reveal it (first 16 hex of its sha256)."""
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]


def redacted(url: str) -> str:
    """The URL as Apprise prints it in privacy mode (passwords and tokens masked), without
    its default options; a URL Apprise does not understand shows only its scheme."""
    import apprise

    plugin = apprise.Apprise.instantiate(url, suppress_exceptions=True)
    if plugin is None:
        return url.split(":", 1)[0] + "://…"
    return plugin.url(privacy=True).split("?", 1)[0]


def deliver(url: str, message: Message) -> str | None:
    """Send `message` to `url`; None when it went, else why not (one line)."""
    import apprise

    apprise_log = logging.getLogger("apprise")
    propagate, apprise_log.propagate = apprise_log.propagate, False  # the caller logs `detail`
    try:
        with apprise.LogCapture(level=logging.WARNING, fmt="%(message)s") as log:
            notifier = apprise.Apprise()
            if not notifier.add(url):
                return f"not a notify URL Apprise understands: {redacted(url)}"
            try:
                ok = notifier.notify(body=message.body, title=message.title)
            except Exception as exc:  # a plugin's own failure is a failed delivery, not a crash
                return f"{type(exc).__name__}: {exc}"
            detail = " ".join(log.getvalue().split())
    finally:
        apprise_log.propagate = propagate
    if ok:
        return None
    return detail or "Apprise reported a failed delivery"
