"""The real `tradeline run` in a subprocess: SIGKILL at seeded points loses and duplicates
nothing, and two runs on one warehouse never interleave."""

from __future__ import annotations

import random
import threading
from pathlib import Path

import duckdb
import pytest
from pytest_httpserver import HTTPServer
from typer.testing import CliRunner

from tests.reliability_support import (
    NewsSite,
    kill_group,
    run_cli,
    snapshot,
    start_cli,
    write_config,
)
from tradeline.flows.cli import app

pytestmark = pytest.mark.slow

N_ARTICLES = 40  # two batches of the flow (32 + 8), so a kill can fall between them
SEED = 20261126


def _count(warehouse: Path, sql: str) -> tuple:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchone()


def _stored(warehouse: Path) -> int:
    return _count(warehouse, "SELECT count(*) FROM articles")[0] if warehouse.exists() else 0


def test_sigkill_at_seeded_points_then_rerun_equals_uninterrupted_run(
    prefect_harness, httpserver: HTTPServer, tmp_path: Path
) -> None:
    site = NewsSite(httpserver, N_ARTICLES)
    reference_wh = tmp_path / "ref" / "wh.duckdb"
    # the reference run also checks that secrets stay out of the output and the warehouse
    secret_feed = f"{site.feed_url}?token=S3CRET-FEED"
    config = write_config(tmp_path / "ref", secret_feed, reference_wh)
    done = run_cli(
        "run", "--config", str(config), cwd=tmp_path, env={"PREFECT_API_KEY": "pnu_S3CRET-KEY"}
    )
    assert done.returncode == 0, done.stderr
    assert "S3CRET" not in done.stdout + done.stderr
    assert "Timeline" in done.stdout
    with duckdb.connect(str(reference_wh), read_only=True) as con:
        assert con.execute("SELECT url FROM sources").fetchall() == [
            (secret_feed.replace("S3CRET-FEED", "***"),)
        ]
        assert con.execute(
            "SELECT count(*) FROM documents WHERE source_url LIKE '%S3CRET%'"
        ).fetchone() == (0,)
    reference = snapshot(reference_wh)
    assert sum(reference["articles"].values()) == N_ARTICLES
    assert reference["events"] and not reference["errors"]

    warehouse = tmp_path / "crash" / "wh.duckdb"
    config = write_config(tmp_path / "crash", site.feed_url, warehouse)
    rng = random.Random(SEED)
    # Kill points, in the order of the run's events (pages served, never wall-clock delays):
    # mid-fetch of batch 1, mid-fetch of batch 2 (batch 1 stored, run still 'running'), and
    # as the last page is served (the run then parses, extracts, stores and finishes).
    plan = [rng.randint(1, 31), rng.randint(33, N_ARTICLES - 1), None]
    outcomes = []
    for hits in plan:
        site.reset()
        want = hits if hits is not None else N_ARTICLES - _stored(warehouse)
        proc = start_cli("run", "--config", str(config), "--no-timeline", cwd=tmp_path)
        reached = site.wait_for_hits(want, proc)
        alive = proc.poll() is None
        kill_group(proc)
        outcomes.append((want, reached, alive, _stored(warehouse)))
    print("kills (pages served, reached, killed while running, articles stored):", outcomes)
    # Before its last page is served a run cannot have finished: the first two kills hit it.
    assert all(reached and alive for _, reached, alive, _ in outcomes[:2]), outcomes
    assert outcomes[0][3] == 0 and outcomes[1][3] == 32  # nothing, then exactly batch 1

    final = run_cli("run", "--config", str(config), "--no-timeline", cwd=tmp_path)
    assert final.returncode == 0, final.stderr
    assert "Traceback" not in final.stderr
    assert snapshot(warehouse) == reference
    with duckdb.connect(str(warehouse), read_only=True) as con:
        statuses = [
            r[0]
            for r in con.execute("SELECT status FROM extraction_runs ORDER BY run_id").fetchall()
        ]
        unfinished = con.execute(
            "SELECT count(*) FROM extraction_runs WHERE finished_at IS NULL"
        ).fetchone()[0]
    assert "running" not in statuses and unfinished == 0
    assert statuses[-1] == "completed"
    assert "interrupted" in statuses  # the kill after batch 1 left a run that was closed


def test_two_runs_at_once_second_waits_or_exits_cleanly(
    prefect_harness, httpserver: HTTPServer, tmp_path: Path
) -> None:
    site = NewsSite(httpserver, 6)
    warehouse = tmp_path / "wh.duckdb"
    config = write_config(tmp_path, site.feed_url, warehouse, timeout_s=60)
    site.gate.clear()  # the first run blocks on its first page, holding the run lock
    first = start_cli("run", "--config", str(config), "--no-timeline", cwd=tmp_path)
    try:
        assert site.wait_for_hits(1, first), first.stderr
        # in-process: it must fail at the lock, before Prefect or the warehouse are touched
        impatient = CliRunner().invoke(
            app, ["run", "--config", str(config), "--no-timeline", "--lock-wait", "0"]
        )
        assert impatient.exit_code == 2
        said = " ".join(impatient.output.split())
        assert f"another tradeline run (pid {first.pid}) is using" in said
        assert "Traceback" not in impatient.output

        patient = start_cli(
            "run", "--config", str(config), "--no-timeline", "--lock-wait", "120", cwd=tmp_path
        )
        waiting = threading.Event()

        def watch() -> None:
            for line in patient.stderr:
                if "waiting up to 120 s for another tradeline run" in line:
                    waiting.set()
                    return

        threading.Thread(target=watch, daemon=True).start()
        assert waiting.wait(120), "the second run never reported waiting"
        site.gate.set()
        _, err = first.communicate(timeout=180)
        assert first.returncode == 0, err
        patient.wait(timeout=180)
        assert patient.returncode == 0
    finally:
        site.gate.set()
        for proc in (first,):
            if proc.poll() is None:
                kill_group(proc)
    snap = snapshot(warehouse)
    assert sum(snap["articles"].values()) == 6 and set(snap["articles"].values()) == {1}
    assert set(snap["events"].values()) == {1}
    assert _count(warehouse, "SELECT count(*) FROM extraction_runs")[0] == 1  # second: nothing new
