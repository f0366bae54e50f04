"""A private copy of the warehouse for a reader while an ingest runs.

Why: DuckDB lets one process write and, meanwhile, no other process open the file; a reader
holding it (read-only, for one long query) blocks the ingest's next write until it closes
(measured with duckdb 2.0: the writer's open fails with "Conflicting lock" for as long as the
reader's connection is open). So while an ingest holds the run lock, `db.connect(read_only=True)`
copies the file under a brief read-only open (which keeps writers out only for the copy) and
queries the copy; the ingest writes on. The copy sits next to the warehouse (same file system,
so the copy is cheap where the file system can clone) and is unlinked as soon as DuckDB has it
open, so nothing is left behind.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def run_lock_file(warehouse: str | Path) -> Path:
    """`<warehouse>.lock`: the run lock (flows/runlock.py); its holder writes its pid in it."""
    path = Path(warehouse).expanduser().absolute()
    return path.with_name(path.name + ".lock")


def ingest_running(warehouse: str | Path) -> bool:
    """Whether another live process holds the run lock, read from the pid in the lock file
    (without locking, so a starting run is never turned away by a reader). A pid left by a
    killed run that a new process reuses only costs one needless copy."""
    try:
        text = run_lock_file(warehouse).read_text(encoding="ascii", errors="replace").strip()
    except OSError:
        return False
    if not text.isdigit() or int(text) == os.getpid():
        return False
    try:
        os.kill(int(text), 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    except OSError:
        return False
    return True


@contextmanager
def copied(warehouse: Path) -> Iterator[Path]:
    """A copy of the warehouse file (and its WAL, if any) in a temporary folder beside it,
    removed on exit; the caller keeps writers out while the copy is made."""
    try:
        folder = Path(tempfile.mkdtemp(prefix=f".{warehouse.name}.snapshot-", dir=warehouse.parent))
    except OSError:  # a warehouse folder the reader may not write to
        folder = Path(tempfile.mkdtemp(prefix="tradeline-snapshot-"))
    try:
        copy = folder / warehouse.name
        shutil.copyfile(warehouse, copy)
        wal = warehouse.with_name(warehouse.name + ".wal")
        if wal.is_file():
            shutil.copyfile(wal, copy.with_name(copy.name + ".wal"))
        yield copy
    finally:
        shutil.rmtree(folder, ignore_errors=True)
