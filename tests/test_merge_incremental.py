"""The incremental timeline merge (`merge.update`) equals the full rebuild (`merge.rebuild`).

Random event streams are stored run by run into two real warehouse files: one merged
incrementally after each run, the other rebuilt whole, both by what `runs.finish_run` calls
(`runs.rebuild_derived`: the timeline, then the registry's firms). After every run both hold
the same entries, keys included (a carried key is the same history on both sides), the same
registry firms, and every kept table (migrations 013 and 014) equals a recompute; each kept
table, the firm tables too, holds rows after some run of every stream. At the end a fresh full
rebuild of the final facts gives the same entries' content and membership. The streams
mix event types, countries (NULL too), commodities, day / month / year / missing dates around
month and year ends (the merge's segments follow dates), firms with spelling variants
(stored in the registry with their aliases, a failed or unfinished run's too) and case variants,
syndicated copies, re-extractions that re-date, rename, drop and add events, runs that fail or
finish late, held-back events and articles whose text, outlet and date are rewritten
(`load.refresh_articles`).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tradeline.identity import company_key
from tradeline.records import Article, stable_key
from tradeline.warehouse import materialized, merge, registry, runs
from tradeline.warehouse.db import connect, transaction
from tradeline.warehouse.load import refresh_articles

TYPES = ("permit_issued", "export_ban")
COUNTRIES = ("China", None)
COMMODITIES = ("gallium", None)
# spelling variants (one firm, several registry spellings) and case variants (one spelling:
# a later run stores it again with a new alias)
FIRMS = (
    ("JL Mag Rare Earths", "JL Mag Rare-Earth"),
    ("Ningbo Yunsheng", "Ningbo Yansheng", "NINGBO YUNSHENG"),
    ("Shenghe Resources", "shenghe resources"),
    ("Halmera Nickel",),
)
TRUE_DATES = (
    "2023-12-30",
    "2024-12-29",
    "2024-12-31",
    "2025-01-02",
    "2025-01-05",
    "2025-01-30",
    "2025-02-02",
    "2025-06-15",
)
OUTLETS = ("Wire", "Harbour Ledger", "Metals Review", None)
WORDS = [
    "ore",
    "export",
    "permit",
    "ministry",
    "smelter",
    "shipment",
    "quota",
    "licence",
    "rare",
    "earth",
    "magnet",
    "price",
    "supply",
    "miner",
    "tariff",
    "customs",
    "port",
    "buyer",
    "contract",
    "review",
    "ban",
    "lifted",
    "announced",
]
T0 = datetime(2026, 1, 1, tzinfo=UTC).replace(tzinfo=None)


@dataclass
class Story:
    """One real event that several articles report."""

    type: str
    country: str | None
    commodity: str | None
    day: date
    firms: tuple[int, ...]
    text: str


@dataclass
class Report:
    """One article-level event as an extractor gave it."""

    story: Story
    event_date: str | None
    companies: tuple[str, ...]
    slot: int  # sentence index: the evidence offsets
    held_back: bool = False

    def fact_key(self, article_id: str) -> str:
        """Content-derived, as `facts.py` makes it: an unchanged event keeps its key."""
        return stable_key(
            "event",
            article_id,
            self.story.type,
            self.story.country,
            self.story.commodity,
            self.event_date,
            *self.companies,
            self.slot,
        )


@dataclass
class Stored:
    article_id: str
    published: str | None
    outlet: str | None
    text: str
    reports: list[Report] = field(default_factory=list)


# a busy block: one type, country and commodity, a year of dates around month ends and starts
BUSY_DATES = (
    "2024-12-30",
    "2025-01-02",
    "2025-01-05",
    "2025-01-30",
    "2025-02-02",
    "2025-02-03",
    "2025-03-31",
    "2025-06-15",
    "2025-06-17",
    "2025-12-30",
)


class Stream:
    """A random sequence of runs over a small world of stories and articles; `busy`: every
    story in one block, more of them, over a year's dates (where the merge scope is narrowed
    by which entries an event can join, not by which dates it overlaps)."""

    def __init__(self, rng: random.Random, *, busy: bool = False) -> None:
        self.rng = rng
        self.busy = busy
        n = rng.randint(8, 14) if busy else rng.randint(3, 7)
        self.stories = [self._story(i) for i in range(n)]
        self.articles: dict[str, Stored] = {}
        self.n = 0

    def _text(self) -> str:
        return " ".join(self.rng.choice(WORDS) for _ in range(60))

    def _story(self, i: int) -> Story:
        r = self.rng
        if self.busy:
            return Story(
                TYPES[0],
                COUNTRIES[0],
                COMMODITIES[0],
                date.fromisoformat(r.choice(BUSY_DATES)),
                tuple(r.sample(range(len(FIRMS)), 1 if i == 0 else r.randint(0, 1))),
                self._text(),
            )
        return Story(
            r.choice(TYPES),
            r.choice(COUNTRIES),
            r.choice(COMMODITIES),
            date.fromisoformat(r.choice(TRUE_DATES)),
            tuple(r.sample(range(len(FIRMS)), r.randint(0, 2))),
            self._text(),
        )

    def report(self, story: Story, slot: int) -> Report:
        r = self.rng
        shift = timedelta(days=r.choice((0, 0, 0, 1, -2, 4)))
        day = (story.day + shift).isoformat()
        event_date = r.choice((day, day, day, day[:7], day[:4], None))
        names = tuple(r.choice(FIRMS[f]) for f in story.firms if r.random() < 0.8)
        return Report(story, event_date, names, slot, held_back=r.random() < 0.05)

    def new_article(self) -> Stored:
        r = self.rng
        self.n += 1
        story = r.choice(self.stories)
        copy_of = [a for a in self.articles.values() if a.reports] if r.random() < 0.3 else []
        if copy_of:  # a syndicated copy: the same text with a new closing line
            source = r.choice(copy_of)
            text, story = source.text + " Syndicated.", source.reports[0].story
        else:
            text = story.text + " " + self._text() if r.random() < 0.5 else self._text()
        published = (story.day + timedelta(days=r.randint(0, 3))).isoformat()
        published = r.choice((published, published, published, published[:7], None))
        stored = Stored(f"a{self.n:03d}", published, r.choice(OUTLETS), text)
        stored.reports = [self.report(story, 0)]
        for slot in range(1, r.randint(1, 3)):
            stored.reports.append(self.report(r.choice(self.stories), slot))
        return stored

    def reextract(self, old: Stored) -> list[Report]:
        """Re-extraction: most events unchanged, some re-dated, renamed, dropped or added."""
        r = self.rng
        out = []
        for rep in old.reports:
            roll = r.random()
            if roll < 0.15:
                continue  # dropped
            if roll < 0.5:
                fresh = self.report(rep.story, rep.slot)
                out.append(fresh)  # re-dated and / or renamed, same offsets
            else:
                out.append(rep)
        if r.random() < 0.3:
            self.n += 1
            out.append(self.report(r.choice(self.stories), 100 + self.n))
        return out


def _write_run(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    step: int,
    rows: list[tuple[Stored, list[Report]]],
    new: list[Stored],
) -> None:
    con.execute(
        "INSERT INTO extraction_runs (run_id, kind, started_at, status, extractor_version, "
        "model_name, model_version, assets_hash) VALUES (?, 'ingest', ?, 'running', 'v', 'm', "
        "'1', 'h')",
        [run_id, T0 + timedelta(hours=step)],
    )
    for a in new:
        con.execute(
            "INSERT INTO articles (article_id, canonical_url, url, published, outlet, text, "
            "text_chars, stored_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                a.article_id,
                f"https://n.example/{a.article_id}",
                f"https://n.example/{a.article_id}",
                a.published,
                a.outlet,
                a.text,
                len(a.text),
                T0,
            ],
        )
    companies: dict[str, str] = {}  # canonical_key -> the first spelling: the registry's rows
    aliases: set[tuple[str, str]] = set()
    for a, reports in rows:
        con.execute(
            "INSERT INTO article_extractions (article_id, run_id, status, n_facts, extracted_at)"
            " VALUES (?, ?, 'done', ?, ?)",
            [a.article_id, run_id, len(reports), T0],
        )
        for rep in reports:
            s = rep.story
            gran = (
                None
                if rep.event_date is None
                else {10: "day", 7: "month", 4: "year"}[len(rep.event_date)]
            )
            con.execute(
                "INSERT INTO events (fact_key, article_id, run_id, type, authority_country, "
                "commodity, event_date, date_granularity, modality, evidence, start_char, "
                "end_char, held_back) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'actual', 'e', ?, ?, ?)",
                [
                    rep.fact_key(a.article_id),
                    a.article_id,
                    run_id,
                    s.type,
                    s.country,
                    s.commodity,
                    rep.event_date,
                    gran,
                    rep.slot * 100,
                    rep.slot * 100 + 90,
                    rep.held_back,
                ],
            )
            for pos, name in enumerate(rep.companies):
                key = company_key(name)
                companies.setdefault(key, name)
                aliases.add((key, name))
                con.execute(
                    "INSERT OR IGNORE INTO event_companies VALUES (?, ?, ?, ?, ?, ?)",
                    [rep.fact_key(a.article_id), a.article_id, run_id, name, key, pos],
                )
    # what `load.store_batch` does with every run's names, a failed run's too
    registry.upsert(con, companies, T0 + timedelta(hours=step))
    for key, alias in sorted(aliases):
        con.execute(
            "INSERT OR IGNORE INTO company_aliases VALUES (?, ?, ?)",
            [key, alias, T0 + timedelta(hours=step)],
        )


def _finish(con: duckdb.DuckDBPyConnection, run_id: str, status: str, step: int) -> None:
    con.execute(
        "UPDATE extraction_runs SET status = ?, finished_at = ? WHERE run_id = ?",
        [status, T0 + timedelta(hours=step, minutes=30), run_id],
    )


def _entries(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute(
        "SELECT t.*, list(tm.fact_key || '/' || tm.run_id || '/' || tm.source_key "
        "                 ORDER BY tm.fact_key) AS mentions "
        "FROM timeline_entries AS t JOIN timeline_entry_mentions AS tm USING (entry_key) "
        "GROUP BY ALL ORDER BY t.entry_key"
    ).fetchall()


def _content(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    """Entries without their keys: content and membership."""
    return con.execute(
        "SELECT t.* EXCLUDE (entry_key, key_carried), "
        "       list(tm.fact_key || '/' || tm.source_key ORDER BY tm.fact_key) AS mentions "
        "FROM timeline_entries AS t JOIN timeline_entry_mentions AS tm USING (entry_key) "
        "GROUP BY ALL ORDER BY mentions"
    ).fetchall()


# What the views read: each table the merge keeps (migrations 013 and 014), rows in full order.
MATERIALIZED = (
    "timeline_rows",
    "latest_article_runs",
    "event_mention_rows",
    "company_links",
    "firm_stats",
    "firm_entries",
    "firm_members",
)


def _materialized(con: duckdb.DuckDBPyConnection) -> tuple[list[tuple], ...]:
    """The rows of every table the merge keeps (`MATERIALIZED`)."""
    return tuple(
        con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall() for table in MATERIALIZED
    )


def _firms(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    """The registry's spellings, aliases and firms (`registry.update_firms` or rebuilt)."""
    return con.execute(
        "SELECT r.*, f.firm_key, list(a.alias ORDER BY a.alias) FROM company_registry AS r "
        "LEFT JOIN company_firms AS f USING (canonical_key) "
        "LEFT JOIN company_aliases AS a USING (canonical_key) GROUP BY ALL ORDER BY ALL"
    ).fetchall()


def _recomputed(con: duckdb.DuckDBPyConnection) -> tuple[list[tuple], ...]:
    """The same tables computed from scratch (rolled back): what a stored row must equal."""
    con.execute("BEGIN TRANSACTION")
    try:
        materialized.refresh_all(con)
        return _materialized(con)
    finally:
        con.execute("ROLLBACK")


def _same_history(tmp: Path, seed: int, *, busy: bool = False) -> None:
    rng = random.Random(seed)
    stream = Stream(rng, busy=busy)
    inc = connect(tmp / "incremental.duckdb")
    full = connect(tmp / "full.duckdb")
    late: list[str] = []  # runs left running for a while
    filled: set[str] = set()  # the kept tables that held rows after some run
    for step in range(rng.randint(4, 8)):
        run_id = f"r{step:02d}"
        new = [stream.new_article() for _ in range(rng.randint(0, 4))]
        rows = [(a, a.reports) for a in new]
        stored = list(stream.articles.values())
        for old in rng.sample(stored, min(len(stored), rng.randint(0, 3))):
            rows.append((old, stream.reextract(old)))
        status = rng.choice(
            ("completed",) * 5 + ("completed_with_errors", "failed", "interrupted", "running")
        )
        rewrite = rng.sample(stored, 1) if stored and rng.random() < 0.2 else []
        for a in new:
            stream.articles[a.article_id] = a
        if status != "failed":  # a failed run's events never become the latest
            for a, reports in rows:
                stream.articles[a.article_id].reports = reports
        for a in rewrite:  # the page parsed again: new text, outlet and date, the same run
            a.text, a.outlet = a.text + " Corrected.", rng.choice(OUTLETS)
            a.published = rng.choice((a.published, "2024-12-30", "2025-02-01", None))
        finishing = [run_id] if status != "running" else []
        if status == "running":
            late.append(run_id)
        elif late and rng.random() < 0.5:
            finishing.append(late.pop(0))
        for con in (inc, full):
            with transaction(con):  # one commit per run and file: the test stays quick
                _write_run(con, run_id, step, rows, new)
                if rewrite:
                    refresh_articles(
                        con,
                        [
                            Article(
                                a.article_id,
                                "u",
                                f"https://n.example/{a.article_id}",
                                a.text,
                                published=a.published,
                                outlet=a.outlet,
                            )
                            for a in rewrite
                        ],
                    )
                for rid in finishing:
                    _finish(con, rid, status if rid == run_id else "completed", step)
                # what `runs.finish_run` does: the timeline and the registry's firms
                runs.rebuild_derived(con, incremental=con is inc)
        assert _entries(inc) == _entries(full), f"seed {seed}, after run {step}"
        kept = _materialized(inc)
        assert kept == _materialized(full), f"seed {seed}, after run {step}"
        assert kept == _recomputed(inc), f"seed {seed}, after run {step}"
        assert _firms(inc) == _firms(full), f"seed {seed}, after run {step}"
        filled |= {table for table, rows in zip(MATERIALIZED, kept, strict=True) if rows}
    scratch = connect(tmp / "scratch.duckdb")
    scratch.close()
    full.close()
    # the final facts merged from nothing: same content and membership
    fresh = duckdb.connect(str(tmp / "full.duckdb"))
    with transaction(fresh):
        fresh.execute("DELETE FROM timeline_entry_mentions")
        fresh.execute("DELETE FROM timeline_entries")
        merge.rebuild(fresh)
    assert _content(fresh) == _content(inc)
    assert _entries(inc), "the stream should merge into some entries"
    assert filled == set(MATERIALIZED), f"seed {seed}: never filled {set(MATERIALIZED) - filled}"
    fresh.close()
    inc.close()


@settings(
    max_examples=8,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(seed=st.integers(0, 2**32 - 1))
@example(seed=1)
@example(seed=7)
def test_incremental_merge_equals_full_rebuild(tmp_path_factory, seed: int) -> None:
    _same_history(tmp_path_factory.mktemp("merge"), seed)


@settings(
    max_examples=6,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(seed=st.integers(0, 2**32 - 1))
@example(seed=2)
def test_incremental_merge_in_a_busy_block_equals_full_rebuild(tmp_path_factory, seed: int) -> None:
    """One block, a year of day-, month- and year-dated reports of a few firms (and of none):
    the scope is cut by which stored entries an event can join, and still equals a rebuild."""
    _same_history(tmp_path_factory.mktemp("busy"), seed, busy=True)


@given(
    dates=st.lists(
        st.sampled_from(
            [
                None,
                "",
                "2025",
                "2026",
                "2025-03",
                "2025-12",
                "2026-03",
                "2025-03-04",
                "2025-03-31",
                "2025-12-02",
                "2026-03-04",
                "20250",
                "2025-1",
            ]
        ),
        max_size=30,
    ),
    coarse=st.sampled_from([None, "", "2025", "2026", "2025-03", "2025-12", "2025-03-04", "2"]),
)
def test_prefix_lookup_finds_what_a_scan_finds(dates: list[str | None], coarse: str | None) -> None:
    """`cluster` finds the finer mentions inside a coarse date by lookup: exactly those a scan
    of them all with `startswith` found (the rule the lookup replaced), in their order."""
    finer = [
        merge.Mention(
            f"f{i:02d}",
            f"a{i}",
            "r",
            "t",
            None,
            None,
            d,
            None,
            0,
            None,
            None,
            "https://x.example",
            (),
            1,
        )
        for i, d in enumerate(dates)
    ]
    found = merge._Prefixes(finer).under(coarse)
    scanned = [f for f in finer if f.event_date and coarse and f.event_date.startswith(coarse)]
    assert found == scanned


def _six_merged_articles(tmp_path: Path) -> tuple[Stream, duckdb.DuckDBPyConnection, list]:
    """A file holding six random articles of one completed, merged run (seed 3)."""
    stream = Stream(random.Random(3))
    con = connect(tmp_path / "w.duckdb")
    first = [stream.new_article() for _ in range(6)]
    with transaction(con):
        _write_run(con, "r00", 0, [(a, a.reports) for a in first], first)
        _finish(con, "r00", "completed", 0)
        merge.update(con)
    return stream, con, first


def _count_loaded_mentions(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many mentions each later `merge.load_mentions` call reads back into Python."""
    loaded: list[int] = []
    load = merge.load_mentions
    monkeypatch.setattr(
        merge, "load_mentions", lambda con, **kw: loaded.append(len(m := load(con, **kw))) or m
    )
    return loaded


def test_untouched_entries_keep_their_rows(tmp_path: Path, monkeypatch) -> None:
    """A run whose events fall in other blocks and years rewrites no other entry."""
    stream, con, _ = _six_merged_articles(tmp_path)
    before = {row[0]: row for row in _entries(con)}
    far = Story("quota_set", "Chile", "copper", date(2031, 7, 1), (), stream._text())
    article = Stored("z001", "2031-07-02", "Wire", far.text, [Report(far, "2031-07-01", (), 0)])
    loaded = _count_loaded_mentions(monkeypatch)
    with transaction(con):
        _write_run(con, "r01", 1, [(article, article.reports)], [article])
        _finish(con, "r01", "completed", 1)
        merge.update(con)
    after = {row[0]: row for row in _entries(con)}
    assert loaded == [1]  # only the new event was read back into Python
    assert len(after) == len(before) + 1
    assert all(after[key] == row for key, row in before.items())
    con.close()


def _one_block_file(
    tmp_path: Path, reports: list[tuple[str, str | None, tuple[str, ...]]]
) -> tuple[duckdb.DuckDBPyConnection, dict[str, str]]:
    """A merged file of one article per (article_id, event_date, companies), all in one block
    (permit_issued, China, gallium); returns it and each article's fact_key."""
    con = connect(tmp_path / "w.duckdb")
    articles = []
    for article_id, event_date, companies in reports:
        given = event_date or "2025-05-05"
        day = date.fromisoformat(given + "-01-01"[len(given) - 4 :] if len(given) < 10 else given)
        story = Story(TYPES[0], COUNTRIES[0], COMMODITIES[0], day, (), f"text of {article_id}")
        articles.append(
            Stored(
                article_id,
                day.isoformat(),
                f"Outlet {article_id}",
                story.text,
                [Report(story, event_date, companies, 0)],
            )
        )
    with transaction(con):
        _write_run(con, "r00", 0, [(a, a.reports) for a in articles], articles)
        _finish(con, "r00", "completed", 0)
        merge.update(con)
    return con, {a.article_id: a.reports[0].fact_key(a.article_id) for a in articles}


def _add_article(
    con: duckdb.DuckDBPyConnection, article_id: str, event_date: str, companies: tuple[str, ...]
) -> str:
    """Store and merge (incrementally) one more article of that block; its fact_key."""
    story = Story(TYPES[0], COUNTRIES[0], COMMODITIES[0], date(2025, 5, 5), (), "a new text")
    article = Stored(
        article_id, "2025-05-05", "Wire", story.text, [Report(story, event_date, companies, 0)]
    )
    with transaction(con):
        _write_run(con, "r01", 1, [(article, article.reports)], [article])
        _finish(con, "r01", "completed", 1)
        merge.update(con)
    return article.reports[0].fact_key(article_id)


def _entry_of(con: duckdb.DuckDBPyConnection) -> dict[str, set[str]]:
    """entry_key -> its fact_keys."""
    out: dict[str, set[str]] = {}
    for entry_key, fact_key in con.execute(
        "SELECT entry_key, fact_key FROM timeline_entry_mentions"
    ).fetchall():
        out.setdefault(entry_key, set()).add(fact_key)
    return out


def test_re_merged_entries_that_did_not_change_keep_their_rows(tmp_path: Path, monkeypatch) -> None:
    """A year-dated report can join any entry of its firm that year, so every one of them is
    re-merged (read back); it joins the largest, and the others, unchanged, keep their rows
    (an unchanged row keeps its rowid; a rewritten one would get a new one)."""
    halmera = ("Halmera Nickel",)
    con, _ = _one_block_file(
        tmp_path,
        [
            ("a1", "2025-01-05", halmera),
            ("a2", "2025-01-06", halmera),
            ("a3", "2025-06-15", halmera),
            ("a4", "2025-06-15", ("Shenghe Resources",)),
        ],
    )
    before = _entry_of(con)
    assert sorted(map(len, before.values())) == [1, 1, 2]
    small = next(
        k
        for k, v in before.items()
        if len(v) == 1
        and "a3"
        in str(
            con.execute(
                "SELECT list(article_id) FROM timeline_entry_mentions WHERE entry_key = ?", [k]
            ).fetchone()
        )
    )
    kept = {
        table: dict(con.execute(f"SELECT {key}, rowid FROM {table}").fetchall())
        for table, key in (("timeline_entries", "entry_key"), ("timeline_rows", "entry_key"))
    }
    loaded = _count_loaded_mentions(monkeypatch)
    new = _add_article(con, "z001", "2025", halmera)
    assert loaded == [4]  # Halmera's three reports and the new one; not Shenghe's
    after = _entry_of(con)
    assert len(after) == 3
    assert sorted(map(len, after.values())) == [1, 1, 3]
    assert any(new in v and len(v) == 3 for v in after.values())  # joined the larger entry
    for table in kept:
        now = dict(con.execute(f"SELECT entry_key, rowid FROM {table}").fetchall())
        assert now[small] == kept[table][small], table  # re-merged, unchanged: not rewritten
    con.close()


def test_a_busy_block_re_merges_only_the_entries_a_new_report_can_join(
    tmp_path: Path, monkeypatch
) -> None:
    """A year of one busy block, with year- and month-dated entries of other firms: a new
    day-dated report re-merges the entries of its firm within reach of its date (and the
    coarse ones of its firm that could join them), not every entry its date overlaps."""
    firms = [("JL Mag Rare Earths",), ("Ningbo Yunsheng",), ("Shenghe Resources",), ()]
    reports = [
        (f"d{month:02d}{f}", f"2025-{month:02d}-{10 + 3 * f:02d}", firms[f])
        for month in range(1, 13)
        for f in range(4)
    ]
    reports += [
        ("y1", "2025", firms[1]),
        ("m1", "2025-03", firms[2]),
        ("m2", "2025-03", firms[0]),
        ("u1", None, ()),
    ]
    con, fact = _one_block_file(tmp_path, reports)
    before = _entry_of(con)
    loaded = _count_loaded_mentions(monkeypatch)
    new = _add_article(con, "z001", "2025-03-11", firms[0])
    # JL Mag's 2025-03-10 entry (with the month-dated JL Mag report it took) and the new one
    assert loaded == [3]
    after = _entry_of(con)
    assert {fact["d030"], fact["m2"], new} in after.values()
    assert len(after) == len(before)
    assert all(v in before.values() for k, v in after.items() if new not in v)
    con.close()


def test_firms_updated_from_new_spellings_equal_firms_rebuilt(tmp_path: Path) -> None:
    """`registry.update_firms` after each batch of new spellings = `rebuild_firms` whole."""
    from tradeline.identity import company_key
    from tradeline.warehouse import registry

    names = [n for firm in FIRMS for n in firm] + [
        "JL Mag",
        "JL-Mag Rare Earths",
        "Ningbo Yunsheng Co",
        "Shenghe Resource",
        "Halmera Nickle",
        "Samsung SDI",
        "Samsung SDS",
        "...",
        "Firm 12",
        "Firm 123",
    ]
    inc = connect(tmp_path / "inc.duckdb")
    full = connect(tmp_path / "full.duckdb")
    for seed in range(6):
        rng = random.Random(seed)
        order = rng.sample(names, len(names))
        with transaction(inc), transaction(full):
            for con in (inc, full):
                con.execute("DELETE FROM company_registry")
                con.execute("DELETE FROM company_firms")
        for step, start in enumerate(range(0, len(order), 4)):
            batch = {company_key(n): n for n in order[start : start + 4]}
            for con in (inc, full):
                with transaction(con):
                    registry.upsert(con, batch, T0 + timedelta(hours=step))
            with transaction(inc):
                registry.update_firms(inc)
            with transaction(full):
                registry.rebuild_firms(full)
            sql = "SELECT * FROM company_firms ORDER BY canonical_key"
            assert inc.execute(sql).fetchall() == full.execute(sql).fetchall(), (seed, step)
    firms = full.execute("SELECT count(DISTINCT firm_key) FROM company_firms").fetchone()
    assert firms is not None and firms[0] < len(names)  # some spellings did merge
    inc.close()
    full.close()


def _merged_by_older_rules(path: Path, seed: int) -> tuple[duckdb.DuckDBPyConnection, str]:
    """A merged file as an older tradeline left it: one entry under a key it saved ('saved',
    was the returned key), and no merge_state (the rules version unknown)."""
    stream = Stream(random.Random(seed))
    con = connect(path)
    first = [stream.new_article() for _ in range(5)]
    with transaction(con):
        _write_run(con, "r00", 0, [(a, a.reports) for a in first], first)
        _finish(con, "r00", "completed", 0)
        merge.update(con)
    (old_key,) = con.execute("SELECT min(entry_key) FROM timeline_entries").fetchone()
    with transaction(con):
        for table in ("timeline_entry_mentions", "timeline_entries"):
            con.execute(f"UPDATE {table} SET entry_key = 'saved' WHERE entry_key = ?", [old_key])
        con.execute("DELETE FROM merge_state")
    return con, old_key


def test_new_merge_rules_rebuild_whole_and_keep_saved_keys(tmp_path: Path) -> None:
    """A file merged by other rules (an upgrade) is rebuilt whole by the next merge, and every
    entry keeps the key it had, although its content key may have changed."""
    con, old_key = _merged_by_older_rules(tmp_path / "w.duckdb", seed=5)
    with transaction(con):
        merge.update(con)
    row = con.execute("SELECT key_carried FROM timeline_entries WHERE entry_key = 'saved'")
    assert row.fetchone() == (True,)
    assert con.execute(
        "SELECT count(*) FROM timeline_entries WHERE entry_key = ?", [old_key]
    ).fetchone() == (0,)
    assert con.execute("SELECT rules_version FROM merge_state").fetchall() == [
        (merge.RULES_VERSION,)
    ]
    con.close()


@pytest.mark.parametrize("incremental", [True, False], ids=["next run", "rebuild-timeline"])
def test_an_upgraded_file_keeps_saved_keys_whichever_path_merges_it(
    tmp_path: Path, incremental: bool
) -> None:
    """`tradeline rebuild-timeline` on a file merged by older rules hands the old keys on, as
    the next run's merge does (saved `entry_key` queries and sent alerts stay valid)."""
    from tradeline.warehouse.runs import rebuild_derived

    con, _ = _merged_by_older_rules(tmp_path / "w.duckdb", seed=7)
    with transaction(con):
        rebuild_derived(con, incremental=incremental)
    assert con.execute(
        "SELECT key_carried FROM timeline_entries WHERE entry_key = 'saved'"
    ).fetchall() == [(True,)]
    con.close()
