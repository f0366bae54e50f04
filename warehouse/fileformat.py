"""Is this file a tradeline warehouse? Asked before DuckDB opens it, and again after.

DuckDB guesses the format of a file it is given: one that starts like a SQLite database makes it
load (or try to download) the sqlite extension. So the header is read here first: a DuckDB
database file has the magic bytes `DUCK` at offset 8 (after the header checksum). Once open, a
warehouse is a DuckDB file with tradeline's `schema_migrations` table (or, for a writable open,
a new file with no tables yet).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

DUCKDB_MAGIC = b"DUCK"
MAGIC_OFFSET = 8
_KNOWN_HEADERS = (
    (b"SQLite format 3\x00", "a SQLite database"),
    (b"PAR1", "a Parquet file"),
    (b"\x1f\x8b", "a gzip file"),
    (b"PK\x03\x04", "a zip file"),
)
_HEAD_BYTES = max(MAGIC_OFFSET + len(DUCKDB_MAGIC), *(len(m) for m, _ in _KNOWN_HEADERS))


def check_header(path: Path) -> str | None:
    """Why an existing file is not a DuckDB database, or None when its header says it is."""
    try:
        with path.open("rb") as fh:
            head = fh.read(_HEAD_BYTES)
    except OSError as exc:
        return f"cannot be read ({exc.strerror})"
    if head[MAGIC_OFFSET : MAGIC_OFFSET + len(DUCKDB_MAGIC)] == DUCKDB_MAGIC:
        return None
    if not head:
        return "is empty"
    for magic, what in _KNOWN_HEADERS:
        if head.startswith(magic):
            return f"is {what}"
    return "has no DuckDB header"


def is_tradeline_schema(con: duckdb.DuckDBPyConnection, *, new_ok: bool) -> bool:
    """True when the open file holds tradeline's schema table, or (`new_ok`) no tables at all."""
    names = {
        row[0]
        for row in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_catalog = "
            "current_database()"
        ).fetchall()
    }
    return "schema_migrations" in names or (new_ok and not names)
