"""Export the analyst views to Parquet or CSV files, one file per view, for pandas, polars,
spreadsheets or another database.

DuckDB writes the files itself (COPY … TO) from a read-only connection, so an export never
changes the warehouse and waits, like a query, while an ingest holds the file. Each file is
written under a temporary name and renamed, so a reader never sees half a file. The encoding is
`encoding.py`'s, the one `sql`, `timeline` and `recipe` print: Parquet keeps native types
(DATE, lists, structs); CSV writes lists and structs as JSON.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from tradeline.warehouse.db import WarehouseError, connect
from tradeline.warehouse.encoding import copy_sql
from tradeline.warehouse.query import lock_wait_s

VIEWS: tuple[str, ...] = ("timeline", "event_mentions", "companies", "company_timeline")
FORMATS = ("parquet", "csv")


@dataclass(frozen=True, slots=True)
class Exported:
    view: str
    path: Path
    rows: int


def export_views(
    warehouse: str | Path,
    out_dir: str | Path,
    *,
    fmt: str = "parquet",
    views: tuple[str, ...] = VIEWS,
) -> list[Exported]:
    """Write each view to `out_dir/<view>.<fmt>`; returns what was written."""
    if fmt not in FORMATS:
        raise WarehouseError(f"unknown export format {fmt!r}: use parquet or csv")
    unknown = [v for v in views if v not in VIEWS]
    if unknown:
        raise WarehouseError(f"cannot export {unknown}: exportable views are {list(VIEWS)}")
    out = Path(out_dir).expanduser()
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WarehouseError(f"cannot create export folder {out}: {exc.strerror}") from exc
    done = []
    con = connect(warehouse, read_only=True, lock_wait_s=lock_wait_s())
    try:
        for view in views:
            target = out / f"{view}.{fmt}"
            partial = out / f".{view}.{fmt}.partial"
            con.execute(copy_sql(con, view, partial, fmt))
            rows = con.execute(f"SELECT count(*) FROM {view}").fetchone()
            os.replace(partial, target)
            done.append(Exported(view, target, int(rows[0]) if rows else 0))
    finally:
        con.close()
    return done
