"""Throughput benchmark: how close each way of running tradeline gets to raw spaCy speed.

    .venv/bin/python bench/throughput.py --n 2000          # build the corpus, run every stage
    .venv/bin/python bench/throughput.py --n 1000 --stages a,b
    .venv/bin/python bench/throughput.py --n 1000 --stages a,b --processes 2   # both stages

Stages (each in its own subprocess, so peak RSS is per stage):
  a  raw `nlp.pipe` of the configured base model over the article texts (the ceiling)
  b  `tradeline extract` (run_extract: our pipeline, facts, JSONL out) on the same texts
  d0 the ingest steps without Prefect: feed → fetch from a local HTTP server → parse → extract
     → DuckDB (the same work as d)
  d  the Prefect `ingest` flow doing the same (temporary server started and warmed first)
  e  a second `ingest` run over the unchanged feed (same process as d; page refetches counted)
  c  `reextract` of d's archived HTML into DuckDB (when flows/reextract.py exists)
Times include loading the model (≈1-2 s); not a test, nothing asserts on them.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import threading
import time
from email.utils import formatdate
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "bench")]

SHARED_HTML = REPO.parent / "shared" / "corpus" / "html"
STAGES = ("a", "b", "d0", "d", "e", "c")
TARGETS = {
    "a": "ceiling",
    "b": "≥ 0.8 × a",
    "c": "≥ 0.5 × a",
    "d0": "",
    "d": "≤ 1.1 × d0 time",
    "e": "≤ 5% of d, 0 refetches",
}


# -- corpus ------------------------------------------------------------------------------------


def build_corpus(workdir: Path, n: int) -> dict:
    """Write html/, articles.jsonl (texts as trafilatura extracts them) and a manifest."""
    from corpus_gen import build_pages

    from tradeline.extractors.page import PageError, parse_page

    manifest = workdir / "manifest.json"
    if manifest.exists() and json.loads(manifest.read_text())["n"] == n:
        return json.loads(manifest.read_text())
    shutil.rmtree(workdir, ignore_errors=True)
    (workdir / "html").mkdir(parents=True)
    words = 0
    kept = []
    with (workdir / "articles.jsonl").open("w", encoding="utf-8") as out:
        for page in build_pages(n, SHARED_HTML):
            (workdir / "html" / page.name).write_bytes(page.html)
            try:
                parsed = parse_page(page.html, url=f"http://bench.invalid/html/{page.name}")
            except PageError:
                continue
            row = {"id": page.name, "text": parsed.text, "published": page.published}
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            words += len(parsed.text.split())
            kept.append({"name": page.name, "title": page.title, "published": page.published})
    (workdir / "items.json").write_text(json.dumps(kept))
    info = {"n": n, "articles": len(kept), "words": words}
    manifest.write_text(json.dumps(info))
    return info


def texts(workdir: Path) -> list[tuple[str, str | None]]:
    with (workdir / "articles.jsonl").open(encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle]
    return [(r["text"], r["published"]) for r in rows]


# -- a local news site -------------------------------------------------------------------------


class Site:
    """A threaded HTTP server: /feed.xml (Last-Modified, 304 when unchanged), /html/* pages."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.page_hits = 0
        self.lock = threading.Lock()
        site = self
        items = json.loads((workdir / "items.json").read_text())
        modified = formatdate(1_700_000_000, usegmt=True)

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                return None

            def do_GET(self) -> None:
                if self.path == "/feed.xml":
                    if self.headers.get("If-Modified-Since") == modified:
                        self.send_response(304)
                        self.end_headers()
                        return
                    self._send(site.feed(items), "application/rss+xml", modified)
                elif self.path.startswith("/html/"):
                    path = site.workdir / "html" / Path(self.path).name
                    with site.lock:
                        site.page_hits += 1
                    self._send(path.read_bytes(), "text/html; charset=utf-8")
                else:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()

            def _send(self, body: bytes, ctype: str, modified: str | None = None) -> None:
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                if modified:
                    self.send_header("Last-Modified", modified)
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def feed(self, items: list[dict]) -> bytes:
        entries = "".join(
            f"<item><title>{escape(i['title'])}</title><link>{self.base}/html/{i['name']}</link>"
            f"<pubDate>{formatdate(time.mktime(time.strptime(i['published'], '%Y-%m-%d')))}"
            "</pubDate></item>"
            for i in items
        )
        return (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>bench</title><link>{self.base}</link><description>b</description>"
            f"{entries}</channel></rss>"
        ).encode()


def bench_settings():
    from tradeline.config import FetchConfig, Settings, load_settings

    configured = load_settings(REPO / "tradeline.toml")
    fetch = FetchConfig(
        allow_private_hosts=True,
        per_host_delay_s=0,
        concurrency=8,
        per_host_concurrency=8,
        retries=0,
    )
    model = configured.model
    if os.environ.get("TL_BENCH_PROCESSES"):
        model = model.model_copy(update={"n_process": int(os.environ["TL_BENCH_PROCESSES"])})
    return Settings(fetch=fetch, model=model)


# -- stages (each runs in its own subprocess) --------------------------------------------------


def peak_rss_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def stage_a(workdir: Path) -> list[dict]:
    import spacy

    settings = bench_settings()
    items = texts(workdir)
    start = time.perf_counter()
    nlp = spacy.load(settings.model.name)
    batch, procs = settings.model.batch_size, settings.model.n_process
    for _ in nlp.pipe((t for t, _ in items), batch_size=batch, n_process=procs):
        pass
    seconds = time.perf_counter() - start
    return [{"stage": "a", "seconds": seconds, "articles": len(items)}]


def stage_b(workdir: Path) -> list[dict]:
    from tradeline.extractors.batch import run_extract

    settings = bench_settings()
    start = time.perf_counter()
    n = run_extract(workdir / "articles.jsonl", workdir / "results.jsonl", settings.model)
    return [{"stage": "b", "seconds": time.perf_counter() - start, "articles": n}]


def _fresh(path: Path) -> Path:
    path.unlink(missing_ok=True)
    return path


def stage_d0(workdir: Path) -> list[dict]:
    """The flow's work as plain function calls: what Prefect's orchestration is measured against."""
    from tradeline.flows import runs, steps

    settings = bench_settings()
    site = Site(workdir)
    warehouse = _fresh(workdir / "d0.duckdb")
    start = time.perf_counter()
    extractor = steps.get_extractor(settings.model)
    feeds = steps.feeds_to_poll(settings, [f"{site.base}/feed.xml"])
    results, _ = steps.poll_feeds(settings, feeds, warehouse)
    entries, _, _ = steps.select_new_entries(warehouse, results)
    run_id = runs.start_run(warehouse, extractor, kind="ingest")
    stored = 0
    for batch in steps.batched(entries, 32):
        items, errors = steps.fetch_parse_extract(settings, batch)
        stored += steps.store_results(warehouse, items, errors, run_id)
    runs.finish_run(warehouse, run_id, "completed")
    seconds = time.perf_counter() - start
    return [{"stage": "d0", "seconds": seconds, "articles": stored, "fetches": site.page_hits}]


def stage_d(workdir: Path) -> list[dict]:
    """The Prefect flow, then a second run over the unchanged feed (stage e)."""
    from tradeline.flows.prefect_env import apply_prefect_defaults

    apply_prefect_defaults()
    from prefect import flow

    from tradeline.flows.ingest import ingest

    @flow
    def warm_up() -> None:
        return None

    start = time.perf_counter()
    warm_up()  # starts Prefect's temporary server (11-25 s): not the flow's own cost
    server_s = time.perf_counter() - start

    settings = bench_settings()
    site = Site(workdir)
    warehouse = _fresh(workdir / "d.duckdb")
    feed = [f"{site.base}/feed.xml"]
    start = time.perf_counter()
    first = ingest(settings, str(warehouse), feed)
    d_seconds = time.perf_counter() - start
    hits = site.page_hits
    d_rss = peak_rss_mb()
    start = time.perf_counter()
    second = ingest(settings, str(warehouse), feed)
    e_seconds = time.perf_counter() - start
    return [
        {
            "stage": "d",
            "seconds": d_seconds,
            "articles": first.new_articles,
            "fetches": hits,
            "prefect_start_s": server_s,
            "rss_mb": d_rss,
        },
        {
            "stage": "e",
            "seconds": e_seconds,
            "articles": second.new_articles,
            "fetches": site.page_hits - hits,
            "words": 0,
        },
    ]


def stage_c(workdir: Path) -> list[dict]:
    if not (REPO / "flows" / "reextract.py").exists():
        return [{"stage": "c", "unavailable": "flows/reextract.py not present"}]
    from tradeline.flows.reextract import reextract_archive

    source = workdir / "d.duckdb"
    if not source.exists():
        return [{"stage": "c", "unavailable": "needs stage d's warehouse (run d first)"}]
    warehouse = _fresh(workdir / "c.duckdb")
    shutil.copy(source, warehouse)
    settings = bench_settings()
    start = time.perf_counter()
    summary = reextract_archive(settings, warehouse)
    seconds = time.perf_counter() - start
    return [{"stage": "c", "seconds": seconds, "articles": summary.extracted}]


STAGE_FUNCS = {"a": stage_a, "b": stage_b, "c": stage_c, "d0": stage_d0, "d": stage_d}


def run_stage(stage: str, workdir: Path) -> list[dict]:
    """Run one stage in a fresh interpreter; its JSON lines come back on stdout."""
    proc = subprocess.run(
        [sys.executable, __file__, "--stage", stage, "--workdir", str(workdir)],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    if proc.returncode != 0:
        tail = proc.stderr.strip().splitlines()[-5:]
        return [{"stage": stage, "unavailable": "failed: " + " | ".join(tail)}]
    return [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]


# -- report ------------------------------------------------------------------------------------


def table(rows: list[dict], info: dict) -> str:
    by = {r["stage"]: r for r in rows}
    words_per_article = info["words"] / max(info["articles"], 1)
    lines = [
        f"N = {info['n']} pages → {info['articles']} articles, {info['words']:,} words "
        f"(CPU cores: {os.cpu_count()})",
        f"{'stage':<6}{'seconds':>9}{'articles':>10}{'art/s':>8}{'words/s':>10}{'vs a':>7}"
        f"{'peak MB':>9}  target / notes",
    ]
    ceiling = by.get("a", {}).get("seconds")
    for stage in ("a", "b", "c", "d0", "d", "e"):
        row = by.get(stage)
        if row is None:
            continue
        if "unavailable" in row:
            lines.append(f"{stage:<6}{'not available':>34}  {row['unavailable']}")
            continue
        secs, n = row["seconds"], row["articles"]
        words = row.get("words", n * words_per_article)
        ratio = f"{(words / secs) / (info['words'] / ceiling):.2f}" if ceiling and words else ""
        notes = [TARGETS[stage]]
        if "fetches" in row:
            notes.append(f"page fetches {row['fetches']}")
        if "prefect_start_s" in row:
            notes.append(f"server start {row['prefect_start_s']:.1f}s not counted")
        if stage == "d" and "d0" in by and "seconds" in by["d0"]:
            notes.append(f"= {secs / by['d0']['seconds']:.2f} × d0")
        if stage == "e" and "seconds" in by.get("d", {}):
            notes.append(f"= {100 * secs / by['d']['seconds']:.1f}% of d")
        lines.append(
            f"{stage:<6}{secs:>9.1f}{n:>10}{n / secs:>8.1f}{words / secs:>10.0f}{ratio:>7}"
            f"{row['rss_mb']:>9.0f}  " + "; ".join(x for x in notes if x)
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--n", type=int, default=2000, help="pages in the corpus")
    parser.add_argument("--stages", default=",".join(STAGES), help="comma-separated subset")
    parser.add_argument("--workdir", type=Path, default=None, help="default /tmp/tl-bench-N")
    parser.add_argument(
        "--processes", type=int, default=None, help="nlp.pipe processes (default: config)"
    )
    parser.add_argument("--stage", help=argparse.SUPPRESS)  # internal: run one stage here
    args = parser.parse_args()
    if args.stage:
        os.environ.setdefault("PREFECT_LOGGING_LEVEL", "ERROR")
        for row in STAGE_FUNCS[args.stage](args.workdir):
            row.setdefault("rss_mb", peak_rss_mb())
            print(json.dumps(row), flush=True)
        return
    workdir = args.workdir or Path(f"/tmp/tl-bench-{args.n}")
    if args.processes:
        os.environ["TL_BENCH_PROCESSES"] = str(args.processes)
    start = time.perf_counter()
    info = build_corpus(workdir, args.n)
    print(f"corpus ready in {time.perf_counter() - start:.0f}s: {workdir}", file=sys.stderr)
    wanted = [s.strip() for s in args.stages.split(",") if s.strip()]
    rows: list[dict] = []
    for stage in [s for s in STAGES if s in wanted]:
        if stage == "e" and "d" in wanted:
            continue  # e runs inside d's process
        print(f"stage {stage} …", file=sys.stderr, flush=True)
        rows.extend(run_stage("d" if stage == "e" else stage, workdir))
    print(table(rows, info))


if __name__ == "__main__":
    main()
