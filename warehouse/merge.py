"""One timeline entry per real event: merge the article-level events that report the same action.

Derived tables `timeline_entries` and `timeline_entry_mentions`, from the events of each
article's latest completed run. The entries are a pure function of those facts and the article
texts, whatever the run ids or the order rows come back in; each gets its content key, unless
it continues an entry whose key must survive a re-extraction (`entry_keys.py`): so the same
facts merged again keep every key.

Two paths, one result: `update` runs after every `finish_run` (see `runs.finish_run`) and
re-merges only the scope (`merge_scope.py`) of the run's changed articles: their events and
the stored entries those can join, transitively, in the caller's transaction; entries elsewhere
keep their rows and keys. `rebuild` (`tradeline rebuild-timeline`) rewrites both tables whole.
Both cluster with `cluster` and key with `build_entries` and `entry_keys.carry`; no link, no
coarse date's choice of entry and no source ever crosses the scope's edge, and entries sharing
a content key with the scope join it (`_clashing_entries`), so the incremental result equals a
full rebuild (tests/test_merge_incremental.py).
When `RULES_VERSION` differs from the one the file was merged with, `update` rebuilds whole,
and every entry hands its key on to its successor. Both also keep the tables the views read
(`materialized.py`: each article's latest run, each entry's `timeline` row) for what they wrote.

Two article-level events are the same real event when all of these hold:
* same `type`, `authority_country` and `commodity` (NULL only matches NULL);
* companies compatible: both name none, or some company of one is the same firm as some company
  of the other by `tradeline.identity.same_company` (the rule the company registry uses too,
  so "JL Mag Rare-Earth" and "JL Mag Rare Earths" agree);
* dates compatible: two day-level dates at most `DAY_TOLERANCE_DAYS` apart (different dates are
  kept but flag the entry `date_disputed`), two month- or year-level dates equal. A coarser date
  (2025-12) joins the finer entry it contains (2025-12-02) — the one with most articles when
  several do — instead of bridging them. Undated events merge only with undated events whose
  articles were published within `DAY_TOLERANCE_DAYS` of each other.
Linked events form entries by connected components (order-independent).

An entry's content key hashes type, country, commodity, companies and date; an undated entry's
also hashes the date its first report was published. A clash gets '#n' in entry order.

Sources: within an entry, articles from the same outlet, or near-duplicates of each other
(`warehouse.dedupe`), count as one source; `n_sources` counts the rest.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from urllib.parse import urlsplit

import duckdb
import pyarrow as pa

from tradeline.identity import comparable, same_company
from tradeline.records import stable_key
from tradeline.union_find import UnionFind
from tradeline.warehouse import dedupe, entry_keys, materialized
from tradeline.warehouse.migrations import arrow_schema

DAY_TOLERANCE_DAYS = 3
RULES_VERSION = 2  # bump when the rules below or tradeline.identity change: forces a rebuild
_GRANULARITY_ORDER = {"day": 0, "month": 1, "year": 2}

_MENTIONS_SQL = """
SELECT e.fact_key, e.article_id, e.run_id, e.type, e.authority_country, e.commodity,
       e.event_date, e.date_granularity, e.start_char, a.published, a.outlet, a.url,
       e.end_char,
       coalesce((SELECT list(ec.company ORDER BY ec.position) FROM event_companies AS ec
                 WHERE ec.fact_key = e.fact_key AND ec.run_id = e.run_id), []) AS companies
FROM events AS e
JOIN {current} AS lr ON lr.{key} = e.{key} AND lr.run_id = e.run_id
JOIN articles AS a ON a.article_id = e.article_id
WHERE NOT coalesce(e.held_back, false)
ORDER BY e.fact_key
"""
_ALL = {"current": "latest_runs", "key": "article_id"}  # every article's latest run
# merge_scope: the scope's events, whose columns `merge_scope.compute` already read
_SCOPED_MENTIONS_SQL = """
SELECT c.fact_key, c.article_id, c.run_id, c.type, c.authority_country, c.commodity,
       c.event_date, c.date_granularity, c.start_char, c.published, c.outlet, c.url,
       c.end_char, c.companies
FROM _merge_current AS c SEMI JOIN _merge_scope AS s USING (fact_key, run_id)
ORDER BY c.fact_key
"""


@dataclass(slots=True)
class Mention:
    """One article-level event of an article's latest completed run."""

    fact_key: str
    article_id: str
    run_id: str
    type: str
    authority_country: str | None
    commodity: str | None
    event_date: str | None
    date_granularity: str | None
    start_char: int
    published: str | None
    outlet: str | None
    url: str
    companies: tuple[str, ...]
    end_char: int
    norm_companies: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        self.norm_companies = frozenset(n for n in map(comparable, self.companies) if n)

    @property
    def block(self) -> tuple[str, str | None, str | None]:
        return (self.type, self.authority_country, self.commodity)

    @property
    def order(self) -> tuple[str, str, int, str]:
        """Earliest reported first: publication date, then URL and position (deterministic)."""
        return (self.published or "9999", self.url, self.start_char, self.fact_key)


@dataclass(slots=True)
class Entry:
    """A merged timeline entry, as written to `timeline_entries`."""

    entry_key: str
    mentions: list[Mention]
    event_date: str | None
    date_granularity: str | None
    date_disputed: bool
    dates_reported: list[str]
    companies: list[str]
    source_keys: dict[str, str]  # fact_key -> source_key
    key_carried: bool = False  # entry_key is not the content key (entry_keys.carry)

    @property
    def n_articles(self) -> int:
        return len({m.article_id for m in self.mentions})

    @property
    def n_sources(self) -> int:
        return len(set(self.source_keys.values()))


def companies_compatible(a: Mention, b: Mention) -> bool:
    """Both name no company, or some company of one is the same firm as one of the other
    (memoized by company sets: a busy block repeats a few firms thousands of times)."""
    return sets_compatible(a.norm_companies, b.norm_companies)


class _Prefixes:
    """The finer mentions whose date starts with a given (coarser) date, found by lookup
    rather than by scanning them all for every coarse mention (a busy block has thousands),
    also grouped by company set, so each set's compatibility is asked once per coarse mention."""

    def __init__(self, mentions: Sequence[Mention]) -> None:
        self._mentions = [m for m in mentions if m.event_date]
        self._by_length: dict[int, dict[str, list[Mention]]] = {}
        self._by_set: dict[str, dict[frozenset[str], list[Mention]]] = {}

    def under(self, coarse: str | None) -> list[Mention]:
        """The mentions (in their order) whose event_date starts with `coarse`."""
        if not coarse:
            return []
        index = self._by_length.get(len(coarse))
        if index is None:
            index = defaultdict(list)
            for m in self._mentions:
                index[m.event_date[: len(coarse)]].append(m)  # type: ignore[index]
            self._by_length[len(coarse)] = index
        return index.get(coarse, [])

    def under_by_companies(self, coarse: str | None) -> dict[frozenset[str], list[Mention]]:
        """`under(coarse)`, by company set."""
        grouped = self._by_set.get(coarse or "")
        if grouped is None:
            grouped = defaultdict(list)
            for m in self.under(coarse):
                grouped[m.norm_companies].append(m)
            self._by_set[coarse or ""] = grouped
        return grouped


@lru_cache(maxsize=1 << 16)
def sets_compatible(a: frozenset[str], b: frozenset[str]) -> bool:
    """`companies_compatible` of two sets of `comparable` names (also `merge_scope`'s check)."""
    if not a and not b:
        return True
    return any(same_company(x, y) for x in a for y in b)


def _day(value: str) -> date:
    return date.fromisoformat(value)


def _granularity(m: Mention) -> str | None:
    if m.event_date is None:
        return None
    return m.date_granularity or {10: "day", 7: "month", 4: "year"}[len(m.event_date)]


def _link_same_granularity(mentions: Sequence[Mention], uf: UnionFind) -> None:
    """Union mentions of one block and one granularity whose dates and companies agree."""
    if not mentions:
        return
    gran = _granularity(mentions[0])
    if gran == "day" or gran is None:

        def as_day(m: Mention) -> date | None:
            value = m.event_date if gran == "day" else m.published
            try:
                return _day(value) if value and len(value) == 10 else None
            except ValueError:
                return None

        dated = sorted(
            ((d, m) for m in mentions if (d := as_day(m)) is not None),
            key=lambda x: (x[0], x[1].fact_key),
        )
        for i, (d, m) in enumerate(dated):  # sliding window over the sorted dates
            for d2, m2 in dated[i + 1 :]:
                if (d2 - d).days > DAY_TOLERANCE_DAYS:
                    break
                if companies_compatible(m, m2):
                    uf.union(m.fact_key, m2.fact_key)
        return
    # one date: every compatible pair is linked. Mentions naming the same companies are
    # compatible with each other exactly when their set is with itself, so each pair of company
    # sets is asked once, and linking a pair of sets links all their mentions (the same
    # components as pair by pair, and the same groups: `UnionFind` is order-free)
    by_date: dict[str, dict[frozenset[str], list[Mention]]] = defaultdict(dict)
    for m in mentions:
        by_date[m.event_date or ""].setdefault(m.norm_companies, []).append(m)
    for by_set in by_date.values():
        sets = list(by_set.items())
        for i, (companies, same) in enumerate(sets):
            if len(same) > 1 and sets_compatible(companies, companies):
                for m2 in same[1:]:
                    uf.union(same[0].fact_key, m2.fact_key)
            for other, others in sets[i + 1 :]:
                if sets_compatible(companies, other):  # every one linked with every other
                    for m2 in same:
                        uf.union(m2.fact_key, others[0].fact_key)
                    for m2 in others:
                        uf.union(m2.fact_key, same[0].fact_key)


def cluster(mentions: Sequence[Mention]) -> list[list[Mention]]:
    """Groups of mentions that report the same real event (see the module docstring)."""
    by_key = {m.fact_key: m for m in mentions}
    uf = UnionFind(sorted(by_key))
    blocks: dict[tuple, list[Mention]] = defaultdict(list)
    for m in sorted(mentions, key=lambda m: m.fact_key):
        blocks[m.block].append(m)
    for block in blocks.values():
        by_gran: dict[str | None, list[Mention]] = defaultdict(list)
        for m in block:
            by_gran[_granularity(m)].append(m)
        finer: list[Mention] = []  # mentions of finer granularities, already linked
        for gran in ("day", "month", "year"):
            current = by_gran.get(gran, [])
            if finer:
                sizes = Counter(uf.find(m.fact_key) for m in finer)
                inside = _Prefixes(finer)
                rest = []
                for m in current:
                    roots = {
                        uf.find(f.fact_key)
                        for companies, same in inside.under_by_companies(m.event_date).items()
                        if sets_compatible(m.norm_companies, companies)
                        for f in same
                    }
                    if roots:
                        best = min(roots, key=lambda r: (-sizes[r], r))
                        uf.union(best, m.fact_key)
                    else:
                        rest.append(m)
                current = rest
            _link_same_granularity(current, uf)
            finer.extend(current)
        _link_same_granularity(by_gran.get(None, []), uf)
    groups = [sorted((by_key[k] for k in ks), key=lambda m: m.order) for ks in uf.groups().values()]
    return sorted(groups, key=lambda g: g[0].order)


def _representative_date(group: Sequence[Mention]) -> tuple[str | None, str | None, bool]:
    """(date, granularity, disputed): the most reported date of the finest granularity."""
    dated = [m for m in group if m.event_date]
    if not dated:
        return None, None, False
    finest = min(_GRANULARITY_ORDER[_granularity(m) or "year"] for m in dated)
    fine = [m for m in dated if _GRANULARITY_ORDER[_granularity(m) or "year"] == finest]
    counts = Counter(m.event_date for m in fine)
    chosen = min(counts, key=lambda d: (-counts[d], d))
    disputed = len(counts) > 1 or any(
        not (chosen or "").startswith(m.event_date or "") for m in dated
    )
    return chosen, _granularity(fine[0]), disputed


def _entry_companies(group: Sequence[Mention]) -> list[str]:
    """One spelling per firm: the most used (then the first seen), in first-seen order."""
    firms: list[list[str]] = []  # spellings per firm, in order seen
    for m in group:
        for name in m.companies:
            norm = comparable(name)
            for spellings in firms:
                if any(same_company(norm, comparable(s)) for s in spellings):
                    spellings.append(name)
                    break
            else:
                firms.append([name])
    out = []
    for spellings in firms:
        counts = Counter(spellings)
        out.append(min(counts, key=lambda s: (-counts[s], spellings.index(s))))
    return out


def _outlet_key(m: Mention) -> str:
    if m.outlet and m.outlet.strip():
        return "outlet:" + m.outlet.strip().casefold()
    host = urlsplit(m.url).hostname
    return "host:" + host.removeprefix("www.") if host else "article:" + m.article_id


def _sources(group: Sequence[Mention], duplicates: set[tuple[str, str]]) -> dict[str, str]:
    """fact_key -> source key: same outlet or near-duplicate text is the same source, named
    after the outlet of its earliest report (the original of syndicated copies)."""
    articles = sorted({m.article_id for m in group})
    uf = UnionFind(articles)
    outlet_of = {m.article_id: _outlet_key(m) for m in group}
    by_outlet: dict[str, list[str]] = defaultdict(list)
    for article_id in articles:
        by_outlet[outlet_of[article_id]].append(article_id)
    for same in by_outlet.values():
        for other in same[1:]:
            uf.union(same[0], other)
    for i, a in enumerate(articles):
        for b in articles[i + 1 :]:
            if (a, b) in duplicates:
                uf.union(a, b)
    first = {}  # article -> its earliest report, so a source is named after the original
    for m in group:
        first[m.article_id] = min(first.get(m.article_id, m.order), m.order)
    label = {
        root: outlet_of[min(members, key=lambda a: first[a])]
        for root, members in uf.groups().items()
    }
    return {m.fact_key: label[uf.find(m.article_id)] for m in group}


def candidate_pairs(groups: Iterable[Sequence[Mention]]) -> set[tuple[str, str]]:
    """Article pairs worth a near-duplicate check: they report one entry from two outlets."""
    pairs = set()
    for group in groups:
        outlet_of = {m.article_id: _outlet_key(m) for m in group}
        articles = sorted(outlet_of)
        for i, a in enumerate(articles):
            for b in articles[i + 1 :]:
                if outlet_of[a] != outlet_of[b]:
                    pairs.add((a, b))
    return pairs


def content_key(
    type_: str,
    country: str | None,
    commodity: str | None,
    companies: Iterable[str],
    event_date: str | None,
    first_published: str | None,
) -> str:
    """An entry's key before clashes are numbered: an undated entry's also holds the date its
    first report was published."""
    window = () if event_date else ("published:" + (first_published or ""),)
    return stable_key(
        "timeline",
        type_,
        country,
        commodity,
        *sorted(comparable(c) for c in companies),
        event_date,
        *window,
    )


def build_entries(
    mentions: Sequence[Mention],
    duplicates: set[tuple[str, str]],
    groups: list[list[Mention]] | None = None,
) -> list[Entry]:
    """Merged entries with content-derived keys (a clash gets '#n', in entry order); `groups`
    is `cluster(mentions)` when the caller already has it."""
    entries = []
    seen: Counter[str] = Counter()
    for group in groups if groups is not None else cluster(mentions):
        first = group[0]
        event_date, granularity, disputed = _representative_date(group)
        companies = _entry_companies(group)
        base = content_key(
            first.type,
            first.authority_country,
            first.commodity,
            companies,
            event_date,
            first.published,
        )
        n = seen[base]
        seen[base] += 1
        key = base if n == 0 else stable_key(base, f"#{n}")
        entries.append(
            Entry(
                entry_key=key,
                mentions=list(group),
                event_date=event_date,
                date_granularity=granularity,
                date_disputed=disputed,
                dates_reported=sorted({m.event_date for m in group if m.event_date}),
                companies=companies,
                source_keys=_sources(group, duplicates),
            )
        )
    return entries


def load_mentions(con: duckdb.DuckDBPyConnection, *, scoped: bool = False) -> list[Mention]:
    """The current mentions: all of them, or (`scoped`) those of `merge_scope.compute`."""
    cur = con.execute(_SCOPED_MENTIONS_SQL if scoped else _MENTIONS_SQL.format(**_ALL))
    names = [d[0] for d in cur.description]
    out = []
    for row in cur.fetchall():
        r = dict(zip(names, row, strict=True))
        r["companies"] = tuple(r["companies"] or ())
        out.append(Mention(**r))
    return out


def rules_current(con: duckdb.DuckDBPyConnection) -> bool:
    """Were the derived tables built by these merge rules (`RULES_VERSION`)?"""
    row = con.execute("SELECT max(rules_version) FROM merge_state").fetchone()
    return row is not None and row[0] == RULES_VERSION


def record_rules(con: duckdb.DuckDBPyConnection) -> None:
    """Note that the derived tables now follow these merge rules (`RULES_VERSION`)."""
    con.execute("DELETE FROM merge_state")
    con.execute("INSERT INTO merge_state VALUES (?)", [RULES_VERSION])


def rebuild(con: duckdb.DuckDBPyConnection, *, hand_on_all: bool = False) -> int:
    """Rewrite the merged timeline whole from the latest completed runs; the caller holds the
    transaction. `hand_on_all`: every old entry hands its key on (the rules changed). Returns
    the number of entries."""
    dedupe.refresh_signatures(con)
    mentions = load_mentions(con)
    groups = cluster(mentions)
    duplicates = dedupe.near_duplicate_pairs(con, candidate_pairs(groups))
    entries = build_entries(mentions, duplicates, groups)
    entry_keys.carry(entries, entry_keys.previous(con), hand_on_all=hand_on_all)
    con.execute("DELETE FROM timeline_entry_mentions")
    con.execute("DELETE FROM timeline_entries")
    _insert(con, entries)
    materialized.refresh_all(con)
    from tradeline.warehouse import merge_scope  # it reads this module's constants

    merge_scope.record(con)
    record_rules(con)
    return len(entries)


def update(con: duckdb.DuckDBPyConnection) -> int:
    """Re-merge the scope of the articles changed since the last merge (module docstring);
    the caller holds the transaction. Returns the number of entries."""
    if not rules_current(con):
        return rebuild(con, hand_on_all=True)
    from tradeline.warehouse import merge_scope  # it reads this module's constants

    merge_scope.compute(con)  # it also rewrites the dirty articles' latest_article_runs rows
    while True:  # until no stored entry outside the scope shares a content key with one in it
        mentions = load_mentions(con, scoped=True)
        groups = cluster(mentions)
        clashing = _clashing_entries(con, groups)
        if not clashing:
            break
        merge_scope.extend(con, clashing)
    pairs = candidate_pairs(groups)
    dirty = {r[0] for r in con.execute("SELECT article_id FROM _merge_dirty").fetchall()}
    dedupe.refresh_signatures(con, {a for pair in pairs for a in pair}, changed=dirty)
    entries = build_entries(mentions, dedupe.near_duplicate_pairs(con, pairs), groups)
    before = entry_keys.previous(con, scoped=True)
    kept = "SELECT entry_key FROM _merge_replaced"  # keys the scope's entries may take again
    entry_keys.carry(entries, before, reserved=entry_keys.StoredKeys(con, entries, free=kept))
    entry_rows, mention_rows = _rows(entries)
    same = _unchanged(con, entry_rows, mention_rows, dirty)
    written = [r for r in entry_rows if r["entry_key"] not in same]
    _write_changes(con, same, written, [r for r in mention_rows if r["entry_key"] not in same])
    materialized.refresh_article_rows(con, "_merge_articles")
    materialized.refresh_timeline(
        con, removed="_merge_changed", written=[r["entry_key"] for r in written]
    )
    materialized.refresh_firms(con)
    merge_scope.record(con)
    row = con.execute("SELECT count(*) FROM timeline_entries").fetchone()
    return int(row[0]) if row else 0


_REPLACED_KEYS_SQL = """
WITH firsts AS (  -- an undated entry's first report's publication date, as it was merged
    SELECT tm.entry_key,
           min(CASE WHEN p.article_id IS NULL THEN a.published ELSE p.old_published END) AS pub
    FROM timeline_entry_mentions AS tm JOIN articles AS a USING (article_id)
    LEFT JOIN merge_pending_articles AS p USING (article_id)
    WHERE tm.entry_key IN (SELECT entry_key FROM _merge_replaced)
    GROUP BY tm.entry_key
)
SELECT t.type, t.authority_country, t.commodity, t.companies, t.event_date, f.pub
FROM timeline_entries AS t LEFT JOIN firsts AS f USING (entry_key)
WHERE t.entry_key IN (SELECT entry_key FROM _merge_replaced)
"""
# the kept entries that may share a content key with a wanted one: same block and date, or
# undated with a report published on the wanted first date
_KEPT_CANDIDATES_SQL = """
WITH kept AS (
    SELECT * FROM timeline_entries
    WHERE entry_key NOT IN (SELECT entry_key FROM _merge_replaced)
),
dated AS (
    SELECT k.entry_key FROM kept AS k SEMI JOIN _merge_wanted AS w
      ON k.type = w.type AND k.authority_country IS NOT DISTINCT FROM w.country
     AND k.commodity IS NOT DISTINCT FROM w.commodity AND k.event_date = w.event_date
),
undated AS (
    SELECT DISTINCT tm.entry_key FROM timeline_entry_mentions AS tm
    JOIN kept AS k USING (entry_key)
    JOIN articles AS a ON a.article_id = tm.article_id
    SEMI JOIN _merge_wanted AS w
      ON w.event_date IS NULL AND k.event_date IS NULL AND k.type = w.type
     AND k.authority_country IS NOT DISTINCT FROM w.country
     AND k.commodity IS NOT DISTINCT FROM w.commodity
     AND a.published IS NOT DISTINCT FROM w.pub
    WHERE EXISTS (SELECT 1 FROM _merge_wanted WHERE event_date IS NULL)
),
firsts AS (
    SELECT tm.entry_key, min(a.published) AS pub
    FROM timeline_entry_mentions AS tm JOIN articles AS a USING (article_id)
    WHERE tm.entry_key IN (SELECT entry_key FROM undated)
    GROUP BY tm.entry_key
)
SELECT k.entry_key, k.type, k.authority_country, k.commodity, k.companies, k.event_date, f.pub
FROM kept AS k LEFT JOIN firsts AS f USING (entry_key)
WHERE k.entry_key IN (SELECT entry_key FROM dated UNION SELECT entry_key FROM undated)
"""
_WANTED_SCHEMA = pa.schema(
    [
        ("type", pa.string()),
        ("country", pa.string()),
        ("commodity", pa.string()),
        ("event_date", pa.string()),
        ("pub", pa.string()),
    ]
)


def _clashing_entries(
    con: duckdb.DuckDBPyConnection, groups: Sequence[Sequence[Mention]]
) -> list[str]:
    """The kept entries (outside `_merge_replaced`) whose content key is that of a re-merged
    entry or was that of a replaced one: a full rebuild numbers their clash ('#n') together,
    so they must be re-merged together (`merge_scope.extend`)."""
    wanted: dict[str, tuple] = {}
    for group in groups:
        first = group[0]
        event_date = _representative_date(group)[0]
        row = (
            first.type,
            first.authority_country,
            first.commodity,
            event_date,
            None if event_date else first.published,
        )
        wanted[content_key(*row[:3], _entry_companies(group), event_date, row[4])] = row
    for type_, country, commodity, companies, event_date, pub in con.execute(
        _REPLACED_KEYS_SQL
    ).fetchall():
        pub = None if event_date else pub
        key = content_key(type_, country, commodity, companies or [], event_date, pub)
        wanted[key] = (type_, country, commodity, event_date, pub)
    if not wanted:
        return []
    names = _WANTED_SCHEMA.names
    table = pa.Table.from_pylist(
        [dict(zip(names, row, strict=True)) for row in wanted.values()], schema=_WANTED_SCHEMA
    )
    con.register("_merge_wanted", table)
    try:
        rows = con.execute(_KEPT_CANDIDATES_SQL).fetchall()
    finally:
        con.unregister("_merge_wanted")
    return sorted(
        entry_key
        for entry_key, type_, country, commodity, companies, event_date, pub in rows
        if content_key(
            type_, country, commodity, companies or [], event_date, None if event_date else pub
        )
        in wanted
    )


def _rows(entries: Sequence[Entry]) -> tuple[list[dict], list[dict]]:
    """The `timeline_entries` and `timeline_entry_mentions` rows of the entries."""
    entry_rows = [
        {
            "entry_key": e.entry_key,
            "type": e.mentions[0].type,
            "authority_country": e.mentions[0].authority_country,
            "commodity": e.mentions[0].commodity,
            "event_date": e.event_date,
            "date_granularity": e.date_granularity,
            "date_disputed": e.date_disputed,
            "dates_reported": e.dates_reported,
            "companies": e.companies,
            "n_articles": e.n_articles,
            "n_sources": e.n_sources,
            "key_carried": e.key_carried,
        }
        for e in entries
    ]
    mention_rows = [
        {
            "fact_key": m.fact_key,
            "entry_key": e.entry_key,
            "article_id": m.article_id,
            "run_id": m.run_id,
            "source_key": e.source_keys[m.fact_key],
        }
        for e in entries
        for m in e.mentions
    ]
    return entry_rows, mention_rows


def _frozen(row: dict) -> tuple:
    return tuple((k, tuple(v) if isinstance(v, list) else v) for k, v in sorted(row.items()))


def _unchanged(
    con: duckdb.DuckDBPyConnection,
    entry_rows: Sequence[dict],
    mention_rows: Sequence[dict],
    dirty: set[str],
) -> set[str]:
    """The keys of the re-merged entries stored exactly so already (same row, same reports, no
    report of an article stored or rewritten since the last merge, whose text, date or run the
    stored `timeline_rows` would lag): they keep their rows, so a run rewrites only what it
    changed, not every entry it re-merged."""
    names = list(arrow_schema("timeline_entries").names)
    stored = {
        row[0]: _frozen(dict(zip(names, row, strict=True)))
        for row in con.execute(
            f"SELECT {', '.join(names)} FROM timeline_entries "
            "WHERE entry_key IN (SELECT entry_key FROM _merge_replaced)"
        ).fetchall()
    }
    reports: dict[str, set[tuple]] = defaultdict(set)
    for fact_key, entry_key, article_id, run_id, source_key in con.execute(
        "SELECT fact_key, entry_key, article_id, run_id, source_key "
        "FROM timeline_entry_mentions "
        "WHERE entry_key IN (SELECT entry_key FROM _merge_replaced)"
    ).fetchall():
        reports[entry_key].add((fact_key, article_id, run_id, source_key))
    new_reports: dict[str, set[tuple]] = defaultdict(set)
    touched: set[str] = set()
    for m in mention_rows:
        new_reports[m["entry_key"]].add(
            (m["fact_key"], m["article_id"], m["run_id"], m["source_key"])
        )
        if m["article_id"] in dirty:
            touched.add(m["entry_key"])
    return {
        r["entry_key"]
        for r in entry_rows
        if r["entry_key"] not in touched
        and stored.get(r["entry_key"]) == _frozen(r)
        and reports.get(r["entry_key"]) == new_reports[r["entry_key"]]
    }


def _write_changes(
    con: duckdb.DuckDBPyConnection,
    same: set[str],
    entry_rows: Sequence[dict],
    mention_rows: Sequence[dict],
) -> None:
    """Delete the replaced entries that changed (`_merge_changed`), insert the new or changed
    ones, and note the articles whose rows `materialized` rewrites (`_merge_articles`): the
    dirty ones and those reporting an entry deleted or written."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _merge_changed AS SELECT entry_key FROM _merge_replaced "
        "WHERE entry_key NOT IN (SELECT unnest(?::VARCHAR[]))",
        [sorted(same)],
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _merge_articles AS "
        "SELECT article_id FROM _merge_dirty "
        "UNION SELECT article_id FROM timeline_entry_mentions "
        "WHERE entry_key IN (SELECT entry_key FROM _merge_changed) "
        "UNION SELECT unnest(?::VARCHAR[])",
        [sorted({m["article_id"] for m in mention_rows})],
    )
    con.execute(
        "DELETE FROM timeline_entry_mentions "
        "WHERE entry_key IN (SELECT entry_key FROM _merge_changed)"
    )
    con.execute(
        "DELETE FROM timeline_entries WHERE entry_key IN (SELECT entry_key FROM _merge_changed)"
    )
    _insert_rows(con, entry_rows, mention_rows)


def _insert(con: duckdb.DuckDBPyConnection, entries: Sequence[Entry]) -> None:
    _insert_rows(con, *_rows(entries))


def _insert_rows(
    con: duckdb.DuckDBPyConnection, entry_rows: Sequence[dict], mention_rows: Sequence[dict]
) -> None:
    for table, rows in (
        ("timeline_entries", entry_rows),
        ("timeline_entry_mentions", mention_rows),
    ):
        if rows:
            schema = arrow_schema(table)
            view = f"_incoming_{table}"
            con.register(view, pa.Table.from_pylist(list(rows), schema=schema))
            cols = ", ".join(schema.names)
            con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {view}")
            con.unregister(view)
