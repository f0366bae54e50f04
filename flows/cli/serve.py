"""`tradeline serve`: run the ingest flow on the config's schedule as a Prefect deployment."""

from __future__ import annotations

from typing import Annotated

import typer

from tradeline.flows.cli.common import (
    ConfigOption,
    UserError,
    WarehouseOption,
    app,
    check_model,
    clean_errors,
    settings_and_warehouse,
)
from tradeline.flows.console import stderr


@app.command()
@clean_errors
def serve(
    config: ConfigOption = None,
    warehouse: WarehouseOption = None,
    name: Annotated[str, typer.Option(help="Deployment name (shown in the Prefect UI).")] = (
        "scheduled"
    ),
    cron: Annotated[
        str | None, typer.Option(help='Cron schedule, e.g. "0 * * * *" (default: config).')
    ] = None,
    interval: Annotated[
        int | None,
        typer.Option(help="Run every this many seconds instead (default: config).", min=1),
    ] = None,
    start_server: Annotated[
        bool,
        typer.Option(
            "--start-server/--no-start-server",
            help="Without PREFECT_API_URL, start a local `prefect server start` on 127.0.0.1.",
        ),
    ] = True,
    port: Annotated[
        int | None,
        typer.Option(
            help="Port for the local Prefect server (default: [prefect] port, 4200).",
            min=1,
            max=65535,
        ),
    ] = None,
) -> None:
    """Serve the `ingest` flow as a Prefect deployment on the schedule set in the config.

    Runs until interrupted; runs and schedule show in the Prefect UI (http://127.0.0.1:4200).

    Example: tradeline serve --config tradeline.toml --interval 900
    """
    from tradeline.flows.serve import ServeError, ServerGone, deployment_kwargs
    from tradeline.flows.serve import serve as serve_flow

    settings, warehouse_path = settings_and_warehouse(config, warehouse)
    if not settings.feeds:
        raise UserError("no feeds configured: add [[feeds]] to the config")
    try:
        kwargs = deployment_kwargs(settings, warehouse_path, name, cron, interval)
        check_model(settings.model.name)
        when = kwargs.get("cron") or f"every {kwargs['interval'].total_seconds():g} s"
        stderr.print(f"serving ingest/{name} ({when}) → {warehouse_path}", highlight=False)
        serve_flow(
            settings,
            warehouse_path,
            start_server=start_server,
            port=port or settings.prefect.port,
            name=name,
            cron=cron,
            interval_s=interval,
        )
    except ServeError as exc:
        raise UserError(str(exc)) from None
    except ServerGone as exc:
        stderr.print(f"error: {exc}", highlight=False, markup=False)
        raise typer.Exit(3) from None
