"""What an analyst's SQL may do: read the warehouse, and nothing else.

Two layers, so that a gap in one is closed by the other:

1. DuckDB itself: the connection is opened with `enable_external_access = false` (no file
   reads or writes, no ATTACH, COPY, INSTALL or LOAD), extension auto-install and auto-load
   off, and, once the allowed settings are applied, `lock_configuration = true` (no SET of
   `log_query_path`, `profiling_output` or any other option).
2. Statement kinds, from DuckDB's own parser (`extract_statements`): SELECT (which covers
   DESCRIBE, SHOW, SUMMARIZE and FROM-first queries), EXPLAIN of such a query, the PRAGMAs
   that only read, `SET VARIABLE` (the recipes' parameters) and `SET threads | memory_limit`.

DuckDB's Python API does not expose the name a SET or PRAGMA statement names, so that one word
is read with a strict pattern here (hand-written, on a statement DuckDB already classified);
anything the pattern does not match is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import duckdb

# Passed to duckdb.connect; lock_configuration is set after the allowed SETs are applied.
CONNECT_CONFIG: dict[str, str | bool | int | float] = {
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
}
ALLOWED_SETTINGS = frozenset({"threads", "memory_limit"})
READ_PRAGMAS = frozenset(
    {
        "collations",
        "database_list",
        "database_size",
        "functions",
        "metadata_info",
        "platform",
        "show",
        "show_databases",
        "show_tables",
        "show_tables_expanded",
        "storage_info",
        "table_info",
        "user_agent",
        "version",
    }
)
HINT = "use SELECT, EXPLAIN, DESCRIBE, SHOW or a PRAGMA that reads"

_SET_VARIABLE = re.compile(r"\s*SET\s+VARIABLE\s+\w+\s*(?:=|\bTO\b).+", re.I | re.S)
_SET_OPTION = re.compile(
    r"\s*SET\s+(?:(?:SESSION|LOCAL|GLOBAL)\s+)?(?P<name>[A-Za-z_]\w*)\s*(?:=|\bTO\b).+",
    re.I | re.S,
)
_SET_WORDS = re.compile(r"\s*((?:SET|RESET)\s+(?:(?:SESSION|LOCAL|GLOBAL)\s+)?\w+)", re.I)
_PRAGMA = re.compile(r"\s*PRAGMA\s+(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*(?:\(.*\))?\s*;?\s*", re.S)
_EXPLAIN = re.compile(r"\s*EXPLAIN\s+(?:ANALY[SZ]E\s+|\([^()]*\)\s*)?(?P<inner>.*)", re.I | re.S)


class SQLRefused(ValueError):
    """The SQL asks for something a read-only query may not do; the message says what."""


@dataclass(slots=True)
class SqlPlan:
    """An analyst's SQL, checked: settings to apply before locking, then the statements."""

    settings: list[str] = field(default_factory=list)  # SET threads / memory_limit texts
    statements: list[str] = field(default_factory=list)  # run in order; the last one answers


def plan(con: duckdb.DuckDBPyConnection, sql: str) -> SqlPlan:
    """Check every statement of `sql` (all or none run); raises SQLRefused or duckdb.Error."""
    statements = con.extract_statements(sql)
    if not statements:
        raise SQLRefused("no SQL statement given")
    checked = SqlPlan()
    for statement in statements:
        kind = statement.type.name
        text = statement.query
        if kind == "SELECT":
            checked.statements.append(text)
        elif kind == "EXPLAIN":
            _check_explained(con, text)
            checked.statements.append(text)
        elif kind == "PRAGMA":
            _check_pragma(text)
            checked.statements.append(text)
        elif kind in ("SET", "VARIABLE_SET"):
            name = _setting_name(text)
            if name == "variable":
                checked.statements.append(text)
            else:
                checked.settings.append(text)
        else:
            if kind in ("LOAD", "EXTENSION"):  # INSTALL parses as LOAD: name what was written
                kind = text.split(None, 1)[0].upper()
            raise SQLRefused(
                f"the warehouse is queried read-only: {kind} statements are refused ({HINT})"
            )
    return checked


def lock(con: duckdb.DuckDBPyConnection, settings: list[str]) -> None:
    """Apply the allowed settings, then lock the configuration for the rest of the session."""
    for text in settings:
        con.execute(text)
    con.execute("SET lock_configuration = true")


def _setting_name(text: str) -> str:
    """'variable' for SET VARIABLE, else an allowed setting's name; refuses any other SET."""
    if _SET_VARIABLE.fullmatch(text):
        return "variable"
    match = _SET_OPTION.fullmatch(text)
    name = match.group("name").lower() if match else None
    if name in ALLOWED_SETTINGS:
        return name
    found = _SET_WORDS.match(text)
    what = " ".join(found.group(1).split()) if found else text.strip()[:40]
    allowed = ", ".join(f"SET {n}" for n in sorted(ALLOWED_SETTINGS))
    raise SQLRefused(
        f"the warehouse is queried read-only: {what} is refused "
        f"(allowed: {allowed} and SET VARIABLE)"
    )


def _check_pragma(text: str) -> None:
    match = _PRAGMA.fullmatch(text)
    name = match.group("name").lower() if match else None
    if name not in READ_PRAGMAS:
        shown = name or text.strip()[:40]
        raise SQLRefused(
            f"the warehouse is queried read-only: PRAGMA {shown} is refused "
            f"(reading PRAGMAs: {', '.join(sorted(READ_PRAGMAS))})"
        )


def _check_explained(con: duckdb.DuckDBPyConnection, text: str) -> None:
    """EXPLAIN [ANALYZE] runs or plans its statement: that statement must be a SELECT."""
    match = _EXPLAIN.fullmatch(text)
    inner = con.extract_statements(match.group("inner")) if match else []
    kinds = [s.type.name for s in inner]
    if kinds != ["SELECT"]:
        shown = kinds[0] if kinds else "this"
        raise SQLRefused(
            f"the warehouse is queried read-only: EXPLAIN of {shown} statements is refused ({HINT})"
        )
