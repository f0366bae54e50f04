"""`tradeline report`: the timeline as one self-contained HTML page (`tradeline/report/`)."""

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
    clean_errors,
    settings_and_warehouse,
)


@app.command()
@clean_errors
def report(
    out: Annotated[
        Path, typer.Option("--out", "-o", help="HTML file to write.")
    ] = Path("timeline.html"),
    since: SinceFilter = None,
    until: UntilFilter = None,
    company: CompanyFilter = None,
    commodity: CommodityFilter = None,
    type: TypeFilter = None,
    authority: AuthorityFilter = None,
    lanes: Annotated[
        str, typer.Option("--lanes", help="One chart lane per commodity or per company.")
    ] = "commodity",
    config: ConfigOption = None,
    warehouse: WarehouseOption = None,
) -> None:
    """Write the timeline as one HTML page that works offline: a chart (a lane per commodity
    or company, a marker per event shaped by type and coloured by authority, validity bars, a
    today line), the permits active today, companies ranked by events, a sortable table of the
    entries and the run they come from. Filters are those of `tradeline timeline`.

    Example: tradeline report -o timeline.html --since 2025-01 --lanes company
    """
    from tradeline.report import LANES, build_report

    if lanes not in LANES:
        raise UserError(f"unknown --lanes {lanes!r}: use {' or '.join(LANES)}")
    _, warehouse_path = settings_and_warehouse(config, warehouse)
    if not warehouse_path.is_file():
        raise UserError(f"no warehouse at {warehouse_path} (run `tradeline run` first)")
    if out.is_dir():
        raise UserError(f"-o {out} is a folder: give the HTML file's path, e.g. "
                        f"{out}/timeline.html")
    try:
        summary = build_report(
            warehouse_path, out, lanes=lanes, since=since, until=until, company=company,
            commodity=commodity, type=type, authority=authority,
        )
    except OSError as exc:  # a read-only folder, a full disk: one line, nothing half-written
        raise UserError(f"cannot write {out}: {exc.strerror or exc}") from None
    sys.stdout.write(summary.line() + "\n")
