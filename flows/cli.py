"""The `tradeline` command line: each command reads settings, calls one library function,
and turns known failures into one clear line on stderr and exit status 2."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from tradeline.flows import prefect_env

prefect_env.apply_prefect_defaults()

from tradeline.config import load_settings  # noqa: E402
from tradeline.flows.cli_common import (  # noqa: E402
    ConfigOption,
    UserError,
    WarehouseOption,
    app,
    clean_errors,
    settings_and_warehouse,
)
from tradeline.flows.console import RichProgress, print_errors, render_rows, stderr  # noqa: E402


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
) -> None:
    """Run the Prefect `ingest` flow: poll feeds, fetch new articles, extract facts, store them.

    Example: tradeline run --config tradeline.toml
    """
    settings, warehouse_path = settings_and_warehouse(config, warehouse)
    if not feed and not settings.feeds:
        raise UserError("no feeds configured: add [[feeds]] to the config or pass --feed URL")
    from tradeline.flows.progress import reporting_to
    from tradeline.flows.runlock import run_lock

    _check_model(settings.model.name)
    from tradeline.flows.ingest import ingest
    from tradeline.flows.taskrunners import TaskRunnerError, make_task_runner

    try:
        runner = make_task_runner(task_runner, dask_address)
    except TaskRunnerError as exc:
        raise UserError(str(exc)) from None
    if runner is not None:
        ingest = ingest.with_options(task_runner=runner)
        from tradeline.flows.serve import configured_api_url

        if not configured_api_url():
            stderr.print(
                "note: PREFECT_API_URL is not set, so each Dask worker process starts its own "
                "temporary Prefect server (slow; its task runs are not in one UI): see README, "
                "Scale-out with Dask"
            )

    with run_lock(warehouse_path, wait_s=lock_wait, on_wait=stderr.print):
        # An unusable warehouse (a directory, not DuckDB, too new) is one clear line here,
        # not a failure logged with its traceback from inside the Prefect flow.
        from tradeline.warehouse.db import connect

        connect(warehouse_path).close()
        with RichProgress() as progress, reporting_to(progress):
            summary = ingest(settings, str(warehouse_path), list(feed) if feed else None)
    if show_timeline:
        _print_timeline(warehouse_path)
    stderr.print(f"[bold]{summary.line()}[/]  warehouse: {warehouse_path}", highlight=False)
    print_errors(summary.errors)


def _check_model(model_name: str) -> None:
    """Fail fast, before Prefect starts, when the configured pipeline isn't installed."""
    from tradeline.extractors.pipeline import ensure_model_installed

    ensure_model_installed(model_name)


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
) -> None:
    """Extract facts from a JSONL of articles, without a warehouse (the batch contract).

    Example: tradeline extract --input articles.jsonl --output results.jsonl
    """
    from tradeline.extractors.batch import run_extract

    settings = load_settings(config)
    if not input.is_file():
        raise UserError(f"input file not found: {input}")
    model_name = model or settings.model.name
    _check_model(model_name)
    with RichProgress() as progress:
        progress.start("extract", None)
        n = run_extract(
            input,
            output,
            settings.model.model_copy(
                update={"name": model_name, "n_process": processes or settings.model.n_process}
            ),
            progress=lambda k: progress.advance("extract", k),
        )
    stderr.print(f"extracted {n} articles → {output}")


@app.command()
@clean_errors
def timeline(
    config: ConfigOption = None,
    warehouse: WarehouseOption = None,
    company: Annotated[str | None, typer.Option(help="Only events naming this company.")] = None,
    type: Annotated[
        str | None, typer.Option("--type", help="Only this event type, e.g. permit_issued.")
    ] = None,
    since: Annotated[
        str | None, typer.Option(help="Only events on or after this date (YYYY[-MM[-DD]]).")
    ] = None,
    format: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
) -> None:
    """Print the timeline: one row per real event, merged across the articles reporting it.

    Example: tradeline timeline --company "JL Mag" --since 2025-01-01
    """
    _, warehouse_path = settings_and_warehouse(config, warehouse)
    _print_timeline(warehouse_path, company=company, type=type, since=since, fmt=format)


TIMELINE_COLUMNS = (
    "event_date",
    "type",
    "authority_country",
    "companies",
    "commodity",
    "validity",
    "n_articles",
    "n_sources",
    "outlet",
    "title",
)


def _print_timeline(warehouse_path: Path, fmt: str = "table", **filters: str | None) -> None:
    from tradeline.warehouse.query import timeline_readonly

    _check_format(fmt)
    columns, rows = timeline_readonly(warehouse_path, **filters)
    if fmt == "table":
        wanted = [c for c in TIMELINE_COLUMNS if c in columns]
        index = [columns.index(c) for c in wanted]
        rows = [tuple(row[i] for i in index) for row in rows]
        columns = wanted
    text = render_rows(columns, rows, fmt, title=f"Timeline ({len(rows)} events)")
    if text is not None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")


def _check_format(fmt: str) -> None:
    if fmt not in {"table", "csv", "json"}:
        raise UserError(f"unknown format {fmt!r}: use table, csv or json")


@app.command()
@clean_errors
def sql(
    query: Annotated[str, typer.Argument(help="A SQL query (read-only).")],
    config: ConfigOption = None,
    warehouse: WarehouseOption = None,
    format: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
) -> None:
    """Run SQL on the warehouse through a read-only connection.

    Example: tradeline sql "SELECT type, count(*) FROM timeline GROUP BY type" --format csv
    """
    from tradeline.warehouse.query import run_sql

    _check_format(format)
    _, warehouse_path = settings_and_warehouse(config, warehouse)
    columns, rows = run_sql(warehouse_path, query)
    text = render_rows(columns, rows, format)
    if text is not None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")


# Further command groups register themselves on `app` when imported (one module per topic).
# e.g. from flows import cli_archive
import tradeline.flows.cli_analyst  # noqa: E402
import tradeline.flows.cli_archive  # noqa: E402, F401
from tradeline.flows import cli_serve  # noqa: E402, F401


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
