"""`serve` prints one line per finished run of its deployment, read back from the Prefect API.

Why a watcher in the serving process and not state hooks in the flow: hooks run inside the
flow-run subprocess, so a run whose process dies (killed, out of memory, crashed) never runs
them, and whether that subprocess's output reaches serve's console depends on how Prefect
starts it (that changed between 3.x releases). The API, though, records every run's final
state, Crashed included. So a daemon thread polls the API every few seconds for runs of the
served deployment that ended since serve started, and prints each once:

    2026-11-30 10:31:02 UTC · Completed · new articles: 3 · facts: 12 · errors: 0 · 4.2 s ·
    http://127.0.0.1:4200/runs/flow-run/0193…

The counts are the final state's message (`IngestSummary.outcome_line`); a run that failed
with an exception shows Prefect's message for it instead. A poll that fails (the server is
restarting) is skipped and tried again at the next tick.
"""

from __future__ import annotations

import contextvars
import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

POLL_S = 3.0
SINCE_OVERLAP = timedelta(minutes=10)
LOG = logging.getLogger("tradeline.serve")


def run_url(flow_run_id: Any, api_url: str | None = None) -> str:
    """The run's page in the Prefect UI (PREFECT_UI_URL, else the API's address without /api)."""
    from prefect.utilities.urls import url_for

    url = url_for("flow-run", obj_id=str(flow_run_id))
    if url:
        return url
    base = (api_url or "").rstrip("/").removesuffix("/api")
    return f"{base}/runs/flow-run/{flow_run_id}"


def run_line(flow_run: Any, api_url: str | None = None) -> str:
    """time · state · counts (the state's message) · duration · URL, for one finished run."""
    state = flow_run.state
    started = flow_run.start_time or flow_run.expected_start_time
    when = started.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC") if started else "-"
    duration = flow_run.total_run_time or timedelta(0)
    if not duration and flow_run.start_time and flow_run.end_time:
        duration = flow_run.end_time - flow_run.start_time
    message = " ".join((state.message or "").split()) or "-"  # one line, whatever it says
    return (
        f"{when} · {state.name} · {message} · {duration.total_seconds():.1f} s · "
        f"{run_url(flow_run.id, api_url)}"
    )


class RunWatcher:
    """Polls the API for runs of deployment `flow/name` that ended since it started; calls
    `emit` with one line (`run_line`) for each, once, oldest first."""

    def __init__(
        self,
        deployment: str,
        emit: Callable[[str], None],
        api_url: str | None = None,
        poll_s: float = POLL_S,
    ) -> None:
        self.deployment = deployment
        self.emit = emit
        self.api_url = api_url
        self.poll_s = poll_s
        self.since = datetime.now(UTC)
        self._deployment_id: Any = None
        self._seen: dict[Any, datetime] = {}  # printed runs and their end, within the overlap
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Watch in a daemon thread; it sees this thread's Prefect settings (the API URL)."""
        context = contextvars.copy_context()
        self._thread = threading.Thread(
            target=context.run, args=(self._loop,), name="tradeline-run-watcher", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)  # a daemon: one stuck on a dead server is left

    def _loop(self) -> None:
        from prefect.client.orchestration import get_client

        with get_client(sync_client=True) as client:
            while not self._stop.wait(self.poll_s):
                try:
                    for line in self.poll(client):
                        self.emit(line)
                except Exception as exc:  # the API is restarting or slow: try at the next tick
                    LOG.debug("run watcher: %s", exc)

    def poll(self, client: Any) -> list[str]:
        """Lines for the runs that ended since the last poll (none before the deployment
        is registered)."""
        from prefect.client.schemas.filters import (
            FlowRunFilter,
            FlowRunFilterDeploymentId,
            FlowRunFilterEndTime,
            FlowRunFilterState,
            FlowRunFilterStateType,
        )
        from prefect.client.schemas.objects import StateType
        from prefect.exceptions import ObjectNotFound

        if self._deployment_id is None:
            try:
                self._deployment_id = client.read_deployment_by_name(self.deployment).id
            except ObjectNotFound:
                return []
        from prefect.client.schemas.sorting import FlowRunSort

        final = [StateType.COMPLETED, StateType.FAILED, StateType.CRASHED, StateType.CANCELLED]
        runs = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(
                deployment_id=FlowRunFilterDeploymentId(any_=[self._deployment_id]),
                state=FlowRunFilterState(type=FlowRunFilterStateType(any_=final)),
                end_time=FlowRunFilterEndTime(after_=self.since),
            ),
            sort=FlowRunSort.END_TIME_DESC,  # the newest first: never cut off by the limit
            limit=200,
        )
        fresh = sorted(
            (run for run in runs if run.id not in self._seen and run.end_time),
            key=lambda run: run.end_time,
        )
        self._seen.update((run.id, run.end_time) for run in fresh)
        self._advance()
        return [run_line(run, self.api_url) for run in fresh]

    def _advance(self) -> None:
        """Move `since` up to the newest end printed, less an overlap for runs whose end the
        API records late, and forget runs older than that: each poll reads only recent runs,
        however long serve has been up."""
        if not self._seen:
            return
        self.since = max(self.since, max(self._seen.values()) - SINCE_OVERLAP)
        self._seen = {run: end for run, end in self._seen.items() if end >= self.since}
