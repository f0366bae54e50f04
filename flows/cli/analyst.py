"""Analyst commands: `tradeline timeline`, `sql` and `recipe` (read-only questions), `export`
(views to Parquet/CSV) and `rebuild-timeline` (re-merge the timeline, e.g. after upgrading a
warehouse made before merged entries)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from tradeline.flows.cli.common import (
    ConfigOption,
    UserError,
    WarehouseOption,
    app,
    check_format,
    clean_errors,
    print_timeline,
    settings_and_warehouse,
)
from tradeline.flows.console import render_rows, stderr


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
    columns: Annotated[
        str | None,
        typer.Option(
            "--columns",
            help="Comma-separated columns to show, in order, e.g. event_date,type,companies "
            "(default: a table shows those that fit the terminal; csv and json all).",
        ),
    ] = None,
) -> None:
    """Print the timeline: one row per real event, merged across the articles reporting it.

    Example: tradeline timeline --company "JL Mag" --since 2025-01-01
    """
    _, warehouse_path = settings_and_warehouse(config, warehouse)
    print_timeline(
        warehouse_path, company=company, type=type, since=since, fmt=format, columns=columns
    )


@app.command()
@clean_errors
def sql(
    query: Annotated[str, typer.Argument(help="A SQL query (read-only).")],
    config: ConfigOption = None,
    warehouse: WarehouseOption = None,
    format: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
    timeout: Annotated[
        float | None,
        typer.Option("--timeout", min=0, help="Stop the query after S seconds (0: no limit; "
                     "default: [query] timeout_s, 120)."),
    ] = None,
    max_rows: Annotated[
        int | None,
        typer.Option("--max-rows", min=0, help="Rows a table shows (0: all; default: [query] "
                     "max_rows, 1000). CSV and JSON print every row."),
    ] = None,
) -> None:
    """Run SQL on the warehouse through a read-only connection: SELECT, EXPLAIN, DESCRIBE,
    SHOW and reading PRAGMAs; no file access, no extensions, no SET but threads, memory_limit
    and SET VARIABLE.

    Example: tradeline sql "SELECT type, count(*) FROM timeline GROUP BY type" --format csv
    """
    from tradeline.warehouse.query import run_sql

    check_format(format)
    settings, warehouse_path = settings_and_warehouse(config, warehouse)
    limit = settings.query.max_rows if max_rows is None else max_rows
    limit = limit if format == "table" and limit > 0 else None
    columns, rows = run_sql(
        warehouse_path,
        query,
        timeout_s=settings.query.timeout_s if timeout is None else timeout,
        max_rows=limit,
    )
    shown = rows if limit is None else rows[:limit]
    text = render_rows(columns, shown, format)
    if text is not None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    if len(shown) < len(rows):
        stderr.print(
            f"showing the first {limit} rows: --max-rows N shows more, --format csv all",
            highlight=False,
        )


@app.command()
@clean_errors
def export(
    out_dir: Annotated[Path, typer.Argument(help="Folder to write <view>.<format> files into.")],
    format: Annotated[str, typer.Option("--format", help="parquet or csv.")] = "parquet",
    view: Annotated[
        list[str] | None,
        typer.Option("--view", help="Only this view (repeatable); default: all analyst views."),
    ] = None,
    config: ConfigOption = None,
    warehouse: WarehouseOption = None,
) -> None:
    """Export timeline, event_mentions, companies and company_timeline as files.

    Example: tradeline export --format parquet exports/
    """
    from tradeline.warehouse.export import FORMATS, VIEWS, export_views

    if format not in FORMATS:
        raise UserError(f"unknown format {format!r}: use parquet or csv")
    _, warehouse_path = settings_and_warehouse(config, warehouse)
    for exported in export_views(
        warehouse_path, out_dir, fmt=format, views=tuple(view) if view else VIEWS
    ):
        stderr.print(f"{exported.view}: {exported.rows} rows → {exported.path}", highlight=False)


@app.command("rebuild-timeline")
@clean_errors
def rebuild_timeline(config: ConfigOption = None, warehouse: WarehouseOption = None) -> None:
    """Re-merge article-level events into timeline entries, and group company spellings into
    firms (both normally done after every run).

    Example: tradeline rebuild-timeline --warehouse tradeline.duckdb
    """
    from tradeline.warehouse.db import connect, transaction
    from tradeline.warehouse.runs import rebuild_derived

    _, warehouse_path = settings_and_warehouse(config, warehouse)
    con = connect(warehouse_path)
    try:
        with transaction(con):
            n = rebuild_derived(con)
    finally:
        con.close()
    stderr.print(f"timeline rebuilt: {n} entries")


@app.command()
@clean_errors
def recipe(
    name: Annotated[
        str | None, typer.Argument(help="Recipe name (omit to list them with their questions).")
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option("--param", "-p", help="NAME=VALUE for the recipe (repeatable)."),
    ] = None,
    format: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
    config: ConfigOption = None,
    warehouse: WarehouseOption = None,
) -> None:
    """Run one of the SQL recipes in warehouse/queries (read-only).

    Example: tradeline recipe permits_active_on -p on_date=2026-03-01
    """
    from tradeline.warehouse import recipes

    check_format(format)
    if name is None:
        for recipe_name in recipes.names():
            needs = ", ".join(recipes.parameters(recipe_name)) or "no parameters"
            sys.stdout.write(f"{recipe_name} ({needs}): {recipes.question(recipe_name)}\n")
        return
    params = {}
    for item in param or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UserError(f"--param must be NAME=VALUE, got {item!r}")
        params[key.strip()] = value
    settings, warehouse_path = settings_and_warehouse(config, warehouse)
    columns, rows = recipes.run_recipe(
        warehouse_path, name, params, timeout_s=settings.query.timeout_s
    )
    text = render_rows(columns, rows, format, title=recipes.question(name))
    if text is not None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
