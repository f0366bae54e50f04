"""serve and the Prefect server it starts: the server lives in its own session (Ctrl-C in a
terminal reaches serve alone, which then stops it), and when the server dies while serve runs,
serve is interrupted and, failing that, exits with status 3 instead of hanging."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from tradeline.flows import serve as serve_module
from tradeline.flows.prefect_server import running_server
from tradeline.flows.server_guard import EXIT_STATUS, ServerGuard

# A stand-in for `prefect server start`: answers /api/health like Prefect, until killed.
FAKE_SERVER = textwrap.dedent(
    """
    import http.server, sys

    class Health(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"true")

        def log_message(self, *args):
            pass

    http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Health).serve_forever()
    """
)


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_the_local_server_runs_in_its_own_session(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = tmp_path / "fake_server.py"
    script.write_text(FAKE_SERVER, encoding="utf-8")
    port = _free_port()
    monkeypatch.setattr(
        serve_module, "server_command", lambda port: [sys.executable, str(script), str(port)]
    )
    process, api_url = serve_module.start_local_server(port, timeout_s=60)
    try:
        assert api_url == f"http://127.0.0.1:{port}/api"
        assert running_server(port) == api_url
        # not in this process's session or group: a terminal's Ctrl-C does not reach it
        assert os.getsid(process.pid) == process.pid != os.getsid(0)
        assert os.getpgid(process.pid) != os.getpgid(0)
    finally:
        process.kill()
        process.wait(timeout=30)


def _wait_until(condition, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)


def test_a_server_that_dies_interrupts_serve_then_ends_it() -> None:
    server = subprocess.Popen([sys.executable, "-c", "pass"])
    said: list[str] = []
    exits: list[int] = []
    guard = ServerGuard(server, said.append, grace_s=0.2, hard_exit=exits.append)
    with pytest.raises(KeyboardInterrupt):  # what Ctrl-C would raise in serve's main thread
        guard.start()
        _wait_until(lambda: bool(exits))
    _wait_until(lambda: bool(exits))
    assert guard.server_gone
    assert said == [
        "the Prefect server stopped (status 0); serve stops too",
        "serve did not stop within 0.2 s; exiting",
    ]
    assert exits == [EXIT_STATUS] == [3]


def test_a_server_stopped_by_serve_itself_is_not_reported() -> None:
    server = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    said: list[str] = []
    exits: list[int] = []
    guard = ServerGuard(server, said.append, grace_s=0.2, hard_exit=exits.append)
    guard.start()
    guard.stop()  # serve is ending: it stops the server next
    server.kill()
    server.wait(timeout=30)
    for thread in threading.enumerate():
        if thread.name == "server-guard":
            thread.join(timeout=30)
    assert not guard.server_gone and said == [] and exits == []
