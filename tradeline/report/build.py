"""`build_report`: read the warehouse, draw the chart, write the page; what the CLI and the
flows call."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import plotly.graph_objects as go

from tradeline.report import lanes as lane_rules
from tradeline.report.data import load_report_data
from tradeline.report.figure import build_figure, event_count
from tradeline.report.page import PACK_ROWS_ABOVE, render_page
from tradeline.report.tables import entry_rows

LANES = lane_rules.LANES
# Above this many entries, or when a page drawing each entry would pass MAX_BYTES, the chart
# draws one mark per lane and month: Plotly's script is 4.8 MB and each entry's mark with its
# hover text ~0.7 kB, so ~5,000 entries fill the 10 MB target (bench/report_scale.py).
AGGREGATE_ABOVE = 5000
MAX_BYTES = 9_000_000


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
    max_bytes: int = MAX_BYTES,
    pack_rows_above: int = PACK_ROWS_ABOVE,
    today: date | None = None,
    **filters: str | None,
) -> ReportSummary:
    """Write the timeline report of `warehouse_path` to `out_path`.

    filters: those of `warehouse.query.timeline` (company, type, commodity, authority, since,
    until); a bad value raises its `QueryError` / `UnknownValue`. lanes: "commodity" or
    "company". More than `aggregate_above` entries, or a page that would pass `max_bytes` with
    one mark per entry, are drawn aggregated by lane and month. Table rows above
    `pack_rows_above` bytes are packed (`page.py`).
    """
    if lanes not in LANES:
        raise ValueError(f"lanes must be one of {', '.join(LANES)}, not {lanes!r}")
    warehouse_path, out_path = Path(warehouse_path), Path(out_path)
    data = load_report_data(warehouse_path, today=today, **filters)

    def page(aggregated: bool) -> tuple[str, go.Figure]:
        fig = build_figure(data, lanes, aggregate=aggregated)
        where = (None, None)
        if aggregated:  # a click on a lane-month lists its rows: they carry both
            where = (lane_rules.lane_names(data.entries, lanes, data.firm_of,
                                           data.companies_ranked),
                     [lane_rules.bucket(e, data.today) for e in data.entries])
        html = render_page(
            fig, data, rows=entry_rows(data.entries, *where), lane_kind=lanes,
            aggregated=aggregated, aggregate_above=aggregate_above,
            warehouse_path=warehouse_path, pack_rows_above=pack_rows_above,
        )
        return html, fig

    aggregated = len(data.entries) > aggregate_above
    html, fig = page(aggregated)
    if not aggregated and len(html.encode("utf-8")) > max_bytes:
        aggregated = True  # one mark per entry would not fit: per lane and month instead
        html, fig = page(aggregated)
    _write_whole(out_path, html)
    return ReportSummary(
        path=out_path, entries=len(data.entries), marks=event_count(fig),
        aggregated=aggregated, bytes=out_path.stat().st_size,
    )


def _write_whole(out_path: Path, html: str) -> None:
    """Write through a temporary file beside `out_path`, so a reader (or the Prefect UI's link)
    never sees half a page; the temporary file is gone whatever happens."""
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=out_path.parent, prefix=f".{out_path.name}.", suffix=".tmp",
        delete=False,
    ) as tmp:
        tmp.write(html)
    try:
        os.replace(tmp.name, out_path)
    finally:
        Path(tmp.name).unlink(missing_ok=True)
