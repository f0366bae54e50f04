"""robots.txt: may tradeline fetch this URL, and how slowly? (RFC 9309, plus Crawl-delay)

Parsed with protego (Scrapy's parser), which follows RFC 9309: `*` and `$` in paths, the
longest matching rule wins (an Allow of equal length beats a Disallow), the most specific
User-agent group applies. Each site's file is fetched once through the caller's `Fetcher`
(same caps, address checks and User-Agent) and cached per process for `ttl_s`.

What a robots.txt response means (RFC 9309 §2.3.1):
- 2xx: the file's rules apply.
- 4xx other than 429 ("unavailable", e.g. 404): no rules, everything is allowed.
- 5xx, 429, a timeout, a refused or reset connection, a redirect loop or too many redirects
  ("unreachable"): the whole site is disallowed, as the RFC says a crawler MUST assume, for
  the same `ttl_s`; then robots.txt is asked again. This is logged (WARNING) and each page
  skipped meanwhile is recorded with reason `robots_unreachable: …`, a failure that is tried
  again later (the entry stays owed), unlike `robots: …` (disallowed by the file's rules).
- Anything else (an unusable body: wrong content type, too large, undecodable; a blocked
  address): no rules, everything is allowed, logged.
Local files have no robots.txt.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from protego import Protego

from tradeline.sources.http import Fetcher, FetchError
from tradeline.sources.urls import is_local_url, redact_url

log = logging.getLogger(__name__)

ROBOTS_MAX_BYTES = 512_000  # RFC 9309 asks crawlers to read at least 500 KiB
DEFAULT_TTL_S = 3600.0
# Fetch failures that make robots.txt "unreachable" (RFC 9309 §2.3.1.4): disallow everything.
UNREACHABLE_REASONS = frozenset({"timeout", "connection", "redirect_loop", "too_many_redirects"})


@dataclass(slots=True)
class SiteRules:
    """One site's robots.txt. `parser` None: no usable file, everything allowed, unless
    `unreachable` says why robots.txt could not be read: then everything is disallowed."""

    parser: Protego | None
    fetched_at: float
    unreachable: str | None = None

    def allowed(self, user_agent: str, url: str) -> bool:
        if self.unreachable is not None:
            return False
        return self.parser is None or self.parser.can_fetch(url, user_agent)

    def crawl_delay(self, user_agent: str) -> float | None:
        if self.parser is None:
            return None
        delay = self.parser.crawl_delay(user_agent)
        return float(delay) if delay is not None else None


def site_of(url: str) -> str | None:
    """'https://Example.com:8443/a?b' → 'https://example.com:8443' (None for local files)."""
    if is_local_url(url):
        return None
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def parse_robots(text: str) -> Protego:
    """Rules of a robots.txt body: `can_fetch(url, user_agent)`, `crawl_delay(user_agent)`."""
    return Protego.parse(text)


def is_unreachable(exc: FetchError) -> bool:
    """Does this failure to fetch robots.txt mean "unreachable" (disallow all) rather than
    "unavailable" (allow all)? 5xx and 429 do, and so do timeouts, refused connections and
    redirects that never end; other 4xx answers do not."""
    if exc.reason in UNREACHABLE_REASONS:
        return True
    return exc.status is not None and (exc.status >= 500 or exc.status == 429)


class RobotsCache:
    """robots.txt rules per site, fetched on first use and shared by the threads of a process."""

    def __init__(self, ttl_s: float = DEFAULT_TTL_S) -> None:
        self.ttl_s = ttl_s
        self._sites: dict[str, SiteRules] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def clear(self) -> None:
        with self._guard:
            self._sites.clear()
            self._locks.clear()

    def rules(self, fetcher: Fetcher, url: str) -> SiteRules | None:
        """The rules for `url`'s site (fetching robots.txt at most once per ttl), None if local."""
        site = site_of(url)
        if site is None:
            return None
        with self._guard:
            lock = self._locks.setdefault(site, threading.Lock())
        with lock:  # one fetch per site even when many threads ask at once
            cached = self._sites.get(site)
            if cached is not None and time.monotonic() - cached.fetched_at < self.ttl_s:
                return cached
            cached = self._fetch(fetcher, site)
            self._sites[site] = cached
            return cached

    def allowed(self, fetcher: Fetcher, url: str) -> bool:
        rules = self.rules(fetcher, url)
        return rules is None or rules.allowed(fetcher.settings.user_agent, url)

    def check(self, fetcher: Fetcher, url: str) -> None:
        """Raise FetchError 'robots' when robots.txt disallows `url` (permanent), or
        'robots_unreachable' when the site's robots.txt cannot be read (tried again later)."""
        rules = self.rules(fetcher, url)
        if rules is None:
            return
        if rules.unreachable is not None:
            raise FetchError(
                "robots_unreachable",
                url,
                f"{redact_url(url)} not fetched: robots.txt unreachable ({rules.unreachable}); "
                f"RFC 9309: the site is disallowed until it answers (asked again after "
                f"{self.ttl_s:g}s)",
                retryable=True,
            )
        if not rules.allowed(fetcher.settings.user_agent, url):
            raise FetchError("robots", url, f"{redact_url(url)} disallowed by robots.txt")

    def crawl_delay(self, fetcher: Fetcher, url: str) -> float | None:
        rules = self.rules(fetcher, url)
        return rules.crawl_delay(fetcher.settings.user_agent) if rules else None

    def _fetch(self, fetcher: Fetcher, site: str) -> SiteRules:
        robots_url = f"{site}/robots.txt"
        try:
            response = fetcher.fetch(robots_url, kind="page", max_bytes=ROBOTS_MAX_BYTES)
        except FetchError as exc:
            now = time.monotonic()
            if is_unreachable(exc):
                log.warning(
                    "robots.txt of %s unreachable (%s): disallowing the whole site for %gs "
                    "(RFC 9309)", redact_url(site), exc, self.ttl_s,
                )
                return SiteRules(None, now, unreachable=str(exc))
            if exc.status is None or not 400 <= exc.status < 500:
                log.info("robots.txt of %s unusable, allowing all: %s", redact_url(site), exc)
            return SiteRules(None, now)  # 4xx: unavailable, no rules (RFC 9309 §2.3.1.3)
        text = response.body.decode("utf-8", errors="replace")
        return SiteRules(parse_robots(text), time.monotonic())


# The process-wide cache the ingest steps use (Dask workers each keep their own).
ROBOTS = RobotsCache()
