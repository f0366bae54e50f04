"""Every per-host rule of fetching, in one gate: at most N requests in flight to one host, and
the starts of requests to one host spaced by the configured `per_host_delay_s`, or by the
site's robots.txt Crawl-delay when that is longer.

A process has one gate (`PROCESS_GATE`, the default of every `Fetcher`), so spacing carries
over from batch to batch and from feed polls to page fetches, whichever `Fetcher` sends them
(each batch opens its own); Dask workers each keep their own. Hosts are compared by name,
without the port. The clock and the sleep are injectable, so tests check the schedule of starts
rather than wall-clock gaps.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

MAX_CRAWL_DELAY_S = 60.0  # a robots.txt asking for more is obeyed only up to this


class HostGate:
    """`with gate.slot(host, n):` waits until fewer than `n` requests to the host are in flight;
    `gate.wait_turn(host, …)` waits for the host's next start, once per request sent."""

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._guard = threading.Lock()
        self._semaphores: dict[tuple[str, int], threading.Semaphore] = {}
        self._next_start: dict[str, float] = {}

    @contextmanager
    def slot(self, host: str, per_host: int) -> Iterator[None]:
        """Hold one of the host's slots (at most `per_host` requests in flight to it)."""
        per_host = max(1, per_host)
        with self._guard:
            semaphore = self._semaphores.setdefault(
                (host, per_host), threading.Semaphore(per_host)
            )
        with semaphore:
            yield

    def wait_turn(
        self, host: str, delay_s: float, crawl_delay_s: float | None = None
    ) -> float | None:
        """Reserve the host's next start, `max(delay_s, crawl_delay_s)` after the one before
        (Crawl-delay capped at MAX_CRAWL_DELAY_S), and sleep until it. The reservation is made
        under a lock and the sleep outside it, so concurrent threads queue up in turn.
        Returns the reserved start (None when there is no spacing: then nothing waits)."""
        interval = max(delay_s, min(crawl_delay_s or 0.0, MAX_CRAWL_DELAY_S))
        if interval <= 0:
            return None
        with self._guard:
            now = self._clock()
            start = max(now, self._next_start.get(host, now))
            self._next_start[host] = start + interval
        if start > now:
            self._sleep(start - now)
        return start


PROCESS_GATE = HostGate()
