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
from tradeline.config import ENV_PREFIX, ConfigError, resolve_notify, shown_url


def destination_key(url: str) -> str:
    """A stable id of a notify URL that does not reveal it (first 16 hex of its sha256)."""
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]


def _could_be_token(segment: str) -> bool:
    """Whether a URL path segment may be a secret: long, or of some length with digits in it
    (webhook ids and tokens), unlike 'hook' or 'services'."""
    return len(segment) >= 16 or (len(segment) >= 8 and any(c.isdigit() for c in segment))


def _host_could_be_token(host: str) -> bool:
    """Whether a URL's host part may be a secret (slack://TokenA/…): no dots, token-like."""
    return "." not in host and _could_be_token(host)


def redacted(url: str) -> str:
    """The URL as Apprise prints it in privacy mode (passwords and tokens masked), without
    its options, and with each path segment that could be a token shown as '…'; a URL
    Apprise does not understand shows only its scheme and host. "env:VAR" shows as itself."""
    import apprise

    if url.startswith(ENV_PREFIX):
        return url
    plugin = apprise.Apprise.instantiate(url, suppress_exceptions=True)
    if plugin is None:
        return shown_url(url)
    shown = plugin.url(privacy=True).split("?", 1)[0]
    scheme, sep, rest = shown.partition("://")
    if not sep:
        return shown_url(url)
    host, slash, path = rest.partition("/")
    if "@" not in host and _host_could_be_token(host.split(":", 1)[0]):
        host = "…"
    segments = ["…" if _could_be_token(p) else p for p in path.split("/")]
    return f"{scheme}://{host}{slash}{'/'.join(segments)}"


def _secrets(url: str) -> list[str]:
    """The parts of `url` that `redacted` hides: the URL itself, its password, query values,
    and path segments or a host that could be tokens (longest first)."""
    from urllib.parse import parse_qsl, quote, unquote, urlsplit

    try:
        parts = urlsplit(url)
        found = [url, parts.password or ""]
        found += [v for _, v in parse_qsl(parts.query)]
        found += [unquote(p) for p in parts.path.split("/") if _could_be_token(unquote(p))]
        host = parts.hostname or ""
        if _host_could_be_token(host):
            found.append(host)
    except ValueError:
        found = [url]
    found += [quote(s, safe="") for s in found]
    return sorted({s for s in found if len(s) >= 4}, key=len, reverse=True)


def scrub(text: str, url: str) -> str:
    """`text` (an Apprise warning, an exception's message) without `url` or its secrets:
    the URL shows redacted, a secret part as '…'."""
    text = text.replace(url, redacted(url))
    for secret in _secrets(url):
        text = text.replace(secret, "…")
    return text


def deliver(url: str, message: Message) -> str | None:
    """Send `message` to `url` (an Apprise URL, or "env:VAR" naming one); None when it went,
    else why not (one line, with no secret of the URL in it)."""
    import apprise

    try:
        target = resolve_notify(url)
    except ConfigError as exc:
        return str(exc)
    apprise_log = logging.getLogger("apprise")
    propagate, apprise_log.propagate = apprise_log.propagate, False  # the caller logs `detail`
    try:
        with apprise.LogCapture(level=logging.WARNING, fmt="%(message)s") as log:
            notifier = apprise.Apprise()
            if not notifier.add(target):
                return f"not a notify URL Apprise understands: {redacted(target)}"
            try:
                ok = notifier.notify(body=message.body, title=message.title)
            except Exception as exc:  # a plugin's own failure is a failed delivery, not a crash
                return scrub(f"{type(exc).__name__}: {exc}", target)
            detail = " ".join(log.getvalue().split())
    finally:
        apprise_log.propagate = propagate
    if ok:
        return None
    return scrub(detail, target) or "Apprise reported a failed delivery"
