"""serve ends when the Prefect server it started goes away, instead of hanging.

Why: Prefect's runner stops on SIGTERM by cancelling its runs through the API. When the server
dies first (a service manager signals every process of the unit; a crash; the OOM killer), the
runner's event stream fails and the stop never completes: `tradeline serve` stayed up with a
websocket traceback until killed with -9. The guard watches the server process; when it exits
while serve still runs, it says so, interrupts the main thread (the runner's normal Ctrl-C
path) and, if that has not ended the process within a grace period, exits hard.
"""

from __future__ import annotations

import _thread
import os
import subprocess
import threading
from collections.abc import Callable

GRACE_S = 20.0  # time for the runner to stop after the interrupt before a hard exit
POLL_S = 0.5
EXIT_STATUS = 3  # a run that failed: the schedule stopped because its server did


class ServerGuard:
    """Watches `process` from a daemon thread until `stop()`; see the module docstring."""

    def __init__(
        self,
        process: subprocess.Popen,
        say: Callable[[str], None],
        *,
        grace_s: float = GRACE_S,
        hard_exit: Callable[[int], None] = os._exit,
    ) -> None:
        self._process = process
        self._say = say
        self._grace_s = grace_s
        self._hard_exit = hard_exit
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="server-guard", daemon=True)
        self.server_gone = False

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """serve is ending on its own: the server's exit from here on is expected."""
        self._stopped.set()

    def _watch(self) -> None:
        while not self._stopped.wait(POLL_S):
            status = self._process.poll()
            if status is None:
                continue
            if self._stopped.is_set():
                return
            self.server_gone = True
            self._say(f"the Prefect server stopped (status {status}); serve stops too")
            _thread.interrupt_main()
            if not self._stopped.wait(self._grace_s):
                self._say(f"serve did not stop within {self._grace_s:g} s; exiting")
                self._hard_exit(EXIT_STATUS)
            return
