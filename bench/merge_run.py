"""Cost of one 100-article run on a warehouse of N articles: store, then merge (finish_run).

    .venv/bin/python bench/merge_run.py                    # N = 10,000, both merges
    .venv/bin/python bench/merge_run.py --n 10000 --merge full

Needs no NLP: the warehouse is built from the articles and extraction results that
`bench/throughput.py --n N --stages b` leaves in /tmp/tl-bench-N (articles.jsonl,
results.jsonl), stored with `load.store_batch` in runs of 1,000 articles, all but the last
100, and kept in /tmp/merge-run-N. Each measured run stores those 100 in a fresh process (so
the peak RSS is the run's own) on a copy of that warehouse, then finishes it:
`--merge incremental` is what every run does now (`merge.update`), `--merge full` the
whole-timeline rebuild every run did before (`tradeline rebuild-timeline` still does it).
Prints the seconds of store and merge (with the registry's firms) and the peak RSS.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

from tradeline.records import (
    Article,
    CompanyFact,
    EventFact,
    Extraction,
    PolicyDateFact,
    ValidityPeriodFact,
)

NEW = 100  # articles in the measured run
BATCH = 1_000  # articles per run when building the warehouse
OUTLETS = 100


def _article(row: dict) -> Article:
    url = f"https://bench.example/{row['id']}"
    outlet = int(hashlib.sha256(row["id"].encode()).hexdigest(), 16) % OUTLETS
    return Article(
        Article.id_for(url),
        url,
        url,
        row["text"],
        published=row.get("published"),
        outlet=f"Outlet {outlet}",
    )


def _extraction(row: dict) -> Extraction:
    events = [EventFact(**e) for e in row["events"]]
    events += [EventFact(**{**e, "held_back": True}) for e in row.get("held_back_events", [])]
    return Extraction(
        companies=[
            CompanyFact(**{**c, "mentions": [tuple(m) for m in c["mentions"]]})
            for c in row["companies"]
        ],
        events=events,
        validity_periods=[ValidityPeriodFact(**v) for v in row["validity_periods"]],
        policy_dates=[PolicyDateFact(**p) for p in row["policy_dates"]],
        relevance=row.get("relevance"),
    )


def _items(workdir: Path, start: int, stop: int) -> list[tuple[None, Article, Extraction]]:
    """Lines start..stop of the corpus, as store_batch items (only those are parsed)."""
    with (workdir / "articles.jsonl").open() as fa, (workdir / "results.jsonl").open() as fr:
        return [
            (None, _article(json.loads(a)), _extraction(json.loads(r)))
            for i, (a, r) in enumerate(zip(fa, fr, strict=True))
            if start <= i < stop
        ]


def _run(path: Path, items: list, *, incremental: bool) -> tuple[float, float, float]:
    """(store s, merge s, merge CPU s: all threads, so a busy machine inflates it less)"""
    from tradeline.warehouse import merge, registry
    from tradeline.warehouse.db import connect, transaction
    from tradeline.warehouse.load import store_batch
    from tradeline.warehouse.runs import start_run

    with connect(path) as con:
        run_id = start_run(
            con,
            kind="import",
            extractor_version="bench",
            model_name="bench",
            model_version="0",
            assets_hash="bench",
        )
        started = time.perf_counter()
        store_batch(con, items, run_id)
        stored, cpu = time.perf_counter(), time.process_time()
        with transaction(con):
            con.execute(
                "UPDATE extraction_runs SET status = 'completed', finished_at = now() "
                "WHERE run_id = ?",
                [run_id],
            )
            (merge.update if incremental else merge.rebuild)(con)
            (registry.update_firms if incremental else registry.rebuild_firms)(con)
        return stored - started, time.perf_counter() - stored, time.process_time() - cpu


def build(n: int, workdir: Path, out: Path) -> None:
    out.unlink(missing_ok=True)
    for start in range(0, n - NEW, BATCH):
        _run(out, _items(workdir, start, min(start + BATCH, n - NEW)), incremental=True)
    sign(out)


def sign(path: Path) -> None:
    """Every article's MinHash signature, as a full rebuild leaves them (the incremental merge
    signs only the articles it compares), so `--merge full` is timed as every run paid it."""
    from tradeline.warehouse import dedupe
    from tradeline.warehouse.db import connect, transaction

    with connect(path) as con, transaction(con):
        dedupe.refresh_signatures(con)


def measure(n: int, workdir: Path, base: Path, mode: str) -> dict:
    """One run of the last NEW articles, in this process, on a copy of the base warehouse."""
    copy = base.with_name(f"{base.stem}-{mode}.duckdb")
    shutil.copyfile(base, copy)
    items = _items(workdir, n - NEW, n)
    store_s, merge_s, merge_cpu_s = _run(copy, items, incremental=mode == "incremental")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    copy.unlink()
    return {
        "n": n,
        "merge": mode,
        "store_s": round(store_s, 2),
        "merge_s": round(merge_s, 2),
        "merge_cpu_s": round(merge_cpu_s, 2),
        "peak_mb": round(peak_mb),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--n", type=int, default=10_000, help="articles in the warehouse")
    parser.add_argument("--merge", choices=("incremental", "full", "both"), default="both")
    parser.add_argument("--workdir", type=Path, help="default /tmp/tl-bench-N")
    parser.add_argument("--out", type=Path, help="warehouse folder, default /tmp/merge-run-N")
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # internal: one mode, this process
    args = parser.parse_args()
    workdir = args.workdir or Path(f"/tmp/tl-bench-{args.n}")
    folder = args.out or Path(f"/tmp/merge-run-{args.n}")
    folder.mkdir(parents=True, exist_ok=True)
    base = folder / "base.duckdb"
    if args.measure:
        print(json.dumps(measure(args.n, workdir, base, args.measure)))
        return
    if not base.exists():
        started = time.perf_counter()
        build(args.n, workdir, base)
        print(f"built {base} ({args.n - NEW} articles) in {time.perf_counter() - started:.0f} s")
    modes = ("full", "incremental") if args.merge == "both" else (args.merge,)
    print(
        "| warehouse | merge | store s | merge s | merge CPU s | peak MB |\n"
        "| --- | --- | --- | --- | --- | --- |"
    )
    for mode in modes:
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "--n",
                str(args.n),
                "--workdir",
                str(workdir),
                "--out",
                str(folder),
                "--measure",
                mode,
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        r = json.loads(out.strip().splitlines()[-1])
        print(
            f"| {args.n - NEW:,} + {NEW} | {mode} | {r['store_s']} | {r['merge_s']} | "
            f"{r['merge_cpu_s']} | "
            f"{r['peak_mb']:,} |"
        )


if __name__ == "__main__":
    main()
