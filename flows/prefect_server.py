"""The Prefect API a one-off command (`run`, `import`, `reextract`) reports its flow run to.

In order: the configured one (PREFECT_API_URL or the active Prefect profile); else a Prefect
server that already answers on 127.0.0.1 at `[prefect] port` (the one `tradeline serve` keeps,
4200 by default), probed once with a short timeout: reusing it saves the seconds a temporary
server takes to start, which are most of a re-poll that finds nothing new; else a temporary
server of our own.

Why our own temporary server: with no PREFECT_API_URL, Prefect starts one as a child in our
process group, so a terminal's Ctrl-C (sent to the whole group) killed it at once, and the
interrupted flow then spent over a minute retrying to report to it, with tracebacks. Here the
temporary server is `prefect server start` (API only, loopback, a free port) in a session of
its own: signals reach only tradeline, which records the run and then stops the server itself.
"""

from __future__ import annotations

import contextlib
import http.client
import logging
import os
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Literal

from tradeline.flows.serve import DEFAULT_PORT, SERVER_START_TIMEOUT_S, ServeError, server_command

log = logging.getLogger(__name__)

STOP_WAIT_S = 3.0
# A server that is up answers /api/health on loopback in milliseconds; where nothing listens the
# connection is refused at once, so only a port held by something that does not answer waits.
PROBE_TIMEOUT_S = 1.0
HEARTBEAT_VARIABLES = ("PREFECT_FLOWS_HEARTBEAT_FREQUENCY", "PREFECT_RUNNER_HEARTBEAT_FREQUENCY")


@dataclass(frozen=True)
class PrefectApi:
    """The API the flows of a `prefect_api` block report to, and where it came from."""

    url: str
    source: Literal["configured", "running", "temporary"]

    def describe(self) -> str:
        return {
            "configured": f"the configured Prefect API {self.url}",
            "running": f"the Prefect server already running at {self.url}",
            "temporary": f"a temporary Prefect server at {self.url}",
        }[self.source]


def running_server(port: int, timeout_s: float = PROBE_TIMEOUT_S) -> str | None:
    """The API URL of a Prefect server answering on 127.0.0.1:`port`, else None.

    One GET of /api/health (Prefect answers `true`) with the standard library: no proxy
    settings apply to loopback, and nothing is imported for it."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout_s)
    try:
        connection.request("GET", "/api/health")
        response = connection.getresponse()
        answered = response.status == 200 and response.read(64).strip() == b"true"
    except (OSError, http.client.HTTPException):
        answered = False
    finally:
        connection.close()
    return f"http://127.0.0.1:{port}/api" if answered else None


def _free_port() -> int:
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the server's session, SIGKILL if it has not gone within STOP_WAIT_S."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=STOP_WAIT_S)
            return
        except subprocess.TimeoutExpired:
            continue


def _start(timeout_s: float) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    command = [*server_command(port), "--no-services", "--no-ui"]
    with tempfile.TemporaryFile() as log:  # the server's output, shown only if it fails
        process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True
        )
        try:
            _wait_until_healthy(process, port, log, timeout_s)
        except BaseException:
            _stop(process)
            raise
    return process, api_url


def _wait_until_healthy(
    process: subprocess.Popen[bytes], port: int, log: IO[bytes], timeout_s: float
) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            tail = log.read().decode("utf-8", "replace").strip().splitlines()[-3:]
            raise ServeError(
                f"the temporary Prefect server exited with status {process.returncode}: "
                + " / ".join(tail)
            )
        if running_server(port):
            return
        time.sleep(0.2)
    raise ServeError(
        f"the temporary Prefect server did not answer on 127.0.0.1:{port} within {timeout_s:g} s "
        "(set PREFECT_API_URL to use a running one)"
    )


@contextlib.contextmanager
def prefect_api(
    port: int | None = DEFAULT_PORT, timeout_s: float = SERVER_START_TIMEOUT_S
) -> Iterator[PrefectApi]:
    """Within the block flows report to the configured Prefect API, else to the server that
    answers on 127.0.0.1:`port` (None: look for none), else to a temporary server of our own
    that is stopped when the block ends. Yields which one (also logged at INFO: `-v`)."""
    from tradeline.flows.serve import configured_api_url

    configured = configured_api_url()
    if configured:
        api = PrefectApi(configured, "configured")
        log.info("flow runs report to %s", api.describe())
        yield api
        return
    running = running_server(port) if port is not None else None
    if running is not None:
        api = PrefectApi(running, "running")
        log.info("flow runs report to %s", api.describe())
        with _reporting_to(api.url):
            yield api
        return
    process, api_url = _start(timeout_s)
    try:
        api = PrefectApi(api_url, "temporary")
        log.info("flow runs report to %s", api.describe())
        with _reporting_to(api_url):
            yield api
    finally:
        _stop(process)


@contextlib.contextmanager
def _reporting_to(api_url: str) -> Iterator[None]:
    """PREFECT_API_URL set for this process's settings and its environment (Dask workers
    inherit it: one server for all), restored afterwards.

    Flow-run heartbeats are off unless the user set PREFECT_FLOWS_HEARTBEAT_FREQUENCY: a
    temporary server goes with the run and a local one has no zombie-detecting automation
    unless someone added it, while the heartbeat thread holds every flow's end for up to 1 s
    (it sleeps in 1 s steps), a third of a re-poll."""
    from prefect.settings import (
        PREFECT_API_URL,
        PREFECT_FLOWS_HEARTBEAT_FREQUENCY,
        temporary_settings,
    )

    updates: dict = {PREFECT_API_URL: api_url}
    if not any(os.environ.get(name) for name in HEARTBEAT_VARIABLES):
        updates[PREFECT_FLOWS_HEARTBEAT_FREQUENCY] = None
    previous = os.environ.get("PREFECT_API_URL")
    os.environ["PREFECT_API_URL"] = api_url
    try:
        with temporary_settings(updates=updates):
            yield
    finally:
        if previous is None:
            os.environ.pop("PREFECT_API_URL", None)
        else:
            os.environ["PREFECT_API_URL"] = previous
