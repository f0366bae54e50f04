"""The tables the merge keeps for the views (warehouse/materialized.py, migrations 013 and 014)
hold, after every incremental run, exactly what computing them from scratch gives; and
`event_mentions` shows runs changed since the last merge (computed live) without waiting for
one."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import duckdb

from tests.builders import start_test_run, stored_run
from tradeline.warehouse import materialized
from tradeline.warehouse.db import connect, transaction
from tradeline.warehouse.load import store_batch
from tradeline.warehouse.runs import finish_run, reopen_run

TABLES = (
    "latest_article_runs",
    "event_mention_rows",
    "timeline_rows",
    "company_links",
    "firm_stats",
    "firm_entries",
    "firm_members",
)


def _rows(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    return {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in TABLES}


def _recomputed(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    """Every table filled whole from the facts, rolled back."""
    con.execute("BEGIN TRANSACTION")
    try:
        materialized.refresh_all(con)
        return _rows(con)
    finally:
        con.execute("ROLLBACK")


def _live_mentions(con: duckdb.DuckDBPyConnection) -> tuple[list[tuple], list[tuple]]:
    """(the view, the same rows computed from the facts for every article)."""
    view = con.execute("SELECT * FROM event_mentions ORDER BY ALL").fetchall()
    live = con.execute("SELECT * FROM event_mentions_of('articles') ORDER BY ALL").fetchall()
    return view, live


def test_kept_rows_equal_a_recompute_after_each_run(tmp_path: Path, make_item) -> None:
    con = connect(tmp_path / "w.duckdb")
    url = [f"https://news.example/{i}" for i in range(5)]
    # 1: three reports, two spellings of one firm, a second firm, an undated one
    stored_run(
        con,
        [
            make_item(url[0], companies=("JL Mag Rare-Earth",)),
            make_item(url[1], companies=("JL Mag Rare Earths", "Shenghe Resources")),
            make_item(url[2], companies=(), event_date=None),
        ],
    )
    assert _rows(con) == _recomputed(con)
    first = _rows(con)
    assert first["event_mention_rows"] and first["company_links"] and first["firm_entries"]
    stats = con.execute("SELECT count(*) FROM firm_stats").fetchone()[0]
    assert stats == 3  # Nvidia (its company fact), JL Mag (two spellings, one firm), Shenghe
    # 2: a re-extraction names another firm and moves the date; a new report joins an entry
    stored_run(
        con,
        [
            make_item(url[0], companies=("Shenghe Resources",), event_date="2024-03-20"),
            make_item(url[3], companies=("JL Mag Rare Earths",)),
        ],
    )
    assert _rows(con) == _recomputed(con)
    # 3: a failed run changes nothing; an interrupted one's new article counts
    stored_run(con, [make_item(url[1], companies=("Lynas",))], status="failed")
    assert _rows(con) == _recomputed(con)
    stored_run(con, [make_item(url[4], companies=("Lynas",))], status="interrupted")
    assert _rows(con) == _recomputed(con)
    lynas = con.execute("SELECT n_articles, n_events FROM companies WHERE canonical = 'Lynas'")
    assert lynas.fetchall() == [(0, 1)]  # named by an event only
    con.close()


def test_event_mentions_shows_unmerged_runs_live(tmp_path: Path, make_item) -> None:
    con = connect(tmp_path / "w.duckdb")
    url = [f"https://news.example/{i}" for i in range(4)]
    stored_run(con, [make_item(u) for u in url[:3]])
    second = stored_run(con, [make_item(url[3], companies=("Lynas",))], status="interrupted")
    view, live = _live_mentions(con)
    assert view == live and len(view) == 4 and ["Lynas"] in [list(r[13]) for r in view]
    # a run reopened (no merge yet): its article's facts are gone at once
    reopen_run(con, second)
    assert con.execute("SELECT count(*) FROM unmerged_articles").fetchone()[0] == 1
    view, live = _live_mentions(con)
    assert view == live and len(view) == 3
    # a run still going: its articles show their earlier run's facts
    item = make_item(url[1], companies=("Iluka",))
    running = start_test_run(con)
    with transaction(con):
        store_batch(con, [item], running)
    view, live = _live_mentions(con)
    assert view == live
    assert ["Iluka"] not in [list(r[13]) for r in view]
    finish_run(con, running, status="completed")
    view, live = _live_mentions(con)
    assert view == live and ["Iluka"] in [list(r[13]) for r in view]
    assert con.execute("SELECT count(*) FROM unmerged_articles").fetchone()[0] == 0
    assert _rows(con) == _recomputed(con)
    con.close()


def test_a_resumed_run_refreshes_what_it_stored_before_and_after(tmp_path: Path, make_item) -> None:
    """`reextract --resume`: a run interrupted after one article is reopened, stores another,
    and completes; the kept tables then hold both articles, as a recompute does."""
    con = connect(tmp_path / "w.duckdb")
    url = [f"https://news.example/{i}" for i in range(3)]
    stored_run(con, [make_item(url[0], companies=("Lynas",))])
    resumed = stored_run(con, [make_item(url[1], companies=("Iluka",))], status="interrupted")
    reopen_run(con, resumed)
    with transaction(con):
        store_batch(con, [make_item(url[2], companies=("Arafura",))], resumed)
    finish_run(con, resumed, status="completed")
    assert _rows(con) == _recomputed(con)
    firms = {r[0] for r in con.execute("SELECT canonical FROM companies").fetchall()}
    assert {"Lynas", "Iluka", "Arafura"} <= firms
    linked = con.execute("SELECT count(DISTINCT article_id) FROM timeline_entry_mentions")
    assert linked.fetchone()[0] == 3
    con.close()


def _firm(con: duckdb.DuckDBPyConnection, canonical: str) -> tuple:
    """(aliases, last_stored, n_articles, n_events) of one firm in `companies`."""
    return con.execute(
        "SELECT aliases, last_stored, n_articles, n_events FROM companies WHERE canonical = ?",
        [canonical],
    ).fetchone()


def _last_seen(con: duckdb.DuckDBPyConnection, canonical: str) -> object:
    """When the registry last stored the spelling (`company_registry.last_seen`)."""
    return con.execute(
        "SELECT last_seen FROM company_registry WHERE canonical = ?", [canonical]
    ).fetchone()[0]


def test_a_known_spelling_stored_again_refreshes_its_firm(tmp_path: Path, make_item) -> None:
    """A run that stores a known spelling again (a new alias, a later last_seen) without
    changing any of its links: its firm is refreshed only because the registry's last_seen
    moved (`refresh_firms` compares it with `firm_members`), a failed run's names too."""
    con = connect(tmp_path / "w.duckdb")
    url = [f"https://news.example/{i}" for i in range(3)]
    stored_run(
        con,
        [
            make_item(url[0], companies=("JL Mag Rare Earths",)),
            # another segment of the timeline: a later merge of url[0] does not reach it
            make_item(url[1], companies=("Shenghe Resources",), event_date="2023-06-01"),
        ],
    )
    aliases, stored, n_articles, n_events = _firm(con, "Shenghe Resources")
    assert (aliases, n_articles, n_events) == (["Shenghe Resources"], 0, 1)  # an event's firm
    # a failed run re-extracts url[0] naming Shenghe in capitals: its events never count (no
    # link changes), but the registry stores the alias and moves last_seen on
    stored_run(con, [make_item(url[0], companies=("SHENGHE RESOURCES",))], status="failed")
    seen = _last_seen(con, "Shenghe Resources")
    assert seen > stored
    assert _firm(con, "Shenghe Resources") == (
        ["SHENGHE RESOURCES", "Shenghe Resources"],
        seen,
        0,
        1,
    )
    assert _rows(con) == _recomputed(con)
    # a completed run stores an irrelevant article with no events: its company fact is no
    # link, but Nvidia's new alias and last_seen are stored
    document, article, extraction = make_item(url[2])
    nvidia = replace(extraction.companies[0], aliases=["Nvidia", "NVIDIA", "Nvidia Corporation"])
    extraction = replace(
        extraction,
        companies=[nvidia],
        events=[],
        validity_periods=[],
        policy_dates=[],
        relevant=False,
        relevance=0.1,
    )
    before = _firm(con, "Nvidia Corp")
    stored_run(con, [(document, article, extraction)])
    seen = _last_seen(con, "Nvidia Corp")
    assert seen > before[1]
    assert _firm(con, "Nvidia Corp") == (
        ["NVIDIA", "Nvidia", "Nvidia Corp", "Nvidia Corporation"],
        seen,
        *before[2:],
    )
    assert _rows(con) == _recomputed(con)
    con.close()


def test_a_firm_named_again_is_updated_by_its_changed_links(
    tmp_path: Path, make_article, make_document, make_extraction, monkeypatch
) -> None:
    """Every article names Nvidia (its company fact): a run adding one more updates Nvidia's
    `firm_stats` by the links it wrote (`firm_delta`), not from all of them; a re-extraction
    dropping the link that held its earliest date recomputes it. Both equal a recompute."""
    from tradeline.warehouse import firm_delta

    updated: list[set[str]] = []
    apply = firm_delta.apply
    monkeypatch.setattr(
        firm_delta, "apply", lambda con, firms: updated.append(done := apply(con, firms)) or done
    )

    def item(i: int, published: str, **event_kw: object) -> tuple:
        url = f"https://news.example/{i}"
        return (
            make_document(url),
            make_article(url, published=published),
            make_extraction(**event_kw),
        )

    con = connect(tmp_path / "w.duckdb")
    stored_run(con, [item(0, "2024-03-04"), item(1, "2024-03-06"), item(2, "2024-03-08")])
    nvidia = con.execute(
        "SELECT firm_key FROM firm_stats WHERE canonical = 'Nvidia Corp'"
    ).fetchone()[0]
    updated.clear()
    stored_run(con, [item(3, "2024-03-10", event_date="2024-05-01")])
    assert nvidia in updated[0]  # by its changed links
    assert _rows(con) == _recomputed(con)
    assert con.execute(
        "SELECT n_articles, first_published, last_published FROM firm_stats WHERE firm_key = ?",
        [nvidia],
    ).fetchone() == (4, date(2024, 3, 4), date(2024, 3, 10))
    updated.clear()
    document, article, extraction = item(0, "2024-03-04", companies=("Shenghe Resources",))
    stored_run(con, [(document, article, replace(extraction, companies=[]))])
    assert nvidia not in updated[0]  # the removed link held its earliest date: recomputed
    assert _rows(con) == _recomputed(con)
    assert con.execute(
        "SELECT n_articles, first_published FROM firm_stats WHERE firm_key = ?", [nvidia]
    ).fetchone() == (3, date(2024, 3, 6))
    con.close()


def test_firm_stats_stay_exact_when_a_ticker_or_the_last_link_goes(
    tmp_path: Path, make_article, make_document, make_extraction
) -> None:
    """A re-extraction whose link no longer carries the firm's ticker (another link still
    holds it), then ones that drop the firm's last links: `firm_stats` equals a recompute each
    time, keeps the ticker another link holds, and has no row for a firm with no link."""

    def item(i: int, published: str) -> tuple:
        url = f"https://news.example/{i}"
        return make_document(url), make_article(url, published=published), make_extraction()

    def tickers() -> list:
        return con.execute(
            "SELECT tickers FROM firm_stats WHERE canonical = 'Nvidia Corp'"
        ).fetchall()

    con = connect(tmp_path / "w.duckdb")
    stored_run(con, [item(0, "2024-03-04"), item(1, "2024-03-06")])
    document, article, extraction = item(1, "2024-03-06")
    untickered = replace(extraction.companies[0], ticker=None)
    stored_run(con, [(document, article, replace(extraction, companies=[untickered]))])
    assert _rows(con) == _recomputed(con)
    assert tickers() == [(["NVDA"],)]  # article 0 still names it with its ticker

    document, article, extraction = item(0, "2024-03-04")
    stored_run(con, [(document, article, replace(extraction, companies=[untickered]))])
    assert _rows(con) == _recomputed(con)
    assert tickers() == [(None,)]  # no link carries a ticker any more

    for i, published in ((0, "2024-03-04"), (1, "2024-03-06")):
        document, article, extraction = item(i, published)
        bare = replace(extraction, companies=[], events=[], validity_periods=[])
        stored_run(con, [(document, article, bare)])
    assert _rows(con) == _recomputed(con)
    assert tickers() == []  # no link left: no row
    con.close()
