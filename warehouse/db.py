"""Opening the warehouse file: one place that turns DuckDB's failures into clear messages.

A writable open brings the schema up to date (pending migrations, then the views if a migration
ran or their SQL changed) so every caller sees the same tables; a read-only open never changes
the file, so analysts can query a live warehouse copy. While another process runs an ingest,
a read-only open queries a private snapshot instead (`snapshot.py`), so a long query never
holds the file the ingest must write. `transaction` is the one transaction helper of the
package.
"""

from __future__ import annotations

import logging
import os
import re
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from tradeline.warehouse import fileformat, materialized, migrations, snapshot

log = logging.getLogger(__name__)


class WarehouseError(Exception):
    """The warehouse file cannot be used as asked; the message says why in one line."""


WRITE_LOCK_WAIT_S = 10.0
NOTICE_AFTER_S = 2.0  # a write still waiting after this long says so (once), naming the holder
# DuckDB's buffer pool of a writable connection (a run, a rebuild). Its default, 80% of the
# machine's memory, lets every block a run's merge reads stay cached, so the run's memory grew
# with the warehouse (2.3 GB for a 100-article run at a million articles); capped, DuckDB
# evicts, and spills past it to a temp file (512MB was too little for the merge's set-based
# steps at a million articles). A caller's `config` (or $TRADELINE_WRITE_MEMORY_LIMIT)
# overrides it; work over the whole warehouse raises it (`materialized.roomy`).
WRITE_MEMORY_LIMIT = "1GB"
_write_wait_s: ContextVar[float] = ContextVar("write_wait_s", default=WRITE_LOCK_WAIT_S)
# SETs to run when a connection's outermost transaction ends (`run_after_transaction`), one
# list per call: they run last call first, so two calls that change one setting restore it to
# the value before the first
_after_transaction: dict[duckdb.DuckDBPyConnection, list[list[str]]] = {}

_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (?P<exe>.+?) \(PID (?P<pid>\d+)\)")
_HOLDER_READS = "read-only mode"  # DuckDB says a reader could get in: the holder only reads


@contextmanager
def writes_wait(seconds: float) -> Iterator[None]:
    """Writable opens in this block wait up to `seconds` for a file another process holds
    (the ingest passes `[warehouse] lock_wait_s`, so its fetched pages outwait a query)."""
    token = _write_wait_s.set(seconds)
    try:
        yield
    finally:
        _write_wait_s.reset(token)


def _holder(msg: str) -> str:
    """'duckdb -readonly w.duckdb (PID 42)' from DuckDB's lock message (and /proc, on Linux)."""
    match = _LOCK_HOLDER.search(msg)
    if not match:
        return "another process"
    pid = match.group("pid")
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
        command = " ".join(raw.decode("utf-8", "replace").split("\0")).strip()
    except OSError:
        command = ""
    command = command or match.group("exe").strip()
    if len(command) > 80:
        command = command[:77] + "..."
    return f"{command} (PID {pid})"


def _lock_message(path: Path, msg: str, *, read_only: bool) -> str:
    """Who holds the file, and what to do about it, in one line."""
    holder = _holder(msg)
    if read_only:
        remedy = ("it is writing: try again when it has finished (tradeline's queries wait "
                  "$TRADELINE_LOCK_WAIT_S seconds)")
    elif _HOLDER_READS in msg:
        remedy = ("it holds the file open to read: close that session (DuckDB CLI, notebook, "
                  "long query), or let writes wait longer with [warehouse] lock_wait_s")
    else:
        remedy = "it is writing: only one process may write, so run again when it has finished"
    return f"warehouse {path} is locked by another process: {holder}; {remedy}"


def _explain(path: Path, exc: duckdb.Error, *, read_only: bool) -> WarehouseError:
    """Map a DuckDB open failure to a one-line WarehouseError naming the cause."""
    msg = str(exc)
    full = disk_full_error(exc)
    if full is not None:
        return full
    if "Conflicting lock" in msg:
        return WarehouseError(_lock_message(path, msg, read_only=read_only))
    if "not a valid DuckDB database file" in msg:
        return WarehouseError(f"{path} exists but is not a DuckDB database file")
    if "different configuration" in msg:
        mode = "read-only" if read_only else "writable"
        return WarehouseError(
            f"warehouse {path} is already open in this process in another mode or with other "
            f"settings (tradeline's writable connections set memory_limit, see "
            f"TRADELINE_WRITE_MEMORY_LIMIT; `run_sql`'s sandbox locks its own); close that "
            f"connection before opening it {mode}"
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
    for a writable open WRITE_LOCK_WAIT_S, or what `writes_wait` set (an analyst's read holds
    the file for one query, so the ingest steps wait it out); 0 for a read-only one (query.py
    passes its own wait). A read-only open while another process runs an ingest returns a
    connection to a private snapshot of the file (`snapshot.py`).
    config: DuckDB settings for the connection (query.py's read-only sandbox).

    An existing file must have a DuckDB header (checked before DuckDB guesses its format) and
    hold tradeline's schema; a writable open may also take a DuckDB file with no tables yet.
    """
    if lock_wait_s is None:
        lock_wait_s = 0.0 if read_only else _write_wait_s.get()
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
    if read_only and snapshot.ingest_running(path):
        con = _open_snapshot(path, lock_wait_s, config or {})
    else:
        con = _open_waiting(path, read_only, lock_wait_s, _settings(read_only, config))
    try:
        if not fileformat.is_tradeline_schema(con, new_ok=not read_only):
            raise WarehouseError(
                f"{path} is a DuckDB database but not a tradeline warehouse "
                "(it has no schema_migrations table)"
            )
        if read_only:
            migrations.check_version(con, path)
            migrations.shadow_stale_views(con)
        else:
            with transaction(con):
                applied = migrations.apply_pending(con, path)
                recreated = migrations.sync_views(con, force=bool(applied))
                # an upgraded file, or views / timeline_rows SQL changed: rows by this code
                if recreated and (materialized.FILLED_BY_OPEN & set(applied)
                                  or _has_facts(con)):
                    materialized.refresh_view_rows(con)
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


def _settings(
    read_only: bool, config: dict[str, str | bool | int | float] | None
) -> dict[str, str | bool | int | float]:
    """The connection's DuckDB settings: a writable one gets `WRITE_MEMORY_LIMIT`."""
    if read_only:
        return dict(config or {})
    return {"memory_limit": user_memory_limit() or WRITE_MEMORY_LIMIT, **(config or {})}


def user_memory_limit() -> str | None:
    """$TRADELINE_WRITE_MEMORY_LIMIT: the user's cap for writable connections, which no step
    raises."""
    return os.environ.get("TRADELINE_WRITE_MEMORY_LIMIT") or None


def _open_waiting(
    path: Path, read_only: bool, lock_wait_s: float, config: dict[str, str | bool | int | float]
) -> duckdb.DuckDBPyConnection:
    """duckdb.connect, retried with a growing pause (50 ms to 1 s) while the file is locked."""
    deadline = time.monotonic() + max(lock_wait_s, 0.0)
    pause = 0.05
    said = False
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
            waited = time.monotonic() - (deadline - max(lock_wait_s, 0.0))
            if not said and not read_only and waited >= NOTICE_AFTER_S:
                log.warning("%s; waiting up to %g s", _explain(path, exc, read_only=read_only),
                            lock_wait_s)
                said = True
        time.sleep(pause)
        pause = min(pause * 2, 1.0)


def _open_snapshot(
    path: Path, lock_wait_s: float, config: dict[str, str | bool | int | float]
) -> duckdb.DuckDBPyConnection:
    """Copy the file while a read-only open keeps writers out (one batch's pause), then open
    the copy (with the caller's settings): the ingest writes on while the query runs."""
    live = _open_waiting(path, True, lock_wait_s, {})
    try:
        with snapshot.copied(path) as copy:
            live.close()
            return _open_waiting(copy, True, 0.0, config)
    finally:
        live.close()


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
        restores = reversed(_after_transaction.pop(con, []))
        for statement in [each for group in restores for each in group]:
            with suppress(duckdb.Error):  # a closed connection has nothing left to restore
                con.execute(statement)


def run_after_transaction(con: duckdb.DuckDBPyConnection, statements: list[str]) -> None:
    """Run `statements` (SETs that restore a setting) once the connection's transaction has
    ended, or now when it holds none. Why: inside a transaction that failed DuckDB refuses every
    statement, and a ROLLBACK does not undo a SET, so a restore there would be lost and the
    instance-wide setting would stay for every later connection of the process."""
    if con in _in_transaction:
        _after_transaction.setdefault(con, []).append(list(statements))
        return
    for statement in statements:
        con.execute(statement)


def utcnow() -> datetime:
    """Now, as the warehouse stores timestamps: UTC without a zone."""
    return datetime.now(UTC).replace(tzinfo=None)


def _has_facts(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the file has extracted articles, so kept rows to recompute (a new file has none;
    an article with companies but no event makes firm rows without any timeline entry)."""
    return con.execute("SELECT EXISTS (SELECT 1 FROM article_extractions)").fetchone()[0]
