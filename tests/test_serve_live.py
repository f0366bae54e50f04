"""`tradeline serve` for real (issue 15, done-when): a local Prefect server, a news site on
127.0.0.1, and two served deployments, one whose feed works and one whose only feed is dead.

For one scheduled run each it shows: serve's one-line console summary, the run's logs read back
through the Prefect API (`POST /api/logs/filter`), and a Failed state for the dead feed.
Nothing here times anything: every wait is bounded polling with a generous limit (a busy
2-core machine starts a Prefect server in 10-25 s and a flow-run subprocess in several).

The live deployment also has a `[[watch]]` on one firm's permits, pointed at a real webhook
receiver on 127.0.0.1: its first run sends one call, for the one matching new entry, and its
next run (nothing new) sends none.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from pytest_httpserver import HTTPServer

from tests.conftest import REPO
from tests.reliability_support import NewsSite, write_config
from tests.webhook import WebhookServer, watch_toml

pytestmark = pytest.mark.slow

WAIT_S = 300.0  # for one scheduled run: serve's start, the schedule, a subprocess, the model
INTERVAL_S = 10
RUN_LINE = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC · (?P<state>\w+) · (?P<message>.*) · "
    r"(?P<seconds>\d+\.\d) s · (?P<url>\S+/runs/flow-run/(?P<id>[0-9a-f-]{36}))$"
)


def _free_port() -> int:
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _stop_group(proc: subprocess.Popen) -> None:
    """SIGTERM the process group the test started (serve, its flow runs, the server), then
    SIGKILL what is left."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=20)
            return
        except subprocess.TimeoutExpired:
            continue


def _env(home: Path, api_url: str | None = None) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TRADELINE_", "PREFECT_"))  # nothing of this session's harness
    }
    env.update(
        PREFECT_HOME=str(home),  # the server's database and profiles, away from ~/.prefect
        PREFECT_RUNNER_POLL_FREQUENCY="2",  # serve looks for due runs every 2 s (default 10)
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
    )
    if api_url:
        env["PREFECT_API_URL"] = api_url
    return env


@dataclass
class PrefectServer:
    api_url: str
    home: Path

    def logs(self, flow_run_id: str) -> list[dict]:
        response = httpx.post(
            f"{self.api_url}/logs/filter",
            json={"logs": {"flow_run_id": {"any_": [flow_run_id]}}, "sort": "TIMESTAMP_ASC"},
            timeout=30,
            trust_env=False,
        )
        response.raise_for_status()
        return response.json()

    def flow_run(self, flow_run_id: str) -> dict:
        response = httpx.get(f"{self.api_url}/flow_runs/{flow_run_id}", timeout=30, trust_env=False)
        response.raise_for_status()
        return response.json()


@pytest.fixture(scope="module")
def prefect_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrefectServer]:
    """`prefect server start` with its services (the scheduler makes the scheduled runs) on a
    free loopback port, shared by the tests of this module."""
    home = tmp_path_factory.mktemp("prefect-home")
    port = _free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    prefect = Path(sys.executable).with_name("prefect")
    log = (home / "server.log").open("wb")
    proc = subprocess.Popen(
        [str(prefect), "server", "start", "--host", "127.0.0.1", "--port", str(port), "--no-ui"],
        env=_env(home),
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            assert proc.poll() is None, (home / "server.log").read_text()[-2000:]
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{api_url}/health", timeout=2, trust_env=False).status_code == 200:
                    break
            time.sleep(0.5)
        else:
            pytest.fail(
                f"prefect server did not answer: {(home / 'server.log').read_text()[-2000:]}"
            )
        yield PrefectServer(api_url, home)
    finally:
        _stop_group(proc)
        log.close()


@dataclass
class ServedDeployment:
    """One `tradeline serve` process and the lines it printed to stdout."""

    name: str
    proc: subprocess.Popen
    stderr_path: Path
    lines: list[str] = field(default_factory=list)
    _changed: threading.Condition = field(default_factory=threading.Condition)

    def read_stdout(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            with self._changed:
                self.lines.append(line.rstrip("\n"))
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    def run_lines(self) -> list[re.Match]:
        return [m for line in list(self.lines) if (m := RUN_LINE.match(line))]

    def wait_for_runs(self, n: int, timeout: float = WAIT_S) -> list[re.Match]:
        """The first `n` per-run lines, waiting for them (fails with serve's output)."""
        with self._changed:
            self._changed.wait_for(
                lambda: len(self.run_lines()) >= n or self.proc.poll() is not None, timeout
            )
        found = self.run_lines()
        assert len(found) >= n, (
            f"serve {self.name}: {len(found)} run lines, wanted {n}; stdout:\n"
            + "\n".join(self.lines[-20:])
            + "\nstderr:\n"
            + self.stderr_path.read_text(errors="replace")[-3000:]
        )
        return found[:n]


@pytest.fixture
def start_serve(
    prefect_server: PrefectServer, tmp_path: Path
) -> Iterator[Callable[..., ServedDeployment]]:
    """Start `tradeline serve --interval 10 --no-start-server` against the module's server for a
    feed URL (`extra_config` is appended to its tradeline.toml); all are stopped afterwards."""
    started: list[ServedDeployment] = []

    def start(name: str, feed_url: str, extra_config: str = "") -> ServedDeployment:
        folder = tmp_path / name
        config = write_config(folder, feed_url, folder / "wh.duckdb")
        if extra_config:
            config.write_text(config.read_text() + "\n" + extra_config, encoding="utf-8")
        stderr_path = folder / "serve.stderr"
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tradeline.flows.cli",
                "serve",
                "--config",
                str(config),
                "--name",
                name,
                "--interval",
                str(INTERVAL_S),
                "--no-start-server",
            ],
            cwd=REPO,
            env=_env(prefect_server.home, prefect_server.api_url),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=stderr_path.open("wb"),
            text=True,
            start_new_session=True,
        )
        served = ServedDeployment(name, proc, stderr_path)
        threading.Thread(target=served.read_stdout, daemon=True).start()
        started.append(served)
        return served

    yield start
    for served in started:
        _stop_group(served.proc)


@pytest.fixture
def webhook() -> Iterator[WebhookServer]:
    with WebhookServer() as hook:
        yield hook


def _wait_for_logs(server: PrefectServer, flow_run_id: str, wanted: str) -> list[dict]:
    """The run's logs once one contains `wanted` (they are sent in batches, after the state)."""
    deadline = time.monotonic() + 120
    logs: list[dict] = []
    while time.monotonic() < deadline:
        logs = server.logs(flow_run_id)
        if any(wanted in log["message"] for log in logs):
            return logs
        time.sleep(1)
    pytest.fail(f"no log containing {wanted!r} for run {flow_run_id}: {logs}")


def test_serve_shows_each_run_logs_it_to_the_api_and_fails_a_dead_feed(
    prefect_server: PrefectServer,
    start_serve: Callable[..., ServedDeployment],
    httpserver: HTTPServer,
    webhook: WebhookServer,
) -> None:
    site = NewsSite(httpserver, n=2)  # story 0: Acme Metals' licences; story 1: another firm's
    hook = webhook
    watch = watch_toml("acme", hook.url, companies=["Acme Metals"], types=["permit_issued"])
    live = start_serve("live", site.feed_url, extra_config=watch)
    dead = start_serve("dead", f"http://127.0.0.1:{_free_port()}/feed.xml")  # nothing listens

    # one line per run: time · state · counts · duration · the run's page in the UI
    [line] = live.wait_for_runs(1)
    assert line["state"] == "Completed", line.string
    assert line["message"].startswith("new articles: 2 · facts: "), line.string
    assert line["message"].endswith("errors: 0"), line.string
    ui = prefect_server.api_url.removesuffix("/api")
    assert line["url"] == f"{ui}/runs/flow-run/{line['id']}"
    assert prefect_server.flow_run(line["id"])["state"]["type"] == "COMPLETED"

    # its stage messages reached the API; task runs sent no INFO chatter
    logs = _wait_for_logs(prefect_server, line["id"], "done: feeds polled: 1")
    messages = [log["message"] for log in logs]
    assert any(m.startswith("feeds polled: 1 (0 unchanged, 0 failed)") for m in messages)
    assert any(
        m.startswith("batch 1/1: 2 of 2 pages fetched and parsed, 2 new articles") for m in messages
    )
    assert all(log["level"] >= 30 for log in logs if log["task_run_id"]), logs

    # a config whose only feed is dead: a Failed run whose message counts the failure
    [failed] = dead.wait_for_runs(1)
    assert failed["state"] == "Failed", failed.string
    assert failed["message"] == "new articles: 0 · facts: 0 · errors: 1 (1 of 1 feed failed)"
    run = prefect_server.flow_run(failed["id"])
    assert run["state"]["type"] == "FAILED"
    assert "1 of 1 feed failed" in run["state"]["message"]
    dead_logs = _wait_for_logs(prefect_server, failed["id"], "feed failed: http://127.0.0.1")
    assert any("feeds polled: 1 (0 unchanged, 1 failed)" in log["message"] for log in dead_logs)

    # the next run finds nothing new, and each run is printed once
    first, second = live.wait_for_runs(2)
    assert (second["state"], second["message"]) == (
        "Completed",
        "new articles: 0 · facts: 0 · errors: 0",
    ), second.string
    ids = [match["id"] for match in live.run_lines()]
    assert first["id"] == line["id"] and len(ids) == len(set(ids)), live.lines

    # the watch: one webhook call for the matching new entry (sent in run 1), none in run 2
    assert len(hook.posts) == 1, hook.posts
    assert "Acme Metals" in hook.posts[0]["message"], hook.posts[0]
    assert "permit issued" in hook.posts[0]["title"].lower(), hook.posts[0]
