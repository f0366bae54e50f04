"""Stable timeline entry keys: an entry re-merged from re-extracted reports keeps its key.

Why: `merge.build_entries` derives an entry's key from its content (type, country, commodity,
companies, date), so an alias fix (Ningbo Yansheng → Ningbo Yunsheng) or a new date rule would
give the entry a new key and break saved queries (`recipe what_each_source_said -p
entry_key=…`). Before the derived tables are rewritten, the current entries' reports are read
back (`previous`); `carry` then gives their keys to the entries that continue them.

* A new entry *continues* an old one when one of its reports is one of the old entry's (the same
  article-level event, `fact_key`), or is a re-extraction of one: a report whose `fact_key` was
  in no old entry, of the same article and event type as an old report that is no longer
  current, with overlapping evidence offsets (renamed, re-dated, re-worded). An unchanged report
  is never a re-extraction: an event's offsets are its whole sentence, so two events of one
  sentence overlap, and a sibling must not take the key of a renamed or removed event.
* Each old key is paired with one successor and each entry with one old key, best pairs first:
  an entry whose content key is that old key, then the most reports matched by `fact_key`, then
  by offsets (ties: entry order, then key). An entry split in two keeps its key on the part
  with more of its reports (unchanged ones first); two entries merged keep one of their keys,
  the merged entry's content key if it is one.
* The successor takes the old key when the old entry *hands it on*: it was re-extracted (one
  of its reports is no longer current) or its key was already carried (`key_carried`).
  Otherwise the successor keeps its content key, as before: a new report that changes an
  entry's companies or date changes a content key, and a run resumed after a crash ends with
  the keys of a run that was never interrupted.
* Other entries keep their content key; one already taken by a carried key gets `#n`.

A carried key differs from the entry's content key; `key_carried` records it, so later merges
keep it (also when new reports join). Re-merging the same facts keeps every key (idempotent).
A change of event type is a different event: a new key.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Container, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import duckdb

from tradeline.records import stable_key
from tradeline.warehouse import pushdown

if TYPE_CHECKING:  # merge imports this module
    from tradeline.warehouse.merge import Entry, Mention

_PREVIOUS_SQL = """
SELECT t.entry_key, t.key_carried, e.fact_key, e.article_id, e.type, e.start_char, e.end_char
FROM timeline_entries AS t
JOIN timeline_entry_mentions AS tm USING (entry_key)
JOIN events AS e ON e.fact_key = tm.fact_key AND e.run_id = tm.run_id
{where}
ORDER BY t.entry_key, e.fact_key
"""
# merge.update: only the entries it replaces (merge_scope's temp table)
_SCOPED = "WHERE t.entry_key IN (SELECT entry_key FROM _merge_replaced)"


@dataclass(frozen=True, slots=True)
class PreviousReport:
    """One report of an entry as it stands before the rewrite."""

    fact_key: str
    article_id: str
    type: str
    start_char: int
    end_char: int


@dataclass(slots=True)
class PreviousEntry:
    entry_key: str
    key_carried: bool
    reports: list[PreviousReport]


def previous(con: duckdb.DuckDBPyConnection, *, scoped: bool = False) -> list[PreviousEntry]:
    """The current entries with their reports, read before the merge rewrites them: all, or
    (`scoped`) those `merge.update` replaces."""
    entries: dict[str, PreviousEntry] = {}
    sql = _PREVIOUS_SQL.format(where=_SCOPED if scoped else "")
    for key, carried, *report in con.execute(sql).fetchall():
        entry = entries.setdefault(key, PreviousEntry(key, bool(carried), []))
        entry.reports.append(PreviousReport(*report))
    return list(entries.values())


def _overlap(a: Mention, b: PreviousReport) -> bool:
    return (a.article_id == b.article_id and a.type == b.type
            and a.start_char < b.end_char and b.start_char < a.end_char)


def _score(
    entry: Entry, old: PreviousEntry, known: set[str], current: set[str]
) -> tuple[int, int]:
    """(reports matched by fact_key, re-extracted reports matched by offsets); `known`: the
    fact_keys of every old entry, `current`: those of every new entry."""
    old_keys = {r.fact_key for r in old.reports}
    gone = [r for r in old.reports if r.fact_key not in current]
    exact = sum(m.fact_key in old_keys for m in entry.mentions)
    by_offsets = sum(
        m.fact_key not in known and any(_overlap(m, r) for r in gone) for m in entry.mentions
    )
    return exact, by_offsets


class StoredKeys(Container[str]):
    """The keys of the entries `merge.update` keeps: a new entry must not take one. `free`: a
    query of the stored keys it replaces (they may be taken again). Looked up in the file, the
    new entries' content keys and their first '#n' at once, any other key when asked."""

    def __init__(
        self, con: duckdb.DuckDBPyConnection, entries: Sequence[Entry], *, free: str | None = None
    ) -> None:
        self._con = con
        self._free = f" AND entry_key NOT IN ({free})" if free else ""
        self._known: dict[str, bool] = {}
        wanted = [k for e in entries
                  for k in (e.entry_key, *(stable_key(e.entry_key, f"#{n}") for n in (1, 2)))]
        self._ask(wanted)

    def _ask(self, keys: Sequence[str]) -> None:
        rows = self._con.execute(
            "SELECT entry_key FROM timeline_entries WHERE "
            + pushdown.in_list("entry_key", keys) + self._free
        ).fetchall()
        found = {r[0] for r in rows}
        self._known.update((k, k in found) for k in keys)

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        if key not in self._known:
            self._ask([key])
        return self._known[key]


def carry(
    entries: Sequence[Entry],
    before: Sequence[PreviousEntry],
    *,
    reserved: Container[str] = frozenset(),
    hand_on_all: bool = False,
) -> None:
    """Give entries the keys of the entries they continue (module docstring), in place; the
    entries come with their content keys, in entry order. `reserved`: keys of entries kept
    as they are (`merge.update`), never given to another entry. `hand_on_all`: every old entry
    hands its key on (the merge rules changed, so content keys may have)."""
    current = {m.fact_key for e in entries for m in e.mentions}
    hands_on = {
        old.entry_key: hand_on_all or old.key_carried
        or any(r.fact_key not in current for r in old.reports)
        for old in before
    }
    if not any(hands_on.values()) and not any(e.entry_key in reserved for e in entries):
        return  # every entry keeps its content key
    known = {r.fact_key for old in before for r in old.reports}
    by_article: dict[str, list[int]] = defaultdict(list)  # article -> entries reporting it
    for i, e in enumerate(entries):
        for m in e.mentions:
            by_article[m.article_id].append(i)
    candidates = []
    for old in before:
        for i in sorted({i for r in old.reports for i in by_article.get(r.article_id, ())}):
            exact, by_offsets = _score(entries[i], old, known, current)
            if exact or by_offsets:
                other = entries[i].entry_key != old.entry_key
                candidates.append((other, -exact, -by_offsets, i, old.entry_key))
    paired: set[int] = set()
    spent: set[str] = set()
    carried: dict[int, str] = {}  # entry -> the old key it takes instead of its content key
    for other, _, _, i, key in sorted(candidates):
        if i not in paired and key not in spent:
            paired.add(i)
            spent.add(key)
            if other and hands_on[key]:
                carried[i] = key
    taken = set(carried.values())
    for i, e in enumerate(entries):
        content = e.entry_key
        if i in carried:
            e.entry_key = carried[i]
        else:
            n = 0
            while e.entry_key in taken or e.entry_key in reserved:
                n += 1
                e.entry_key = stable_key(content, f"#{n}")
            taken.add(e.entry_key)
        e.key_carried = e.entry_key != content
