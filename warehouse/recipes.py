"""SQL recipes: `warehouse/queries/<name>.sql`, each answering one analyst question.

A recipe reads its parameters with DuckDB's `getvariable('name')`, so the same file runs in the
DuckDB CLI (after `SET VARIABLE name = '…';`), from Python, or through `tradeline recipe`.
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from typing import Any

import pyarrow as pa

from tradeline.warehouse.query import QUERY_TIMEOUT_S, QueryError, run_sql, run_sql_table

_PARAM = re.compile(r"getvariable\('([a-z_][a-z0-9_]*)'\)")


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
    """Run a recipe read-only with its parameters bound (all given as strings)."""
    return run_sql(warehouse, bound_sql(name, params), timeout_s=timeout_s)


def run_recipe_table(
    warehouse: str | Path,
    name: str,
    params: dict[str, str] | None = None,
    *,
    timeout_s: float = QUERY_TIMEOUT_S,
) -> pa.Table:
    """`run_recipe()` as an Arrow table, with DuckDB's types, for `encoding.py`."""
    return run_sql_table(warehouse, bound_sql(name, params), timeout_s=timeout_s)


def bound_sql(name: str, params: dict[str, str] | None = None) -> str:
    """The recipe's SQL after `SET VARIABLE` statements for its parameters (all strings)."""
    params = params or {}
    missing = [p for p in parameters(name) if p not in params]
    if missing:
        raise QueryError(f"recipe {name} needs parameter(s): {', '.join(missing)}")
    unknown = sorted(set(params) - set(parameters(name)))
    if unknown:
        raise QueryError(f"recipe {name} has no parameter(s): {', '.join(unknown)}")
    sets = "".join(
        f"SET VARIABLE {key} = '{value.replace(chr(39), chr(39) * 2)}';\n"
        for key, value in params.items()
    )
    return sets + text(name)
