"""End of a period: a start date plus an ISO 8601 duration, at the start's own precision."""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

_DUR_RE = re.compile(r"P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?")


def add_duration(start: str, duration: str) -> str | None:
    """End of a period: start + ISO duration, at the start's precision.

    "2025-12-02" + "P1Y" -> "2026-12-02"; "2024-02-29" + "P1Y" -> "2025-02-28" (month ends are
    clamped); "2025-12" + "P6M" -> "2026-06"; "2025" + "P2Y" -> "2027". Returns None when the
    duration is finer than the start ("2025" + "P6M") or either value is malformed.
    """
    if not isinstance(start, str) or not isinstance(duration, str):
        return None
    m = _DUR_RE.fullmatch(duration.strip().upper())
    if not m or not any(m.groups()):
        return None
    years, months, weeks, days = (int(g) if g else 0 for g in m.groups())
    s = re.fullmatch(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", start.strip())
    if not s:
        return None
    y = int(s.group(1))
    total_months = years * 12 + months
    if s.group(2) is None:  # year precision
        if weeks or days or total_months % 12:
            return None
        return f"{y + total_months // 12:04d}"
    mo = int(s.group(2))
    if not 1 <= mo <= 12:
        return None
    idx = y * 12 + mo - 1 + total_months
    ny, nm = idx // 12, idx % 12 + 1
    if s.group(3) is None:  # month precision
        if weeks or days:
            return None
        return f"{ny:04d}-{nm:02d}"
    try:
        date(y, mo, int(s.group(3)))
    except ValueError:
        return None
    if not 1 <= ny <= 9999:
        return None
    day = min(int(s.group(3)), calendar.monthrange(ny, nm)[1])
    try:
        end = date(ny, nm, day) + timedelta(days=weeks * 7 + days)
    except OverflowError:
        return None
    return end.isoformat()
