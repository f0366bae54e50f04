"""The HTML tables beside the chart: permits active today, companies ranked by events, and
every entry (sortable; the click panel copies a row from here, so the evidence and the source
links are in the page once). Every value is escaped; a source link is kept only for web and
file URLs, so a stored `javascript:` URL never becomes a link."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape
from typing import Any

from tradeline.report.data import Entry
from tradeline.report.hover import authority_text, commodity_text

LINK_SCHEMES = ("http://", "https://", "file://")

TOP_COMPANIES = 100  # a side panel, not a register: `companies` has them all

ENTRY_HEADERS = (
    "date", "type", "companies", "authority", "commodity", "validity", "n_articles",
    "n_sources", "evidence", "sources",
)


def entry_rows(entries: list[Entry], lanes: list[str] | None, months: list[str] | None) -> str:
    """The `<tr>`s of `#entries`, one per entry, each with its entry key (the click panel finds
    a row by it) and, when the chart is aggregated, its lane and month (a click on a lane-month
    lists its rows)."""
    rows = []
    for i, entry in enumerate(entries):
        date_sort = entry["date_from"].isoformat() if entry.get("date_from") else "9999"
        cells = [
            _td(_date_label(entry), sort=date_sort),
            _td(entry["type"]),
            _td(", ".join(entry.get("companies") or [])),
            _td(authority_text(entry)),
            _td(commodity_text(entry)),
            _td(entry.get("validity") or ""),
            _td(entry["n_articles"]),
            _td(entry["n_sources"]),
            _td(entry.get("evidence") or ""),
            f"<td>{_sources(entry.get('mentions') or [])}</td>",
        ]
        where = (f' data-lane="{_a(lanes[i])}" data-month="{months[i]}"'
                 if lanes is not None and months is not None else "")
        rows.append(f'<tr data-key="{_a(entry["entry_key"])}"{where}>{"".join(cells)}</tr>')
    return "".join(rows)


def entries_table(rows: str, *, packed: bool = False) -> str:
    """`<table id="entries">` around `entry_rows()`; with `packed`, its body is left empty for
    the page's script to fill from the packed rows (`page.py`)."""
    return _table("entries", ENTRY_HEADERS, [] if packed else [rows], sortable=True,
                  empty="" if packed else "no entries")


def active_permits_table(permits: list[Entry]) -> str:
    rows = [
        f'<tr data-key="{_a(p["entry_key"])}">'
        + _td(", ".join(p.get("companies") or []) or "—") + _td(p.get("commodity") or "")
        + _td(authority_text(p))
        + _window_td(_day(p.get("valid_from") or p.get("date_from")),
                     _day(p.get("valid_to")) or "open-ended")
        + "</tr>"
        for p in permits
    ]
    headers = ("companies", "commodity", "authority", "valid")
    return _table("active-permits", headers, rows, sortable=True, empty="no permit is active today")


def companies_table(ranked: list[tuple[str, int]], top: int = TOP_COMPANIES) -> str:
    """The `top` companies by events; a last line says how many more there are."""
    rows = [
        f"<tr>{_td(i)}{_td(name)}{_td(n)}</tr>" for i, (name, n) in enumerate(ranked[:top], 1)
    ]
    table = _table("companies-ranked", ("rank", "company", "events"), rows, sortable=True,
                   empty="no company is named")
    if len(ranked) > top:
        table += (f"<p>… and {len(ranked) - top} more: <code>tradeline sql \"SELECT canonical, "
                  "n_events FROM companies ORDER BY n_events DESC\"</code></p>")
    return table


def _table(
    table_id: str, headers: Sequence[str], rows: Iterable[str], *, sortable: bool,
    empty: str = "nothing to show",
) -> str:
    rows = list(rows)
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in headers)
    body = "".join(rows)
    if not body and empty:
        body = f'<tr class="empty"><td colspan="{len(headers)}">{escape(empty)}</td></tr>'
    cls = ' class="sortable"' if sortable else ""
    return (
        f'<table id="{table_id}"{cls}><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table>"
    )


def _sources(mentions: list[dict[str, Any]]) -> str:
    """Each report: its outlet (a link to the article), its publication date."""
    parts = []
    for m in mentions:
        outlet = escape(m.get("outlet") or "unknown outlet")
        url = m.get("url") or ""
        link = (f'<a href="{_a(url)}">{outlet}</a>' if url.startswith(LINK_SCHEMES)
                else f"{outlet} ({escape(url)})")
        parts.append(f"{link} {_day(m.get('published')) or 'undated'}")
    return "<br>".join(parts)


def _date_label(entry: Entry) -> str:
    if not entry.get("event_date"):
        return f"undated (reported {_day(entry.get('first_reported')) or '?'})"
    disputed = " (disputed: " + ", ".join(entry["dates_reported"]) + ")" if entry.get(
        "date_disputed") else ""
    return entry["event_date"] + disputed


def _day(value: Any) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else (value or "")


def _td(value: Any, *, sort: Any = None) -> str:
    attr = f' data-sort="{_a(sort)}"' if sort is not None else ""
    return f"<td{attr}>{escape(str(value))}</td>"


def _window_td(start: str, end: str) -> str:
    """"start → end", each date kept on one line (a browser breaks "2025-12-02" at hyphens)."""
    days = " → ".join(f'<span class="day">{escape(d)}</span>' for d in (start, end))
    return f'<td data-sort="{_a(start)}">{days}</td>'


def _a(value: Any) -> str:
    return escape(str(value), quote=True)
