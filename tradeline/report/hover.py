"""Hover texts: what an analyst reads over a mark. Plotly renders a small subset of HTML in
them, so every value is escaped and long sentences are wrapped; the evidence is cut to
`EVIDENCE_CHARS` here (the entries table and the click panel have it whole)."""

from __future__ import annotations

import textwrap
from collections import Counter
from html import escape
from typing import Any

EVIDENCE_CHARS = 300
WRAP = 90
MAX_SOURCES = 12  # more than this in one hover: the rest are in the click panel


def event_text(entry: dict[str, Any]) -> str:
    """Companies, authority, commodity, evidence, counts and every source of one entry."""
    lines = [f"<b>{_e(entry['type'])}</b> · {_e(_when(entry))}"]
    if entry.get("date_disputed"):
        lines.append(f"date disputed: reported as {_e(', '.join(entry['dates_reported'] or []))}")
    lines.append(f"companies: {_e(', '.join(entry['companies'] or []) or '—')}")
    lines.append(f"authority: {_e(authority_text(entry) or '—')}")
    lines.append(f"commodity: {_e(commodity_text(entry) or '—')}")
    if entry.get("validity"):
        lines.append(f"validity: {_e(entry['validity'])}")
    lines += _wrapped(f"“{cut(entry.get('evidence') or '')}”")
    lines.append(f"n_articles: {entry['n_articles']} · n_sources: {entry['n_sources']}")
    mentions = entry.get("mentions") or []
    for mention in mentions[:MAX_SOURCES]:
        outlet = mention.get("outlet") or "unknown outlet"
        published = mention.get("published") or "undated"
        lines.append(f"· {_e(outlet)}, {_e(str(published))}, {_e(mention.get('url') or '')}")
    if len(mentions) > MAX_SOURCES:
        lines.append(f"… and {len(mentions) - MAX_SOURCES} more (click for all)")
    return "<br>".join(lines)


def month_text(lane: str, month: str, entries: list[dict[str, Any]]) -> str:
    """One lane-month of an aggregated chart: how many events, of which types and by whom."""
    types = Counter(e["type"] for e in entries)
    authorities = Counter(e.get("authority") or "—" for e in entries)
    when = month if len(month) == 7 else f"{month} (dates known only to the year)"
    lines = [f"<b>{_e(lane)}</b> · {when}", f"{len(entries)} events (aggregated by month)"]
    lines += _wrapped("types: " + _counts(types))
    lines += _wrapped("authorities: " + _counts(authorities))
    return "<br>".join(lines)


def validity_text(entry: dict[str, Any]) -> str:
    return (
        f"<b>valid</b> {_e(entry.get('validity') or entry.get('validity_duration') or '')}"
        f"<br>{_e(', '.join(entry['companies'] or []) or entry['type'])}"
    )


def cut(text: str, limit: int = EVIDENCE_CHARS) -> str:
    """`text` at most `limit` characters, cut at a word with an ellipsis."""
    return textwrap.shorten(text, limit, placeholder="…")


def authority_text(entry: dict[str, Any]) -> str:
    """"MOFCOM (China)": the authority with its country when that adds something."""
    authority = entry.get("authority") or ""
    country = entry.get("authority_country")
    return f"{authority} ({country})" if country and country != authority else authority


def commodity_text(entry: dict[str, Any]) -> str:
    """"rare earths (samarium)": the commodity with its detail when that adds something."""
    commodity, detail = entry.get("commodity") or "", entry.get("commodity_detail")
    return f"{commodity} ({detail})" if detail and detail != commodity else commodity


def _when(entry: dict[str, Any]) -> str:
    if entry.get("event_date"):
        granularity = entry.get("date_granularity")
        return entry["event_date"] + (
            f" ({granularity})" if granularity not in (None, "day") else ""
        )
    return f"undated, first reported {entry.get('first_reported') or '?'}"


def _counts(counter: Counter[str], top: int = 6) -> str:
    shown = ", ".join(f"{name} {n}" for name, n in counter.most_common(top))
    rest = len(counter) - top
    return shown + (f", {rest} more" if rest > 0 else "")


def _wrapped(text: str) -> list[str]:
    return [_e(line) for line in textwrap.wrap(text, WRAP)] or [""]


def _e(value: object) -> str:
    return escape(str(value), quote=False)
