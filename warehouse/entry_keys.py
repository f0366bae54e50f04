"""Stable timeline entry keys: an entry re-merged from re-extracted reports keeps its key.

Why: `merge.build_entries` derives an entry's key from its content (type, country, commodity,
companies, date), so an alias fix (Ningbo Yansheng → Ningbo Yunsheng) or a new date rule would
give the entry a new key and break saved queries (`recipe what_each_source_said -p
entry_key=…`). Before the derived tables are rewritten, the current entries' reports are read
back (`previous`); `carry` then gives their keys to the entries that continue them.

* A new entry *continues* an old one when one of its reports is one of the old entry's: the same
  article-level event (`fact_key`), or the same article and event type with overlapping
  evidence offsets (the report re-extracted: renamed, re-dated, re-worded).
* An old entry *hands its key on* when it was re-extracted (one of its reports is no longer
  current with the same `fact_key`) or its key was already carried (`key_carried`). Otherwise
  its successor gets its content key, as before: a new report that changes an entry's
  companies or date changes a content key, and a run resumed after a crash ends with the keys
  of a run that was never interrupted.
* Each old key goes to one successor, each entry takes one key: the pairs with the most
  reports matched by `fact_key`, then by offsets, first (ties: entry order, then key). An entry
  split in two keeps its key on the larger part; two entries merged keep one of their keys.
* Entries left over keep their content key; one already taken by a carried key gets `#n`.

A carried key differs from the entry's content key; `key_carried` records it, so later merges
keep it (also when new reports join). Re-merging the same facts keeps every key (idempotent).
A change of event type is a different event: a new key.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import duckdb

from tradeline.records import stable_key

if TYPE_CHECKING:  # merge imports this module
    from tradeline.warehouse.merge import Entry, Mention

_PREVIOUS_SQL = """
SELECT t.entry_key, t.key_carried, e.fact_key, e.article_id, e.type, e.start_char, e.end_char
FROM timeline_entries AS t
JOIN timeline_entry_mentions AS tm USING (entry_key)
JOIN events AS e ON e.fact_key = tm.fact_key AND e.run_id = tm.run_id
ORDER BY t.entry_key, e.fact_key
"""


@dataclass(frozen=True, slots=True)
class PreviousReport:
    """One report of an entry as it stands before the rewrite."""

    fact_key: str
    article_id: str
    type: str
    start_char: int
    end_char: int | None


@dataclass(slots=True)
class PreviousEntry:
    entry_key: str
    key_carried: bool
    reports: list[PreviousReport]


def previous(con: duckdb.DuckDBPyConnection) -> list[PreviousEntry]:
    """The current entries with their reports, read before `merge.rebuild` rewrites them."""
    entries: dict[str, PreviousEntry] = {}
    for key, carried, *report in con.execute(_PREVIOUS_SQL).fetchall():
        entry = entries.setdefault(key, PreviousEntry(key, bool(carried), []))
        entry.reports.append(PreviousReport(*report))
    return list(entries.values())


def _overlap(a: Mention, b: PreviousReport) -> bool:
    if a.article_id != b.article_id or a.type != b.type:
        return False
    a_end = a.end_char if a.end_char is not None else a.start_char + 1
    b_end = b.end_char if b.end_char is not None else b.start_char + 1
    return a.start_char < b_end and b.start_char < a_end


def _score(entry: Entry, old: PreviousEntry) -> tuple[int, int]:
    """(reports matched by fact_key, reports matched only by offsets)."""
    old_keys = {r.fact_key for r in old.reports}
    exact = sum(m.fact_key in old_keys for m in entry.mentions)
    by_offsets = sum(
        m.fact_key not in old_keys and any(_overlap(m, r) for r in old.reports)
        for m in entry.mentions
    )
    return exact, by_offsets


def carry(entries: Sequence[Entry], before: Sequence[PreviousEntry]) -> None:
    """Give entries the keys of the entries they continue (module docstring), in place; the
    entries come with their content keys, in entry order."""
    current = {m.fact_key for e in entries for m in e.mentions}
    handing_on = [
        old for old in before
        if old.key_carried or any(r.fact_key not in current for r in old.reports)
    ]
    if not handing_on:
        return
    by_article: dict[str, list[int]] = defaultdict(list)  # article -> entries reporting it
    for i, e in enumerate(entries):
        for m in e.mentions:
            by_article[m.article_id].append(i)
    candidates = []
    for old in handing_on:
        for i in sorted({i for r in old.reports for i in by_article.get(r.article_id, ())}):
            exact, by_offsets = _score(entries[i], old)
            if exact or by_offsets:
                candidates.append((-exact, -by_offsets, i, old.entry_key))
    given: dict[int, str] = {}
    taken: set[str] = set()
    for _, _, i, key in sorted(candidates):
        if i not in given and key not in taken:
            given[i] = key
            taken.add(key)
    for i, e in enumerate(entries):
        content = e.entry_key
        if i in given:
            e.entry_key = given[i]
        else:
            n = 0
            while e.entry_key in taken:
                n += 1
                e.entry_key = stable_key(content, f"#{n}")
            taken.add(e.entry_key)
        e.key_carried = e.entry_key != content
