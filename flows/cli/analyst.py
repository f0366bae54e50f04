"""Analyst commands: `tradeline timeline`, `sql` and `recipe` (read-only questions), `export`
(views to Parquet/CSV) and `rebuild-timeline` (re-merge the timeline, e.g. after upgrading a
warehouse made before merged entries)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from tradeline.flows.cli.common import (
    AuthorityFilter,
    CommodityFilter,
    CompanyFilter,
    ConfigOption,
    SinceFilter,
    TypeFilter,
    UntilFilter,
    UserError,
    WarehouseOption,
    app,
    check_format,
    clean_errors,
    print_timeline,
    settings_and_warehouse,
)
from tradeline.flows.console import render_rows, stderr, write_encoded


@app.command()
@clean_errors
def timeline(
    config: ConfigOption = None,
    warehouse: WarehouseOption = None,
    company: CompanyFilter = None,
    type: TypeFilter = None,
    since: SinceFilter = None,
    until: UntilFilter = None,
    commodity: CommodityFilter = None,
    authority: AuthorityFilter = None,
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

    A type, commodity or authority the warehouse and the extractor do not know is an error
    naming the valid values (`tradeline vocab` lists them); so is an impossible date.

    Example: tradeline timeline --company "JL Mag" --since 2025-01-01
    """
    _, warehouse_path = settings_and_warehouse(config, warehouse)
    print_timeline(
        warehouse_path, company=company, type=type, since=since, until=until,
        commodity=commodity, authority=authority, fmt=format, columns=columns,
    )


@app.command()
@clean_errors
def vocab(
    config: ConfigOption = None,
    warehouse: WarehouseOption = None,
    all_known: Annotated[
        bool,
        typer.Option("--all", help="Also list the commodities and authorities the extractor "
                     "knows that no event in this warehouse has (at 0)."),
    ] = False,
    format: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
) -> None:
    """List the values --type, --commodity and --authority (and recipe parameters) accept:
    event types, commodities, authorities and their countries, with how many timeline events
    have each.

    Example: tradeline vocab --format csv
    """
    from tradeline.warehouse.db import connect
    from tradeline.warehouse.query import lock_wait_s
    from tradeline.warehouse.vocab import listing

    check_format(format)
    _, warehouse_path = settings_and_warehouse(config, warehouse)
    with connect(warehouse_path, read_only=True, lock_wait_s=lock_wait_s()) as con:
        rows = listing(con, all_known=all_known)
    text = render_rows(("vocabulary", "value", "n_events"), rows, format, title="Vocabularies")
    if text is not None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")


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
    from tradeline.warehouse.query import run_sql, run_sql_table

    check_format(format)
    settings, warehouse_path = settings_and_warehouse(config, warehouse)
    timeout_s = settings.query.timeout_s if timeout is None else timeout
    if format != "table":
        write_encoded(run_sql_table(warehouse_path, query, timeout_s=timeout_s), format)
        return
    limit = settings.query.max_rows if max_rows is None else max_rows
    limit = limit if limit > 0 else None
    columns, rows = run_sql(warehouse_path, query, timeout_s=timeout_s, max_rows=limit)
    shown = rows if limit is None else rows[:limit]
    render_rows(columns, shown)
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
    """Re-merge all article-level events into timeline entries, and group company spellings
    into firms (every run does both, re-merging only the timeline's part it touched).

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
    timeout_s = settings.query.timeout_s
    if format != "table":
        table = recipes.run_recipe_table(warehouse_path, name, params, timeout_s=timeout_s)
        write_encoded(table, format)
        return
    columns, rows = recipes.run_recipe(warehouse_path, name, params, timeout_s=timeout_s)
    render_rows(columns, rows, title=recipes.question(name))
