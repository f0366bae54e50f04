"""The Plotly timeline: one lane per commodity or company, a marker per real event (shape by
type, colour by authority), spans for month- or year-precision dates, validity bars, a ring
around disputed dates and a "today" line.

The page's scripts and the browser tests rely on what is set here: every event trace has
`meta: "event"` and each of its points `customdata[0] = entry_key` (a lane-month key
`"lane|YYYY-MM"` when aggregated), validity bars have `meta: "validity"`, and the today line
is the layout shape named `today`. Traces are SVG `scatter` so the marks are in the DOM.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from html import escape
from typing import Any

import plotly.graph_objects as go

from tradeline.report import hover, lanes, style
from tradeline.report.data import Entry, ReportData

LANE_LABEL_CHARS = 30
HOVER = "%{text}<extra></extra>"
# Of the time axis: a 14-px marker on the ~600-px wide plot of a 1280-px page (the panel
# beside it and the lane labels take the rest), and a little.
CROWDED = 0.028
ROW = 0.42  # a row within a lane, in lanes: a marker's height and a little


class Geometry:
    """Where lanes and rows are on the y axis: a lane is as tall as the rows its crowded
    stretches need (`lanes.rows_in_lane`), so crowded marks never overlap."""

    def __init__(self, order: list[str], lane_index: list[int], rows: list[int]) -> None:
        self.rows = rows
        depth = [0] * len(order)  # how far each lane's rows reach from its middle
        for lane, row in zip(lane_index, rows, strict=True):
            depth[lane] = max(depth[lane], abs(row))
        self.middle: list[float] = []
        top = 0.0
        for d in depth:
            self.middle.append(top + 0.5 + d * ROW)
            top += 1 + 2 * d * ROW
        self.height = top

    def y(self, lane: int, row: int) -> float:
        return self.middle[lane] + row * ROW


def build_figure(
    data: ReportData, lane_kind: str = "commodity", aggregate: bool = False
) -> go.Figure:
    """The chart of `data.entries`; `aggregate` draws one mark per lane and month instead of
    one per entry (for very large warehouses)."""
    entries = data.entries
    names = lanes.lane_names(entries, lane_kind, data.firm_of, data.companies_ranked)
    order = lanes.lane_order(names)
    lane_of = {name: i for i, name in enumerate(order)}
    authority_of = [e.get("authority") or style.NO_AUTHORITY for e in entries]
    colours = style.authority_colours([a for a, _ in Counter(authority_of).most_common()])
    fig = go.Figure()
    if aggregate:
        geometry = Geometry(order, [], [])
        _add_months(fig, entries, names, lane_of, authority_of, colours, data.today, geometry)
    else:
        days = [lanes.position(e, data.today) for e in entries]
        gap = _axis_days(entries, days, data.today) * CROWDED  # marks closer than this overlap
        index = [lane_of[n] for n in names]
        geometry = Geometry(order, index, lanes.rows_in_lane(index, days, gap))
        _add_entries(fig, entries, names, lane_of, authority_of, colours, data.today, geometry)
    _layout(fig, order, lane_kind, data.today, geometry)
    return fig


def _axis_days(entries: list[Entry], days: list[date], today: date) -> int:
    """The days the time axis spans: the marks, their date spans and validity windows, and
    the today line (Plotly's autorange takes them all in)."""
    ends = [*days, today]
    for entry in entries:
        ends += lanes.span(entry) or ()
        ends += lanes.validity_window(entry, today) or ()
    return (max(ends) - min(ends)).days


def event_count(figure: go.Figure | dict[str, Any]) -> int:
    """How many event marks a figure (or its `to_dict()`) draws."""
    fig = figure if isinstance(figure, dict) else figure.to_dict()
    return sum(len(t.get("x") or ()) for t in fig["data"] if t.get("meta") == "event")


def _add_entries(
    fig: go.Figure, entries: list[Entry], names: list[str], lane_of: dict[str, int],
    authority_of: list[str], colours: dict[str, str], today: date, geometry: Geometry,
) -> None:
    days = [lanes.position(e, today) for e in entries]
    ys = [geometry.y(lane_of[n], row) for n, row in zip(names, geometry.rows, strict=True)]
    by_authority: dict[str, list[int]] = defaultdict(list)
    for i, authority in enumerate(authority_of):
        by_authority[authority].append(i)
    for authority, idx in by_authority.items():  # month/year dates: a span under the marker
        spans = [(lanes.span(entries[i]), ys[i]) for i in idx]
        xs, yv = _segments([(s, y) for s, y in spans if s is not None])
        if xs:
            fig.add_trace(go.Scatter(
                x=xs, y=yv, mode="lines", meta="span", hoverinfo="skip", showlegend=False,
                line={"color": colours[authority], "width": 10}, opacity=0.3,
                name=escape(f"{authority} (date range)", quote=False),
            ))
    _add_validity(fig, entries, ys, today)
    disputed = [i for i, e in enumerate(entries) if e.get("date_disputed")]
    if disputed:
        fig.add_trace(go.Scatter(
            x=[days[i].isoformat() for i in disputed], y=[ys[i] for i in disputed],
            mode="markers", meta="disputed", name="date disputed", hoverinfo="skip",
            marker={"symbol": "circle-open", "size": 24, "color": style.DISPUTED_COLOUR,
                    "line": {"width": 2}},
        ))
    for n, (authority, idx) in enumerate(sorted(by_authority.items(), key=lambda kv: -len(kv[1]))):
        fig.add_trace(go.Scatter(
            x=[days[i].isoformat() for i in idx], y=[ys[i] for i in idx], mode="markers",
            meta="event", name=escape(authority, quote=False), legendgroup="authority",
            legendgrouptitle_text="authority" if n == 0 else None,
            text=[hover.event_text(entries[i]) for i in idx], hovertemplate=HOVER,
            customdata=[[entries[i]["entry_key"]] for i in idx],
            marker={
                "symbol": [style.symbol(entries[i]["type"]) for i in idx],
                "color": colours[authority], "size": 14,
                "opacity": [1.0 if entries[i].get("event_date") else 0.45 for i in idx],
                "line": {"color": "white", "width": 1},
            },
        ))
    _add_type_legend(fig, sorted({e["type"] for e in entries}))


def _add_validity(fig: go.Figure, entries: list[Entry], ys: list[float], today: date) -> None:
    xs: list[str | None] = []
    yv: list[float | None] = []
    text: list[str | None] = []
    keys: list[list[str | None]] = []
    for entry, y in zip(entries, ys, strict=True):
        window = lanes.validity_window(entry, today)
        if window is None:
            continue
        label = hover.validity_text(entry)
        xs += [window[0].isoformat(), window[1].isoformat(), None]
        yv += [y + ROW / 2, y + ROW / 2, None]
        text += [label, label, None]
        keys += [[entry["entry_key"]], [entry["entry_key"]], [None]]
    if xs:
        fig.add_trace(go.Scatter(
            x=xs, y=yv, mode="lines", meta="validity", name="validity window", text=text,
            customdata=keys, hovertemplate=HOVER,
            line={"color": style.VALIDITY_COLOUR, "width": 6},
        ))


def _add_months(
    fig: go.Figure, entries: list[Entry], names: list[str], lane_of: dict[str, int],
    authority_of: list[str], colours: dict[str, str], today: date, geometry: Geometry,
) -> None:
    """One mark per lane and month, sized by its count, coloured by its commonest authority."""
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, entry in enumerate(entries):
        groups[(names[i], lanes.bucket(entry, today))].append(i)
    by_authority: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for group, idx in groups.items():
        top = Counter(authority_of[i] for i in idx).most_common(1)[0][0]
        by_authority[top].append(group)
    ranked = sorted(by_authority.items(), key=lambda kv: -len(kv[1]))
    for n, (authority, members) in enumerate(ranked):
        counts = [len(groups[g]) for g in members]
        fig.add_trace(go.Scatter(
            x=[lanes.bucket_day(month) for _, month in members],
            y=[geometry.y(lane_of[lane], 0) for lane, _ in members],
            mode="markers", meta="event", name=escape(authority, quote=False),
            legendgroup="authority",
            legendgrouptitle_text="authority (commonest in the month)" if n == 0 else None,
            text=[hover.month_text(lane, month, [entries[i] for i in groups[(lane, month)]])
                  for lane, month in members],
            hovertemplate=HOVER,
            customdata=[[f"{lane}|{month}", count]
                        for (lane, month), count in zip(members, counts, strict=True)],
            marker={"color": colours[authority], "line": {"color": "white", "width": 1},
                    "opacity": 0.75,
                    "size": [min(8 + 3 * c**0.5, 34) for c in counts]},
        ))


def _add_type_legend(fig: go.Figure, types: list[str]) -> None:
    """Legend entries for the marker shapes (no data of their own)."""
    for n, event_type in enumerate(types):
        fig.add_trace(go.Scatter(
            x=[None], y=[None], mode="markers", meta="legend", name=event_type,
            legendgroup="types", legendgrouptitle_text="event type" if n == 0 else None,
            marker={"symbol": style.symbol(event_type), "color": "#555555", "size": 11},
        ))


def _segments(spans: list[tuple[tuple[date, date], float]]) -> tuple[list, list]:
    xs: list[str | None] = []
    ys: list[float | None] = []
    for (start, end), y in spans:
        xs += [start.isoformat(), end.isoformat(), None]
        ys += [y, y, None]
    return xs, ys


def _layout(
    fig: go.Figure, order: list[str], lane_kind: str, today: date, geometry: Geometry
) -> None:
    span = max(geometry.height, 1)
    fig.update_layout(
        template="plotly_white",
        height=round(max(460, 250 + 46 * span)),  # 46 px a lane; the legend below ~150 px
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        hovermode="closest",
        hoverlabel={"align": "left", "font": {"size": 12}},
        legend={"groupclick": "toggleitem", "font": {"size": 11}, "orientation": "h",
                "yanchor": "top", "y": -0.08, "xanchor": "left", "x": 0},
        xaxis={"type": "date", "showgrid": True},
        yaxis={
            "title": {"text": lane_kind},
            "tickmode": "array",
            "tickvals": geometry.middle,
            "ticktext": [_label(name) for name in order],
            "range": [span + 0.1, -0.1],  # first lane on top
            "zeroline": False,
            "automargin": True,
        },
        shapes=[{
            "type": "line", "name": "today", "xref": "x", "yref": "paper",
            "x0": today.isoformat(), "x1": today.isoformat(), "y0": 0, "y1": 1,
            "line": {"color": "#d62728", "width": 1.5, "dash": "dot"},
        }],
        annotations=[{
            "x": today.isoformat(), "xref": "x", "y": 1, "yref": "paper", "text": "today",
            "showarrow": False, "yanchor": "bottom", "font": {"color": "#d62728", "size": 11},
        }],
    )


def _label(name: str) -> str:
    """A lane's label, cut to fit; escaped, as Plotly draws a subset of HTML in labels."""
    cut = name if len(name) <= LANE_LABEL_CHARS else name[: LANE_LABEL_CHARS - 1] + "…"
    return escape(cut, quote=False)
