"""Queries and an ingest together: a reader holding the file for 30 s makes the ingest wait
(saying who holds it) but never fail, and queries made while an ingest runs read a snapshot,
so they never block it (real `tradeline run`, real warehouse)."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest
from pytest_httpserver import HTTPServer

from tests.reliability_support import NewsSite, kill_group, run_cli, start_cli, write_config
from tradeline.warehouse.db import WarehouseError, connect

N_ARTICLES = 6
HOLD_S = 30  # how long the analyst's session keeps the file


def _lines_until(proc: subprocess.Popen[str], needle: str, heard: list[str]) -> threading.Event:
    """An event set when the process writes a stderr line containing `needle`."""
    found = threading.Event()

    def watch() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            heard.append(line)
            if needle in line:
                found.set()

    threading.Thread(target=watch, daemon=True).start()
    return found


@pytest.mark.slow
def test_a_reader_holding_the_file_30_s_does_not_fail_a_concurrent_ingest(
    prefect_harness, httpserver: HTTPServer, tmp_path: Path
) -> None:
    site = NewsSite(httpserver, N_ARTICLES, etag='"v1"')
    warehouse = tmp_path / "wh.duckdb"
    config = write_config(tmp_path, site.feed_url, warehouse)
    connect(warehouse).close()
    reader = duckdb.connect(str(warehouse), read_only=True)  # a notebook, the DuckDB CLI
    proc = start_cli("run", "--config", str(config), "--no-timeline", cwd=tmp_path)
    heard: list[str] = []
    try:
        waiting = _lines_until(proc, "waiting up to 300 s", heard)
        assert waiting.wait(120), "".join(heard)
        said = " ".join("".join(heard).split())
        assert "it holds the file open to read: close that session" in said
        assert "-readonly" not in said
        held_since = time.monotonic()
        time.sleep(HOLD_S)  # the analyst's 30 s query
        assert reader.execute("SELECT count(*) FROM articles").fetchone() == (0,)
        reader.close()
        print(f"reader held the file {time.monotonic() - held_since:.1f} s")
        proc.wait(timeout=240)
    finally:
        if proc.poll() is None:
            kill_group(proc)
    assert proc.returncode == 0, "".join(heard)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM articles").fetchone() == (N_ARTICLES,)
        assert con.execute("SELECT status FROM extraction_runs").fetchall() == [("completed",)]


@pytest.mark.slow
def test_queries_during_an_ingest_read_a_snapshot_and_never_block_it(
    prefect_harness, httpserver: HTTPServer, tmp_path: Path
) -> None:
    site = NewsSite(httpserver, N_ARTICLES, etag='"v1"')
    warehouse = tmp_path / "wh.duckdb"
    config = write_config(tmp_path, site.feed_url, warehouse)
    site.gate.clear()  # the ingest holds its run lock, fetching
    proc = start_cli("run", "--config", str(config), "--no-timeline", cwd=tmp_path)
    try:
        assert site.wait_for_hits(1, proc), proc.stderr.read()
        # a long analyst query: its connection stays open until the ingest is done
        long_query = connect(warehouse, read_only=True)
        (file,) = [r[2] for r in long_query.execute("PRAGMA database_list").fetchall()]
        assert Path(file) != warehouse.absolute() and ".snapshot-" in file
        sql = run_cli("sql", "SELECT count(*) AS n FROM articles", "--format", "csv",
                      "--config", str(config), cwd=tmp_path)
        assert (sql.returncode, sql.stdout.split()) == (0, ["n", "0"]), sql.stderr
        site.gate.set()
        _, err = proc.communicate(timeout=240)
        assert proc.returncode == 0, err  # finished while the long query is still open
        assert long_query.execute("SELECT count(*) FROM articles").fetchone() == (0,)
        long_query.close()
    finally:
        site.gate.set()
        if proc.poll() is None:
            kill_group(proc)
    assert not list(tmp_path.glob(".*snapshot*")), "a snapshot was left behind"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM articles").fetchone() == (N_ARTICLES,)


def test_the_lock_message_names_the_holder_and_the_remedy(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    connect(path).close()
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import duckdb, sys; c = duckdb.connect(sys.argv[1], read_only=True); "
         "print('held', flush=True); sys.stdin.read()", str(path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(WarehouseError) as caught:
            connect(path, lock_wait_s=0)
    finally:
        holder.communicate("")
    message = str(caught.value)
    assert f"(PID {holder.pid})" in message and "import duckdb" in message  # who
    assert "close that session" in message and "[warehouse] lock_wait_s" in message  # what to do
    assert "-readonly" not in message  # DuckDB's own hint is for its CLI, not for an ingest


def test_a_read_only_open_is_a_snapshot_only_while_another_process_runs_an_ingest(
    tmp_path: Path,
) -> None:
    path = tmp_path / "w.duckdb"
    connect(path).close()
    with connect(path, read_only=True) as con:  # no ingest: the file itself
        assert con.execute("PRAGMA database_list").fetchall()[0][2] == str(path)
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys\nfrom tradeline.flows.runlock import run_lock\n"
         "with run_lock(sys.argv[1]):\n    print('held', flush=True); sys.stdin.read()",
         str(path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        reader = connect(path, read_only=True)
        # the "ingest" writes while the reader's connection is open
        with connect(path, lock_wait_s=0) as writer:
            writer.execute(
                "INSERT INTO ingest_errors VALUES ('e', NULL, now(), 'fetch', NULL, NULL, 'r')"
            )
        assert reader.execute("SELECT count(*) FROM ingest_errors").fetchone() == (0,)
        reader.close()
    finally:
        holder.communicate("")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.duckdb", "w.duckdb.lock"]
