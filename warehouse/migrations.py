"""Schema versioning: numbered SQL files applied once, in order, recorded in the file itself.

Views are not migrations: they are re-created from `views/*.sql` on every writable open, so a
view can change without a schema version and always matches the code that reads it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import duckdb

_MIGRATION_NAME = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")

_BOOTSTRAP = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       VARCHAR NOT NULL,
    applied_at TIMESTAMP NOT NULL
)
"""


class SchemaTooNew(Exception):
    """The file was migrated by a newer tradeline than this one."""


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str


def available() -> list[Migration]:
    """Migrations shipped with this package, in version order."""
    found = []
    for entry in resources.files("tradeline.warehouse").joinpath("migrations").iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), match.group(2), entry.read_text("utf-8")))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise RuntimeError(f"duplicate migration versions in warehouse/migrations: {versions}")
    return found


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


def apply_pending(con: duckdb.DuckDBPyConnection, path: Path) -> list[int]:
    """Apply migrations not yet recorded; the caller holds the transaction. Returns versions."""
    con.execute(_BOOTSTRAP)
    check_version(con, path)
    applied = applied_versions(con)
    done = []
    for migration in available():
        if migration.version in applied:
            continue
        con.execute(migration.sql)
        con.execute(
            "INSERT INTO schema_migrations VALUES (?, ?, ?)",
            [migration.version, migration.name, datetime.now(UTC).replace(tzinfo=None)],
        )
        done.append(migration.version)
    return done


def view_files() -> list[tuple[str, str]]:
    """(file name, SQL) of every view definition, in file-name order (prefixes set dependencies)."""
    folder = resources.files("tradeline.warehouse").joinpath("views")
    files = [e for e in folder.iterdir() if e.name.endswith(".sql")]
    return [(e.name, e.read_text("utf-8")) for e in sorted(files, key=lambda e: e.name)]


def recreate_views(con: duckdb.DuckDBPyConnection) -> None:
    """CREATE OR REPLACE every view; the caller holds the transaction."""
    for name, sql in view_files():
        try:
            con.execute(sql)
        except duckdb.Error as exc:
            raise RuntimeError(f"view file warehouse/views/{name} failed: {exc}") from exc
