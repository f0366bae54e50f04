"""robots.txt: may tradeline fetch this URL, and how slowly? (RFC 9309, plus Crawl-delay)

Parsed with the standard library's `urllib.robotparser`; each site's file is fetched once
through the caller's `Fetcher` (same caps, address checks and User-Agent) and cached per
process for `ttl_s`. A missing file (any 4xx) allows everything; a file that cannot be fetched
(5xx, timeout, refused) also allows everything, as Scrapy and most crawlers do, and is logged —
a flaky robots.txt should not stop a news feed. Local files have no robots.txt.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

from tradeline.sources.http import Fetcher, FetchError
from tradeline.sources.urls import is_local_url, redact_url

log = logging.getLogger(__name__)

ROBOTS_MAX_BYTES = 512_000  # RFC 9309 asks crawlers to read at least 500 KiB
DEFAULT_TTL_S = 3600.0


@dataclass(slots=True)
class SiteRules:
    """One site's parsed robots.txt (None: no usable file, everything allowed)."""

    parser: RobotFileParser | None
    fetched_at: float

    def allowed(self, user_agent: str, url: str) -> bool:
        return self.parser is None or self.parser.can_fetch(user_agent, url)

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


def parse_robots(text: str) -> RobotFileParser:
    parser = RobotFileParser()
    parser.parse(text.splitlines())
    return parser


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
            cached = SiteRules(self._fetch(fetcher, site), time.monotonic())
            self._sites[site] = cached
            return cached

    def allowed(self, fetcher: Fetcher, url: str) -> bool:
        rules = self.rules(fetcher, url)
        return rules is None or rules.allowed(fetcher.settings.user_agent, url)

    def crawl_delay(self, fetcher: Fetcher, url: str) -> float | None:
        rules = self.rules(fetcher, url)
        return rules.crawl_delay(fetcher.settings.user_agent) if rules else None

    @staticmethod
    def _fetch(fetcher: Fetcher, site: str) -> RobotFileParser | None:
        robots_url = f"{site}/robots.txt"
        try:
            response = fetcher.fetch(robots_url, kind="page", max_bytes=ROBOTS_MAX_BYTES)
        except FetchError as exc:
            if exc.status is None or exc.status >= 500:
                log.info("robots.txt unavailable, allowing all: %s (%s)", redact_url(site), exc)
            return None  # 4xx: no rules; 5xx/unreachable: allowed, logged
        text = response.body.decode("utf-8", errors="replace")
        return parse_robots(text)


# The process-wide cache the ingest steps use (Dask workers each keep their own).
ROBOTS = RobotsCache()
