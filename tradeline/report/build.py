"""`build_report`: read the warehouse, draw the chart, write the page; what the CLI and the
flows call."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from tradeline.report import lanes as lane_rules
from tradeline.report.data import load_report_data
from tradeline.report.figure import build_figure, event_count
from tradeline.report.page import render_page

LANES = lane_rules.LANES
# Above this many entries the chart draws one mark per lane and month: one mark per entry,
# each with its hover text, would pass ~10 MB around 8,000 entries (bench/report_scale.py).
AGGREGATE_ABOVE = 5000


@dataclass(frozen=True)
class ReportSummary:
    """What a build wrote."""

    path: Path
    entries: int  # timeline entries on the page (filters applied)
    marks: int  # event marks on the chart: `entries`, or lane-months when aggregated
    aggregated: bool
    bytes: int

    def line(self) -> str:
        how = f", aggregated into {self.marks} lane-months" if self.aggregated else ""
        return f"{self.path} · entries: {self.entries}{how} · bytes: {self.bytes}"


def build_report(
    warehouse_path: str | Path,
    out_path: str | Path,
    *,
    lanes: str = "commodity",
    aggregate_above: int = AGGREGATE_ABOVE,
    today: date | None = None,
    **filters: str | None,
) -> ReportSummary:
    """Write the timeline report of `warehouse_path` to `out_path`.

    filters: those of `warehouse.query.timeline` (company, type, commodity, authority, since,
    until); a bad value raises its `QueryError` / `UnknownValue`. lanes: "commodity" or
    "company". More than `aggregate_above` entries are drawn aggregated by month.
    """
    if lanes not in LANES:
        raise ValueError(f"lanes must be one of {', '.join(LANES)}, not {lanes!r}")
    warehouse_path, out_path = Path(warehouse_path), Path(out_path)
    data = load_report_data(warehouse_path, today=today, **filters)
    aggregated = len(data.entries) > aggregate_above
    fig = build_figure(data, lanes, aggregate=aggregated)
    names = lane_rules.lane_names(data.entries, lanes, data.firm_of, data.companies_ranked)
    months = [lane_rules.position(e, data.today).strftime("%Y-%m") for e in data.entries]
    html = render_page(
        fig, data, lanes=names, months=months, lane_kind=lanes, aggregated=aggregated,
        aggregate_above=aggregate_above, warehouse_path=warehouse_path,
    )
    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_path.with_name(out_path.name + ".tmp")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(out_path)  # a reader (or the Prefect UI's link) never sees half a page
    return ReportSummary(
        path=out_path, entries=len(data.entries), marks=event_count(fig),
        aggregated=aggregated, bytes=out_path.stat().st_size,
    )
