"""Ctrl-C and SIGTERM end a run the same way: as an interrupt, recorded 'interrupted', with
exit status 130 (SIGINT) or 143 (SIGTERM), as shells report a signal.

Why: Python turns SIGINT into KeyboardInterrupt but dies on SIGTERM (what `timeout`, `kill` and
service managers send) without unwinding, so a terminated run stayed 'running'. Within a
command, SIGTERM raises `Terminated`, a KeyboardInterrupt. Inside a flow Prefect installs its own
SIGTERM handler, which raises its `TerminationSignal` and then re-sends SIGTERM to ours; both
count as an interrupt.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

SIGINT_STATUS = 128 + signal.SIGINT  # 130
SIGTERM_STATUS = 128 + signal.SIGTERM  # 143


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived: stop like Ctrl-C, but exit 143."""


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    raise Terminated()


@contextmanager
def sigterm_interrupts() -> Iterator[None]:
    """Within the block, SIGTERM raises `Terminated` in the main thread (elsewhere: unchanged,
    since only the main thread may set handlers)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _termination_signal() -> type[BaseException] | None:
    """Prefect's TerminationSignal, if Prefect is loaded (never imported just for this)."""
    module = sys.modules.get("prefect.exceptions")
    return getattr(module, "TerminationSignal", None)


def is_interrupt(exc: BaseException) -> bool:
    """Ctrl-C, our SIGTERM, or Prefect's wrapping of a SIGTERM inside a flow."""
    prefect_signal = _termination_signal()
    return isinstance(exc, KeyboardInterrupt) or (
        prefect_signal is not None and isinstance(exc, prefect_signal)
    )


def exit_status(exc: BaseException) -> int:
    """143 for SIGTERM, 130 for Ctrl-C."""
    if isinstance(exc, Terminated) or getattr(exc, "signal", None) == signal.SIGTERM:
        return SIGTERM_STATUS
    return SIGINT_STATUS
