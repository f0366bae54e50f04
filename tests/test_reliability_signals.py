"""Ctrl-C (SIGINT to the whole process group, as a terminal sends it) and SIGTERM end a real
`tradeline run` promptly while a slow request is in flight: exit 130 / 143, the run recorded
'interrupted', no traceback, and the temporary Prefect server it started gone too. The next
run stores everything, although the feed then answers 304."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import duckdb
import psutil
import pytest
from pytest_httpserver import HTTPServer

from tests.reliability_support import NewsSite, kill_group, run_cli, start_cli, write_config

pytestmark = pytest.mark.slow

N_ARTICLES = 6
GONE_WITHIN_S = 30  # the bound asserted generously; the measured time is printed


@pytest.mark.parametrize(
    ("signum", "to_group", "status"),
    [(signal.SIGINT, True, 130), (signal.SIGTERM, False, 143)],
    ids=["sigint-to-group", "sigterm"],
)
def test_a_signal_ends_the_run_as_interrupted_while_a_request_hangs(
    prefect_harness,
    httpserver: HTTPServer,
    tmp_path: Path,
    signum: int,
    to_group: bool,
    status: int,
) -> None:
    site = NewsSite(httpserver, N_ARTICLES, etag='"v1"')
    warehouse = tmp_path / "wh.duckdb"
    config = write_config(tmp_path, site.feed_url, warehouse, timeout_s=120)
    site.gate.clear()  # every page request hangs until the test lets it go
    # No PREFECT_API_URL: the run starts its own temporary Prefect server, as a user's would.
    proc = start_cli("run", "--config", str(config), "--no-timeline", cwd=tmp_path,
                     prefect_api=False)
    try:
        assert site.wait_for_hits(1, proc, timeout=240), proc.stderr.read()
        children = psutil.Process(proc.pid).children(recursive=True)
        assert children, "the run started no temporary Prefect server"
        sent = time.monotonic()
        if to_group:
            os.killpg(proc.pid, signum)
        else:
            os.kill(proc.pid, signum)
        _, err = proc.communicate(timeout=GONE_WITHIN_S)
        took = time.monotonic() - sent
    except subprocess.TimeoutExpired:
        kill_group(proc)
        raise
    finally:
        site.gate.set()
    print(f"{signal.Signals(signum).name}: exit {proc.returncode} after {took:.2f} s")
    assert proc.returncode == status, err
    assert "Traceback" not in err and "interrupted" in err
    assert not [c.pid for c in children if _alive(c)], "a child outlived the run"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("SELECT kind, status FROM extraction_runs").fetchall() == [
            ("ingest", "interrupted")
        ]

    again = run_cli("run", "--config", str(config), "--no-timeline", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    # the killed run's first poll and its flow's, then the rerun's first poll (304, but
    # entries owed: the flow runs) and its flow's
    assert site.feed_statuses == [200, 200, 304, 304]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM articles").fetchone() == (N_ARTICLES,)


def _alive(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
