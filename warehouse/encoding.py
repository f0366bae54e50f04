"""One encoding per format for every command that writes rows (`sql`, `timeline`, `recipe`,
`export`, `runs`), so the same rows come out byte for byte the same whichever command wrote them.

DuckDB's own COPY writers do the encoding, not hand-written code:
- CSV: RFC 4180 (fields quoted only when needed, quotes doubled), LF line ends, a header row,
  NULL as an empty field, booleans `true`/`false`, dates ISO, and lists, structs and maps as
  JSON (`to_json`), so a spreadsheet sees one cell and `json.loads` reads it back.
- JSON: one array of objects, typed: numbers, booleans, dates as ISO strings, lists as arrays,
  structs as objects.
- Parquet: native types (DATE stays DATE, lists and structs stay nested).

Query results reach the writers as Arrow tables registered on a private in-memory connection
(the analyst's connection is sandboxed and may not write files); an export copies its view
straight from the warehouse connection through the same projection and options.
"""

from __future__ import annotations

import tempfile
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

TEXT_FORMATS = ("csv", "json")

_OPTIONS = {
    "csv": "FORMAT csv, HEADER true",
    "json": "FORMAT json, ARRAY true",
    "parquet": "FORMAT parquet",
}
_NESTED = frozenset({"list", "struct", "map", "array", "union"})  # written as JSON in CSV
_EMPTY = {"csv": "", "json": "[]\n"}  # no columns (only SET threads …); JSON: or no rows


def copy_sql(con: duckdb.DuckDBPyConnection, source: str, target: Path, fmt: str) -> str:
    """The COPY statement writing relation `source` (a table or view name) to `target`."""
    if fmt not in _OPTIONS:
        raise ValueError(f"unknown format {fmt!r}: use {', '.join(_OPTIONS)}")
    relation = con.sql(f"SELECT * FROM {source}")
    columns = [
        f"to_json({_q(name)}) AS {_q(name)}" if fmt == "csv" and kind.id in _NESTED else _q(name)
        for name, kind in zip(relation.columns, relation.types, strict=True)
    ]
    path = str(target).replace("'", "''")
    return f"COPY (SELECT {', '.join(columns)} FROM {source}) TO '{path}' ({_OPTIONS[fmt]})"


def encode_table(table: pa.Table, fmt: str) -> str:
    """Rows of an Arrow table as CSV or JSON text (see the module docstring)."""
    if fmt not in TEXT_FORMATS:
        raise ValueError(f"unknown format {fmt!r}: use {' or '.join(TEXT_FORMATS)}")
    if table.num_columns == 0 or (fmt == "json" and table.num_rows == 0):
        return _EMPTY[fmt]
    with tempfile.TemporaryDirectory(prefix="tradeline-") as tmp, duckdb.connect() as con:
        con.register("result", table)
        target = Path(tmp) / f"result.{fmt}"
        con.execute(copy_sql(con, "result", target, fmt))
        return target.read_text(encoding="utf-8")


def encode_rows(columns: Sequence[str], rows: Sequence[Sequence[Any]], fmt: str) -> str:
    """Python rows (a list of tuples) as CSV or JSON text, typed by Arrow from their values."""
    arrays = [pa.array([row[i] for row in rows]) for i in range(len(columns))]
    return encode_table(pa.Table.from_arrays(arrays, names=list(columns)), fmt)


def result_table(con: duckdb.DuckDBPyConnection) -> pa.Table:
    """The result of the connection's last `execute()` as an Arrow table (DuckDB 2.x:
    `to_arrow_table()`, whose note about an extra copy is expected here; 1.x:
    `fetch_arrow_table()`)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Arrow output on a DB-API result", UserWarning)
        fetch = getattr(con, "to_arrow_table", None) or con.fetch_arrow_table
        return fetch()


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
