"""How long one batch of fetches may spend on one host.

Each fetch has its own deadline, but a batch of 32 links to one slow host, two at a time, would
still wait 16 deadlines in a row. A `HostBudget` gives every host a wall-clock budget counted
from the batch's first request to it (robots.txt included): fetches to that host end by then,
and those not started by then fail at once, so the batch moves on and the rest of its hosts'
pages are stored. A `Fetcher` serves one batch (or one feed poll) and holds one budget.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class HostBudget:
    """`deadline(host)`: when this batch must be done with `host` (monotonic clock)."""

    def __init__(self, seconds: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self._clock = clock
        self._started: dict[str, float] = {}
        self._guard = threading.Lock()

    def deadline(self, host: str) -> float:
        """The host's deadline; the first call for a host starts its budget."""
        with self._guard:
            start = self._started.setdefault(host.lower(), self._clock())
        return start + self.seconds
