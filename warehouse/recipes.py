"""SQL recipes: `warehouse/queries/<name>.sql`, each answering one analyst question.

A recipe reads its parameters with DuckDB's `getvariable('name')`, so the same file runs in the
DuckDB CLI (after `SET VARIABLE name = '…';`), from Python, or through `tradeline recipe`.
`run_recipe` checks a parameter by its name before running (`check_params`): dates must be real,
a type, commodity or authority known (`vocab.py`), an entry_key present in the timeline — a
typo is an error that says what is valid, not an empty answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from tradeline.warehouse import datearg, vocab
from tradeline.warehouse.db import connect
from tradeline.warehouse.query import (
    QUERY_TIMEOUT_S,
    QueryError,
    lock_wait_s,
    run_sql,
    run_sql_table,
)

_PARAM = re.compile(r"getvariable\('([a-z_][a-z0-9_]*)'\)")
_DATES: dict[str, Callable[[str, str], str]] = {
    "on_date": datearg.check_day,
    "year": datearg.check_year,
    "since": datearg.check_date_prefix,
    "until": datearg.check_date_prefix,
}


def names() -> list[str]:
    """Recipe names shipped with tradeline, sorted."""
    folder = resources.files("tradeline.warehouse").joinpath("queries")
    return sorted(e.name.removesuffix(".sql") for e in folder.iterdir() if e.name.endswith(".sql"))


def text(name: str) -> str:
    if name not in names():
        raise QueryError(f"no recipe {name!r}; recipes: {', '.join(names())}")
    folder = resources.files("tradeline.warehouse").joinpath("queries")
    return folder.joinpath(f"{name}.sql").read_text("utf-8")


def question(name: str) -> str:
    """The header's question, on one line."""
    lines = []
    for line in text(name).splitlines():
        if not line.startswith("--"):
            break
        body = line[2:].strip()
        if body.startswith("Question:"):
            lines = [body.removeprefix("Question:").strip()]
        elif lines and not re.match(r"^[A-Z][a-z]+:", body):
            lines.append(body)
        elif lines:
            break
    return " ".join(lines)


def parameters(name: str) -> list[str]:
    """Parameter names the recipe reads, in first-use order."""
    return list(dict.fromkeys(_PARAM.findall(text(name))))


def run_recipe(
    warehouse: str | Path,
    name: str,
    params: dict[str, str] | None = None,
    *,
    timeout_s: float = QUERY_TIMEOUT_S,
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Run a recipe read-only with its parameters checked and bound (all given as strings)."""
    sql = bound_sql(name, _checked(warehouse, name, params))
    return run_sql(warehouse, sql, timeout_s=timeout_s)


def run_recipe_table(
    warehouse: str | Path,
    name: str,
    params: dict[str, str] | None = None,
    *,
    timeout_s: float = QUERY_TIMEOUT_S,
) -> pa.Table:
    """`run_recipe()` as an Arrow table, with DuckDB's types, for `encoding.py`."""
    sql = bound_sql(name, _checked(warehouse, name, params))
    return run_sql_table(warehouse, sql, timeout_s=timeout_s)


def bound_sql(name: str, params: dict[str, str] | None = None) -> str:
    """The recipe's SQL after `SET VARIABLE` statements for its parameters (all strings)."""
    params = params or {}
    _check_names(name, params)
    sets = "".join(
        f"SET VARIABLE {key} = '{value.replace(chr(39), chr(39) * 2)}';\n"
        for key, value in params.items()
    )
    return sets + text(name)


def _check_names(name: str, params: dict[str, str]) -> None:
    missing = [p for p in parameters(name) if p not in params]
    if missing:
        raise QueryError(f"recipe {name} needs parameter(s): {', '.join(missing)}")
    unknown = sorted(set(params) - set(parameters(name)))
    if unknown:
        raise QueryError(f"recipe {name} has no parameter(s): {', '.join(unknown)}")


def _checked(warehouse: str | Path, name: str, params: dict[str, str] | None) -> dict[str, str]:
    """`check_params` on a read-only connection, after the names are checked."""
    params = params or {}
    _check_names(name, params)
    with connect(warehouse, read_only=True, lock_wait_s=lock_wait_s()) as con:
        return check_params(con, params)


def check_params(con: duckdb.DuckDBPyConnection, params: dict[str, str]) -> dict[str, str]:
    """The parameters with each value checked by its name and put in its stored form
    ("rare earth" → "rare earths", an entry_key prefix → the whole key); QueryError or
    vocab.UnknownValue (one line naming what is valid) for a value that cannot match."""
    checked = {}
    for key, value in params.items():
        if key in _DATES:
            try:
                value = _DATES[key](value, key)
            except ValueError as exc:
                raise QueryError(str(exc)) from None
        elif key in vocab.FILTERS:
            value = vocab.resolve(con, key, value)
        elif key == "entry_key":
            value = _entry_key(con, value)
        checked[key] = value
    return checked


def _entry_key(con: duckdb.DuckDBPyConnection, value: str) -> str:
    """A timeline entry_key, or a unique prefix of one."""
    keys = [
        r[0]
        for r in con.execute(
            "SELECT entry_key FROM timeline WHERE starts_with(entry_key, ?) ORDER BY entry_key "
            "LIMIT 6",
            [value.strip()],
        ).fetchall()
    ]
    if value.strip() in keys:
        return value.strip()
    if len(keys) == 1 and value.strip():
        return keys[0]
    if keys and value.strip():
        more = ", …" if len(keys) > 5 else ""
        raise QueryError(
            f"entry_key {value!r} is ambiguous: {', '.join(keys[:5])}{more} start with it"
        )
    raise QueryError(
        f"no timeline entry_key {value!r} (find one with: tradeline sql \"SELECT entry_key, "
        "event_date, type, commodity FROM timeline\")"
    )
