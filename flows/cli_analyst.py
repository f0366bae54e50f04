"""Analyst commands: `tradeline export` (views to Parquet/CSV) and `tradeline rebuild-timeline`
(re-merge the timeline, e.g. after upgrading a warehouse made before merged entries)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tradeline.flows.cli_common import (
    ConfigOption,
    UserError,
    WarehouseOption,
    app,
    clean_errors,
    settings_and_warehouse,
)
from tradeline.flows.console import stderr


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
    """Re-merge article-level events into timeline entries (normally done after every run).

    Example: tradeline rebuild-timeline --warehouse tradeline.duckdb
    """
    from tradeline.warehouse import merge
    from tradeline.warehouse.db import connect

    _, warehouse_path = settings_and_warehouse(config, warehouse)
    con = connect(warehouse_path)
    try:
        with merge.atomic(con):
            n = merge.rebuild(con)
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
    import sys

    from tradeline.flows.console import render_rows
    from tradeline.warehouse import recipes

    if format not in {"table", "csv", "json"}:
        raise UserError(f"unknown format {format!r}: use table, csv or json")
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
    _, warehouse_path = settings_and_warehouse(config, warehouse)
    columns, rows = recipes.run_recipe(warehouse_path, name, params)
    text = render_rows(columns, rows, format, title=recipes.question(name))
    if text is not None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
