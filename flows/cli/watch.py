"""`tradeline watch list` and `tradeline watch test`: see the `[[watch]]` tables and what they
sent, and check that their destinations receive a message before a real alert depends on it
(tradeline/alerts/)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from tradeline.config import WatchConfig
from tradeline.flows.cli.common import (
    ConfigOption,
    UserError,
    WarehouseOption,
    app,
    clean_errors,
    settings_and_warehouse,
)
from tradeline.flows.console import render_rows, stderr

watch_app = typer.Typer(no_args_is_help=False, invoke_without_command=True)  # help: `watch`
app.add_typer(watch_app, name="watch")


def _criteria(watch: WatchConfig) -> str:
    parts = [
        f"{label}: {', '.join(values)}"
        for label, values in (
            ("companies", watch.companies),
            ("commodities", watch.commodities),
            ("authorities", watch.authorities),
            ("types", watch.types),
        )
        if values
    ]
    if watch.n_sources_threshold:
        parts.append(f"again at {watch.n_sources_threshold} sources")
    return "; ".join(parts)


@watch_app.callback()
@clean_errors
def watch(
    ctx: typer.Context, config: ConfigOption = None, warehouse: WarehouseOption = None
) -> None:
    """Watchlist alerts: list the [[watch]] tables and the alerts each sent (`tradeline watch`
    or `tradeline watch list`), or send a sample (`tradeline watch test [NAME]`).

    Example: tradeline watch --config tradeline.toml
    """
    if ctx.invoked_subcommand is None:
        _list(config, warehouse)


@watch_app.command("list")
@clean_errors
def list_(config: ConfigOption = None, warehouse: WarehouseOption = None) -> None:
    """Show each watch: what it matches, where it sends (secrets masked), when alerts first
    checked it, and its alerts recorded (sent, failed and waiting for a retry, recorded
    unsent by an import or --no-alerts, given up after `max_attempts` failed tries). A
    commodity or authority the vocabularies do not know is an error naming the valid values
    (exit 2).

    Example: tradeline watch list
    """
    _list(config, warehouse)


def _list(config: Path | None, warehouse: Path | None) -> None:
    from tradeline.alerts.delivery import redacted

    settings, warehouse_path = settings_and_warehouse(config, warehouse)
    if not settings.watch:
        stderr.print("no watches: add [[watch]] tables to the config (README: Watchlist alerts)")
        return
    counts, seen, problems = _recorded(warehouse_path, settings.watch)
    rows = [
        (
            w.name,
            _criteria(w),
            "\n".join(redacted(url) for url in w.notify),
            f"{seen[w.name]:%Y-%m-%d %H:%M}" if w.name in seen else "",
            counts.get(w.name, {}).get("sent", 0),
            counts.get(w.name, {}).get("failed", 0),
            counts.get(w.name, {}).get("skipped", 0),
            counts.get(w.name, {}).get("given_up", 0),
        )
        for w in settings.watch
    ]
    columns = ["watch", "matches", "notify", "since", "sent", "failed", "unsent", "given up"]
    render_rows(columns, rows, title=f"Watches ({len(rows)})")
    if problems:
        raise UserError("; ".join(problems))


def _recorded(
    warehouse_path: Path, watches: list[WatchConfig]
) -> tuple[dict[str, dict[str, int]], dict[str, datetime], list[str]]:
    """(alerts per watch and status, when each watch was first seen, unknown values) from
    the warehouse; nothing when there is none yet or it predates alerts."""
    import duckdb

    from tradeline.alerts import sent
    from tradeline.alerts.notify import resolve_watches
    from tradeline.warehouse.db import connect

    if not warehouse_path.is_file():
        return {}, {}, []
    with connect(warehouse_path, read_only=True) as con:
        _, problems = resolve_watches(con, watches)
        try:
            return sent.counts(con), sent.watches_seen(con), problems
        except duckdb.CatalogException:  # made before migration 011: no alert sent yet
            return {}, {}, problems


@watch_app.command("test")
@clean_errors
def test(
    name: Annotated[
        str | None, typer.Argument(help="The watch to test (default: every watch).")
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Send a sample alert (marked as a test) to each destination of the watch, or of every
    watch, and say per destination whether it went. Exit status 1 when any failed. Nothing
    is recorded in the warehouse.

    Example: tradeline watch test rare-earths
    """
    from tradeline.alerts.delivery import deliver, redacted
    from tradeline.alerts.matching import Watch
    from tradeline.alerts.message import format_alert, sample_entry

    settings, _ = settings_and_warehouse(config, None)
    if not settings.watch:
        raise UserError("no watches: add [[watch]] tables to the config (README: Watchlist alerts)")
    chosen = [w for w in settings.watch if name is None or w.name == name]
    if not chosen:
        names = ", ".join(w.name for w in settings.watch)
        raise UserError(f"no watch named {name!r}; configured: {names}")
    failed = 0
    for config_watch in chosen:
        watch = Watch(name=config_watch.name, notify=tuple(config_watch.notify))
        message = format_alert(watch, sample_entry())
        for url in watch.notify:
            error = deliver(url, message)
            where = escape(f"{watch.name} → {redacted(url)}")
            if error is None:
                stderr.print(f"[green]sent[/]    {where}", highlight=False, soft_wrap=True)
            else:
                failed += 1
                line = f"[bold red]failed[/]  {where}: {escape(error)}"
                stderr.print(line, highlight=False, soft_wrap=True)
    if failed:
        raise typer.Exit(1)
