"""Reports in headless Chromium: how long each takes to open and draw, how many marks it draws,
labels that overlap or are cut off, marks another covers, and a 1280x800 screenshot.

    .venv/bin/python bench/report_browser.py                  # the sample and the shared corpus
    .venv/bin/python bench/report_browser.py --scale 10000    # also a made-up 10,000-entry one
    .venv/bin/python bench/report_browser.py --html a.html    # reports already built
    .venv/bin/python bench/report_browser.py --out /tmp/shots # where the PNGs go

The sample is `samples/feed.xml` ingested by `tradeline run`; the corpus is
`../shared/corpus/html` plus the eval set's dev articles through `tradeline import` (skipped
without ../shared); both runs rebuild `<stem>.report.html` beside their warehouse, which is
what is opened. The scale warehouse is bench/report_scale.py's. Open time is from navigation
start to the chart drawn, in Chromium's own clock (the 3 s target is read here, never asserted).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.browser import (  # noqa: E402
    chromium,
    dev_articles_jsonl,
    event_marks,
    hidden_marks,
    label_overlaps,
    open_page,
    skip_reason,
)

SHARED = REPO.parent / "shared"
TRADELINE = [sys.executable, "-m", "tradeline.flows.cli", "-q"]


def sample_report(folder: Path) -> Path:
    warehouse = folder / "sample.duckdb"
    subprocess.run([*TRADELINE, "run", "-w", str(warehouse)], cwd=REPO, check=True,
                   stdout=subprocess.DEVNULL)
    return folder / "sample.report.html"


def corpus_report(folder: Path) -> Path | None:
    html, articles = SHARED / "corpus" / "html", SHARED / "eval" / "dev" / "articles"
    if not (html.is_dir() and articles.is_dir()):
        print(f"corpus: skipped, no {html} or {articles}")
        return None
    jsonl = dev_articles_jsonl(articles, folder / "dev.jsonl")
    warehouse = folder / "corpus.duckdb"
    done = subprocess.run([*TRADELINE, "import", str(html), str(jsonl), "-w", str(warehouse)],
                          cwd=folder, stdout=subprocess.DEVNULL)
    if done.returncode not in (0, 1):
        raise SystemExit(f"tradeline import exited {done.returncode}")
    return folder / "corpus.report.html"


def scale_report(folder: Path, n: int) -> Path:
    from tests.report_support import synthetic_warehouse
    from tradeline.report import build_report

    warehouse = folder / f"scale-{n}.duckdb"
    synthetic_warehouse(warehouse, n)
    return build_report(warehouse, folder / f"scale-{n}.html").path


def measure(browser, html: Path, png: Path) -> None:
    started = time.perf_counter()
    with open_page(browser, html) as (page, log):
        page.wait_for_selector("#timeline .scatterlayer .trace", state="attached")
        drawn_ms = page.evaluate("() => performance.now()")
        wall = time.perf_counter() - started
        marks = event_marks(page)
        labels = label_overlaps(page)
        page.screenshot(path=str(png))
        hidden = hidden_marks(page) if len(marks) <= 300 else None
    print(f"{html.name}: {html.stat().st_size / 1e6:.2f} MB · drawn {drawn_ms / 1000:.2f} s "
          f"after navigation ({wall:.2f} s with loading) · {len(marks)} marks")
    print(f"  labels overlapping or cut off: {labels or 'none'}")
    covered = "not checked (> 300 marks)" if hidden is None else hidden or "none"
    print(f"  marks another covers: {covered}")
    remote = log.remote_requests()
    print(f"  console errors: {log.console_errors + log.page_errors or 'none'} · "
          f"requests off the machine: {remote or 'none'}")
    print(f"  screenshot: {png}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--html", type=Path, nargs="*", help="reports already built")
    parser.add_argument("--scale", type=int, help="also a made-up warehouse of N entries")
    parser.add_argument("--out", type=Path, help="folder for warehouses and screenshots")
    args = parser.parse_args()
    if reason := skip_reason():
        raise SystemExit(reason)
    out = args.out or Path(tempfile.mkdtemp(prefix="report-browser-"))
    out.mkdir(parents=True, exist_ok=True)
    pages = list(args.html) if args.html else [sample_report(out), corpus_report(out)]
    if args.scale:
        pages.append(scale_report(out, args.scale))
    with chromium() as browser:
        for html in filter(None, pages):
            measure(browser, html, out / f"{html.stem}.png")


if __name__ == "__main__":
    main()
