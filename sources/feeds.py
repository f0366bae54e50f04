"""Feed polling and parsing: RSS/Atom bytes → `FeedResult` of article links.

feedparser does the parsing (and tolerates the broken feeds real publishers serve); this
module only turns its output into the pipeline's records and makes sure that no feed, however
malformed, and no network fault ever raises out of a poll.
"""

from __future__ import annotations

import html
import io
import logging
import re
import time
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser

from tradeline.records import FeedEntry, FeedResult
from tradeline.sources.http import Fetcher, FetchError
from tradeline.sources.urls import is_local_url, redact_url

log = logging.getLogger(__name__)

LINK_SCHEMES = ("http", "https", "file")
HTML_TYPES = ("text/html", "application/xhtml+xml")
_TAG = re.compile(r"</?[A-Za-z][^<>]*>")


def _text(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    value = " ".join(value.split())
    return value or None


def _local_date(raw: object) -> str | None:
    """The calendar date as the publisher wrote it (RFC 822 or ISO 8601, in its own offset).

    feedparser normalises to UTC, which moves a story stamped "16 Nov 00:38 +0100" to the
    15th; the page itself says the 16th, so the date in the writer's offset is preferred.
    """
    if not isinstance(raw, str) or not raw.strip():
        return None
    text = raw.strip()
    try:
        return parsedate_to_datetime(text).date().isoformat()
    except (TypeError, ValueError, IndexError, OverflowError):
        pass
    try:
        return datetime.fromisoformat(text).date().isoformat()
    except ValueError:
        return None


def _title(detail: Any, fallback: object) -> str | None:
    """Plain-text title: feedparser leaves markup in titles it types as HTML."""
    value = detail.get("value") if detail else fallback
    if detail and detail.get("type") in HTML_TYPES and isinstance(value, str):
        value = html.unescape(_TAG.sub("", value))
    return _text(value)


def _iso_date(parsed: object) -> str | None:
    """YYYY-MM-DD from feedparser's UTC struct_time (None when absent or impossible)."""
    if not isinstance(parsed, time.struct_time | tuple) or len(parsed) < 3:
        return None
    try:
        return date(int(parsed[0]), int(parsed[1]), int(parsed[2])).isoformat()
    except (TypeError, ValueError):
        return None


def _entry_date(entry: Any) -> str | None:
    """Published date, else updated date; only dates feedparser itself could parse count."""
    for key in ("published", "updated"):
        parsed = _iso_date(entry.get(f"{key}_parsed"))
        if parsed:
            return _local_date(entry.get(key)) or parsed
    return None


def _unmangled_file_url(link: str) -> str:
    """feedparser collapses the slashes after a scheme ("file:///srv/a.html" becomes
    "file://srv/a.html", naming a host "srv"). A file URL naming a host other than localhost
    cannot be read anyway, so it is taken for the collapsed form of a local path."""
    try:
        parts = urlsplit(link)
    except ValueError:
        return link
    if parts.scheme.lower() != "file" or parts.netloc.lower() in ("", "localhost"):
        return link
    return parts._replace(netloc="", path=f"/{parts.netloc}{parts.path}").geturl()


def _entry_link(entry: Any, base: str) -> str | None:
    """The entry's article URL, resolved against the feed URL; None if it has no usable one.
    In a local feed, file: links keep the form they were written in (`_unmangled_file_url`)."""
    link = entry.get("link")
    if not link:
        alternates = [
            x.get("href")
            for x in entry.get("links", [])
            if x.get("rel", "alternate") == "alternate"
        ]
        link = next((a for a in alternates if a), None)
    if not isinstance(link, str) or not link.strip():
        return None
    try:
        resolved = urljoin(base, link.strip())
        scheme = urlsplit(resolved).scheme.lower()
    except ValueError:
        return None
    if scheme == "file" and is_local_url(base):
        resolved = _unmangled_file_url(resolved)
    return resolved if scheme in LINK_SCHEMES else None


def _describe(exc: object) -> str:
    return f"{type(exc).__name__}: {exc}"


def _parse(body: bytes, base_url: str, feed_url: str, content_type: str | None) -> FeedResult:
    # Only a real Content-Type: feedparser flags any header set without one as bozo ("no
    # Content-type specified"), and its own base resolution mangles file:/// URLs, so relative
    # links are resolved here instead (xml:base inside the feed is still honoured by feedparser).
    headers = {"content-type": content_type} if content_type else {}
    # A stream, never the bytes themselves: feedparser treats a bytes/str argument that looks
    # like a path or URL as something to open.
    parsed = feedparser.parse(io.BytesIO(body), response_headers=headers)

    result = FeedResult(
        url=feed_url,
        status=None,
        title=_title(parsed.feed.get("title_detail"), parsed.feed.get("title")),
    )
    if parsed.get("bozo"):
        result.bozo_reason = _describe(parsed.get("bozo_exception"))

    seen: set[str] = set()
    skipped = 0
    for entry in parsed.entries:
        link = _entry_link(entry, base_url)
        if link is None or link in seen:
            skipped += 1
            continue
        seen.add(link)
        result.entries.append(
            FeedEntry(
                url=link,
                title=_title(entry.get("title_detail"), entry.get("title")),
                published=_entry_date(entry),
                feed_url=feed_url,
            )
        )
    if skipped:
        log.info(
            "feed %s: skipped %d entries without a usable or new link",
            redact_url(feed_url),
            skipped,
        )

    if not result.entries:
        if result.bozo_reason:
            result.error = f"not a usable feed ({result.bozo_reason})"
        elif not parsed.get("version") and not parsed.entries:
            result.error = "not a feed: no RSS/Atom/RDF structure found"
    return result


def parse_feed(body: bytes, url: str, *, content_type: str | None = None) -> FeedResult:
    """Parse feed bytes; entry links are resolved against `url`. Never raises on any bytes.

    published is YYYY-MM-DD from the entry's published (else updated) date; entries without a
    link (or repeating one) are skipped and counted in the log. A bozo feed keeps its usable
    entries and says why in `bozo_reason`; with no entries `error` is set as well.
    """
    try:
        return _parse(body, url, url, content_type)
    except Exception as exc:  # feedparser on hostile bytes: report, never raise
        log.warning("feed %s could not be parsed: %s", redact_url(url), _describe(exc))
        return FeedResult(url=url, status=None, error=f"feed parser failed: {_describe(exc)}")


def poll_feed(
    fetcher: Fetcher,
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    allow_local: bool = False,
) -> FeedResult:
    """Conditional GET of a feed, then parse. Network faults become `error`, never exceptions.

    On 304 the result is `not_modified` with no entries; validators are echoed when the server
    omits them (and on error), so the caller can always store what comes back for next time.
    """
    try:
        resp = fetcher.fetch(
            url, etag=etag, last_modified=last_modified, kind="feed", allow_local=allow_local
        )
    except FetchError as exc:
        return FeedResult(
            url=url, status=exc.status, error=str(exc), etag=etag, last_modified=last_modified
        )
    if resp.not_modified:
        return FeedResult(
            url=url,
            status=resp.status,
            not_modified=True,
            etag=resp.etag or etag,
            last_modified=resp.last_modified or last_modified,
        )
    try:
        result = _parse(resp.body, resp.final_url, url, resp.content_type)
    except Exception as exc:
        result = FeedResult(url=url, status=None, error=f"feed parser failed: {_describe(exc)}")
    result.status = resp.status
    result.etag = resp.etag
    result.last_modified = resp.last_modified
    return result
