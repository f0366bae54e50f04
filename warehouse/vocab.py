"""The values a filter can name — event types, commodities, authorities — and the check that
turns a typed value into one of them, so that a typo is an error with "did you mean …" instead
of a filter that silently matches nothing.

A value is known when the timeline holds it or the extractor can produce it: the closed list of
event types (`tradeline.records.EVENT_TYPES`), the packaged commodity lexicon's labels and the
packaged authority gazetteer (models/data/). A value is accepted as typed, else when exactly one
known value equals it ignoring case, spaces/underscores/hyphens and a final plural "s"
("rare earth" → "rare earths", "Permit Issued" → "permit_issued").
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import duckdb

from tradeline.records import EVENT_TYPES
from tradeline.warehouse.db import WarehouseError

SHOWN = 30  # values an error message lists at most (`tradeline vocab` lists them all)


class UnknownValue(WarehouseError, ValueError):
    """A filter value that names nothing the warehouse or the extractor knows."""


@cache
def _commodity_labels() -> tuple[str, ...]:
    from tradeline.extractors.commodities.lexicon import CommodityEntry
    from tradeline.extractors.component_data import DataFile
    from tradeline.models.assets import Assets

    path = Assets.packaged().path("commodities/lexicon.jsonl")
    return tuple(dict.fromkeys(row.label for row in DataFile.read(path).rows(CommodityEntry)))


@cache
def _authority_rows() -> tuple[tuple[str, str], ...]:
    from tradeline.extractors.component_data import DataFile
    from tradeline.extractors.orgs.lexicon import AuthorityName
    from tradeline.models.assets import Assets

    path = Assets.packaged().path("orgs/authorities.jsonl")
    return tuple((row.text, row.country) for row in DataFile.read(path).rows(AuthorityName))


@dataclass(frozen=True)
class Field:
    """One vocabulary: the timeline column it counts (its name) and what the extractor can
    produce."""

    name: str
    label: str  # in messages: "unknown event type …"
    packaged: Callable[[], tuple[str, ...]]


FIELDS: dict[str, Field] = {
    f.name: f
    for f in (
        Field("type", "event type", lambda: EVENT_TYPES),
        Field("commodity", "commodity", _commodity_labels),
        Field("authority", "authority",
              lambda: tuple(dict.fromkeys(t for t, _ in _authority_rows()))),
        Field("authority_country", "authority country",
              lambda: tuple(sorted({c for _, c in _authority_rows()}))),
    )
}
# `--authority X` matches an authority's name or its country: one vocabulary of both.
FILTERS: dict[str, tuple[str, ...]] = {
    "type": ("type",),
    "commodity": ("commodity",),
    "authority": ("authority", "authority_country"),
    "authority_country": ("authority_country",),
}


def counts(con: duckdb.DuckDBPyConnection, name: str) -> dict[str, int]:
    """Timeline entries per value of vocabulary `name`, most frequent first."""
    column = FIELDS[name].name  # one of a fixed set: safe to format in
    rows = con.execute(
        f"SELECT {column}, count(*) AS n FROM timeline WHERE {column} IS NOT NULL "
        f"GROUP BY ALL ORDER BY n DESC, {column}"
    ).fetchall()
    return {value: int(n) for value, n in rows}


def vocabulary(
    con: duckdb.DuckDBPyConnection, name: str, *, known: bool = True
) -> dict[str, int]:
    """`counts`, then (with `known`) what the extractor can produce but no entry has, at 0."""
    values = counts(con, name)
    if known:
        for value in FIELDS[name].packaged():
            values.setdefault(value, 0)
    return values


def listing(
    con: duckdb.DuckDBPyConnection, *, all_known: bool = False
) -> list[tuple[str, str, int]]:
    """(vocabulary, value, timeline entries) for every vocabulary: what the timeline holds,
    every event type (a short closed list), and with `all_known` every value the extractor
    knows, at 0 when no entry has it."""
    return [
        (name, value, n)
        for name in FIELDS
        for value, n in vocabulary(con, name, known=all_known or name == "type").items()
    ]


def resolve(con: duckdb.DuckDBPyConnection, name: str, value: str) -> str:
    """The known value `value` names (see the module docstring); UnknownValue otherwise, with
    the closest values and the valid ones in the message."""
    fields = FILTERS[name]
    in_warehouse: dict[str, int] = {}
    known: dict[str, int] = {}
    for field in fields:  # one query of the timeline per field
        held = counts(con, field)
        in_warehouse.update(held)
        known.update(held)
        for packaged in FIELDS[field].packaged():
            known.setdefault(packaged, 0)
    if value in known:
        return value
    # values told apart only by case are one value (the filters compare authorities so)
    same = list({k.casefold(): k for k in reversed(known) if _key(k) == _key(value)}.values())
    if len(same) == 1:
        return same[0]
    label = " or ".join(FIELDS[f].label for f in fields)
    if same:
        raise UnknownValue(f"{label} {value!r} is ambiguous: it could be {_listing(same)}")
    raise UnknownValue(_unknown_message(label, value, known, in_warehouse))


def _key(value: str) -> str:
    words = re.sub(r"[\s_\-]+", " ", value.strip().casefold()).split(" ")
    last = words[-1]
    if last.endswith("ies") and len(last) > 4:
        last = last[:-3] + "y"
    elif last.endswith("s") and not last.endswith("ss") and len(last) > 3:
        last = last[:-1]
    return " ".join([*words[:-1], last])


def _unknown_message(
    label: str, value: str, known: dict[str, int], in_warehouse: dict[str, int]
) -> str:
    by_fold = {k.casefold(): k for k in reversed(known)}
    close = difflib.get_close_matches(value.casefold(), list(by_fold), n=1, cutoff=0.6)
    hint = f"; did you mean {by_fold[close[0]]}?" if close else "."
    # the closed list of types is short: all of it; else what this warehouse holds first
    valid = list(known) if label == "event type" else [
        *in_warehouse, *(k for k in known if k not in in_warehouse)
    ]
    return f"unknown {label} {value!r}{hint} Valid: {_listing(valid)}"


def _listing(values: list[str]) -> str:
    shown = ", ".join(values[:SHOWN])
    more = len(values) - SHOWN
    return f"{shown}, … ({more} more: tradeline vocab --all)" if more > 0 else shown
