"""The analyst views on the bundled sample (merged timeline, companies, company_timeline,
event_mentions) and permits_active(date) on a one-year window."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from tradeline.warehouse.db import connect
from tradeline.warehouse.load import store_batch
from tradeline.warehouse.runs import finish_run, start_run

NICKEL = "commodity = 'nickel ore' AND type = 'permit_issued' AND authority_country = 'Indonesia'"


@pytest.fixture(scope="module")
def sample(sample_warehouse_path: Path):
    con = duckdb.connect(str(sample_warehouse_path), read_only=True)
    yield con
    con.close()


def _dicts(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


@pytest.mark.slow
def test_syndicated_copies_and_another_outlet_are_one_entry(sample) -> None:
    (entry,) = _dicts(sample, f"SELECT * FROM timeline WHERE {NICKEL}")
    assert entry["n_articles"] == 3
    assert entry["n_sources"] == 2  # the Harbour Ledger copy is the Wire's report
    assert entry["event_date"] == "2026-02-09" and not entry["date_disputed"]
    assert (entry["first_reported"], entry["last_reported"]) == (
        date(2026, 2, 10), date(2026, 2, 12))
    assert entry["validity"] == "P1Y (2026-02-09 to 2027-02-09)"
    assert any("Sulawesi" in c for c in entry["companies"])
    files = sorted(m["url"].rsplit("/", 1)[1] for m in entry["mentions"])
    assert files == ["nickel-permits-review.html", "nickel-permits-syndicated.html",
                     "nickel-permits-wire.html"]
    assert all(m["evidence"] for m in entry["mentions"])
    sources = {m["outlet"]: m["source_key"] for m in entry["mentions"]}
    assert sources["Harbour Ledger"] == sources["Tradeline Sample Wire"]
    assert sources["Meridian Metals Review"] != sources["Tradeline Sample Wire"]


@pytest.mark.slow
def test_timeline_entries_cover_every_mention_once(sample) -> None:
    n_mentions, n_mapped, n_entries, summed = sample.execute(
        """SELECT (SELECT count(*) FROM event_mentions),
                  (SELECT count(entry_key) FROM event_mentions),
                  (SELECT count(*) FROM timeline),
                  (SELECT sum(len(mentions)) FROM timeline)"""
    ).fetchone()
    assert n_mentions == n_mapped == summed
    assert n_entries < n_mentions  # some reports merged
    offsets = sample.execute("SELECT bool_and(offsets_match) FROM event_mentions").fetchone()
    assert offsets == (True,)
    keys = sample.execute("SELECT count(DISTINCT entry_key), count(*) FROM timeline").fetchone()
    assert keys[0] == keys[1]


@pytest.mark.slow
def test_companies_and_company_timeline(sample) -> None:
    rows = _dicts(sample, "SELECT * FROM companies WHERE canonical LIKE '%Sulawesi%'")
    assert len(rows) == 1
    firm = rows[0]
    assert (firm["first_seen"], firm["last_seen"]) == (date(2026, 2, 10), date(2026, 2, 12))
    assert "Sulawesi Ore Partners" in firm["aliases"]
    timeline = _dicts(
        sample, "SELECT * FROM company_timeline WHERE canonical_key = ?", [firm["canonical_key"]]
    )
    # the permits (three mentions, two sources) and the miners' application for them ("had
    # asked for the permits in November"), which may be held back in some reports
    assert [
        (t["type"], t["event_date"], t["n_sources"])
        for t in timeline
        if t["type"] == "permit_issued"
    ] == [("permit_issued", "2026-02-09", 2)]
    assert {t["type"] for t in timeline} <= {"permit_issued", "permit_applied"}
    assert firm["n_events"] == len(timeline) and firm["n_event_mentions"] >= 3


@pytest.mark.slow
def test_companies_and_timeline_agree_on_which_names_are_one_firm(sample) -> None:
    """The sample names one firm "Ningbo Yansheng" and "Ningbo Yunsheng": one timeline entry
    lists it once, and so do `companies` and `company_timeline`."""
    (entry,) = _dicts(sample, "SELECT * FROM timeline WHERE list_contains(companies, "
                              "'Ningbo Yansheng')")
    assert entry["n_articles"] == 2
    (firm,) = _dicts(sample, "SELECT * FROM companies WHERE canonical LIKE 'Ningbo%'")
    assert firm["canonical"] == "Ningbo Yansheng"
    assert {"Ningbo Yansheng", "Ningbo Yunsheng"} <= set(firm["aliases"])
    assert (firm["n_articles"], firm["n_events"], firm["n_event_mentions"]) == (2, 1, 2)
    listed = _dicts(sample, "SELECT canonical, entry_key FROM company_timeline "
                            "WHERE entry_key = ?", [entry["entry_key"]])
    assert sorted(r["canonical"] for r in listed) == sorted(entry["companies"])


@pytest.mark.slow
def test_permits_active_on_the_sample(sample) -> None:
    def active(day: str) -> set[str]:
        rows = sample.execute(
            "SELECT commodity FROM permits_active(?::DATE)", [day]
        ).fetchall()
        return {r[0] for r in rows}

    assert "nickel ore" not in active("2026-02-08")
    assert "nickel ore" in active("2026-02-09")
    assert "nickel ore" in active("2027-02-08")
    assert "nickel ore" not in active("2027-02-09")  # the end is exclusive


def test_permits_active_before_inside_and_after_a_one_year_window(
    tmp_path: Path, make_item,
) -> None:
    con = connect(tmp_path / "w.duckdb")
    run = start_run(con, kind="ingest", extractor_version="1", model_name="m",
                    model_version="1", assets_hash="h")
    store_batch(con, [make_item("https://example.com/licence")], run)  # P1Y 2024-03-04..2025-03-04
    store_batch(con, [make_item("https://example.com/ban", type="ban_introduced")], run)
    finish_run(con, run, status="completed")

    def active(on: str) -> list[tuple]:
        return con.execute(
            "SELECT type, valid_from, valid_to FROM permits_active(?)", [on]
        ).fetchall()

    window = [("permit_issued", date(2024, 3, 4), date(2025, 3, 4))]
    assert active("2024-03-03") == []
    assert active("2024-03-04") == window
    assert active("2024-09-30") == window
    assert active("2025-03-03") == window
    assert active("2025-03-04") == []
    assert con.execute("SELECT count(*) FROM permits_active(DATE '2024-06-01')").fetchone() == (1,)
    con.close()


def test_held_back_events_and_irrelevant_articles_stay_out_of_the_timeline_views(
    tmp_path: Path, make_item,
) -> None:
    """A held-back event is in event_mentions (with its scores) but not in timeline; an article
    below the relevance threshold adds no entry and no company to the timeline views."""
    con = connect(tmp_path / "w.duckdb")
    run = start_run(con, kind="ingest", extractor_version="1", model_name="m",
                    model_version="1", assets_hash="h", trained_hash="t",
                    relevance_threshold=0.35, confidence_threshold=0.3,
                    best_event_floor=0.1)
    shown = make_item("https://example.com/shown")
    shown[2].relevance = 0.9
    shown[2].events[0].confidence = 0.8
    doubtful = make_item("https://example.com/doubtful", type="ban_introduced")
    doubtful[2].relevance = 0.9
    doubtful[2].events[0].confidence = 0.1
    elsewhere = make_item("https://example.com/elsewhere", type="control_introduced",
                          companies=["Lockdown Ltd"])
    elsewhere[2].companies[0].canonical = elsewhere[2].companies[0].name = "Lockdown Ltd"
    elsewhere[2].relevance = 0.05
    elsewhere[2].events[0].confidence = 0.9
    for _, _, extraction in (shown, doubtful, elsewhere):
        extraction.hold_back(0.35, 0.3)
    store_batch(con, [shown, doubtful, elsewhere], run)
    finish_run(con, run, status="completed")

    mentions = _dicts(con, "SELECT type, confidence, held_back, relevance FROM event_mentions "
                           "ORDER BY type")
    assert [(m["type"], m["held_back"]) for m in mentions] == [
        ("ban_introduced", True), ("control_introduced", True), ("permit_issued", False)
    ]
    assert [m["confidence"] for m in mentions] == [0.1, 0.9, 0.8]
    assert con.execute("SELECT list(type) FROM timeline").fetchone()[0] == ["permit_issued"]
    firms = [r[0] for r in con.execute("SELECT canonical FROM companies").fetchall()]
    assert firms == ["Nvidia Corp"]  # not "Lockdown Ltd": its only article is not relevant
    run_row = con.execute(
        "SELECT trained_hash, relevance_threshold, confidence_threshold, best_event_floor "
        "FROM extraction_runs"
    ).fetchone()
    assert run_row == ("t", 0.35, 0.3, 0.1)
