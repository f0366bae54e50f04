"""One ingest at a time per warehouse: a lock file next to it, held for the whole run.

The flow opens the DuckDB file only for short per-step transactions, so DuckDB's own file lock
does not keep two runs apart: they would interleave, and one would fail half-way on a
"Conflicting lock". `<warehouse>.lock` is held with `fcntl.flock` for the whole run instead.
The kernel drops a flock when its process dies, even on SIGKILL, so a crash never leaves a stale
lock behind. Hand-written rather than `filelock` because its Unix lock truncates the file on
every attempt, which would lose the holder's pid that the message names.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from tradeline.warehouse.db import WarehouseError
from tradeline.warehouse.snapshot import run_lock_file

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no run lock, DuckDB's file lock still applies
    fcntl = None  # type: ignore[assignment]

POLL_S = 0.2

_held: dict[Path, int] = {}  # lock path → nesting depth in this process
_guard = threading.Lock()


class RunLocked(WarehouseError):
    """Another process is running an ingest on this warehouse."""


def lock_path(warehouse: str | Path) -> Path:
    """`<warehouse>.lock`, next to the warehouse file (readers look there for a running
    ingest: warehouse/snapshot.py)."""
    return run_lock_file(warehouse)


def _holder(fd: int) -> str:
    """The pid the holder wrote into the lock file, as text for the message."""
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        text = ""
    return f"pid {text}" if text.isdigit() else "pid unknown"


@contextmanager
def run_lock(
    warehouse: str | Path,
    wait_s: float = 0.0,
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[Path]:
    """Hold the warehouse's run lock; wait up to `wait_s` seconds for it, then raise RunLocked.

    `on_wait` hears once that the lock is busy and we are waiting. Re-entrant within one
    process (the CLI takes it before the flow, which takes it again).
    """
    path = lock_path(warehouse)
    with _guard:
        if path in _held:
            _held[path] += 1
            reentered = True
        else:
            reentered = False
    if reentered:
        try:
            yield path
        finally:
            with _guard:
                _held[path] -= 1
        return
    if fcntl is None:  # pragma: no cover
        yield path
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise WarehouseError(
            f"warehouse {Path(warehouse)} is not writable: cannot create its lock file {path} "
            f"({exc.strerror})"
        ) from exc
    try:
        deadline = time.monotonic() + max(0.0, wait_s)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if on_wait is not None and wait_s > 0:
                    on_wait(
                        f"waiting up to {wait_s:g} s for another tradeline run ({_holder(fd)}) "
                        f"using {Path(warehouse)}"
                    )
                    on_wait = None
                if time.monotonic() >= deadline:
                    waited = f" (waited {wait_s:g} s)" if wait_s > 0 else ""
                    raise RunLocked(
                        f"another tradeline run ({_holder(fd)}) is using {Path(warehouse)}"
                        f"{waited}; try again when it has finished"
                    ) from None
                time.sleep(POLL_S)
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode("ascii"), 0)
        with _guard:
            _held[path] = 1
        try:
            yield path
        finally:
            with _guard:
                del _held[path]
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
