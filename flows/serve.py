"""`tradeline serve`: the ingest flow as a Prefect deployment on the configured schedule.

`flow.serve` registers the deployment with a Prefect API and runs each scheduled flow run in a
subprocess. Prefect's temporary (ephemeral) server does not schedule runs, so when no API is
configured a local `prefect server start` is launched on 127.0.0.1 and used; its UI shows the
deployment, its schedule and every run. One run at a time (limit=1): DuckDB has one writer.
Each finished run is one line on stdout (`run_watch.py`); its stage logs are in the UI.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from tradeline.config import ScheduleConfig, Settings
from tradeline.flows.run_watch import RunWatcher
from tradeline.flows.server_guard import ServerGuard

DEFAULT_NAME = "scheduled"
DEFAULT_PORT = 4200
SERVER_START_TIMEOUT_S = 120.0  # first start migrates its database: 11-25 s measured


class ServeError(ValueError):
    """The schedule or server set-up cannot work; the message says what to change."""


class ServerGone(RuntimeError):
    """The Prefect server serve started stopped while serving (exit status 3)."""


def schedule_kwargs(
    schedule: ScheduleConfig, cron: str | None = None, interval_s: int | None = None
) -> dict[str, Any]:
    """`cron=` or `interval=` for flow.serve: the command line wins over the config."""
    if cron and interval_s:
        raise ServeError("give either --cron or --interval, not both")
    if not (cron or interval_s):
        cron, interval_s = schedule.cron, schedule.interval_s
        if cron and interval_s:
            raise ServeError("[schedule] sets both cron and interval_s: keep one")
    if cron:
        from prefect.client.schemas.schedules import CronSchedule
        from pydantic import ValidationError

        try:
            CronSchedule(cron=cron)
        except ValidationError as exc:
            raise ServeError(f"invalid cron expression {cron!r}") from exc
        return {"cron": cron}
    if interval_s:
        if interval_s <= 0:
            raise ServeError("--interval must be a positive number of seconds")
        return {"interval": timedelta(seconds=interval_s)}
    raise ServeError(
        'no schedule: add [schedule] cron = "0 * * * *" (or interval_s = 3600) to the config, '
        "or pass --cron / --interval"
    )


def deployment_kwargs(
    settings: Settings,
    warehouse: Path,
    name: str = DEFAULT_NAME,
    cron: str | None = None,
    interval_s: int | None = None,
) -> dict[str, Any]:
    """Everything flow.serve / flow.to_deployment need; parameters are plain JSON, without
    the watches' notify URLs (the Prefect API stores parameters in plain text; the flow reads
    them again from `settings.config_path`, see `config.settings_parameter`)."""
    return {
        "name": name,
        "parameters": {
            "settings": settings.model_dump(mode="json"),
            "warehouse": str(Path(warehouse).resolve()),
        },
        "tags": ["tradeline"],
        "description": "Poll the configured feeds and store new articles' facts in DuckDB.",
        **schedule_kwargs(settings.schedule, cron, interval_s),
    }


def build_deployment(settings: Settings, warehouse: Path, **options: Any) -> Any:
    """The RunnerDeployment `serve` would register (for inspection and tests)."""
    from prefect.deployments.runner import EntrypointType

    from tradeline.flows.ingest import ingest

    return ingest.to_deployment(
        **deployment_kwargs(settings, warehouse, **options),
        entrypoint_type=EntrypointType.MODULE_PATH,
    )


def configured_api_url() -> str | None:
    """PREFECT_API_URL from the environment or the active Prefect profile."""
    from prefect.settings import get_current_settings

    return os.environ.get("PREFECT_API_URL") or get_current_settings().api.url


def server_command(port: int = DEFAULT_PORT) -> list[str]:
    """`prefect server start` from this environment, bound to loopback only."""
    beside = Path(sys.executable).with_name("prefect")
    prefect = str(beside) if beside.exists() else (shutil.which("prefect") or "prefect")
    return [prefect, "server", "start", "--host", "127.0.0.1", "--port", str(port)]


def start_local_server(
    port: int = DEFAULT_PORT, timeout_s: float = SERVER_START_TIMEOUT_S
) -> tuple[subprocess.Popen, str]:
    """Start `prefect server start` and wait until its API answers; returns (process, api url)."""
    api_url = f"http://127.0.0.1:{port}/api"
    if _answering(port):  # one is already running there (e.g. a previous serve)
        raise ServeError(
            f"a Prefect server already answers on port {port}: "
            f"export PREFECT_API_URL={api_url} and run again"
        )
    # Its own session: Ctrl-C in a terminal (SIGINT to the foreground process group) or a
    # signal to serve's group reaches serve alone, which stops its runner while the API still
    # answers and then terminates the server (`serve`'s finally).
    process = subprocess.Popen(
        server_command(port), stdin=subprocess.DEVNULL, start_new_session=True
    )
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServeError(f"prefect server exited with status {process.returncode}")
        if _answering(port):
            return process, api_url
        time.sleep(0.5)
    process.terminate()
    raise ServeError(f"prefect server did not answer on {api_url} within {timeout_s:g} s")


def _answering(port: int) -> str | None:
    """The API URL of a Prefect server already answering on 127.0.0.1:`port` (one probe,
    shared with the one-off commands: `prefect_server.running_server`), else None."""
    from tradeline.flows.prefect_server import running_server

    return running_server(port)


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def print_run_line(line: str) -> None:
    """serve's per-run line goes to stdout, flushed: `serve > runs.log` gets it at once."""
    print(line, flush=True)


def serve(
    settings: Settings,
    warehouse: Path,
    *,
    start_server: bool = True,
    port: int = DEFAULT_PORT,
    **options: Any,
) -> None:
    """Register the deployment and run its schedule until interrupted (blocks)."""
    kwargs = deployment_kwargs(settings, warehouse, **options)  # fail fast on a bad schedule
    server: subprocess.Popen | None = None
    guard: ServerGuard | None = None
    if not configured_api_url():
        api_url = f"http://127.0.0.1:{port}/api"
        if _answering(port):  # e.g. one kept running as its own service: use it, start none
            print(f"using the Prefect server already running at {api_url}", flush=True)
        elif not start_server:
            raise ServeError(
                "no Prefect API configured: start one with `"
                + " ".join(server_command(port))
                + f"` and export PREFECT_API_URL={api_url}"
            )
        else:
            server, api_url = start_local_server(port)
            guard = ServerGuard(server, _say)
            guard.start()
        os.environ["PREFECT_API_URL"] = api_url
    try:
        from prefect.deployments.runner import EntrypointType
        from prefect.settings import PREFECT_API_URL, temporary_settings

        from tradeline.flows.ingest import ingest

        api_url = configured_api_url()
        # The variable reaches the flow-run subprocesses; the settings context this process.
        with temporary_settings(updates={PREFECT_API_URL: api_url}):
            watcher = RunWatcher(f"{ingest.name}/{kwargs['name']}", print_run_line, api_url)
            watcher.start()  # one console line per finished run (flows/run_watch.py)
            try:
                ingest.serve(**kwargs, limit=1, entrypoint_type=EntrypointType.MODULE_PATH)
            except KeyboardInterrupt:
                if guard is not None and guard.server_gone:
                    raise ServerGone(
                        f"the Prefect server on port {port} stopped (status "
                        f"{server.poll() if server else '?'}); serve stopped with it"
                    ) from None
                raise
            finally:
                watcher.stop()
    finally:
        if guard is not None:
            guard.stop()
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
