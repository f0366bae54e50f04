"""The Prefect API a one-off command (`run`, `import`, `reextract`) reports its flow run to.

Why: with no PREFECT_API_URL, Prefect starts a temporary server as a child in our process
group, so a terminal's Ctrl-C (sent to the whole group) killed it at once, and the interrupted
flow then spent over a minute retrying to report to it, with tracebacks. Here the temporary
server is `prefect server start` (API only, loopback, a free port) in a session of its own:
signals reach only tradeline, which records the run and then stops the server itself.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from typing import IO

import httpx

from tradeline.flows.serve import SERVER_START_TIMEOUT_S, ServeError, server_command

STOP_WAIT_S = 3.0


def _free_port() -> int:
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _healthy(api_url: str) -> bool:
    try:
        return httpx.get(f"{api_url}/health", timeout=2, trust_env=False).status_code == 200
    except httpx.HTTPError:
        return False


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
            _wait_until_healthy(process, api_url, log, timeout_s)
        except BaseException:
            _stop(process)
            raise
    return process, api_url


def _wait_until_healthy(
    process: subprocess.Popen[bytes], api_url: str, log: IO[bytes], timeout_s: float
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
        if _healthy(api_url):
            return
        time.sleep(0.2)
    raise ServeError(
        f"the temporary Prefect server did not answer on {api_url} within {timeout_s:g} s "
        "(set PREFECT_API_URL to use a running one)"
    )


@contextlib.contextmanager
def prefect_api(timeout_s: float = SERVER_START_TIMEOUT_S) -> Iterator[str | None]:
    """Within the block flows report to the configured Prefect API or, when none is set, to a
    temporary server of our own (yields its URL; None when one was configured)."""
    from tradeline.flows.serve import configured_api_url

    if configured_api_url():
        yield None
        return
    from prefect.settings import PREFECT_API_URL, temporary_settings

    process, api_url = _start(timeout_s)
    previous = os.environ.get("PREFECT_API_URL")
    os.environ["PREFECT_API_URL"] = api_url  # Dask workers inherit it: one server for all
    try:
        with temporary_settings(updates={PREFECT_API_URL: api_url}):
            yield api_url
    finally:
        if previous is None:
            os.environ.pop("PREFECT_API_URL", None)
        else:
            os.environ["PREFECT_API_URL"] = previous
        _stop(process)
