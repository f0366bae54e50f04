"""`tradeline serve`: the deployment it would register, and its argument handling.

Serving itself blocks forever against a Prefect server, so tests stop one step short: they
build the same RunnerDeployment `flow.serve` registers and check its schedule and parameters.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

import pytest
from typer.testing import CliRunner

from tradeline.config import ScheduleConfig, Settings, load_settings
from tradeline.flows.cli import app
from tradeline.flows.outcome import describe_errors
from tradeline.flows.run_watch import run_line
from tradeline.flows.serve import (
    ServeError,
    build_deployment,
    deployment_kwargs,
    schedule_kwargs,
    server_command,
)
from tradeline.flows.steps import IngestSummary
from tradeline.records import IngestError

REPO = Path(__file__).resolve().parent.parent


def test_schedule_from_config_and_overrides() -> None:
    assert schedule_kwargs(ScheduleConfig(cron="0 * * * *")) == {"cron": "0 * * * *"}
    assert schedule_kwargs(ScheduleConfig(interval_s=900)) == {"interval": timedelta(seconds=900)}
    # the command line wins over the config
    assert schedule_kwargs(ScheduleConfig(cron="0 * * * *"), interval_s=60) == {
        "interval": timedelta(seconds=60)
    }
    assert schedule_kwargs(ScheduleConfig(), cron="*/5 * * * *") == {"cron": "*/5 * * * *"}


@pytest.mark.parametrize(
    ("schedule", "cron", "interval", "message"),
    [
        (ScheduleConfig(), None, None, "no schedule"),
        (ScheduleConfig(cron="0 * * * *", interval_s=60), None, None, "keep one"),
        (ScheduleConfig(), "0 * * * *", 60, "not both"),
        (ScheduleConfig(), "every tuesday", None, "invalid cron"),
    ],
)
def test_bad_schedules_say_what_to_change(
    schedule: ScheduleConfig, cron: str | None, interval: int | None, message: str
) -> None:
    with pytest.raises(ServeError, match=message):
        schedule_kwargs(schedule, cron, interval)


def test_deployment_parameters_are_json_and_round_trip(tmp_path: Path) -> None:
    settings = load_settings(REPO / "tradeline.toml")
    kwargs = deployment_kwargs(settings, tmp_path / "wh.duckdb", name="hourly")
    params = kwargs["parameters"]
    assert params["warehouse"] == str((tmp_path / "wh.duckdb").resolve())
    assert Settings.model_validate(params["settings"]) == settings  # what the flow run gets
    assert kwargs["cron"] == "0 * * * *" and kwargs["name"] == "hourly"


def test_runner_deployment_has_the_schedule_and_parameters(tmp_path: Path) -> None:
    settings = Settings(schedule=ScheduleConfig(interval_s=600))
    deployment = build_deployment(settings, tmp_path / "wh.duckdb", name="every-10-min")

    assert deployment.name == "every-10-min"
    assert deployment.flow_name == "ingest"
    assert deployment.entrypoint == "tradeline.flows.ingest.ingest"
    [schedule] = deployment.schedules
    assert schedule.schedule.interval == timedelta(seconds=600)
    assert deployment.parameters["warehouse"].endswith("wh.duckdb")
    assert deployment.parameters["settings"]["model"]["name"] == settings.model.name


def test_server_command_binds_loopback() -> None:
    command = server_command(4300)
    assert command[1:] == ["server", "start", "--host", "127.0.0.1", "--port", "4300"]


def test_cli_serve_rejects_a_bad_schedule_before_starting_anything(tmp_path: Path) -> None:
    config = tmp_path / "t.toml"
    config.write_text('[schedule]\ncron = "nonsense"\n[[feeds]]\nurl = "feed.xml"\n')
    result = CliRunner().invoke(app, ["serve", "--config", str(config)])
    assert result.exit_code == 2
    assert "invalid cron" in result.output


def test_cli_serve_without_api_and_without_server_says_how(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from prefect.settings import PREFECT_API_URL, temporary_settings

    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    config = tmp_path / "t.toml"
    config.write_text('[schedule]\ninterval_s = 60\n[[feeds]]\nurl = "feed.xml"\n')
    # the session's test server (prefect_harness) may be configured: forget it here
    with temporary_settings(restore_defaults={PREFECT_API_URL}):
        result = CliRunner().invoke(
            app, ["serve", "--config", str(config), "--no-start-server", "--port", "4301"]
        )
    assert result.exit_code == 2
    output = "".join(result.output.split())  # rich wraps long lines
    assert "prefectserverstart--host127.0.0.1--port4301" in output
    assert "exportPREFECT_API_URL=http://127.0.0.1:4301/api" in output


def test_cli_serve_needs_feeds(tmp_path: Path) -> None:
    config = tmp_path / "t.toml"
    config.write_text("[schedule]\ninterval_s = 60\n")
    result = CliRunner().invoke(app, ["serve", "--config", str(config)])
    assert result.exit_code == 2
    assert "no feeds configured" in result.output


def test_prefect_yaml_points_at_the_ingest_flow() -> None:
    import yaml

    spec = yaml.safe_load((REPO / "prefect.yaml").read_text())
    [deployment] = spec["deployments"]
    path, name = deployment["entrypoint"].split(":")
    assert (REPO / path).is_file() and f"def {name}(" in (REPO / path).read_text()
    assert set(deployment["parameters"]) == {"settings", "warehouse"}
    assert deployment["concurrency_limit"] == 1
    assert deployment["schedules"][0]["cron"] == "0 * * * *"


# --- what an operator reads: the state's message, serve's line, the log levels --------------


def _error(stage: str) -> IngestError:
    return IngestError(url="https://example.com/x", stage=stage, reason="http_500")


def test_the_state_message_counts_what_failed() -> None:
    summary = IngestSummary(feeds_polled=5, feeds_failed=2, new_articles=3, facts=12)
    summary.errors = [_error("feed"), _error("fetch"), _error("feed"), _error("parse")]
    assert describe_errors(summary.errors, 5) == "2 of 5 feeds failed, 2 pages failed"
    assert summary.outcome_line() == (
        "new articles: 3 · facts: 12 · errors: 4 (2 of 5 feeds failed, 2 pages failed)"
    )
    assert describe_errors([_error("feed")], 1) == "1 of 1 feed failed"
    assert describe_errors([_error("import")]) == "1 record failed"
    assert describe_errors([]) == ""
    assert IngestSummary(new_articles=1).outcome_line() == "new articles: 1 · facts: 0 · errors: 0"


def test_a_run_line_has_time_state_counts_duration_and_the_runs_page() -> None:
    from prefect.client.schemas.objects import FlowRun
    from prefect.settings import PREFECT_API_URL, PREFECT_UI_URL, temporary_settings
    from prefect.states import Completed

    started = datetime(2026, 11, 30, 10, 31, 2, tzinfo=UTC)
    flow_run = FlowRun(
        flow_id=uuid4(),
        state=Completed(name="CompletedWithErrors", message="new articles: 3 · facts: 12\n"),
        start_time=started,
        end_time=started + timedelta(seconds=4.24),
        total_run_time=timedelta(seconds=4.24),
    )
    # no UI address configured (the session's test server may be): it comes from the API's
    with temporary_settings(restore_defaults={PREFECT_UI_URL, PREFECT_API_URL}):
        line = run_line(flow_run, "http://127.0.0.1:4300/api")
    assert line == (
        "2026-11-30 10:31:02 UTC · CompletedWithErrors · new articles: 3 · facts: 12 · 4.2 s · "
        f"http://127.0.0.1:4300/runs/flow-run/{flow_run.id}"
    )


def test_flow_run_info_goes_to_the_api_and_the_console_shows_warnings(tmp_path: Path) -> None:
    """In a fresh process with no PREFECT_* set: what `prefect_env` makes of Prefect's logging."""
    import os
    import subprocess
    import sys

    script = (
        "import logging, tradeline.flows\n"
        "from prefect.logging.configuration import setup_logging\n"
        "from prefect.settings import get_current_settings\n"
        "setup_logging()\n"
        "[console] = [h for h in logging.getLogger().handlers]\n"
        "print(get_current_settings().logging.to_api.enabled,"
        " logging.getLogger('prefect.flow_runs').getEffectiveLevel(),"
        " logging.getLogger('prefect.task_runs').getEffectiveLevel(), console.level)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env["PREFECT_HOME"] = str(tmp_path)
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["True", "20", "30", "30"]  # INFO to the API, WARNING shown


def test_serve_uses_a_server_already_answering_on_its_port(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A server on the port (one kept as its own service) is used, not refused or doubled:
    the deployment is served against it and no `prefect server start` is launched."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    import tradeline.flows.serve as serve_module
    from tradeline.flows.ingest import ingest

    monkeypatch.setenv("PREFECT_API_URL", "")  # so that undo restores it, as serve sets it
    monkeypatch.delenv("PREFECT_API_URL")
    healthy_seen: list[str] = []
    served_with: list[str | None] = []
    monkeypatch.setattr(
        "tradeline.flows.prefect_server.running_server",
        lambda port: healthy_seen.append(f"http://127.0.0.1:{port}/api") or healthy_seen[-1],
    )
    monkeypatch.setattr(
        serve_module,
        "start_local_server",
        lambda *a, **k: pytest.fail("started a second server"),
    )
    monkeypatch.setattr(
        type(ingest), "serve", lambda self, **kw: served_with.append(os.environ["PREFECT_API_URL"])
    )
    with temporary_settings(restore_defaults={PREFECT_API_URL}):
        serve_module.serve(
            Settings(schedule=ScheduleConfig(interval_s=60)), tmp_path / "wh.duckdb", port=4377
        )
    assert healthy_seen == ["http://127.0.0.1:4377/api"]
    assert served_with == ["http://127.0.0.1:4377/api"]
    assert "already running at http://127.0.0.1:4377/api" in capsys.readouterr().out


class _FakeRunsAPI:
    """Answers read_flow_runs like the Prefect API: the filter's end_time, the sort and the
    limit applied to a list of finished runs (only what RunWatcher.poll reads)."""

    def __init__(self) -> None:
        self.runs: list = []
        self.sorts: list = []

    def read_deployment_by_name(self, name: str):
        from types import SimpleNamespace

        return SimpleNamespace(id=uuid4())

    def read_flow_runs(self, flow_run_filter, sort, limit):
        self.sorts.append(sort)
        after = flow_run_filter.end_time.after_
        found = [run for run in self.runs if run.end_time >= after]
        found.sort(key=lambda run: run.end_time, reverse=sort.value == "END_TIME_DESC")
        return found[:limit]

    def finish(self, n: int, start: datetime) -> None:
        from types import SimpleNamespace

        from prefect.states import Completed

        for _ in range(n):  # a minute apart, each after all earlier ones
            end = start + timedelta(minutes=len(self.runs))
            self.runs.append(
                SimpleNamespace(
                    id=uuid4(),
                    end_time=end,
                    start_time=end - timedelta(seconds=2),
                    expected_start_time=None,
                    total_run_time=timedelta(seconds=2),
                    state=Completed(message="new articles: 0 · facts: 0 · errors: 0"),
                )
            )


def test_run_watcher_prints_each_run_once_however_many_have_run() -> None:
    """After hundreds of runs (days of serve), a new run still gets its line at the next poll:
    the watcher asks for the newest first and moves its window on."""
    from tradeline.flows.run_watch import RunWatcher

    api, printed = _FakeRunsAPI(), []
    watcher = RunWatcher("ingest/scheduled", printed.append, api_url="http://127.0.0.1:1/api")
    start = watcher.since + timedelta(seconds=1)
    for batch in (150, 120, 1, 3):  # more than a page (200) in all, then a few at a time
        api.finish(batch, start)
        printed.extend(watcher.poll(api))
    assert len(printed) == len(api.runs) == 274
    ids = [line.rsplit("/", 1)[1] for line in printed]
    assert len(ids) == len(set(ids))  # none twice
    assert ids[-4:] == [str(run.id) for run in api.runs[-4:]]  # the newest ones, in order
    assert {sort.value for sort in api.sorts} == {"END_TIME_DESC"}
    assert len(watcher._seen) <= 11  # only the runs within the overlap are remembered
