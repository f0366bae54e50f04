"""One wall-clock deadline for a whole request: connect, TLS, headers and body.

httpx's timeouts are per operation: a server that sends one header byte a second never trips
the read timeout, and its headers never end. The deadline here is set around a request
(`within`) and read by the network stream (`pinned.py`) on every connect, read and write: each
waits at most until the deadline, and one that would go past it raises `DeadlineExceeded`.
A context variable carries it, so each thread of a fetching pool has its own.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_deadline: ContextVar[float | None] = ContextVar("tradeline_request_deadline", default=None)


class DeadlineExceeded(Exception):
    """The request's wall-clock deadline passed before it finished."""


@contextmanager
def within(deadline: float) -> Iterator[None]:
    """Network operations in this block end by `deadline` (a time.monotonic() value)."""
    token = _deadline.set(deadline)
    try:
        yield
    finally:
        _deadline.reset(token)


def bounded(timeout: float | None) -> float | None:
    """`timeout` shortened to the time left before the deadline; raises DeadlineExceeded when
    none is left. Without a deadline, `timeout` unchanged."""
    deadline = _deadline.get()
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise DeadlineExceeded("deadline passed")
    return left if timeout is None else min(timeout, left)


def passed() -> bool:
    """Whether there is a deadline and it has passed (a timeout was the deadline's doing)."""
    deadline = _deadline.get()
    return deadline is not None and time.monotonic() >= deadline
