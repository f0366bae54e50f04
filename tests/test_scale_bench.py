"""The scale benchmark's synthetic warehouse (bench/scale_warehouse.py) at a tiny size: the
counts it was asked for, views and recipes that answer, the skew it promises, timeline entries
equal to what the real merge makes of its facts, and the bench's 100-article run through the
real store path. Counts only: the timings live in bench/scale.py."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest

from bench import scale, scale_warehouse
from tradeline.warehouse import recipes
from tradeline.warehouse.db import connect, transaction
from tradeline.warehouse.load import load_document_body
from tradeline.warehouse.runs import rebuild_derived

N = 300
VIEWS = ("latest_runs", "event_mentions", "timeline", "firm_keys", "companies_seen",
         "companies", "company_timeline")
ENTRIES = ("SELECT entry_key, type, authority_country, commodity, event_date, date_granularity, "
           "date_disputed, dates_reported, companies, n_articles, n_sources, key_carried "
           "FROM timeline_entries ORDER BY entry_key")
MENTIONS = ("SELECT fact_key, entry_key, article_id, run_id, source_key "
            "FROM timeline_entry_mentions ORDER BY fact_key")


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return scale_warehouse.build(tmp_path_factory.mktemp("scale") / "w.duckdb", N)


def _one(con: duckdb.DuckDBPyConnection, sql: str) -> Any:
    return con.execute(sql).fetchone()[0]


def test_counts_are_as_generated(warehouse: Path) -> None:
    with connect(warehouse, read_only=True) as con:
        for table in ("articles", "documents", "article_extractions", "events", "feed_entries",
                      "article_signatures"):
            assert _one(con, f"SELECT count(*) FROM {table}") == N, table
        runs = -(-N // scale_warehouse.RUN_SIZE)
        assert _one(con, "SELECT count(*) FROM extraction_runs") == runs
        assert _one(con, "SELECT count(*) FROM sources") == scale_warehouse.N_OUTLETS
        assert _one(con, "SELECT count(*) FROM articles JOIN documents USING (document_id)") == N
        for (document_id,) in con.execute("SELECT document_id FROM documents LIMIT 5").fetchall():
            assert b"<article>" in load_document_body(con, document_id)  # its hash checked
        shown = _one(con, "SELECT count(*) FROM events WHERE NOT held_back")
        assert _one(con, "SELECT count(*) FROM timeline_entry_mentions") == shown
        assert 0 < shown < N  # some articles are not relevant: their one event is held back
        assert _one(con, "SELECT count(*) FROM events WHERE held_back AND article_id IN "
                         "(SELECT article_id FROM article_extractions WHERE relevant)") == 0


def test_views_and_recipes_answer(warehouse: Path) -> None:
    with connect(warehouse, read_only=True) as con:
        counts = {v: _one(con, f"SELECT count(*) FROM {v}") for v in VIEWS}
        assert counts["latest_runs"] == N
        assert counts["event_mentions"] == N
        assert counts["timeline"] == _one(con, "SELECT count(*) FROM timeline_entries") > 0
        assert counts["companies"] == counts["companies_seen"] > 0
        assert counts["company_timeline"] > 0
        assert _one(con, "SELECT count(*) FROM event_mentions WHERE NOT offsets_match") == 0
        assert _one(con, "SELECT count(*) FROM permits_active(DATE '2026-03-01')") > 0
        for name in recipes.names():
            sql = scale._queries(con)[f"recipe {name}"]
            con.execute(sql).fetchall()  # a wrong parameter would raise
        assert len(scale._queries(con)) == 17 + len(recipes.names())


def test_skew_is_present(warehouse: Path) -> None:
    with connect(warehouse, read_only=True) as con:
        shown = _one(con, "SELECT count(*) FROM events WHERE NOT held_back")
        top_commodity = _one(con, "SELECT max(n) FROM (SELECT count(*) AS n FROM events "
                                  "WHERE NOT held_back AND commodity IS NOT NULL "
                                  "GROUP BY commodity)")
        assert top_commodity > 4 * shown / len(scale_warehouse.COMMODITIES)
        firms = con.execute("SELECT count(*) AS n FROM event_companies GROUP BY company "
                            "ORDER BY n DESC").fetchall()
        assert firms[0][0] >= 5 * firms[len(firms) // 2][0]
        grains = dict(con.execute("SELECT date_granularity, count(*) FROM events "
                                  "WHERE NOT held_back GROUP BY ALL").fetchall())
        assert set(grains) == {"day", "month", "year"}
        # syndicated copies: entries reported by more articles than independent sources
        assert _one(con, "SELECT count(*) FROM timeline_entries WHERE n_articles > n_sources") > 0
        assert _one(con, "SELECT count(*) FROM timeline_entries WHERE date_disputed") > 0
        assert _one(con, "SELECT max(n_articles) FROM timeline_entries") >= 10


def test_entries_equal_a_full_rebuild(warehouse: Path, tmp_path: Path) -> None:
    copy = tmp_path / "rebuilt.duckdb"
    shutil.copyfile(warehouse, copy)
    with connect(copy) as con:
        entries, mentions = con.execute(ENTRIES).fetchall(), con.execute(MENTIONS).fetchall()
        con.execute("DELETE FROM timeline_entry_mentions")
        con.execute("DELETE FROM timeline_entries")
        with transaction(con):
            rebuild_derived(con)
        assert con.execute(ENTRIES).fetchall() == entries
        assert con.execute(MENTIONS).fetchall() == mentions


def test_bench_run_goes_through_the_store_path(warehouse: Path, tmp_path: Path) -> None:
    copy = tmp_path / "run.duckdb"
    shutil.copyfile(warehouse, copy)
    with connect(copy, read_only=True) as con:
        before = _one(con, "SELECT count(*) FROM timeline_entries")
    result = scale._child_store(copy)
    with connect(copy, read_only=True) as con:
        assert _one(con, "SELECT count(*) FROM articles") == N + scale.RUN_ARTICLES
        assert _one(con, "SELECT count(*) FROM extraction_runs WHERE status = 'completed'") == (
            -(-N // scale_warehouse.RUN_SIZE) + 1)
        joined = _one(con, "SELECT count(*) FROM timeline_entry_mentions AS tm "
                           "JOIN articles AS a USING (article_id) "
                           "WHERE a.url LIKE 'https://newrun.example/%'")
    assert joined == scale.RUN_ARTICLES  # every new event is in the merged timeline
    assert before < result["entries_after"] < before + scale.RUN_ARTICLES
