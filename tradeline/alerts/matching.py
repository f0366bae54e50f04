"""Which timeline entries a watch wants, and which alerts are owed: pure functions over plain
records, so the rule is tested without a warehouse or a network.

A watch matches an entry when every criterion it gives matches (companies, commodities,
authorities, types) and, within one criterion, any of its values does. Companies are matched
forgivingly: by `tradeline.identity.same_company` against the entry's canonical names and
aliases ("JL MAG" ~ "JL Mag Rare-Earth"), or as the first whole words of one (a short name:
"Lynas" names "Lynas Rare Earths", "Mag" names nothing), ignoring case and punctuation.
"""

from __future__ import annotations

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

    status: str  # sent | failed | skipped
    n_sources: int


@dataclass(frozen=True)
class Owed:
    """One alert to send (or to record as skipped): a watch, an entry, a destination, why."""

    watch: Watch
    entry: Entry
    url: str
    reason: str
    retry: bool = False  # an earlier delivery failed


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
    created: Mapping[str, datetime],
    recorded: Mapping[tuple[str, str, str, str], Record],
    destination_key: Callable[[str], str],
    continues: Mapping[str, Sequence[str]] | None = None,
) -> Iterator[Owed]:
    """The alerts owed, in entry order: for each matching entry and destination,

    * 'new' when nothing was recorded and the entry's first report was stored after the watch
      was first seen (`created`), or when its last delivery failed;
    * 'sources' when its 'new' alert went (or was skipped) at fewer sources than the watch's
      `n_sources_threshold` and the entry now has at least that many, unless that alert went
      already.

    `recorded` is keyed by (watch name, entry_key, destination key, reason). `continues`
    names, per entry_key, the alerted entries whose reports it holds (its key changed when a
    later report named a second firm): their record stands for its own until it has one.
    """
    continues = continues or {}
    entries = list(entries)
    for watch in watches:
        since = created[watch.name]
        for entry in entries:
            if not matches(watch, entry):
                continue
            for url in watch.notify:
                key = (watch.name, entry.entry_key, destination_key(url))
                new = recorded.get((*key, NEW)) or _continued(
                    recorded, continues.get(entry.entry_key, ()), key
                )
                if new is None:
                    if entry.first_stored >= since:
                        yield Owed(watch, entry, url, NEW)
                    continue
                if new.status == "failed":
                    yield Owed(watch, entry, url, NEW, retry=True)
                    continue
                threshold = watch.n_sources_threshold
                if threshold and new.n_sources < threshold <= entry.n_sources:
                    grown = recorded.get((*key, SOURCES))
                    if grown is None or grown.status == "failed":
                        yield Owed(watch, entry, url, SOURCES, retry=grown is not None)


def _continued(
    recorded: Mapping[tuple[str, str, str, str], Record],
    old_keys: Sequence[str],
    key: tuple[str, str, str],
) -> Record | None:
    """The 'new' record of the first alerted entry, among `old_keys`, that an entry continues."""
    for old in old_keys:
        found = recorded.get((key[0], old, key[2], NEW))
        if found is not None:
            return found
    return None
