"""Per-host limits for concurrent fetching: at most N requests in flight to one host, and
requests to a host spaced by its robots.txt Crawl-delay.

The `Fetcher` already spaces requests by the configured `per_host_delay_s`; this gate adds the
site's own wish (Crawl-delay) and caps parallelism per host, so a thread pool sized for many
hosts never hammers one of them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

MAX_CRAWL_DELAY_S = 60.0  # a robots.txt asking for more is obeyed only up to this


class HostGate:
    """`with gate.slot(host, delay):` waits for a free per-host slot and the host's spacing."""

    def __init__(self, per_host: int) -> None:
        self.per_host = max(1, per_host)
        self._guard = threading.Lock()
        self._semaphores: dict[str, threading.Semaphore] = {}
        self._next_start: dict[str, float] = {}

    @contextmanager
    def slot(self, host: str, delay_s: float | None = None) -> Iterator[None]:
        with self._guard:
            semaphore = self._semaphores.setdefault(host, threading.Semaphore(self.per_host))
        with semaphore:
            if delay_s and delay_s > 0:
                delay_s = min(delay_s, MAX_CRAWL_DELAY_S)
                with self._guard:
                    now = time.monotonic()
                    start = max(now, self._next_start.get(host, now))
                    self._next_start[host] = start + delay_s
                if start > now:
                    time.sleep(start - now)
            yield
