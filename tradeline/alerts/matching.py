"""Which timeline entries a watch wants, and which alerts are owed: pure functions over plain
records, so the rule is tested without a warehouse or a network.

A watch matches an entry when every criterion it gives matches (companies, commodities,
authorities, types) and, within one criterion, any of its values does. Companies are matched
forgivingly: by `tradeline.identity.same_company` against the entry's canonical names and
aliases ("JL MAG" ~ "JL Mag Rare-Earth"), or as the first whole words of one (a short name:
"Lynas" names "Lynas Rare Earths", "Mag" names nothing), ignoring case and punctuation.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from tradeline.identity import comparable, same_company

NEW = "new"  # the entry is new since the watch was added
SOURCES = "sources"  # the entry's n_sources grew to the watch's threshold


@dataclass(frozen=True)
class Watch:
    """A `[[watch]]` with its commodities and authorities resolved to the vocabularies' values."""

    name: str
    notify: tuple[str, ...]
    companies: tuple[str, ...] = ()
    commodities: tuple[str, ...] = ()
    authorities: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    n_sources_threshold: int | None = None
    max_per_run: int = 20
    max_attempts: int = 10


def criteria_hash(watch: Watch) -> str:
    """A stable id of what `watch` matches (order and case aside): when it changes, the
    watch starts over, so a widened watch does not send entries stored before the change."""
    criteria = {
        name: sorted({v.casefold() for v in getattr(watch, name)})
        for name in ("companies", "commodities", "authorities", "types")
    }
    return hashlib.sha256(json.dumps(criteria, sort_keys=True).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Entry:
    """One row of the `timeline` view, with what alerts need besides."""

    entry_key: str
    type: str
    n_sources: int
    first_stored: datetime  # when the earliest of its reports was stored
    event_date: str | None = None
    modality: str | None = None
    authority: str | None = None
    authority_country: str | None = None
    companies: tuple[str, ...] = ()
    company_names: tuple[str, ...] = ()  # canonical names, spellings and aliases
    commodity: str | None = None
    commodity_detail: str | None = None
    n_articles: int = 1
    first_reported: str | None = None
    title: str | None = None
    evidence: str | None = None
    urls: tuple[str, ...] = field(default_factory=tuple)
    fact_keys: tuple[str, ...] = ()  # its reports (timeline_entry_mentions.fact_key)


@dataclass(frozen=True)
class Record:
    """What `alerts_sent` holds for one (watch, entry, destination, reason)."""

    status: str  # sent | failed | skipped | given_up | superseded
    n_sources: int


@dataclass(frozen=True)
class Owed:
    """One alert to send (or to record as skipped): a watch, an entry, a destination, why."""

    watch: Watch
    entry: Entry
    url: str
    reason: str
    retry: bool = False  # an earlier delivery failed
    # The entry key whose record this alert's entry continues (its key changed): a failed
    # record there is superseded once this one goes.
    supersedes: str | None = None


def company_matches(wanted: str, names: Iterable[str]) -> bool:
    """Whether a watched company name names one of `names` (see the module docstring)."""
    want = comparable(wanted)
    if not want:
        return False
    for name in names:
        have = comparable(name)
        if have and (same_company(want, have) or f"{have} ".startswith(f"{want} ")):
            return True
    return False


def matches(watch: Watch, entry: Entry) -> bool:
    """Whether `entry` is one `watch` follows."""
    if watch.types and entry.type not in watch.types:
        return False
    if watch.commodities and entry.commodity not in watch.commodities:
        return False
    if watch.authorities:
        held = {v.casefold() for v in (entry.authority, entry.authority_country) if v}
        if not any(a.casefold() in held for a in watch.authorities):
            return False
    if watch.companies:
        names = entry.company_names or entry.companies
        if not any(company_matches(c, names) for c in watch.companies):
            return False
    return True


def owed_alerts(
    watches: Iterable[Watch],
    entries: Iterable[Entry],
    since: Mapping[tuple[str, str], datetime],
    recorded: Mapping[tuple[str, str, str, str], Record],
    destination_key: Callable[[str], str],
    continues: Mapping[str, Sequence[str]] | None = None,
) -> Iterator[Owed]:
    """The alerts owed, in entry order: for each matching entry and destination,

    * 'new' when nothing was recorded and the entry's first report was stored after the
      destination was first seen with the watch's current criteria (`since`, by (watch
      name, destination key)), or when its last delivery failed;
    * 'sources' when its 'new' alert went (or was skipped) at fewer sources than the watch's
      `n_sources_threshold` and the entry now has at least that many, unless that alert went
      already (or was given up).

    `recorded` is keyed by (watch name, entry_key, destination key, reason). `continues`
    names, per entry_key, the alerted entries whose reports it holds (its key changed when a
    later report named a second firm): their records stand for its own until it has them.
    """
    continues = continues or {}
    entries = list(entries)
    for watch in watches:
        dests = [(url, destination_key(url)) for url in watch.notify]
        for entry in entries:
            if not matches(watch, entry):
                continue
            for url, dest in dests:
                owed = _owed(watch, entry, url, dest, since, recorded, continues)
                if owed is not None:
                    yield owed


def _owed(
    watch: Watch,
    entry: Entry,
    url: str,
    dest: str,
    since: Mapping[tuple[str, str], datetime],
    recorded: Mapping[tuple[str, str, str, str], Record],
    continues: Mapping[str, Sequence[str]],
) -> Owed | None:
    """The alert one matching entry owes one destination, if any (see `owed_alerts`)."""
    key = (watch.name, entry.entry_key, dest)
    old_keys = continues.get(entry.entry_key, ())
    new, new_from = _record(recorded, key, NEW, old_keys)
    if new is None:
        start = since[(watch.name, dest)]
        return Owed(watch, entry, url, NEW) if entry.first_stored >= start else None
    if new.status == "failed":
        return Owed(watch, entry, url, NEW, retry=True, supersedes=new_from)
    if new.status not in ("sent", "skipped"):  # given up, or superseded
        return None
    threshold = watch.n_sources_threshold
    if not (threshold and new.n_sources < threshold <= entry.n_sources):
        return None
    grown, grown_from = _record(recorded, key, SOURCES, old_keys)
    if grown is None or grown.status == "failed":
        return Owed(watch, entry, url, SOURCES, retry=grown is not None, supersedes=grown_from)
    return None


def _record(
    recorded: Mapping[tuple[str, str, str, str], Record],
    key: tuple[str, str, str],
    reason: str,
    old_keys: Sequence[str],
) -> tuple[Record | None, str | None]:
    """The record for `reason` under the entry's own key, else under the first of `old_keys`
    (the alerted entries it continues) that has one, with that old key."""
    found = recorded.get((*key, reason))
    if found is not None:
        return found, None
    for old in old_keys:
        found = recorded.get((key[0], old, key[2], reason))
        if found is not None:
            return found, old
    return None, None
