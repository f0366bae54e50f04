"""One self-contained HTML page: the chart (Plotly's JavaScript inlined, no CDN), the click
panel `#detail`, the tables and the run the page was built from. Nothing in it loads from a
URL: the only URLs are the sources' `<a href>` links."""

from __future__ import annotations

import base64
import gzip
from datetime import UTC, datetime
from html import escape
from pathlib import Path

import plotly.graph_objects as go

from tradeline.report import assets, tables
from tradeline.report.data import ReportData

PLOTLY_CONFIG = {"displaylogo": False, "responsive": True, "scrollZoom": False}
PACK_ROWS_ABOVE = 1_000_000  # bytes of table rows (about 1,500 entries)


def render_page(
    fig: go.Figure, data: ReportData, *, rows: str, lane_kind: str, aggregated: bool,
    aggregate_above: int, warehouse_path: Path, pack_rows_above: int = PACK_ROWS_ABOVE,
) -> str:
    """The whole page as text. `rows`: the entries table's rows (`tables.entry_rows`); above
    `pack_rows_above` bytes they are packed (gzip, base64) and unpacked by the page's script,
    so a large table costs a fifth of its size."""
    chart = fig.to_html(
        include_plotlyjs=True, full_html=False, div_id="timeline", config=PLOTLY_CONFIG,
    )
    n = len(data.entries)
    packed = len(rows) > pack_rows_above
    packed_rows = (
        f'\n<script type="application/gzip+base64" id="entries-rows">{_pack(rows)}</script>'
        if packed else ""
    )
    filters = ", ".join(f"--{k} {v}" for k, v in data.filters.items()) or "none"
    note = ""
    if aggregated:
        note = (
            f'<p id="aggregated">The chart is aggregated by month: {n:,} entries are more than '
            f"it draws one by one (over {aggregate_above:,}, or a page over its size limit). "
            f"It shows one mark per {escape(lane_kind)} and month, sized by its number of "
            "events and coloured by its commonest authority; date spans and validity windows "
            "are left out. The entries table lists every entry.</p>"
        )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="tradeline report">
<title>tradeline timeline: {escape(warehouse_path.name)}</title>
<style>{assets.CSS}</style>
</head>
<body>
<header>
<h1>Trade-policy timeline</h1>
<p id="summary">{n:,} events, one lane per {escape(lane_kind)} · filters: {escape(filters)} ·
today: {data.today.isoformat()}. Marker shape: event type; colour: authority; a band: a date
known only to the month or year; a green bar: a validity window; a red ring: a disputed date;
faded: undated (placed at its first report). Hover or click an event for its sources.</p>
{note}
</header>
<main class="layout">
<div class="card chart">{chart}</div>
<aside>
<div id="detail" class="card"><h2>Event</h2><p>Click an event on the chart (or a row of the
table) to see its evidence and every source.</p></div>
<div class="card"><h2>Permits active today</h2>
{tables.active_permits_table(data.active_permits)}</div>
<div class="card"><h2>Companies by number of events</h2>
{tables.companies_table(data.companies_ranked)}</div>
</aside>
</main>
<section class="card entries"><h2>Entries ({n:,})</h2>
<p>Click a column header to sort; click a row to show it in the panel.</p>
{tables.entries_table(rows, packed=packed)}{packed_rows}
</section>
{_provenance(data, warehouse_path)}
<script>{assets.JS}</script>
</body>
</html>
"""


def _pack(text: str) -> str:
    """gzip, then base64: text the page's script turns back into rows (DecompressionStream)."""
    return base64.b64encode(gzip.compress(text.encode("utf-8"), mtime=0)).decode("ascii")


def _provenance(data: ReportData, warehouse_path: Path) -> str:
    """Which run, extractor and model the facts come from, so a picture can be traced."""
    built = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    run = data.provenance or {}
    items = [
        ("warehouse", warehouse_path.name),
        ("built", built),
        ("latest completed run", run.get("run_id") or "none yet"),
        ("run kind", run.get("kind")),
        ("run status", run.get("status")),
        ("run finished", run.get("finished_at")),
        ("extractor version", run.get("extractor_version")),
        ("model", run.get("model_name")),
        ("model version", run.get("model_version")),
        ("assets hash", run.get("assets_hash")),
        ("trained parts hash", run.get("trained_hash")),
        ("runs the shown facts come from", data.runs_shown),
    ]
    rows = "".join(
        f"<dt>{escape(k)}</dt><dd>{escape(str(v))}</dd>" for k, v in items if v is not None
    )
    return (
        '<section id="provenance" class="card"><h2>Built from</h2>'
        f"<dl>{rows}</dl>"
        "<p>Each article shows the facts of its latest completed run (view "
        "<code>latest_runs</code>); <code>tradeline runs</code> lists them all.</p></section>"
    )
