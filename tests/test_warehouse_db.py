"""Opening the warehouse: migrations, views, and the one-line errors for unusable files."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tradeline.warehouse.db import WarehouseError, connect, transaction
from tradeline.warehouse.migrations import (
    DERIVED_TIMELINE_KEY,
    arrow_schema,
    available,
    latest_version,
    sync_views,
    view_files,
)

TABLES = {
    "sources", "documents", "articles", "extraction_runs", "article_extractions",
    "company_registry", "company_aliases", "company_mentions", "events", "event_companies",
    "validity_periods", "policy_dates", "ingest_errors", "schema_migrations", "schema_views",
    "article_signatures", "timeline_entries", "timeline_entry_mentions", "company_firms",
    "feed_entries", "alerts_sent", "alert_watches", "merge_runs", "merge_pending_articles",
    "merge_state", "latest_article_runs", "timeline_rows", "event_mention_rows", "company_links",
    "firm_stats", "firm_entries", "firm_members",
}
VIEWS = {"latest_runs", "timeline", "event_mentions", "firm_keys", "companies_seen", "companies",
         "unmerged_articles",
         "company_timeline"}


def _objects(con: duckdb.DuckDBPyConnection, kind: str) -> set[str]:
    rows = con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_type = ?", [kind]
    ).fetchall()
    return {r[0] for r in rows}


def test_new_file_gets_all_migrations_recorded_once(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "dir" / "w.duckdb"
    con = connect(path)
    assert path.is_file()
    assert _objects(con, "BASE TABLE") == TABLES
    assert _objects(con, "VIEW") == VIEWS
    recorded = con.execute("SELECT version, name, applied_at FROM schema_migrations").fetchall()
    assert [(v, n) for v, n, _ in recorded] == [(m.version, m.name) for m in available()]
    assert recorded[0][0] == 1 and recorded[0][1] == "initial" and recorded[0][2] is not None
    con.close()


def test_reopening_is_a_no_op_and_keeps_data(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    con = connect(path)
    con.execute("INSERT INTO ingest_errors VALUES ('e1', NULL, now(), 'fetch', 'u', NULL, 'x')")
    applied_at = con.execute("SELECT applied_at FROM schema_migrations").fetchall()
    con.close()
    con = connect(path)
    assert con.execute("SELECT applied_at FROM schema_migrations").fetchall() == applied_at
    assert con.execute("SELECT count(*) FROM ingest_errors").fetchone() == (1,)
    assert _objects(con, "VIEW") == VIEWS
    con.close()


def test_read_only_open_does_not_migrate_and_refuses_missing_file(tmp_path: Path) -> None:
    with pytest.raises(WarehouseError, match="does not exist"):
        connect(tmp_path / "missing.duckdb", read_only=True)
    assert not (tmp_path / "missing.duckdb").exists()
    connect(tmp_path / "w.duckdb").close()
    con = connect(tmp_path / "w.duckdb", read_only=True)
    assert con.execute("SELECT count(*) FROM timeline").fetchone() == (0,)
    con.close()


def test_unwritable_path_raises_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    with pytest.raises(WarehouseError, match=r"not writable: cannot create .*a-file"):
        connect(blocker / "w.duckdb")
    with pytest.raises(WarehouseError, match="is a directory"):
        connect(tmp_path)


def test_not_a_duckdb_file_raises_clear_error(tmp_path: Path) -> None:
    junk = tmp_path / "junk.duckdb"
    junk.write_bytes(b"this is not a database " * 200)
    for read_only in (False, True):
        with pytest.raises(WarehouseError, match="is not a DuckDB database file") as info:
            connect(junk, read_only=read_only)
        assert "\n" not in str(info.value)


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    con = connect(path)
    con.execute("INSERT INTO schema_migrations VALUES (?, 'from_the_future', now())",
                [latest_version() + 1])
    con.close()
    for read_only in (False, True):
        with pytest.raises(WarehouseError, match=r"schema version \d+, newer than this"):
            connect(path, read_only=read_only)


def test_file_locked_by_another_process_names_it(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    connect(path).close()
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import duckdb, sys; c = duckdb.connect(sys.argv[1]); print('held', flush=True); "
         "sys.stdin.read()", str(path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(WarehouseError, match=rf"locked by another process: .*PID {holder.pid}"):
            connect(path, lock_wait_s=0)
    finally:
        holder.communicate("")
    connect(path).close()  # usable again once the other process is gone


def test_transaction_commits_or_rolls_back(tmp_path: Path) -> None:
    con = connect(tmp_path / "w.duckdb")
    insert = "INSERT INTO ingest_errors VALUES (?, NULL, now(), 'fetch', NULL, NULL, 'r')"
    with transaction(con):
        con.execute(insert, ["kept"])
    with pytest.raises(RuntimeError), transaction(con):
        con.execute(insert, ["dropped"])
        raise RuntimeError("boom")
    with pytest.raises(duckdb.ConstraintException), transaction(con):
        con.execute(insert, ["dropped-too"])
        con.execute(insert, ["kept"])  # duplicate primary key
    assert con.execute("SELECT error_id FROM ingest_errors").fetchall() == [("kept",)]
    con.close()


def test_mixing_modes_in_one_process_is_explained(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    con = connect(path)
    try:
        with pytest.raises(WarehouseError, match="already open in this process"):
            connect(path, read_only=True)
    finally:
        con.close()
    connect(path, read_only=True).close()


def test_nested_transaction_joins_the_outer_one(tmp_path: Path) -> None:
    con = connect(tmp_path / "w.duckdb")
    insert = "INSERT INTO ingest_errors VALUES (?, NULL, now(), 'fetch', NULL, NULL, 'r')"
    with pytest.raises(RuntimeError), transaction(con):
        with transaction(con):  # joins: its rows go with the outer rollback
            con.execute(insert, ["inner"])
        con.execute(insert, ["outer"])
        raise RuntimeError("boom")
    with transaction(con), transaction(con):
        con.execute(insert, ["inner"])
    assert con.execute("SELECT error_id FROM ingest_errors").fetchall() == [("inner",)]
    con.close()


def _view_hashes(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return dict(con.execute("SELECT file, sql_hash FROM schema_views").fetchall())


def test_views_are_recreated_only_when_a_migration_ran_or_their_sql_changed(
    tmp_path: Path,
) -> None:
    path = tmp_path / "w.duckdb"
    con = connect(path)
    derived = {f"derived/{n}.sql" for n in ("company_links", "firm_entries", "firm_stats")}
    assert set(_view_hashes(con)) == (
        {name for name, _ in view_files()} | {DERIVED_TIMELINE_KEY} | derived
    )
    # A writable open that has nothing to migrate and no changed view SQL leaves them alone:
    con.execute("DROP VIEW company_timeline")
    con.close()
    con = connect(path)
    assert "company_timeline" not in _objects(con, "VIEW")
    # ... and one whose recorded hash no longer matches the file re-creates them all.
    con.execute("UPDATE schema_views SET sql_hash = 'older sql' WHERE file = '20_timeline.sql'")
    con.close()
    con = connect(path)
    assert _objects(con, "VIEW") == VIEWS
    recorded = _view_hashes(con)
    assert recorded.pop(DERIVED_TIMELINE_KEY)  # the SQL that fills timeline_rows, too
    for key in derived:  # and the other tables the views read
        assert recorded.pop(key)
    assert recorded == {
        name: hashlib.sha256(sql.encode()).hexdigest() for name, sql in view_files()
    }
    # a change of that SQL alone also re-creates them (and refills timeline_rows)
    con.execute("DROP VIEW company_timeline")
    con.execute(
        "UPDATE schema_views SET sql_hash = 'older sql' WHERE file = ?", [DERIVED_TIMELINE_KEY]
    )
    con.close()
    con = connect(path)
    assert _objects(con, "VIEW") == VIEWS
    assert sync_views(con) is False
    assert sync_views(con, force=True) is True
    con.close()


def test_view_ddl_runs_once_per_change_of_the_view_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every writable open (each ingest batch makes several) checks the stored hashes only;
    the DDL runs again after the package's view files change, and then once."""
    from tradeline.warehouse import migrations

    path = tmp_path / "w.duckdb"
    connect(path).close()
    con = connect(path)
    con.execute("DROP VIEW company_timeline")  # would come back if the DDL ran again
    con.close()
    for _ in range(3):
        connect(path).close()
    con = connect(path)
    assert "company_timeline" not in _objects(con, "VIEW")
    con.close()

    probe = ("99_probe.sql", "CREATE OR REPLACE VIEW probe AS SELECT 1 AS x;")
    changed = (*view_files(), probe)  # a newer tradeline ships one more view file
    monkeypatch.setattr(migrations, "view_files", lambda: changed)
    migrations._view_hashes.cache_clear()
    try:
        con = connect(path)
        assert _objects(con, "VIEW") == {*VIEWS, "probe"}  # all re-created, the new one too
        assert "99_probe.sql" in _view_hashes(con)
        con.execute("DROP VIEW probe")
        con.close()
        con = connect(path)
        assert "probe" not in _objects(con, "VIEW")  # and not again
        con.close()
    finally:
        monkeypatch.undo()
        migrations._view_hashes.cache_clear()


def test_arrow_schemas_are_read_back_from_the_migrations(tmp_path: Path) -> None:
    con = connect(tmp_path / "w.duckdb")
    for table in TABLES:
        described = [r[0] for r in con.execute(f'DESCRIBE "{table}"').fetchall()]
        assert arrow_schema(table).names == described, table
    assert str(arrow_schema("company_mentions").field("mentions").type) == (
        "list<l: struct<start_char: int32, end_char: int32>>"
    )
    with pytest.raises(KeyError, match="no table 'companies'"):
        arrow_schema("companies")  # a view, not a table
    con.close()


def test_migration_3_records_imports_as_their_own_run_kind(tmp_path: Path) -> None:
    """A file migrated to version 2 by an older tradeline, holding an import and an ingest that
    were both recorded as 'ingest': after the upgrade the import is kind 'import'."""
    path = tmp_path / "w.duckdb"
    with duckdb.connect(str(path)) as con:
        for migration in available()[:2]:
            con.execute(migration.sql)
        con.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, "
                    "name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)")
        con.execute("INSERT INTO schema_migrations VALUES (1, 'initial', now()), "
                    "(2, 'timeline_entries', now())")
        for run_id in ("r-import", "r-ingest", "r-import-failed-records"):
            con.execute("INSERT INTO extraction_runs VALUES (?, 'ingest', now(), now(), "
                        "'completed', '1', 'm', '1', 'a', 0, 0, NULL)", [run_id])
        for run_id, origin in (("r-import", "warc"), ("r-ingest", "fetch")):
            url = f"https://example.com/{run_id}"
            con.execute("INSERT INTO documents (document_id, url, canonical_url, content_hash, "
                        "body_zlib, raw_size, origin, stored_at) VALUES (?, ?, ?, ?, ''::BLOB, "
                        "0, ?, now())", [run_id, url, url, "0" * 64, origin])
            con.execute("INSERT INTO articles (article_id, canonical_url, url, document_id, "
                        "text, text_chars, stored_at) VALUES (?, ?, ?, ?, 't', 1, now())",
                        [run_id, url, url, run_id])
            con.execute("INSERT INTO article_extractions VALUES (?, ?, 'done', NULL, 0, now())",
                        [run_id, run_id])
        con.execute("INSERT INTO ingest_errors VALUES ('e', 'r-import-failed-records', now(), "
                    "'import', 'u', 'crawl.warc', 'broken')")
    con = connect(path)
    kinds = dict(con.execute("SELECT run_id, kind FROM extraction_runs").fetchall())
    assert kinds == {"r-import": "import", "r-ingest": "ingest",
                     "r-import-failed-records": "import"}
    assert con.execute("SELECT max(version) FROM schema_migrations").fetchone() == (
        latest_version(),
    )
    con.close()
