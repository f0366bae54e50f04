"""The DuckDB memory settings of writable connections: capped for runs, raised for work over
the whole warehouse and put back afterwards (also after a failure, when DuckDB refuses every
statement until the ROLLBACK); the user's cap is never raised; read-only opens are not capped;
and a changed derived-table SQL refills a file whose articles made firm rows but no entry."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import duckdb
import pytest

from tests.builders import make_item, stored_run
from tradeline.warehouse import materialized
from tradeline.warehouse.db import WRITE_MEMORY_LIMIT, connect, transaction

SETTINGS = "SELECT current_setting('memory_limit'), current_setting('preserve_insertion_order')"


def _bytes(con: duckdb.DuckDBPyConnection) -> float:
    return materialized._bytes(con.execute(SETTINGS).fetchone()[0])


def test_a_failed_whole_warehouse_step_puts_the_settings_back(tmp_path: Path) -> None:
    con = connect(tmp_path / "w.duckdb")
    before = con.execute(SETTINGS).fetchone()
    assert materialized._bytes(before[0]) <= materialized._bytes(WRITE_MEMORY_LIMIT)
    with pytest.raises(duckdb.Error, match="boom"), transaction(con), materialized.roomy(con):
        assert _bytes(con) > materialized._bytes(WRITE_MEMORY_LIMIT)  # raised inside
        con.execute("SELECT error('boom')")
    assert con.execute(SETTINGS).fetchone() == before
    with transaction(con), materialized.roomy(con):  # and after a success
        assert str(con.execute(SETTINGS).fetchone()[1]).lower() == "false"
    assert con.execute(SETTINGS).fetchone() == before


def test_the_users_cap_is_kept_and_read_only_opens_are_not_capped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "w.duckdb"
    connect(path).close()
    monkeypatch.setenv("TRADELINE_WRITE_MEMORY_LIMIT", "300MB")
    con = connect(path)
    capped = _bytes(con)
    assert 250 * 2**20 < capped < 300 * 2**20 + 1
    with transaction(con), materialized.roomy(con):
        assert _bytes(con) == capped  # whole-warehouse work does not raise the user's cap
    con.close()
    reader = connect(path, read_only=True)
    assert _bytes(reader) > capped  # DuckDB's default (80% of memory) for queries
    reader.close()


def test_changed_derived_sql_refills_firm_rows_of_a_file_without_entries(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    con = connect(path)
    doc, article, extraction = make_item("https://news.example/firm-only")
    extraction = dataclasses.replace(extraction, events=[], validity_periods=[])
    stored_run(con, [(doc, article, extraction)])
    assert con.execute("SELECT count(*) FROM timeline_entries").fetchone() == (0,)
    assert con.execute("SELECT canonical, n_articles FROM companies").fetchall() == [
        ("Nvidia Corp", 1)
    ]
    # a release whose derived/firm_stats.sql differs from the one that filled the table
    con.execute("UPDATE schema_views SET sql_hash = 'old' WHERE file = 'derived/firm_stats.sql'")
    con.execute("UPDATE firm_stats SET n_articles = 99")
    con.close()
    con = connect(path)
    assert con.execute("SELECT canonical, n_articles FROM companies").fetchall() == [
        ("Nvidia Corp", 1)
    ]
    con.close()
