"""Scale of the warehouse: what a run and the analyst queries cost as the archive grows.

    .venv/bin/python bench/scale.py --articles 1000000            # 10k, 100k and 1M articles
    .venv/bin/python bench/scale.py --sizes 10000,100000 --json out/scale.json
    .venv/bin/python bench/scale.py --articles 100000 --keep /tmp/scale   # keep (and reuse) files
    .venv/bin/python bench/scale.py --table out/scale.json                # the table again

For each size it builds a synthetic warehouse at the fact level (`scale_warehouse.py`: no NLP),
then, each in a process of its own so one measurement's memory does not pollute the next:
* stores one run of 100 new articles through the real store path (`runs.start_run`,
  `load.store_batch`, `runs.finish_run`, which merges the timeline with whatever merge the tree
  has) on a copy of the warehouse: seconds and peak RSS (the child's own `ru_maxrss`);
* the file size, with and without the raw archive (the `documents` table's blocks);
* p50 / p95 latency of each view (a count and a filtered analyst query), each recipe
  (`warehouse/queries/*.sql`, with parameters that match) and `permits_active(date)`, on a
  read-only connection as `tradeline sql` opens it;
* `tradeline export` (Parquet) of the four exported views.

It prints a table per size, the growth ratios (largest / smallest size) against the targets of
issue 16, and writes everything as JSON with `--json`. Timing targets are read here, never
asserted in tests.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

RUN_ARTICLES = 100
TARGET_RATIO = 2.0
TARGET_RSS_MB = 1536
TARGET_P50_MS = 200
TARGET_KB_PER_ARTICLE = 3.0
DEFAULT_SIZES = (10_000, 100_000, 1_000_000)


# --- children: each prints one JSON line ----------------------------------------------------


def _child_build(path: Path, articles: int) -> dict[str, Any]:
    from bench.scale_warehouse import build

    started = time.perf_counter()
    build(path, articles)
    return {"build_s": time.perf_counter() - started}


def _run_items(con: Any) -> list[tuple[Any, Any, Any]]:
    """100 new articles: four in five report new events in the busiest blocks (the dominant
    type, country, commodity and firms), one in five the newest existing entries again."""
    from tradeline.records import (
        Article,
        CompanyFact,
        Document,
        EventFact,
        Extraction,
        ValidityPeriodFact,
    )

    busiest = con.execute(
        "SELECT type, authority_country, commodity FROM events WHERE NOT held_back "
        "GROUP BY ALL ORDER BY count(*) DESC LIMIT 4"
    ).fetchall()
    firms = [r[0] for r in con.execute(
        "SELECT company FROM event_companies GROUP BY 1 ORDER BY count(*) DESC LIMIT 6"
    ).fetchall()]
    newest = con.execute(
        "SELECT type, authority_country, commodity, event_date, companies FROM timeline_entries "
        "ORDER BY event_date DESC, entry_key LIMIT 20"
    ).fetchall()
    items = []
    for i in range(RUN_ARTICLES):
        if i % 5 == 4:
            type_, country, commodity, event_date, companies = newest[(i // 5) % len(newest)]
            companies = list(companies)
        else:
            type_, country, commodity = busiest[i % len(busiest)]
            companies = [firms[(i // 4) % len(firms)]]
            event_date = f"2026-07-{1 + (i // 8) % 28:02d}"
        sentence = (f"{country or 'The'} Ministry of Commerce acted on "
                    f"{' and '.join(companies) or 'exporters'} for {commodity or 'goods'} on "
                    f"{event_date} (new report {i}).")
        text = sentence + " Officials gave no further details. The licence runs one year."
        url = f"https://newrun.example/news/{i}"
        body = f"<html><body><p>{text}</p></body></html>".encode()
        doc = Document(url=url, final_url=url, canonical_url=url, body=body,
                       content_type="text/html", origin="fetch",
                       feed_url="https://newrun.example/feed.xml")
        article = Article(article_id=Article.id_for(url), url=url, canonical_url=url, text=text,
                          title=f"New report {i}", published="2026-07-01",
                          outlet=f"New Outlet {i % 7}", language="en")
        extraction = Extraction(
            companies=[CompanyFact(name=c, canonical=c, start_char=0, end_char=len(c),
                                   evidence=sentence, mentions=[(0, len(c))])
                       for c in companies],
            events=[EventFact(type=type_, evidence=sentence, start_char=0,
                              end_char=len(sentence), authority_country=country,
                              authority=f"{country} Ministry of Commerce", companies=companies,
                              commodity=commodity, event_date=event_date,
                              date_granularity={10: "day", 7: "month", 4: "year"}[
                                  len(event_date)],
                              confidence=0.9)],
            validity_periods=[ValidityPeriodFact(
                text="one year", duration="P1Y", evidence=text, start_char=text.index("one"),
                end_char=text.index("one") + 8, event_index=0)]
            if type_ == "permit_issued" else [],
            relevance=0.9,
        )
        items.append((doc, article, extraction))
    return items


def _child_store(path: Path) -> dict[str, Any]:
    from tradeline.warehouse.db import connect, transaction
    from tradeline.warehouse.load import store_batch
    from tradeline.warehouse.runs import finish_run, start_run

    started = time.perf_counter()
    con = connect(path)
    opened = time.perf_counter()
    items = _run_items(con)
    prepared = time.perf_counter()
    run_id = start_run(con, kind="ingest", extractor_version="scale", model_name="scale",
                       model_version="1", assets_hash="scale")
    with transaction(con):
        store_batch(con, items, run_id)
    stored = time.perf_counter()
    finish_run(con, run_id, status="completed")
    finished = time.perf_counter()
    entries = con.execute("SELECT count(*) FROM timeline_entries").fetchone()[0]
    con.close()
    return {"open_s": opened - started, "store_s": stored - prepared,
            "merge_s": finished - stored, "store_merge_s": finished - prepared,
            "entries_after": entries}


def _queries(con: Any) -> dict[str, str]:
    """name -> SQL: per view a count and a filtered analyst query, each recipe, permits_active."""
    from tradeline.warehouse import recipes

    top_firm = con.execute(
        "SELECT company FROM event_companies GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
    ).fetchone()[0]
    firm_key = con.execute("SELECT canonical_key FROM company_registry WHERE canonical = ?",
                           [top_firm]).fetchone()[0]
    article = con.execute("SELECT article_id FROM articles ORDER BY stored_at DESC, article_id "
                          "LIMIT 1").fetchone()[0]
    entry = con.execute("SELECT entry_key FROM timeline_entries "
                        "ORDER BY n_articles DESC, entry_key LIMIT 1").fetchone()[0]
    q = top_firm.replace("'", "''")
    out = {
        "latest_runs: count": "SELECT count(*) FROM latest_runs",
        "latest_runs: one article": f"SELECT * FROM latest_runs WHERE article_id = '{article}'",
        "event_mentions: count": "SELECT count(*) FROM event_mentions",
        "event_mentions: gallium since 2026": (
            "SELECT fact_key, event_date, evidence, url FROM event_mentions "
            "WHERE commodity = 'gallium' AND date_to >= DATE '2026-01-01'"),
        "timeline: count": "SELECT count(*) FROM timeline",
        "timeline: China rare earths 2026": (
            "SELECT entry_key, event_date, type, companies, n_sources FROM timeline "
            "WHERE commodity = 'rare earths' AND authority_country = 'China' "
            "AND date_to >= DATE '2026-01-01'"),
        "timeline: first 50": "SELECT * FROM timeline LIMIT 50",
        "firm_keys: count": "SELECT count(*) FROM firm_keys",
        "firm_keys: one firm": f"SELECT * FROM firm_keys WHERE canonical_key = '{firm_key}'",
        "companies_seen: count": "SELECT count(*) FROM companies_seen",
        "companies_seen: one firm": f"SELECT * FROM companies_seen WHERE canonical = '{q}'",
        "companies: count": "SELECT count(*) FROM companies",
        "companies: top 20": (
            "SELECT canonical, n_events FROM companies ORDER BY n_events DESC LIMIT 20"),
        "company_timeline: count": "SELECT count(*) FROM company_timeline",
        "company_timeline: top firm": (
            f"SELECT event_date, type, commodity FROM company_timeline WHERE canonical = '{q}'"),
        "permits_active(date): count": (
            "SELECT count(*) FROM permits_active(DATE '2026-03-01')"),
        "permits_active(date): rows": "SELECT * FROM permits_active(DATE '2026-03-01')",
    }
    params = {
        "commodity_year": {"commodity": "rare earths", "year": "2025"},
        "companies_affected": {"commodity": "rare earths", "since": "2026-01"},
        "disputed_or_single_source": {},
        "permits_active_on": {"on_date": "2026-03-01"},
        "what_each_source_said": {"entry_key": entry},
    }
    for name in recipes.names():
        checked = recipes.check_params(con, params.get(name, {}))
        out[f"recipe {name}"] = recipes.bound_sql(name, checked)
    return out


def _child_queries(path: Path, reps: int, slow_s: float) -> dict[str, Any]:
    import duckdb

    from tradeline.warehouse.db import connect

    con = connect(path, read_only=True)
    sizes = _archive_bytes(con)
    results = {}
    for name, sql in _queries(con).items():
        times, rows = [], 0
        for i in range(reps):
            started = time.perf_counter()
            try:
                rows = len(con.execute(sql).fetchall())
            except duckdb.Error as exc:
                results[name] = {"error": str(exc).splitlines()[0]}
                break
            times.append(time.perf_counter() - started)
            if i == 0 and times[0] > slow_s:
                break  # a slow query is timed fewer times (the bench must end)
        if times:
            results[name] = {"ms": [t * 1000 for t in times], "rows": rows}
        # what is done so far, so a child killed at its time limit still reports it
        print(json.dumps({"queries": results, **sizes}), flush=True)
    con.close()
    return {"queries": results, **sizes}


def _archive_bytes(con: Any) -> dict[str, int]:
    """Bytes of the raw archive (`documents`: its blocks), and of the whole database."""
    block = con.execute("SELECT block_size FROM pragma_database_size()").fetchone()[0]
    blocks = con.execute(
        "SELECT count(DISTINCT block_id) FROM pragma_storage_info('documents') "
        "WHERE block_id >= 0"
    ).fetchone()[0]
    used = con.execute("SELECT used_blocks * block_size FROM pragma_database_size()").fetchone()[0]
    return {"archive_bytes": int(blocks * block), "used_bytes": int(used)}


def _child_export(path: Path, out: Path) -> dict[str, Any]:
    from tradeline.warehouse.export import export_views

    started = time.perf_counter()
    done = export_views(path, out, fmt="parquet")
    return {"export_s": time.perf_counter() - started,
            "export_rows": {e.view: e.rows for e in done},
            "export_bytes": sum(e.path.stat().st_size for e in done)}


# --- the parent --------------------------------------------------------------------------------


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _spawn(args: list[str], *, timeout_s: float, rss_cap_mb: float) -> dict[str, Any]:
    """Run `scale.py --child …` and return its JSON, with its own peak RSS (wait4's rusage);
    killed past `timeout_s` or when its RSS passes `rss_cap_mb` (the machine is shared)."""
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen([sys.executable, __file__, "--child", *args], stdout=out)
        started = time.monotonic()
        killed = None
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - started > timeout_s:
                killed = f"killed after {timeout_s:.0f} s"
            elif _rss_mb(proc.pid) > rss_cap_mb:
                killed = f"killed above {rss_cap_mb:.0f} MB RSS"
            if killed:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.05)
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        lines = out.read().decode().strip().splitlines()
    result: dict[str, Any] = {"peak_rss_mb": usage.ru_maxrss / 1024,
                              "wall_s": time.monotonic() - started}
    if killed:
        result["failed"] = killed
    elif proc.returncode != 0 or not lines:
        result["failed"] = f"exit status {proc.returncode}"
    if lines:  # a killed child's last line holds what it had measured
        result.update(json.loads(lines[-1]))
    return result


def measure(size: int, folder: Path, *, reps: int, slow_s: float, timeout_s: float,
            rss_cap_mb: float) -> dict[str, Any]:
    path = folder / f"scale-{size}.duckdb"
    result: dict[str, Any] = {"articles": size, "load_avg_before": os.getloadavg()[0]}
    if not path.exists():
        print(f"[{size}] building {path} …", flush=True)
        build = _spawn(["build", str(path), str(size)], timeout_s=timeout_s * 3,
                       rss_cap_mb=rss_cap_mb * 2)
        result["build"] = build
        if "failed" in build:
            return result
    result["file_bytes"] = path.stat().st_size
    print(f"[{size}] queries …", flush=True)
    result["read"] = _spawn(["queries", str(path), str(reps), str(slow_s)],
                            timeout_s=timeout_s, rss_cap_mb=rss_cap_mb)
    print(f"[{size}] export …", flush=True)
    with tempfile.TemporaryDirectory(dir=folder) as out:
        result["export"] = _spawn(["export", str(path), out], timeout_s=timeout_s,
                                  rss_cap_mb=rss_cap_mb)
    print(f"[{size}] one run of {RUN_ARTICLES} articles …", flush=True)
    copy = folder / f"scale-{size}.run.duckdb"
    shutil.copyfile(path, copy)
    try:
        result["run"] = _spawn(["store", str(copy)], timeout_s=timeout_s,
                               rss_cap_mb=rss_cap_mb)
    finally:
        for leftover in (copy, copy.with_name(copy.name + ".wal")):
            leftover.unlink(missing_ok=True)
    result["load_avg_after"] = os.getloadavg()[0]
    return result


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def summary(r: dict[str, Any]) -> dict[str, Any]:
    """The numbers of one size that the table and the targets use."""
    n = r["articles"]
    read = r.get("read", {})
    queries = read.get("queries", {})
    p50 = {k: _p(v["ms"], 0.5) for k, v in queries.items() if "ms" in v}
    archive = read.get("archive_bytes", 0)
    run = r.get("run", {})
    return {
        "articles": n,
        "build_s": r.get("build", {}).get("build_s"),
        "file_mb": r["file_bytes"] / 1e6,
        "kb_per_article": r["file_bytes"] / n / 1000,
        "kb_per_article_no_archive": max(0, r["file_bytes"] - archive) / n / 1000,
        "store_merge_s": run.get("store_merge_s"),
        "store_s": run.get("store_s"),
        "merge_s": run.get("merge_s"),
        "run_rss_mb": run.get("peak_rss_mb") if "failed" not in run else None,
        "run_failed": run.get("failed"),
        "run_rss_at_failure_mb": run.get("peak_rss_mb") if "failed" in run else None,
        "export_s": r.get("export", {}).get("export_s"),
        "p50_ms": p50,
        "p95_ms": {k: _p(v["ms"], 0.95) for k, v in queries.items() if "ms" in v},
        "query_errors": {k: v["error"] for k, v in queries.items() if "error" in v},
        "load": (r.get("load_avg_before"), r.get("load_avg_after")),
    }


def _fmt(value: float | None, spec: str) -> str:
    return "—" if value is None else format(value, spec)


def report(results: list[dict[str, Any]]) -> str:
    rows = [summary(r) for r in results]
    lines = [
        "| articles | file MB | KB/article (archive incl.) | KB/article (excl.) | "
        "store+merge s (store / merge) | run peak RSS MB | export s | slowest p50 ms | "
        "load avg |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for s in rows:
        slowest = max(s["p50_ms"].items(), key=lambda kv: kv[1], default=("—", None))
        run = (f"{_fmt(s['store_merge_s'], '.2f')} ({_fmt(s['store_s'], '.2f')} / "
               f"{_fmt(s['merge_s'], '.2f')})" if s["store_merge_s"] is not None
               else f"failed: {s['run_failed']}")
        rss = (_fmt(s["run_rss_mb"], ".0f") if s["run_rss_at_failure_mb"] is None
               else f"≥ {s['run_rss_at_failure_mb']:.0f} (when stopped)")
        lines.append(
            f"| {s['articles']:,} | {s['file_mb']:.0f} | {s['kb_per_article']:.2f} | "
            f"{s['kb_per_article_no_archive']:.2f} | {run} | {rss} | "
            f"{_fmt(s['export_s'], '.2f')} | {_fmt(slowest[1], '.0f')} ({slowest[0]}) | "
            + " → ".join(_fmt(x, ".1f") for x in s["load"]) + " |"
        )
    names = list(dict.fromkeys(k for s in rows for k in s["p50_ms"]))
    lines += ["", "| query | " + " | ".join(f"{s['articles']:,} p50 / p95 ms" for s in rows)
              + " |", "| --- |" + " --- |" * len(rows)]
    for name in names:
        cells = [f"{_fmt(s['p50_ms'].get(name), '.0f')} / {_fmt(s['p95_ms'].get(name), '.0f')}"
                 for s in rows]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += ["", *targets(rows)]
    return "\n".join(lines)


def targets(rows: list[dict[str, Any]]) -> list[str]:
    """Growth ratios (largest / smallest size) against issue 16's targets."""
    if len(rows) < 2:
        return ["(one size: no growth ratios)"]
    small, big = rows[0], rows[-1]
    label = f"{big['articles']:,} / {small['articles']:,}"

    def ratio(key: str) -> float | None:
        a, b = small.get(key), big.get(key)
        return None if not a or b is None else b / a

    def mark(ok: bool | None) -> str:
        return "?" if ok is None else ("holds" if ok else "MISSED")

    out = [f"Growth ratios ({label}):"]
    t = ratio("store_merge_s")
    out.append(f"- store+merge time × {_fmt(t, '.2f')} (target ≤ {TARGET_RATIO:g}): "
               f"{mark(None if t is None else t <= TARGET_RATIO)}")
    if big.get("run_failed"):
        out.append(f"- store+merge at {big['articles']:,}: {big['run_failed']}, "
                   f"≥ {big['run_rss_at_failure_mb']:.0f} MB RSS by then: MISSED")
    m = ratio("run_rss_mb")
    rss = big.get("run_rss_mb")
    out.append(f"- run peak RSS × {_fmt(m, '.2f')}, {_fmt(rss, '.0f')} MB at "
               f"{big['articles']:,} (targets ≤ {TARGET_RATIO:g}×, < {TARGET_RSS_MB} MB): "
               f"{mark(None if m is None else m <= TARGET_RATIO and rss < TARGET_RSS_MB)}")
    slow = {k: v for k, v in big["p50_ms"].items() if v > TARGET_P50_MS}
    out.append(f"- p50 ≤ {TARGET_P50_MS} ms at {big['articles']:,} for every view and recipe: "
               f"{mark(not slow and not big['query_errors'])}"
               + (f" ({len(slow)} over: " + ", ".join(f"{k} {v:.0f}"
                                                    for k, v in sorted(slow.items())) + ")"
                  if slow else ""))
    kb = big["kb_per_article_no_archive"]
    out.append(f"- file {kb:.2f} KB/article without the raw archive, "
               f"{big['kb_per_article']:.2f} with it (target ≤ {TARGET_KB_PER_ARTICLE:g}): "
               f"{mark(kb <= TARGET_KB_PER_ARTICLE)}")
    for key in ("file_mb", "export_s"):
        out.append(f"- {key} × {_fmt(ratio(key), '.1f')}")
    return out


def _sizes(args: argparse.Namespace) -> list[int]:
    if args.sizes:
        return sorted({int(s.replace("_", "")) for s in args.sizes.split(",")})
    top = args.articles or DEFAULT_SIZES[-1]
    return sorted({s for s in DEFAULT_SIZES if s < top} | {top})


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        kind, rest = sys.argv[2], sys.argv[3:]
        if kind == "build":
            out = _child_build(Path(rest[0]), int(rest[1]))
        elif kind == "store":
            out = _child_store(Path(rest[0]))
        elif kind == "queries":
            out = _child_queries(Path(rest[0]), int(rest[1]), float(rest[2]))
        else:
            out = _child_export(Path(rest[0]), Path(rest[1]))
        print(json.dumps(out))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, help="largest size (default 1,000,000): "
                        "measures 10k, 100k and this")
    parser.add_argument("--sizes", help="comma-separated sizes instead, e.g. 10000,100000")
    parser.add_argument("--keep", type=Path, help="folder for the warehouses (reused if there)")
    parser.add_argument("--json", type=Path, help="write every measurement here")
    parser.add_argument("--table", type=Path, help="print the table of a saved --json, no runs")
    parser.add_argument("--reps", type=int, default=7, help="timings per query (7)")
    parser.add_argument("--slow-s", type=float, default=10.0,
                        help="a query slower than this once is not repeated (10)")
    parser.add_argument("--timeout-s", type=float, default=1800.0,
                        help="limit per measuring process (1800)")
    parser.add_argument("--rss-cap-mb", type=float, default=8000.0,
                        help="kill a measuring process above this RSS (8000)")
    args = parser.parse_args()
    if args.table:
        print(report(json.loads(args.table.read_text())))
        return
    sizes = _sizes(args)
    if not sizes or min(sizes) < 100:
        parser.error("sizes must be at least 100 articles")
    folder = args.keep or Path(tempfile.mkdtemp(prefix="tradeline-scale-"))
    folder.mkdir(parents=True, exist_ok=True)
    results = []
    for size in sizes:
        results.append(measure(size, folder, reps=args.reps, slow_s=args.slow_s,
                               timeout_s=args.timeout_s, rss_cap_mb=args.rss_cap_mb))
        if args.json:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps(results, indent=1, default=str))
    print(report(results))
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
