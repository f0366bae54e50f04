"""The run lock and the closing of runs a killed ingest left 'running' (fast, no Prefect)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.builders import start_test_run
from tradeline.flows.runlock import RunLocked, lock_path, run_lock
from tradeline.flows.runs import close_interrupted_runs
from tradeline.warehouse.db import WarehouseError, connect
from tradeline.warehouse.load import store_batch
from tradeline.warehouse.runs import finish_run


def _run(con: object, kind: str = "ingest") -> str:
    return start_test_run(con, kind)


def _holder(warehouse: Path) -> subprocess.Popen[str]:
    """Another process holding the run lock until its stdin closes."""
    code = textwrap.dedent(
        f"""
        import sys
        from tradeline.flows.runlock import run_lock
        with run_lock({str(warehouse)!r}):
            print("held", flush=True)
            sys.stdin.read()
        """
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_lock_held_elsewhere_names_the_holder_then_frees_on_exit(tmp_path: Path) -> None:
    warehouse = tmp_path / "wh.duckdb"
    holder = _holder(warehouse)
    try:
        with (
            pytest.raises(RunLocked, match=rf"another tradeline run \(pid {holder.pid}\)"),
            run_lock(warehouse),
        ):
            pass
        heard: list[str] = []
        with (
            pytest.raises(RunLocked, match=r"waited 0\.3 s"),
            run_lock(warehouse, wait_s=0.3, on_wait=heard.append),
        ):
            pass
        assert len(heard) == 1 and f"pid {holder.pid}" in heard[0]
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    with run_lock(warehouse) as path:  # released with its process
        assert path == lock_path(warehouse)
        with run_lock(warehouse):  # re-entrant in one process
            pass
    assert isinstance(RunLocked("x"), WarehouseError)  # the CLI shows it as one line


def test_lock_waits_for_a_holder_that_finishes(tmp_path: Path) -> None:
    """The holder is let go only once we have said we are waiting, so the order is fixed:
    busy → we say so once, naming the holder → it exits → we get the lock."""
    warehouse = tmp_path / "wh.duckdb"
    holder = _holder(warehouse)
    heard: list[str] = []

    def waiting(message: str) -> None:
        heard.append(message)
        holder.stdin.close()  # now let it exit; we wait for it

    try:
        with run_lock(warehouse, wait_s=30, on_wait=waiting) as path:
            assert path.read_text() == str(os.getpid())
    finally:
        if not holder.stdin.closed:
            holder.stdin.close()
        holder.wait(timeout=30)
    assert len(heard) == 1, heard
    assert f"pid {holder.pid}" in heard[0] and "waiting up to 30 s" in heard[0]


def test_interrupted_runs_are_closed_and_their_batches_stay_visible(
    tmp_path: Path, make_item,
) -> None:
    warehouse = tmp_path / "wh.duckdb"
    con = connect(warehouse)
    killed = _run(con)
    store_batch(con, [make_item("https://news.example.com/a")], killed)
    other_kind = _run(con, "reextract")  # not an ingest: the ingest lock says nothing of it
    con.close()

    assert close_interrupted_runs(warehouse) == [killed]
    assert close_interrupted_runs(warehouse) == []
    con = connect(warehouse)
    runs = dict(con.execute("SELECT run_id, status FROM extraction_runs").fetchall())
    assert runs == {killed: "interrupted", other_kind: "running"}
    counted = con.execute(
        "SELECT n_articles, finished_at IS NOT NULL FROM extraction_runs WHERE run_id = ?",
        [killed],
    ).fetchone()
    assert counted == (1, True)
    # the killed run's whole batch counts, since no completed run has the article
    assert con.execute("SELECT run_id FROM latest_runs").fetchall() == [(killed,)]
    # ...until a completed run extracts it again, which then wins
    again = _run(con, "reextract")
    store_batch(con, [make_item("https://news.example.com/a")], again)
    finish_run(con, again, status="completed")
    assert con.execute("SELECT run_id FROM latest_runs").fetchall() == [(again,)]
    con.close()


def test_no_warehouse_yet_nothing_to_close(tmp_path: Path) -> None:
    assert close_interrupted_runs(tmp_path / "none.duckdb") == []
    assert not (tmp_path / "none.duckdb").exists()
