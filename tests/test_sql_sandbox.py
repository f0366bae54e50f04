"""`tradeline sql` can only read the warehouse: the hostile statements of issue 17 against a real
warehouse file, which must come out byte for byte the same; files that are not warehouses are
refused before DuckDB guesses their format; a statement timeout and a row limit hold."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tradeline.flows.cli import app
from tradeline.warehouse.db import WarehouseError, connect
from tradeline.warehouse.query import QueryError, run_sql

runner = CliRunner()


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "wh.duckdb"
    with connect(path) as con:
        con.execute(
            "INSERT INTO sources (source_id, url, kind) VALUES ('s', 'https://e.org/f', 'feed')"
        )
    return path


def _hostile(warehouse: Path, script: Path) -> list[str]:
    return [
        f"SET log_query_path='{warehouse}'; SELECT 1",
        f"SET log_query_path='{script}'; SELECT 1",
        "SET GLOBAL log_query_path='/tmp/tradeline-log'; SELECT 1",
        f"SET profiling_output='{script}'; PRAGMA enable_profiling; SELECT 1",
        "PRAGMA enable_profiling",
        "SET enable_external_access = true",
        "SET lock_configuration = false",
        "RESET threads",
        "SELECT * FROM read_text('/etc/shadow')",
        "SELECT * FROM read_text('/etc/passwd')",
        f"SELECT * FROM read_csv('{script}')",
        "SELECT * FROM read_blob('/etc/hostname')",
        "SELECT * FROM glob('/root/*')",
        f"SELECT * FROM glob('{warehouse.parent}/*')",
        f"SELECT * FROM '{script}'",
        f"ATTACH '{warehouse.parent / 'other.duckdb'}' AS other",
        f"COPY sources TO '{warehouse.parent / 'leak.csv'}'",
        f"EXPLAIN COPY sources TO '{warehouse.parent / 'leak.csv'}'",
        f"EXPORT DATABASE '{warehouse.parent / 'dump'}'",
        "INSTALL sqlite",
        "LOAD sqlite",
        "SELECT 1; DROP TABLE sources",
        "SELECT 1; DELETE FROM sources",
        "CHECKPOINT",
        "CREATE SECRET (TYPE s3, KEY_ID 'x', SECRET 'y')",
        "USE memory",
    ]


def test_hostile_sql_is_refused_and_the_warehouse_is_unchanged(
    warehouse: Path, tmp_path: Path
) -> None:
    script = tmp_path / "job.sh"
    script.write_text("#!/bin/sh\necho fine\n")
    before = {p.name: _sha(p) for p in (warehouse, script)}
    for sql in _hostile(warehouse, script):
        result = runner.invoke(app, ["sql", sql, "--warehouse", str(warehouse)])
        assert result.exit_code == 2, (sql, result.output)
        assert result.output.startswith("error: ") and "Traceback" not in result.output, sql
        assert "root:" not in result.output  # nothing of a file's content leaks
    after = {p.name: _sha(p) for p in (warehouse, script)}
    assert after == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["job.sh", "wh.duckdb"]
    assert not Path("/tmp/tradeline-log").exists()
    assert run_sql(warehouse, "SELECT count(*) FROM sources")[1] == [(1,)]


def test_reads_and_harmless_settings_still_work(warehouse: Path) -> None:
    assert run_sql(warehouse, "SET threads TO 2; SELECT current_setting('threads') AS t") == (
        ["t"],
        [(2,)],
    )
    assert run_sql(warehouse, "SET memory_limit = '1GB'; SELECT 1 AS one")[1] == [(1,)]
    assert run_sql(warehouse, "SET VARIABLE v = 'a;b'; SELECT getvariable('v')")[1] == [("a;b",)]
    for sql in (
        "DESCRIBE sources",
        "SHOW TABLES",
        "SUMMARIZE sources",
        "FROM sources",
        "PRAGMA table_info('sources')",
        "PRAGMA database_size",
        "EXPLAIN SELECT * FROM timeline",
        "EXPLAIN ANALYZE SELECT count(*) FROM sources",
        "WITH s AS (SELECT * FROM sources) SELECT count(*) FROM s",
    ):
        columns, _ = run_sql(warehouse, sql)
        assert columns, sql
    # the configuration is locked once the allowed settings are applied
    assert run_sql(warehouse, "SELECT current_setting('lock_configuration')")[1] == [(True,)]
    assert run_sql(warehouse, "SELECT current_setting('enable_external_access')")[1] == [(False,)]


def test_refusals_say_what_and_why(warehouse: Path) -> None:
    with pytest.raises(QueryError, match=r"SET log_query_path is refused \(allowed: SET"):
        run_sql(warehouse, "SET log_query_path = 'x'")
    with pytest.raises(QueryError, match="INSTALL statements are refused"):
        run_sql(warehouse, "INSTALL httpfs")
    with pytest.raises(QueryError, match="PRAGMA enable_profiling is refused"):
        run_sql(warehouse, "PRAGMA enable_profiling")
    with pytest.raises(QueryError, match="may not read or write other files"):
        run_sql(warehouse, "SELECT * FROM read_text('/etc/shadow')")


def test_a_sqlite_file_is_refused_before_duckdb_opens_it(tmp_path: Path) -> None:
    lite = tmp_path / "lite.duckdb"
    lite.write_bytes(b"SQLite format 3\x00" + bytes(4080))
    before = _sha(lite)
    result = runner.invoke(app, ["sql", "SELECT 1", "--warehouse", str(lite)])
    assert result.exit_code == 2
    assert "not a DuckDB database file: it is a SQLite database" in " ".join(result.output.split())
    for read_only in (True, False):
        with pytest.raises(WarehouseError, match="it is a SQLite database"):
            connect(lite, read_only=read_only)
    assert _sha(lite) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lite.duckdb"]  # no .wal either


def test_a_duckdb_file_that_is_not_a_warehouse_is_refused(tmp_path: Path) -> None:
    import duckdb

    other = tmp_path / "other.duckdb"
    with duckdb.connect(str(other)) as con:
        con.execute("CREATE TABLE mine AS SELECT 42 AS x")
    before = _sha(other)
    for read_only in (True, False):
        with pytest.raises(WarehouseError, match="not a tradeline warehouse"):
            connect(other, read_only=read_only)
    assert _sha(other) == before  # the writable open added no tables to someone else's file


def test_statement_timeout_stops_a_long_query(warehouse: Path) -> None:
    started = time.monotonic()
    result = runner.invoke(
        app,
        [
            "sql",
            "SELECT count(*) FROM range(1000000000000) a",
            "--warehouse",
            str(warehouse),
            "--timeout",
            "1",
        ],
    )
    took = time.monotonic() - started
    print(f"stopped after {took:.2f} s")
    assert result.exit_code == 2, result.output
    assert "query stopped after 1 s" in " ".join(result.output.split())
    assert took < 60  # bounded (the query alone would run for hours)
    with pytest.raises(QueryError, match=r"query stopped after 0\.5 s"):
        run_sql(warehouse, "SELECT 1; SELECT count(*) FROM range(1000000000000) a", timeout_s=0.5)
    assert run_sql(warehouse, "SELECT 1", timeout_s=0) == (["1"], [(1,)])  # 0: no limit


def test_table_output_has_a_row_limit(warehouse: Path) -> None:
    args = ["sql", "SELECT * FROM range(2500) t(n)", "--warehouse", str(warehouse)]
    table = runner.invoke(app, args)
    assert table.exit_code == 0, table.output
    assert "showing the first 1000 rows" in table.output
    assert "│ 999 " in table.stdout and "│ 1000 " not in table.stdout
    assert "showing the first 10 rows" in runner.invoke(app, [*args, "--max-rows", "10"]).output
    every = runner.invoke(app, [*args, "--max-rows", "0"])
    assert "showing" not in every.output and "│ 2499 " in every.stdout
    csv = runner.invoke(app, [*args, "--format", "csv"])
    assert csv.stdout.splitlines()[-1] == "2499" and "showing" not in csv.output
