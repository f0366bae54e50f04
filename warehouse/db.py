"""Opening the warehouse file: one place that turns DuckDB's failures into clear messages.

A writable open brings the schema up to date (pending migrations, then the views if a migration
ran or their SQL changed) so every caller sees the same tables; a read-only open never changes
the file, so analysts can query a live warehouse copy. `transaction` is the one transaction
helper of the package.
"""

from __future__ import annotations

import re
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from tradeline.warehouse import fileformat, migrations


class WarehouseError(Exception):
    """The warehouse file cannot be used as asked; the message says why in one line."""


WRITE_LOCK_WAIT_S = 10.0

_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (.+?)(?:\. See also|$)")


def _explain(path: Path, exc: duckdb.Error, *, read_only: bool) -> WarehouseError:
    """Map a DuckDB open failure to a one-line WarehouseError naming the cause."""
    msg = str(exc)
    full = disk_full_error(exc)
    if full is not None:
        return full
    if "Conflicting lock" in msg:
        match = _LOCK_HOLDER.search(msg)
        holder = match.group(1).strip() if match else "another process"
        return WarehouseError(f"warehouse {path} is locked by another process: {holder}")
    if "not a valid DuckDB database file" in msg:
        return WarehouseError(f"{path} exists but is not a DuckDB database file")
    if "different configuration" in msg:
        mode = "read-only" if read_only else "writable"
        return WarehouseError(
            f"warehouse {path} is already open in this process in another mode (or, for "
            f"`run_sql`'s sandbox, with other settings); close that connection before opening "
            f"it {mode}"
        )
    if "database does not exist" in msg:
        return WarehouseError(f"warehouse {path} does not exist")
    if "Permission denied" in msg or "Read-only file system" in msg:
        return WarehouseError(f"warehouse {path} is not writable (permission denied)")
    first_line = msg.splitlines()[0] if msg else type(exc).__name__
    return WarehouseError(f"cannot open warehouse {path}: {first_line}")


def _disk_full(message: str) -> bool:
    """DuckDB's wording of ENOSPC (its IO errors carry the OS message)."""
    lowered = message.lower()
    return "no space left on device" in lowered or "disk full" in lowered


def disk_full_error(exc: BaseException) -> WarehouseError | None:
    """A DuckDB failure because the disk is full, as a one-line WarehouseError (a write can
    fail so anywhere, not only when opening); None for any other failure."""
    if not isinstance(exc, duckdb.Error) or not _disk_full(str(exc)):
        return None
    found = re.search(r'file "([^"]+)"', str(exc))
    where = f" writing {found.group(1)}" if found else ""
    return WarehouseError(f"no space left on the disk{where}: free some space and run again")


def connect(
    path: str | Path,
    *,
    read_only: bool = False,
    lock_wait_s: float | None = None,
    config: dict[str, str | bool | int | float] | None = None,
) -> duckdb.DuckDBPyConnection:
    """Open the warehouse; a writable open creates it and applies pending migrations and views.

    lock_wait_s: while another process holds the file (DuckDB allows one writer and no readers
    from other processes meanwhile), retry for up to this many seconds before failing. Default:
    WRITE_LOCK_WAIT_S for a writable open (an analyst's read holds the file for one query, so
    the ingest steps wait it out), 0 for a read-only one (query.py passes its own wait).
    config: DuckDB settings for the connection (query.py's read-only sandbox).

    An existing file must have a DuckDB header (checked before DuckDB guesses its format) and
    hold tradeline's schema; a writable open may also take a DuckDB file with no tables yet.
    """
    if lock_wait_s is None:
        lock_wait_s = 0.0 if read_only else WRITE_LOCK_WAIT_S
    path = Path(path).expanduser()
    if read_only:
        if not path.is_file():
            raise WarehouseError(f"warehouse {path} does not exist (nothing to open read-only)")
    else:
        if path.is_dir():
            raise WarehouseError(f"warehouse path {path} is a directory, not a file")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WarehouseError(
                f"warehouse {path} is not writable: cannot create {path.parent} ({exc.strerror})"
            ) from exc
    if path.is_file():
        problem = fileformat.check_header(path)
        if problem is not None:
            raise WarehouseError(f"{path} exists but is not a DuckDB database file: it {problem}")
    con = _open_waiting(path, read_only, lock_wait_s, config or {})
    try:
        if not fileformat.is_tradeline_schema(con, new_ok=not read_only):
            raise WarehouseError(
                f"{path} is a DuckDB database but not a tradeline warehouse "
                "(it has no schema_migrations table)"
            )
        if read_only:
            migrations.check_version(con, path)
        else:
            with transaction(con):
                applied = migrations.apply_pending(con, path)
                migrations.sync_views(con, force=bool(applied))
    except migrations.SchemaTooNew as exc:
        con.close()
        raise WarehouseError(str(exc)) from exc
    except WarehouseError:
        con.close()
        raise
    except duckdb.Error as exc:
        con.close()
        raise _explain(path, exc, read_only=read_only) from exc
    except BaseException:
        con.close()
        raise
    return con


def _open_waiting(
    path: Path, read_only: bool, lock_wait_s: float, config: dict[str, str | bool | int | float]
) -> duckdb.DuckDBPyConnection:
    """duckdb.connect, retried with a growing pause (50 ms to 1 s) while the file is locked."""
    deadline = time.monotonic() + max(lock_wait_s, 0.0)
    pause = 0.05
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only, config=config)
        except duckdb.Error as exc:
            locked = "Conflicting lock" in str(exc)
            if not locked or time.monotonic() + pause > deadline:
                error = _explain(path, exc, read_only=read_only)
                if locked and lock_wait_s > 0:
                    error = WarehouseError(f"{error} (still locked after {lock_wait_s:g} s)")
                raise error from exc
        time.sleep(pause)
        pause = min(pause * 2, 1.0)


_in_transaction: weakref.WeakSet[duckdb.DuckDBPyConnection] = weakref.WeakSet()


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """All-or-nothing: COMMIT when the block succeeds, ROLLBACK when it raises.

    DuckDB does not nest transactions (and a BEGIN inside one aborts it), so a block entered
    while this helper already holds a transaction on the connection joins it: the outermost
    block commits or rolls back everything (finishing a run and rebuilding the timeline inside
    it commit together).
    """
    if con in _in_transaction:
        yield con
        return
    con.execute("BEGIN TRANSACTION")
    _in_transaction.add(con)
    try:
        yield con
    except BaseException:
        # DuckDB may already have aborted the transaction; the original error is what matters.
        with suppress(duckdb.Error):
            con.execute("ROLLBACK")
        raise
    else:
        con.execute("COMMIT")
    finally:
        _in_transaction.discard(con)


def utcnow() -> datetime:
    """Now, as the warehouse stores timestamps: UTC without a zone."""
    return datetime.now(UTC).replace(tzinfo=None)
