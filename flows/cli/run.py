"""Commands that run the pipeline: `tradeline run` (the ingest flow) and `tradeline extract`
(the batch contract, no warehouse)."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from tradeline.config import Settings, load_settings
from tradeline.flows.cli.common import (
    AllowErrorsOption,
    ConfigOption,
    UserError,
    WarehouseOption,
    app,
    check_model,
    clean_errors,
    exit_for_run,
    prefect_api_or_error,
    print_timeline,
    settings_and_warehouse,
)
from tradeline.flows.console import RichProgress, print_errors, stderr


@app.command()
@clean_errors
def run(
    config: ConfigOption = None,
    warehouse: WarehouseOption = None,
    feed: Annotated[
        list[str] | None,
        typer.Option(
            "--feed", "-f", help="Ingest this feed instead of the configured ones (repeatable)."
        ),
    ] = None,
    show_timeline: Annotated[
        bool, typer.Option("--timeline/--no-timeline", help="Print the timeline when done.")
    ] = True,
    task_runner: Annotated[
        str,
        typer.Option(
            "--task-runner",
            help="local (this process) or dask: fetch and extract batches on a Dask cluster.",
        ),
    ] = "local",
    dask_address: Annotated[
        str | None,
        typer.Option(
            "--dask-address",
            help="Dask scheduler, e.g. tcp://10.0.0.5:8786 (default: a LocalCluster here).",
        ),
    ] = None,
    lock_wait: Annotated[
        float,
        typer.Option(
            "--lock-wait",
            min=0,
            help="Seconds to wait while another run holds the warehouse, then give up.",
        ),
    ] = 10.0,
    allow_errors: AllowErrorsOption = False,
    alerts: Annotated[
        bool,
        typer.Option(
            "--alerts/--no-alerts",
            help="Send the watchlist alerts ([[watch]]) this run owes; --no-alerts records "
            "the entries it stored as seen, unsent.",
        ),
    ] = True,
    always_flow: Annotated[
        bool,
        typer.Option(
            "--always-flow",
            help="Run the Prefect flow even when a first poll finds nothing new (by default "
            "such a poll ends without a flow run, before Prefect is imported).",
        ),
    ] = False,
) -> None:
    """Run the Prefect `ingest` flow: poll feeds, fetch new articles, extract facts, store them.

    \b
    Exit status (and the status the run is recorded with):
      0        all went well (completed)
      1        finished, but some feed or page failed (completed_with_errors)
      3        nothing could be fetched (failed)
      2        usage error: a bad option or value, a missing file (no run)
      130/143  interrupted by Ctrl-C / SIGTERM (interrupted)
    --allow-errors turns 1 and 3 into 0.

    \b
    A poll that finds nothing new (every feed answered, nothing new or owed, no alert to
    retry) is recorded without a flow run and prints one `nothing new:` line; --always-flow
    runs the flow anyway, so that every poll shows in the Prefect UI.

    Example: tradeline run --config tradeline.toml
    """
    settings, warehouse_path = settings_and_warehouse(config, warehouse)
    if not feed and not settings.feeds:
        raise UserError("no feeds configured: add [[feeds]] to the config or pass --feed URL")
    check_model(settings.model.name)
    from tradeline.flows.runlock import run_lock

    # Held once over the first poll and the flow (it nests): no other run slips in between.
    with run_lock(warehouse_path, wait_s=lock_wait, on_wait=stderr.print):
        _poll_then_run(
            settings,
            warehouse_path,
            feed,
            alerts=alerts,
            lock_wait=lock_wait,
            always_flow=always_flow,
            task_runner=task_runner,
            dask_address=dask_address,
            show_timeline=show_timeline,
            allow_errors=allow_errors,
        )


def _poll_then_run(
    settings: Settings,
    warehouse_path: Path,
    feed: list[str] | None,
    *,
    alerts: bool,
    lock_wait: float,
    always_flow: bool,
    task_runner: str,
    dask_address: str | None,
    show_timeline: bool,
    allow_errors: bool,
) -> None:
    """The first poll without Prefect, then the `ingest` flow when it found something to do."""
    if not always_flow and _runner_options_valid(task_runner, dask_address):
        line = _nothing_new(settings, warehouse_path, feed, alerts=alerts, lock_wait=lock_wait)
        if line is not None:  # recorded without a flow run: Prefect is never imported
            if show_timeline:
                print_timeline(warehouse_path)
            stderr.print(f"[bold]{line}[/]  warehouse: {warehouse_path}", highlight=False)
            return
    from tradeline.flows.ingest import ingest
    from tradeline.flows.outcome import RunFailed
    from tradeline.flows.progress import reporting_to
    from tradeline.flows.quiet import quiet_known_failures
    from tradeline.flows.taskrunners import TaskRunnerError, make_task_runner

    try:
        runner = make_task_runner(task_runner, dask_address)
    except TaskRunnerError as exc:
        raise UserError(str(exc)) from None
    if runner is not None:
        ingest = ingest.with_options(task_runner=runner)
        from tradeline.flows.serve import configured_api_url

        if dask_address and not configured_api_url():
            # A LocalCluster's workers inherit the temporary server's URL; remote ones cannot.
            stderr.print(
                "note: PREFECT_API_URL is not set, so each Dask worker process starts its own "
                "temporary Prefect server (slow; its task runs are not in one UI): see README, "
                "Scale-out with Dask"
            )

    from tradeline.flows.runlock import run_lock
    from tradeline.warehouse.db import connect, writes_wait

    quiet_known_failures()  # this command prints them in one line
    with (
        run_lock(warehouse_path, wait_s=lock_wait, on_wait=stderr.print),
        writes_wait(settings.warehouse.lock_wait_s),
    ):
        # An unusable warehouse (a directory, not DuckDB, too new) is one clear line here,
        # not a failure logged with its traceback from inside the Prefect flow.
        connect(warehouse_path).close()
        with (
            prefect_api_or_error(settings.prefect),
            RichProgress() as progress,
            reporting_to(progress),
        ):
            try:
                summary = ingest(
                    settings, str(warehouse_path), list(feed) if feed else None, alerts=alerts
                )
            except RunFailed as exc:  # nothing could be fetched: the flow run is Failed
                summary = exc.summary
    if show_timeline:
        print_timeline(warehouse_path)
    stderr.print(f"[bold]{summary.line()}[/]  warehouse: {warehouse_path}", highlight=False)
    print_errors(summary.errors)
    exit_for_run(summary.status, allow_errors)


def _nothing_new(
    settings: Settings,
    warehouse_path: Path,
    feed: list[str] | None,
    *,
    alerts: bool,
    lock_wait: float,
) -> str | None:
    """Poll first, under the run lock (`flows/quick_poll.py`): the summary line of a poll with
    nothing new, which is recorded; None when the flow must run (nothing was recorded)."""
    from tradeline.flows.quick_poll import poll_if_nothing_new
    from tradeline.flows.runlock import run_lock
    from tradeline.warehouse.db import connect, writes_wait

    with (
        run_lock(warehouse_path, wait_s=lock_wait, on_wait=stderr.print),
        writes_wait(settings.warehouse.lock_wait_s),
    ):
        connect(warehouse_path).close()  # an unusable warehouse is one clear line
        polled = poll_if_nothing_new(
            settings, warehouse_path, list(feed) if feed else None, alerts=alerts
        )
    return polled.line() if polled is not None else None


def _runner_options_valid(task_runner: str, dask_address: str | None) -> bool:
    """The values `taskrunners.make_task_runner` accepts, checked without importing Prefect (a
    bad value takes the flow path, which says what is wrong)."""
    return task_runner == "dask" or (task_runner == "local" and not dask_address)


@app.command()
@clean_errors
def extract(
    input: Annotated[
        Path,
        typer.Option("--input", "-i", help="articles.jsonl: {id, text, published, …} per line."),
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="results.jsonl to write.")],
    config: ConfigOption = None,
    model: Annotated[
        str | None, typer.Option("--model", help="spaCy pipeline name (default: config).")
    ] = None,
    processes: Annotated[
        int | None,
        typer.Option(
            "--processes", "-j", min=1, help="Worker processes for nlp.pipe (default: config)."
        ),
    ] = None,
    all_events: Annotated[
        bool,
        typer.Option(
            "--all-events",
            help="List every event in `events`, whatever its relevance and confidence.",
        ),
    ] = False,
) -> None:
    """Extract facts from a JSONL of articles, without a warehouse (the batch contract).

    A malformed input line stops the job before the model loads (one `error:` line naming the
    line, exit 2, nothing written); an article whose extraction fails gets an error record
    (its `error` field says why) and the others are processed.

    Example: tradeline extract --input articles.jsonl --output results.jsonl
    """
    from tradeline.extractors.batch import InputError, run_extract

    settings = load_settings(config)
    if not input.is_file():
        raise UserError(f"input file not found: {input}")
    model_name = model or settings.model.name
    check_model(model_name)
    failed: list[tuple[str, str]] = []
    with ExitStack() as stack:
        bars: list[RichProgress] = []

        def start(total: int) -> None:  # once the input is valid: no bar before an error line
            bars.append(stack.enter_context(RichProgress()))
            bars[0].start("extract", total)

        try:
            n = run_extract(
                input,
                output,
                settings.model.model_copy(
                    update={"name": model_name, "n_process": processes or settings.model.n_process}
                ),
                all_events=all_events,
                progress=lambda k: bars[0].advance("extract", k),
                on_error=lambda article_id, reason: failed.append((article_id, reason)),
                on_start=start,
            )
        except InputError as exc:
            raise UserError(str(exc)) from None
    for article_id, reason in failed[:20]:
        line = f"  [yellow]failed[/] {escape(article_id)}: {escape(reason)}"
        stderr.print(line, highlight=False, soft_wrap=True)
    note = f" ({len(failed)} failed: error records in the output)" if failed else ""
    stderr.print(f"extracted {n} articles → {output}{note}", highlight=False, soft_wrap=True)
