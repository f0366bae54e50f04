"""Merging article-level events into timeline entries, and near-duplicate detection."""

from __future__ import annotations

from pathlib import Path

from tradeline.identity import same_company
from tradeline.warehouse import dedupe
from tradeline.warehouse.db import connect
from tradeline.warehouse.load import store_batch
from tradeline.warehouse.merge import Mention, build_entries, cluster
from tradeline.warehouse.runs import finish_run, start_run

REPORT = (
    "Indonesia's trade ministry issued nickel ore export permits to two miners on Monday, a "
    "ministry official said. The permits are valid for one year and cover shipments of "
    "low-grade ore to smelters in China and South Korea. The two miners had asked for the "
    "permits in November, after the government said it would review its ban on raw ore "
    "shipments. Industry groups said more applications were expected in the coming weeks."
)
COPY = REPORT.replace("two miners on Monday", "two mining companies on Monday") + (
    " This copy was syndicated with a new closing line."
)
OTHER = (
    "A miner said on Thursday that it holds a new export permit for nickel ore, the first such "
    "approval in years. Analysts expect the extra supply to weigh on prices next quarter."
)


def mention(key: str, article: str, *, date: str | None = "2026-02-09",
            companies: tuple[str, ...] = ("Halmera Nickel", "Sulawesi Ore Partners"),
            published: str = "2026-02-10", outlet: str | None = "Wire",
            type: str = "permit_issued", country: str | None = "Indonesia") -> Mention:
    granularity = None if date is None else {10: "day", 7: "month", 4: "year"}[len(date)]
    return Mention(
        fact_key=key, article_id=article, run_id="r", type=type, authority_country=country,
        commodity="nickel ore", event_date=date, date_granularity=granularity, start_char=0,
        end_char=40, published=published, outlet=outlet, url=f"https://example.com/{article}",
        companies=companies,
    )


def test_shingle_jaccard_separates_copies_from_other_reports() -> None:
    copy = dedupe.signature(REPORT).jaccard(dedupe.signature(COPY))
    other = dedupe.signature(REPORT).jaccard(dedupe.signature(OTHER))
    assert copy >= dedupe.THRESHOLD > other
    assert other < 0.1


def test_syndicated_copies_count_as_one_source() -> None:
    mentions = [
        mention("f1", "a1", outlet="Wire"),
        mention("f2", "a2", outlet="Harbour Ledger", published="2026-02-11"),
        mention("f3", "a3", outlet="Metals Review", published="2026-02-12",
                companies=("Sulawesi Ore Partners",)),
    ]
    (entry,) = build_entries(mentions, duplicates={("a1", "a2")})
    assert (entry.n_articles, entry.n_sources) == (3, 2)
    assert [m.fact_key for m in entry.mentions] == ["f1", "f2", "f3"]  # first reported first
    assert entry.companies == ["Halmera Nickel", "Sulawesi Ore Partners"]
    assert not entry.date_disputed
    (alone,) = build_entries(mentions, duplicates=set())
    assert alone.n_sources == 3  # without the copy detected, three outlets


def test_spelling_variants_of_a_firm_agree_and_other_firms_do_not() -> None:
    a = mention("f1", "a1", companies=("JL Mag Rare Earths", "Ningbo Yunsheng"))
    b = mention("f2", "a2", companies=("JL Mag Rare-Earth",))
    c = mention("f3", "a3", companies=("Shenghe Resources",))
    groups = cluster([a, b, c])
    assert sorted(sorted(m.fact_key for m in g) for g in groups) == [["f1", "f2"], ["f3"]]
    (entry,) = build_entries([a, b], set())
    assert entry.companies == ["JL Mag Rare Earths", "Ningbo Yunsheng"]
    assert same_company("ningbo yansheng", "ningbo yunsheng")
    assert not same_company("samsung sdi", "samsung sds")  # short codes must match exactly
    assert not same_company("firm 12", "firm 123")
    assert not same_company("jl mag", "jl mag rare earths")


def test_dates_compatible_coarse_joins_fine_and_close_days_are_disputed() -> None:
    day = mention("f1", "a1", date="2026-02-09")
    next_day = mention("f2", "a2", date="2026-02-10")
    month = mention("f3", "a3", date="2026-02")
    far = mention("f4", "a4", date="2026-02-20")
    other_month = mention("f5", "a5", date="2026-03")
    groups = {frozenset(m.fact_key for m in g) for g in cluster([day, next_day, month, far,
                                                                  other_month])}
    assert groups == {frozenset({"f1", "f2", "f3"}), frozenset({"f4"}), frozenset({"f5"})}
    entry = next(e for e in build_entries([day, next_day, month], set()))
    assert entry.date_disputed and entry.dates_reported == ["2026-02", "2026-02-09", "2026-02-10"]
    assert (entry.event_date, entry.date_granularity) == ("2026-02-09", "day")
    assert not build_entries([day, month], set())[0].date_disputed  # coarser is not a dispute


def test_type_country_and_named_vs_unnamed_firms_keep_entries_apart() -> None:
    base = mention("f1", "a1")
    groups = cluster([
        base,
        mention("f2", "a2", type="permit_denied"),
        mention("f3", "a3", country="Philippines"),
        mention("f4", "a4", companies=()),
    ])
    assert len(groups) == 4


def test_keys_are_content_derived_and_order_independent() -> None:
    mentions = [mention("f1", "a1"), mention("f2", "a2", published="2026-02-11"),
                mention("f3", "a3", date="2025-11", type="permit_applied")]
    keys = [e.entry_key for e in build_entries(mentions, set())]
    again = [e.entry_key for e in build_entries(list(reversed(mentions)), set())]
    assert keys == again and len(set(keys)) == 2
    renamed = [mention("g1", "a1"), mention("g2", "a2", published="2026-02-11")]
    assert build_entries(renamed, set())[0].entry_key == keys[0]  # fact keys/run ids not hashed


def test_rebuild_after_each_finished_run(
    tmp_path: Path, make_article, make_document, make_extraction,
) -> None:
    """Two syndicated copies and another outlet stored: one timeline entry, two sources."""
    con = connect(tmp_path / "w.duckdb")
    run = start_run(con, kind="ingest", extractor_version="1", model_name="m",
                    model_version="1", assets_hash="h")
    items = []
    for url, text, outlet in (("https://wire.example/n", REPORT, "Wire"),
                              ("https://ledger.example/n", COPY, "Harbour Ledger"),
                              ("https://review.example/n", OTHER, "Metals Review")):
        items.append((make_document(url), make_article(url, text=text, outlet=outlet),
                      make_extraction(companies=("Halmera Nickel",), event_date="2026-02-09")))
    store_batch(con, items, run)
    assert con.execute("SELECT count(*) FROM timeline").fetchone() == (0,)  # run not finished
    finish_run(con, run, status="completed")
    rows = con.execute("SELECT n_articles, n_sources, urls FROM timeline").fetchall()
    assert len(rows) == 1 and rows[0][:2] == (3, 2) and len(rows[0][2]) == 3
    before = con.execute("SELECT * FROM timeline_entries").fetchall()
    run2 = start_run(con, kind="reextract", extractor_version="1", model_name="m",
                     model_version="1", assets_hash="h")
    finish_run(con, run2, status="completed")  # rebuilding again changes nothing
    assert con.execute("SELECT * FROM timeline_entries").fetchall() == before
    con.close()
