"""Side by side on one warehouse: the analyst queries of `bench/scale.py` through this tree's
views and through the views of another commit (created as TEMP views, which shadow the stored
ones), alternating query by query so both see the same machine load.

    .venv/bin/python bench/views_ab.py WAREHOUSE OLD_VIEWS_DIR [--reps 5]

OLD_VIEWS_DIR holds the other commit's `warehouse/views/*.sql`, e.g. from
`git show COMMIT:warehouse/views/20_timeline.sql`. Prints one p50 line per query.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.scale import _queries  # noqa: E402


def _timed(con: duckdb.DuckDBPyConnection, sql: str) -> float:
    started = time.perf_counter()
    con.execute(sql).fetchall()
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("warehouse", type=Path)
    parser.add_argument("old_views", type=Path)
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args()
    new = duckdb.connect(str(args.warehouse), read_only=True)
    old = duckdb.connect(str(args.warehouse), read_only=True)
    temp = re.compile(r"\bCREATE\s+OR\s+REPLACE\s+(VIEW|MACRO)\b", re.IGNORECASE)
    for f in sorted(args.old_views.glob("*.sql")):
        old.execute(temp.sub(r"CREATE OR REPLACE TEMP \1", f.read_text("utf-8")))
    print("| query | old p50 ms | new p50 ms |\n| --- | --- | --- |")
    for name, sql in _queries(new).items():
        times: dict[str, list[float]] = {"old": [], "new": []}
        for _ in range(args.reps):
            times["old"].append(_timed(old, sql))
            times["new"].append(_timed(new, sql))
        o, n = (round(statistics.median(times[k])) for k in ("old", "new"))
        print(f"| {name} | {o} | {n} |", flush=True)


if __name__ == "__main__":
    main()
