"""Dates typed by a user (`--since`, `--until`, a recipe's `on_date`): checked with `datetime`
so that an impossible day or month (2026-02-30, 2025-13) is an error, not a filter that quietly
matches nothing or everything."""

from __future__ import annotations

import re
from datetime import datetime

_SHAPE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")
_FORMATS = {4: ("%Y", "year"), 7: ("%Y-%m", "month"), 10: ("%Y-%m-%d", "day")}


def check_date_prefix(value: str, what: str = "since") -> str:
    """Accept a real YYYY, YYYY-MM or YYYY-MM-DD (the granularities news dates come in);
    returns it unchanged, else raises ValueError naming `what` and the accepted forms."""
    if not _SHAPE.fullmatch(value):
        raise ValueError(f"{what} must be YYYY, YYYY-MM or YYYY-MM-DD, got {value!r}")
    fmt, unit = _FORMATS[len(value)]
    try:
        datetime.strptime(value, fmt)
    except ValueError:
        raise ValueError(
            f"{what} {value!r} is not a real {unit} (YYYY, YYYY-MM or YYYY-MM-DD)"
        ) from None
    return value


def check_day(value: str, what: str = "on_date") -> str:
    """Accept only a real YYYY-MM-DD (a question asked about one day)."""
    if len(value) != 10:
        raise ValueError(f"{what} must be a day, YYYY-MM-DD, got {value!r}")
    return check_date_prefix(value, what)


def check_year(value: str, what: str = "year") -> str:
    """Accept only YYYY."""
    if len(value) != 4:
        raise ValueError(f"{what} must be a year, YYYY, got {value!r}")
    return check_date_prefix(value, what)
