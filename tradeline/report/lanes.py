"""Where an entry goes on the chart: its lane (a commodity or a company) and its date.

A month- or year-precision date covers a range: the entry is drawn as a span over it with its
marker in the middle, never as a false point on the 1st. An undated entry sits at its first
report. Lanes beyond `MAX_LANES` share one "other" lane so labels stay readable."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

LANES = ("commodity", "company")
MAX_LANES = 40
NO_COMMODITY = "(no commodity)"
NO_COMPANY = "(no company)"


def lane_names(
    entries: list[dict[str, Any]], lanes: str, firm_of: dict[str, list[str]],
    ranked: list[tuple[str, int]],
) -> list[str]:
    """Each entry's lane, in entry order. By company, an entry naming several firms goes to
    the one with the most events (each entry is drawn once; hover names all its firms)."""
    if lanes == "commodity":
        names = [e.get("commodity") or NO_COMMODITY for e in entries]
    else:
        rank = {name: i for i, (name, _) in enumerate(ranked)}
        names = []
        for e in entries:
            firms = firm_of.get(e["entry_key"]) or list(e.get("companies") or [])
            names.append(min(firms, key=lambda f: rank.get(f, len(rank))) if firms else NO_COMPANY)
    counts = Counter(names)
    kept = {name for name, _ in sorted(counts.items(), key=_busiest)[: MAX_LANES - 1]}
    if len(counts) <= MAX_LANES:
        return names
    other = f"other ({len(counts) - len(kept)} {lanes} lanes)"
    return [name if name in kept else other for name in names]


def lane_order(names: list[str]) -> list[str]:
    """Lanes top to bottom: the busiest first."""
    return [name for name, _ in sorted(Counter(names).items(), key=_busiest)]


def _busiest(item: tuple[str, int]) -> tuple[int, bool, str]:
    name, n = item
    return (-n, name.startswith(("(", "other (")), name.lower())


def span(entry: dict[str, Any]) -> tuple[date, date] | None:
    """The days a month- or year-precision date covers; None for a day or no date."""
    start, end = entry.get("date_from"), entry.get("date_to")
    if start is None or end is None or start == end:
        return None
    return start, end


def position(entry: dict[str, Any], today: date) -> date:
    """The marker's date: the day, the middle of a month or year, else the first report."""
    start, end = entry.get("date_from"), entry.get("date_to")
    if start is not None and end is not None:
        return date.fromordinal((start.toordinal() + end.toordinal()) // 2)
    return entry.get("first_reported") or today


def bucket(entry: dict[str, Any], today: date) -> str:
    """An aggregated chart's bucket: the marker's month, or "YYYY" for a date known only to
    the year (counting it in its middle month would invent a July)."""
    if entry.get("date_granularity") == "year" and entry.get("event_date"):
        return str(entry["event_date"])[:4]
    return position(entry, today).strftime("%Y-%m")


def bucket_day(bucket: str) -> str:
    """Where a bucket's mark sits: mid-month, or mid-year for a year bucket."""
    return f"{bucket}-15" if len(bucket) == 7 else f"{bucket}-07-01"


def validity_window(entry: dict[str, Any], today: date) -> tuple[date, date] | None:
    """valid_from (else the event's first day) → valid_to (else today, open-ended)."""
    if entry.get("validity_duration") is None:
        return None
    start = entry.get("valid_from") or entry.get("date_from")
    end = entry.get("valid_to") or (today if start and start < today else None)
    if start is None or end is None:
        return None
    return start, end


def rows_in_lane(lanes: list[int], days: list[date], min_gap_days: float = 0) -> list[int]:
    """A row within its lane for each mark (0 the middle, then -1, +1, -2, …), so that marks of
    a lane closer than `min_gap_days` (or on the same day) sit above one another instead of
    hiding each other. Greedy: each mark, in date order, takes the first row whose last mark is
    far enough behind it (the least recently used one when none is)."""
    rows = [0] * len(days)
    last: dict[tuple[int, int], int] = {}  # (lane, row index) → ordinal of its last mark
    for i in sorted(range(len(days)), key=lambda i: (lanes[i], days[i])):
        day = days[i].toordinal()
        free = [r for r in range(len(ROWS)) if (lanes[i], r) not in last
                or day - last[(lanes[i], r)] > min_gap_days]
        row = free[0] if free else min(range(len(ROWS)), key=lambda r: last[(lanes[i], r)])
        last[(lanes[i], row)] = day
        rows[i] = ROWS[row]
    return rows


ROWS = (0, -1, 1, -2, 2, -3, 3)  # rows a lane grows into, from its middle
