"""Scale of `tradeline report`: file size and build time on a made-up warehouse of N timeline
entries (one article each; a fifth dated only to the month; a sixth permits with a validity).

    .venv/bin/python bench/report_scale.py               # 10,000 entries
    .venv/bin/python bench/report_scale.py --n 5000 --keep /tmp/scale

Prints, for the default build (aggregated by month above AGGREGATE_ABOVE entries) and for one
forced to draw every entry, the bytes written and the seconds taken. The targets (under 10 MB,
opens in under 3 s) are read here, not asserted in tests. Opening time is measured by the
browser tests' bench (headless Chromium), when there is one.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.report_support import synthetic_warehouse  # noqa: E402
from tradeline.report import AGGREGATE_ABOVE, build_report  # noqa: E402
from tradeline.report.build import MAX_BYTES  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="timeline entries (10000)")
    parser.add_argument("--keep", type=Path, help="folder to keep the warehouse and pages in")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="report-scale-"))
    folder.mkdir(parents=True, exist_ok=True)
    warehouse = folder / f"scale-{args.n}.duckdb"
    started = time.perf_counter()
    if not warehouse.exists():
        synthetic_warehouse(warehouse, args.n)
    print(f"warehouse: {args.n} entries in {time.perf_counter() - started:.1f} s → {warehouse}")
    forced = {"aggregate_above": args.n, "max_bytes": 10**12}
    for label, limits in (("default", {}), ("every entry", forced)):
        started = time.perf_counter()
        summary = build_report(warehouse, folder / f"report-{label.replace(' ', '-')}.html",
                               **limits)
        seconds = time.perf_counter() - started
        print(
            f"{label:>11}: {summary.bytes / 1e6:5.2f} MB · {seconds:4.1f} s · "
            f"{summary.marks} marks{' (aggregated by month)' if summary.aggregated else ''}"
            f" · {summary.path}"
        )
    print(f"target: under 10 MB; aggregated above {AGGREGATE_ABOVE} entries or "
          f"{MAX_BYTES / 1e6:g} MB")


if __name__ == "__main__":
    main()
