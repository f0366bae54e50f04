"""The timeline view and filters, the other views, and read-only run_sql."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from tests.builders import start_test_run
from tradeline.warehouse.db import WarehouseError, connect
from tradeline.warehouse.load import store_batch
from tradeline.warehouse.query import QueryError, run_sql, timeline, timeline_readonly
from tradeline.warehouse.runs import finish_run


def _run(con: duckdb.DuckDBPyConnection, kind: str = "ingest") -> str:
    return start_test_run(con, kind)


def _col(columns: list[str], rows: list[tuple], name: str) -> list:
    i = columns.index(name)
    return [r[i] for r in rows]


@pytest.fixture
def path(tmp_path: Path, make_item) -> Path:
    """Three articles from one completed ingest run."""
    db = tmp_path / "w.duckdb"
    con = connect(db)
    run = _run(con)
    store_batch(con, [
        make_item("https://example.com/nvidia"),
        make_item("https://example.com/huawei", type="control_tightened",
                  companies=("Huawei Technologies",), event_date="2023-11"),
        make_item("https://example.com/undated", type="ban_introduced", companies=(),
                  event_date=None),
    ], run)
    finish_run(con, run, status="completed")
    con.close()
    return db


def test_timeline_columns_order_and_joined_fields(path: Path) -> None:
    con = connect(path)
    columns, rows = timeline(con)
    for needed in ("event_date", "type", "authority", "authority_country", "companies",
                   "commodity", "date_text", "validity_duration", "valid_from", "valid_to",
                   "title", "outlet", "published", "url", "evidence", "article_ids", "entry_key",
                   "n_articles", "n_sources", "first_reported", "mentions"):
        assert needed in columns
    assert _col(columns, rows, "event_date") == ["2023-11", "2024-03-04", None]
    first = dict(zip(columns, rows[1], strict=True))
    assert first["companies"] == ["Nvidia Corp"] and first["validity_duration"] == "P1Y"
    assert first["valid_to"] == date(2025, 3, 4) and first["title"] == "Nvidia licence"
    assert (first["date_from"], first["date_to"]) == (date(2024, 3, 4), date(2024, 3, 4))
    huawei = dict(zip(columns, rows[0], strict=True))  # "2023-11": the month's days
    assert (huawei["date_from"], huawei["date_to"]) == (date(2023, 11, 1), date(2023, 11, 30))
    assert first["validity"] == "P1Y (2024-03-04 to 2025-03-04)"
    assert first["url"] == "https://example.com/nvidia" and first["outlet"] == "Example News"
    assert dict(zip(columns, rows[2], strict=True))["companies"] == []
    con.close()


def test_timeline_filters(path: Path) -> None:
    con = connect(path)

    def urls(**kw: str) -> list[str]:
        columns, rows = timeline(con, **kw)
        return _col(columns, rows, "url")

    assert urls(company="nvidia") == ["https://example.com/nvidia"]
    assert urls(company="NVIDIA CORP") == ["https://example.com/nvidia"]
    assert urls(company="huawei") == ["https://example.com/huawei"]
    assert urls(company="Samsung") == []
    assert urls(type="control_tightened") == ["https://example.com/huawei"]
    assert urls(type="permit_issued", company="huawei") == []
    # undated event falls back to its article's publication date (2024-03-04)
    assert urls(since="2024-01-01") == ["https://example.com/nvidia",
                                        "https://example.com/undated"]
    assert urls(since="2023-11-20") == [  # "2023-11" overlaps a since inside that month
        "https://example.com/huawei", "https://example.com/nvidia",
        "https://example.com/undated"]
    assert urls(since="2024-03-05") == []
    with pytest.raises(QueryError, match="YYYY"):
        timeline(con, since="yesterday")
    with pytest.raises(QueryError, match="not a real month"):
        timeline(con, since="2025-13")
    con.close()
    assert _col(*timeline_readonly(path, type="ban_introduced"), "url") == [
        "https://example.com/undated"
    ]


def test_timeline_shows_only_the_latest_completed_run(
    path: Path, make_article, make_extraction,
) -> None:
    con = connect(path)
    url = "https://example.com/nvidia"
    article_id, run1 = con.execute(
        "SELECT article_id, run_id FROM event_mentions WHERE url = ?", [url]
    ).fetchone()

    run2 = _run(con, "reextract")
    store_batch(con, [(None, make_article(url), make_extraction(type="permit_denied"))], run2)
    columns, rows = timeline(con, company="nvidia")
    assert _col(columns, rows, "type") == ["permit_issued"]  # run2 still running: not visible

    finish_run(con, run2, status="completed")
    columns, rows = timeline(con, company="nvidia")
    assert con.execute("SELECT run_id FROM event_mentions WHERE url = ?", [url]).fetchall() == [
        (run2,)
    ]
    assert _col(columns, rows, "type") == ["permit_denied"]
    assert _col(columns, rows, "validity_duration") == ["P1Y"]  # follows the run2 event key

    run3 = _run(con, "reextract")  # a failed run never hides the last good one
    store_batch(con, [(None, make_article(url), make_extraction(type="ban_lifted"))], run3)
    finish_run(con, run3, status="failed")
    assert _col(*timeline(con, company="nvidia"), "type") == ["permit_denied"]

    stored = con.execute(
        "SELECT run_id, type FROM events WHERE article_id = ? ORDER BY run_id", [article_id]
    ).fetchall()
    assert stored == [(run1, "permit_issued"), (run2, "permit_denied"), (run3, "ban_lifted")]
    assert con.execute("SELECT count(*) FROM timeline").fetchone() == (3,)
    con.close()


def test_other_views(path: Path) -> None:
    con = connect(path)
    latest = con.execute("SELECT count(*), count(DISTINCT run_id) FROM latest_runs").fetchone()
    assert latest == (3, 1)
    offsets = con.execute("SELECT offsets_match FROM event_mentions").fetchall()
    assert offsets == [(True,)] * 3
    row = con.execute(
        "SELECT canonical, aliases, tickers, n_articles, n_events, first_published "
        "FROM companies_seen WHERE canonical = 'Nvidia Corp'"
    ).fetchone()
    assert row == ("Nvidia Corp", ["NVIDIA", "Nvidia", "Nvidia Corp"], ["NVDA"], 3, 1,
                   date(2024, 3, 4))
    con.close()


def test_run_sql_reads_and_refuses_writes(path: Path) -> None:
    columns, rows = run_sql(path, "SELECT type, count(*) AS n FROM timeline GROUP BY type "
                                  "ORDER BY type")
    assert columns == ["type", "n"]
    assert rows == [("ban_introduced", 1), ("control_tightened", 1), ("permit_issued", 1)]
    assert run_sql(path, "SET threads = 1; SELECT 42 AS answer") == (["answer"], [(42,)])
    for sql in ("INSERT INTO ingest_errors VALUES ('x', NULL, now(), 's', NULL, NULL, 'r')",
                "DROP TABLE events",
                "SELECT 1; DELETE FROM articles",
                f"COPY articles TO '{path.parent / 'leak.csv'}'"):
        with pytest.raises(WarehouseError, match=r"read-only: .* statements are refused"):
            run_sql(path, sql)
    assert not (path.parent / "leak.csv").exists()
    con = connect(path, read_only=True)
    assert con.execute("SELECT count(*) FROM events").fetchone() == (3,)
    con.close()
    with pytest.raises(QueryError, match=r"SQL error: .*no_such_table"):
        run_sql(path, "SELECT * FROM no_such_table")
    with pytest.raises(QueryError, match="no SQL statement"):
        run_sql(path, "  ")
    with pytest.raises(WarehouseError, match="does not exist"):
        run_sql(path.parent / "missing.duckdb", "SELECT 1")
