"""The one schema: numbered SQL files applied once, in order, recorded in the file itself.

The DDL in `migrations/*.sql` is the only definition of the tables: the Arrow schemas the
loaders build batches with are read back from an in-memory database the migrations built
(`arrow_schema`), so a column is declared once.

Views are not migrations: they are created from `views/*.sql` and the hash of each file's SQL
is recorded in `schema_views`, so a writable open re-creates them only when a migration ran or
a view's SQL changed (a view changes without a schema version and still matches the code).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from pathlib import Path

import duckdb
import pyarrow as pa

_MIGRATION_NAME = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")

_BOOTSTRAP = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       VARCHAR NOT NULL,
    applied_at TIMESTAMP NOT NULL
);
CREATE TABLE IF NOT EXISTS schema_views (
    file       VARCHAR PRIMARY KEY,      -- views/NN_name.sql
    sql_hash   VARCHAR NOT NULL,         -- sha256 of the file's SQL when it was created
    created_at TIMESTAMP NOT NULL
);
"""


class SchemaTooNew(Exception):
    """The file was migrated by a newer tradeline than this one."""


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str


@cache
def available() -> tuple[Migration, ...]:
    """Migrations shipped with this package, in version order (read once: every open of a
    warehouse checks them)."""
    found = []
    for entry in resources.files("tradeline.warehouse").joinpath("migrations").iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), match.group(2), entry.read_text("utf-8")))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise RuntimeError(f"duplicate migration versions in warehouse/migrations: {versions}")
    return tuple(found)


def latest_version() -> int:
    return max((m.version for m in available()), default=0)


def applied_versions(con: duckdb.DuckDBPyConnection) -> set[int]:
    """Versions recorded in the file; empty for a new file."""
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migrations'"
    ).fetchone()
    if not exists or not exists[0]:
        return set()
    return {row[0] for row in con.execute("SELECT version FROM schema_migrations").fetchall()}


def check_version(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Refuse a file whose schema is newer than this code knows."""
    applied = applied_versions(con)
    newest = max(applied, default=0)
    if newest > latest_version():
        raise SchemaTooNew(
            f"warehouse {path} has schema version {newest}, newer than this tradeline "
            f"understands ({latest_version()}); upgrade tradeline"
        )


def apply_pending(
    con: duckdb.DuckDBPyConnection, path: Path, *, upto: int | None = None
) -> list[int]:
    """Apply migrations not yet recorded; the caller holds the transaction. Returns versions.

    upto: stop after this version (a test builds the file an older tradeline made)."""
    con.execute(_BOOTSTRAP)
    check_version(con, path)
    applied = applied_versions(con)
    done = []
    for migration in available():
        if migration.version in applied or (upto is not None and migration.version > upto):
            continue
        con.execute(migration.sql)
        con.execute(
            "INSERT INTO schema_migrations VALUES (?, ?, ?)",
            [migration.version, migration.name, datetime.now(UTC).replace(tzinfo=None)],
        )
        done.append(migration.version)
    return done


DERIVED_TIMELINE_KEY = "derived/timeline_rows.sql"


@cache
def view_files() -> tuple[tuple[str, str], ...]:
    """(file name, SQL) of every view definition, in file-name order (prefixes set dependencies);
    read once, as every read-only open compares their hashes."""
    folder = resources.files("tradeline.warehouse").joinpath("views")
    files = [e for e in folder.iterdir() if e.name.endswith(".sql")]
    return tuple((e.name, e.read_text("utf-8")) for e in sorted(files, key=lambda e: e.name))


def _sql_hash(sql: str) -> str:
    return hashlib.sha256(sql.encode("utf-8")).hexdigest()


def sync_views(con: duckdb.DuckDBPyConnection, *, force: bool = False) -> bool:
    """CREATE OR REPLACE every view when `force` (a migration ran) or when any view file's SQL
    differs from the hash recorded at its creation; the caller holds the transaction.
    Returns whether the views were re-created."""
    if not force and views_current(con):
        return False
    wanted = _view_hashes()
    for name, sql in view_files():
        try:
            con.execute(sql)
        except duckdb.Error as exc:
            raise RuntimeError(f"view file warehouse/views/{name} failed: {exc}") from exc
    now = datetime.now(UTC).replace(tzinfo=None)
    con.execute("DELETE FROM schema_views")
    con.executemany(
        "INSERT INTO schema_views VALUES (?, ?, ?)", [[n, h, now] for n, h in wanted.items()]
    )
    return True


def views_current(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the stored views were made from this code's view files (by recorded hash)."""
    return dict(con.execute("SELECT file, sql_hash FROM schema_views").fetchall()) == _view_hashes()


@cache
def _view_hashes() -> dict[str, str]:
    """The view files' hashes, and those of the SQL in derived/ that fills the tables the views
    read (a change to any makes the next writable open re-create the views and refill those
    tables: `materialized.refresh_view_rows`)."""
    folder = resources.files("tradeline.warehouse").joinpath("derived")
    hashes = {name: _sql_hash(sql) for name, sql in view_files()}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".sql"):
            hashes[f"derived/{entry.name}"] = _sql_hash(entry.read_text("utf-8"))
    return hashes


def shadow_stale_views(con: duckdb.DuckDBPyConnection) -> bool:
    """On a read-only connection to a file whose views an older tradeline made, create this
    code's views and macros as TEMP objects, which DuckDB resolves before the stored ones: a
    query sees the views this code documents (typed dates, new columns) without writing the
    file, until a writable open replaces them for good. Returns whether it shadowed them. A
    file with a migration pending keeps its own views: its tables may lack what the new ones
    read."""
    if applied_versions(con) != {m.version for m in available()}:
        return False
    try:
        if views_current(con):
            return False
    except duckdb.CatalogException:  # a file from before schema_views: nothing recorded
        pass
    temp = re.compile(r"\bCREATE\s+OR\s+REPLACE\s+(VIEW|MACRO)\b", re.IGNORECASE)
    for name, sql in view_files():
        try:
            con.execute(temp.sub(r"CREATE OR REPLACE TEMP \1", sql))
        except duckdb.Error as exc:
            raise RuntimeError(f"view file warehouse/views/{name} failed: {exc}") from exc
    return True


@cache
def _arrow_schemas() -> dict[str, pa.Schema]:
    """Every table's Arrow schema, read back from an in-memory database the migrations built."""
    with duckdb.connect(":memory:") as con:
        con.execute(_BOOTSTRAP)
        for migration in available():
            con.execute(migration.sql)
        tables = [r[0] for r in con.execute("SHOW TABLES").fetchall()]
        return {t: con.sql(f'SELECT * FROM "{t}" LIMIT 0').to_arrow_table().schema for t in tables}


def arrow_schema(table: str) -> pa.Schema:
    """The Arrow schema of a warehouse table as DuckDB maps its migrated DDL (column order and
    types), for building a batch to insert into it."""
    try:
        return _arrow_schemas()[table]
    except KeyError:
        raise KeyError(f"no table {table!r} in warehouse/migrations") from None
