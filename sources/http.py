"""Polite, defensive fetching of pages and feeds.

Everything the pipeline downloads passes through `Fetcher.fetch`, so the defences live here
once: size caps on decoded bytes (gzip bombs), wall-clock deadlines (trickling servers: one per
request covering connect, headers and body, one per fetch covering its redirects and retries,
and a per-host budget for the batch), content-type checks, manual redirects with per-hop
address checks (SSRF; a host name is resolved, checked and connected to in one step by
`pinned.py`), retries with backoff, per-host spacing, and messages that never carry credentials.
"""

from __future__ import annotations

import logging
import mimetypes
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Literal
from urllib.parse import SplitResult, urljoin, urlsplit

import httpx

from tradeline.config import FetchConfig
from tradeline.sources import deadline, politeness
from tradeline.sources.addresses import first_non_public, ip_literal
from tradeline.sources.budget import HostBudget
from tradeline.sources.inflate import ACCEPT_ENCODING, BoundedDecoder, DecodeFailed, TooLarge
from tradeline.sources.pinned import BlockedAddress, PinnedTransport, Unresolvable
from tradeline.sources.politeness import HostGate
from tradeline.sources.urls import is_local_url, local_path, redact_url

log = logging.getLogger(__name__)


class _RedactURLs(logging.Filter):
    """httpx logs every request's full URL at INFO ("HTTP Request: GET …"); mask credentials
    and tokens in it, so turning on INFO logging never writes a feed's secret to a log."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                redact_url(str(a)) if isinstance(a, httpx.URL) else a for a in record.args
            )
        return True


logging.getLogger("httpx").addFilter(_RedactURLs())

Kind = Literal["page", "feed"]

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
RETRY_AFTER_CAP_S = 60.0
DEADLINE_FACTOR = 3.0  # a whole request (connect, headers, body) may take this many timeout_s
PAGE_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/plain"})
ACCEPT = {
    "page": "text/html,application/xhtml+xml;q=0.9,text/plain;q=0.5",
    "feed": "application/rss+xml,application/atom+xml,application/rdf+xml,"
    "application/xml;q=0.9,text/xml;q=0.9,text/*;q=0.5",
}

# Our own table, not the system's mime.types, so guesses are the same on every machine.
_MIME = mimetypes.MimeTypes()
_MIME.add_type("application/rss+xml", ".rss")
_MIME.add_type("application/atom+xml", ".atom")


class FetchError(Exception):
    """A fetch that produced nothing usable; `reason` is a short machine code.

    Reasons: timeout | connection | http_<status> | too_large | content_type | redirect_loop |
    too_many_redirects | bad_scheme | bad_url | private_address | local_not_allowed | decode |
    not_found. `detail` (and so str(exc)) only ever contains redacted URLs; `url` is the URL as
    the caller passed it.
    """

    def __init__(
        self,
        reason: str,
        url: str,
        detail: str,
        status: int | None = None,
        *,
        retryable: bool = False,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.url = url
        self.detail = detail
        self.status = status
        self.retryable = retryable
        self.retry_after = retry_after

    def __str__(self) -> str:
        return f"{self.reason}: {self.detail}"

    def __reduce__(self) -> tuple[type[FetchError], tuple[str, str, str, int | None]]:
        # Keeps the exception picklable (task runners ship exceptions between processes).
        return (FetchError, (self.reason, self.url, self.detail, self.status))


@dataclass(slots=True)
class FetchResponse:
    """What came back: the final URL after redirects, decoded body and cache validators."""

    url: str
    final_url: str
    status: int
    content_type: str | None
    body: bytes
    etag: str | None
    last_modified: str | None
    not_modified: bool
    fetched_at: datetime


@dataclass(slots=True)
class _Hop:
    status: int
    headers: httpx.Headers
    body: bytes = b""


def media_type(content_type: str | None) -> str:
    """'Text/HTML; charset=utf-8' → 'text/html' ('' when absent)."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def acceptable_type(content_type: str | None, kind: Kind) -> bool:
    """Pages: HTML, XHTML, plain text. Feeds: any XML type or text/*. Missing: always fine."""
    media = media_type(content_type)
    if not media:
        return True
    if kind == "feed":
        return media.startswith("text/") or media.endswith(("/xml", "+xml"))
    return media in PAGE_TYPES


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date); None if unusable."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _split(target: str, url: str) -> SplitResult:
    try:
        return urlsplit(target)
    except ValueError as exc:  # e.g. an unbalanced IPv6 bracket
        raise FetchError("bad_url", url, f"{exc}: {redact_url(target)}") from exc


def _without_fragment(target: str, url: str) -> str:
    return _split(target, url)._replace(fragment="").geturl()


class Fetcher:
    """One httpx.Client with tradeline's fetch policy, for one batch of fetches (or one feed
    poll): its per-host budget (`budget.py`) is the batch's. Safe to share across a small thread
    pool."""

    def __init__(self, settings: FetchConfig, gate: HostGate | None = None) -> None:
        self.settings = settings
        # per-host spacing (and, for callers, per-host slots): the process's gate by default
        self.gate = gate if gate is not None else politeness.PROCESS_GATE
        self.budget = HostBudget(settings.host_budget_s)
        self._deadline_s = DEADLINE_FACTOR * settings.timeout_s
        # trust_env=False: settings come from the config, never from proxy variables; the
        # transport connects only to the addresses it checked (pinned.py).
        self._client = httpx.Client(
            timeout=httpx.Timeout(settings.timeout_s),
            follow_redirects=False,
            trust_env=False,
            transport=PinnedTransport(allow_private=settings.allow_private_hosts),
            headers={"User-Agent": settings.user_agent, "Accept-Encoding": ACCEPT_ENCODING},
        )

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    # -- public -----------------------------------------------------------------------------

    def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        max_bytes: int | None = None,
        kind: Kind = "page",
        allow_local: bool = False,
        crawl_delay: float | None = None,
    ) -> FetchResponse:
        """GET `url` (or read it, for allowed local files); raises FetchError on any failure.

        Every request sent (retries and redirect hops too) waits for its host's turn at the
        gate: `per_host_delay_s` apart, or `crawl_delay` (robots.txt) when that is longer.
        Each request ends within DEADLINE_FACTOR × timeout_s, the whole fetch (redirects and
        retries included) within that × (retries + 1), and nothing for a host goes past its
        budget for this fetcher's batch (`host_budget_s`).
        """
        url = url.strip()
        if max_bytes is None:
            max_bytes = self.settings.max_feed_bytes if kind == "feed" else self.settings.max_bytes
        if is_local_url(url):
            if not allow_local:
                raise FetchError(
                    "local_not_allowed", url, f"local file not allowed: {redact_url(url)}"
                )
            return self._read_local(url, max_bytes, kind)

        headers = {"Accept": ACCEPT[kind]}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        budget_end = time.monotonic() + self._deadline_s * (self.settings.retries + 1)

        current = url
        seen = {_without_fragment(url, url)}
        redirects = 0
        while True:
            self._check_target(current, url)
            hop = self._get_with_retries(
                current, url, headers, max_bytes, kind, budget_end, crawl_delay
            )
            if hop.status not in REDIRECT_STATUSES:
                break
            location = hop.headers.get("location", "").strip()
            if not location:
                raise FetchError(
                    f"http_{hop.status}",
                    url,
                    f"redirect without Location from {redact_url(current)}",
                    hop.status,
                )
            try:
                target = urljoin(current, location)
            except ValueError as exc:
                raise FetchError(
                    "bad_url", url, f"{redact_url(current)} redirects to an invalid URL: {exc}"
                ) from exc
            if _split(target, url).scheme.lower() not in ("http", "https"):
                raise FetchError(
                    "bad_scheme",
                    url,
                    f"{redact_url(current)} redirects to {redact_url(target)}",
                    hop.status,
                )
            if _without_fragment(target, url) in seen:
                raise FetchError(
                    "redirect_loop", url, f"{redact_url(target)} visited twice", hop.status
                )
            redirects += 1
            if redirects > self.settings.max_redirects:
                raise FetchError(
                    "too_many_redirects",
                    url,
                    f"more than {self.settings.max_redirects} redirects from {redact_url(url)}",
                    hop.status,
                )
            seen.add(_without_fragment(target, url))
            current = target

        not_modified = hop.status == 304
        return FetchResponse(
            url=url,
            final_url=current,
            status=hop.status,
            content_type=hop.headers.get("content-type"),
            body=hop.body,
            etag=hop.headers.get("etag") or (etag if not_modified else None),
            last_modified=hop.headers.get("last-modified")
            or (last_modified if not_modified else None),
            not_modified=not_modified,
            fetched_at=datetime.now(UTC),
        )

    # -- network ----------------------------------------------------------------------------

    def _check_target(self, target: str, url: str) -> None:
        """Scheme, host and (unless allowed) address class of one hop, before connecting."""
        parts = _split(target, url)
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https"):
            raise FetchError("bad_scheme", url, f"not an http(s) URL: {redact_url(target)}")
        try:
            host, port = parts.hostname, parts.port or (443 if scheme == "https" else 80)
        except ValueError as exc:
            raise FetchError("bad_url", url, f"{exc}: {redact_url(target)}") from exc
        if not host:
            raise FetchError("bad_url", url, f"no host in {redact_url(target)}")
        if self.settings.allow_private_hosts:
            return
        if ip_literal(host) is None:
            try:  # a name is resolved, checked and connected to in one step (pinned.py)
                host.encode("idna")
            except UnicodeError as exc:
                raise FetchError("bad_url", url, f"bad host name {host!r}: {exc}") from exc
            return
        bad = first_non_public(host, port)
        if bad is not None:
            raise FetchError("private_address", url, f"{host} resolves to non-public address {bad}")

    def _get_with_retries(
        self,
        target: str,
        url: str,
        headers: dict[str, str],
        cap: int,
        kind: Kind,
        budget_end: float,
        crawl_delay: float | None,
    ) -> _Hop:
        """One hop, retried with exponential backoff (or Retry-After) on transient failures."""
        attempts = self.settings.retries + 1
        for attempt in range(attempts):
            try:
                return self._attempt(target, url, headers, cap, kind, budget_end, crawl_delay)
            except FetchError as exc:
                if not exc.retryable or attempt + 1 >= attempts:
                    raise
                wait = exc.retry_after
                if wait is None:
                    wait = self.settings.backoff_s * 2**attempt
                wait = min(wait, RETRY_AFTER_CAP_S)
                host = (urlsplit(target).hostname or "").lower()
                if time.monotonic() + wait > min(budget_end, self.budget.deadline(host)):
                    log.info(
                        "giving up on %s: %s (wait %.1fs exceeds budget)",
                        redact_url(target),
                        exc,
                        wait,
                    )
                    raise
                log.info(
                    "retrying %s in %.2fs after %s (attempt %d/%d)",
                    redact_url(target),
                    wait,
                    exc,
                    attempt + 2,
                    attempts,
                )
                time.sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover

    def _attempt(
        self,
        target: str,
        url: str,
        headers: dict[str, str],
        cap: int,
        kind: Kind,
        budget_end: float,
        crawl_delay: float | None,
    ) -> _Hop:
        """One request, ended by the earliest of its own deadline, the fetch's and the host's."""
        safe = redact_url(target)
        host = (urlsplit(target).hostname or "").lower()
        self.gate.wait_turn(host, self.settings.per_host_delay_s, crawl_delay)
        started = time.monotonic()
        host_end = self.budget.deadline(host)
        end = min(started + self._deadline_s, budget_end, host_end)
        if end <= started:
            spent = (
                f"{host} has used this batch's {self.budget.seconds:g}s"
                if end == host_end
                else f"the fetch has used its {self._deadline_s * (self.settings.retries + 1):g}s"
            )
            raise FetchError("timeout", url, f"{safe}: not started, {spent}")
        try:
            with deadline.within(end), self._client.stream("GET", target, headers=headers) as resp:
                status = resp.status_code
                if status in REDIRECT_STATUSES or status == 304:
                    return _Hop(status, resp.headers)
                if status == 429 or status >= 500:
                    raise FetchError(
                        f"http_{status}",
                        url,
                        f"{safe} answered {status}",
                        status,
                        retryable=True,
                        retry_after=parse_retry_after(resp.headers.get("retry-after")),
                    )
                if not 200 <= status < 300:
                    raise FetchError(f"http_{status}", url, f"{safe} answered {status}", status)
                content_type = resp.headers.get("content-type")
                if not acceptable_type(content_type, kind):
                    raise FetchError(
                        "content_type",
                        url,
                        f"{safe} is {media_type(content_type)}, not a {kind}",
                        status,
                    )
                length = resp.headers.get("content-length", "").strip()
                if length.isdigit() and int(length) > cap:
                    raise FetchError(
                        "too_large", url, f"{safe} declares {length} bytes (cap {cap})", status
                    )
                body = self._read_body(resp, cap, end, end - started, url, safe)
                return _Hop(status, resp.headers, body)
        except deadline.DeadlineExceeded as exc:
            raise FetchError(
                "timeout", url, f"{safe}: response not complete after {end - started:.3g}s"
            ) from exc
        except BlockedAddress as exc:
            raise FetchError("private_address", url, str(exc)) from exc
        except Unresolvable as exc:
            raise FetchError("connection", url, str(exc)) from exc
        except httpx.TimeoutException as exc:
            raise FetchError(
                "timeout", url, f"{safe}: {type(exc).__name__}", retryable=True
            ) from exc
        except httpx.TransportError as exc:
            raise FetchError(
                "connection", url, f"{safe}: {type(exc).__name__}: {exc}", retryable=True
            ) from exc
        except httpx.InvalidURL as exc:
            raise FetchError("bad_url", url, f"{safe}: {exc}") from exc
        except httpx.HTTPError as exc:
            raise FetchError("connection", url, f"{safe}: {type(exc).__name__}: {exc}") from exc

    def _read_body(
        self, resp: httpx.Response, cap: int, end: float, allowed: float, url: str, safe: str
    ) -> bytes:
        """Stream the raw body through a bounded decoder, watching the wall-clock deadline
        (`end`, `allowed` seconds after the request started; the stream stops a read that
        would pass it, this loop a body that keeps coming)."""
        status = resp.status_code
        try:
            decoder = BoundedDecoder(resp.headers.get("content-encoding"), cap)
            for chunk in resp.iter_raw():
                decoder.feed(chunk)
                if time.monotonic() > end:
                    raise FetchError(
                        "timeout", url, f"{safe}: body not complete after {allowed:.3g}s", status
                    )
            return decoder.finish()
        except TooLarge as exc:
            raise FetchError("too_large", url, f"{safe}: {exc} (decoded)", status) from exc
        except DecodeFailed as exc:
            raise FetchError("decode", url, f"{safe}: {exc}", status) from exc

    # -- local files ------------------------------------------------------------------------

    def _read_local(self, url: str, cap: int, kind: Kind) -> FetchResponse:
        """A file: URL or path, under the same size cap and type check as a download."""
        try:
            path = local_path(url)
        except ValueError as exc:
            raise FetchError("bad_url", url, str(exc)) from exc
        if not path.is_file():
            raise FetchError("not_found", url, f"no such file: {path}")
        try:
            if path.stat().st_size > cap:
                raise FetchError("too_large", url, f"{path} is larger than {cap} bytes")
            with path.open("rb") as fh:
                body = fh.read(cap + 1)
        except OSError as exc:
            raise FetchError("not_found", url, f"cannot read {path}: {exc.strerror}") from exc
        if len(body) > cap:
            raise FetchError("too_large", url, f"{path} is larger than {cap} bytes")
        content_type, encoding = _MIME.guess_type(path.name)
        if encoding is not None:  # x.xml.gz: the bytes are compressed, not XML
            content_type = "application/octet-stream"
        if not acceptable_type(content_type, kind):
            raise FetchError("content_type", url, f"{path} looks like {content_type}, not a {kind}")
        return FetchResponse(
            url=url,
            final_url=path.as_uri(),
            status=200,
            content_type=content_type,
            body=body,
            etag=None,
            last_modified=None,
            not_modified=False,
            fetched_at=datetime.now(UTC),
        )
