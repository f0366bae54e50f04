"""Headless Chromium for the report's browser tests: Debian's `chromium` package driven by
Playwright through `executable_path`, so no browser download is needed (`.ci/run` installs the
package). Without a browser or Playwright the tests skip and say which one is missing.

`open_page` records what a page does that a test asserts on: console errors, uncaught
exceptions and every URL it requests (a report opened from disk must ask for nothing else).
`event_marks`, `hidden_marks` and `label_overlaps` read the drawn chart; the tests and
bench/report_browser.py share them."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

# Schemes a page opened from disk may load without leaving the machine.
LOCAL_SCHEMES = ("file:", "data:", "about:", "blob:")
VIEWPORT = {"width": 1280, "height": 800}


def chromium_executable() -> str | None:
    """Debian's launcher (`chromium`), or `$TRADELINE_CHROMIUM` when set."""
    return os.environ.get("TRADELINE_CHROMIUM") or shutil.which("chromium")


def skip_reason() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install -e '.[dev]')"
    if chromium_executable() is None:
        return ("no `chromium` on PATH: apt-get install chromium (Debian), as .ci/run does, "
                "or set TRADELINE_CHROMIUM to a Chromium binary")
    return None


@dataclass
class PageLog:
    """What a page did: console errors, uncaught exceptions, requested URLs."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def remote_requests(self) -> list[str]:
        return [url for url in self.requests if not url.startswith(LOCAL_SCHEMES)]


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium (a Playwright `Browser`), or skip with the reason."""
    reason = skip_reason()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import Error, sync_playwright

    with sync_playwright() as pw:
        try:
            browser = pw.chromium.launch(executable_path=chromium_executable(), headless=True)
        except Error as exc:  # e.g. a Chromium too old for this Playwright
            pytest.skip(f"Chromium at {chromium_executable()} did not start: {exc}")
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def open_page(browser: Any, path: Path, **context: Any) -> Iterator[tuple[Any, PageLog]]:
    """`path` opened from its file:// URL in a fresh context, with its `PageLog`; the page has
    loaded (network idle) when this yields."""
    ctx = browser.new_context(viewport=VIEWPORT, **context)
    page = ctx.new_page()
    log = PageLog()
    page.on("console", lambda m: m.type == "error" and log.console_errors.append(m.text))
    page.on("pageerror", lambda exc: log.page_errors.append(str(exc)))
    page.on("request", lambda r: log.requests.append(r.url))
    try:
        page.goto(path.resolve().as_uri(), wait_until="networkidle")
        yield page, log
    finally:
        ctx.close()


def screenshot(browser: Any, html: Path, png: Path, *, full_page: bool = False) -> Path:
    """A PNG of `html` at the default 1280x800 viewport (for docs/ and bench/)."""
    with open_page(browser, html) as (page, _):
        page.wait_for_selector("#timeline .scatterlayer .trace", state="attached")
        png.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(png), full_page=full_page)
    return png


def png_size(path: Path) -> tuple[int, int]:
    """(width, height) of a PNG, from its IHDR chunk; ValueError when it is not a PNG."""
    head = path.read_bytes()[:24]
    if head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        raise ValueError(f"{path} is not a PNG")
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


# Every label plotly draws on the chart (axis ticks and titles, legend, annotations such as
# "today"), not the hover layer. Two whose boxes intersect, or one that sticks out of the
# chart, cannot be read.
LABELS_JS = """
gd => {
  const outer = gd.getBoundingClientRect();
  const sel = '.xtick text, .ytick text, .g-xtitle text, .g-ytitle text, .legend text, '
            + '.annotation text, .gtitle';
  const labels = [...gd.querySelectorAll(sel)]
    .filter(t => t.textContent.trim() && t.getClientRects().length)
    .map(t => ({text: t.textContent.trim(), box: t.getBoundingClientRect()}))
    .filter(l => l.box.width > 0 && l.box.height > 0);
  const problems = [];
  const slack = 1;  // anti-aliasing: boxes that touch are fine
  for (const l of labels) {
    const b = l.box;
    if (b.left < outer.left - slack || b.right > outer.right + slack
        || b.top < outer.top - slack || b.bottom > outer.bottom + slack)
      problems.push('outside the chart: ' + l.text);
  }
  for (let i = 0; i < labels.length; i++)
    for (let j = i + 1; j < labels.length; j++) {
      const a = labels[i].box, b = labels[j].box;
      if (a.left + slack < b.right && b.left + slack < a.right
          && a.top + slack < b.bottom && b.top + slack < a.bottom)
        problems.push(labels[i].text + ' overlaps ' + labels[j].text);
    }
  return problems;
}
"""


def label_overlaps(page: Any) -> list[str]:
    """Labels of the `#timeline` chart that overlap each other or stick out of it."""
    return page.evaluate(LABELS_JS, page.query_selector("#timeline"))


# Every event mark: its trace index, point index, entry key, and the rendered SVG point's
# centre in viewport pixels.
MARKS_JS = """
gd => {
  const marks = [];
  for (const g of gd.querySelectorAll('.scatterlayer .trace')) {
    const cd = g.__data__;
    const trace = cd && cd[0] && cd[0].trace;
    if (!trace || trace.meta !== 'event') continue;
    g.querySelectorAll('path.point').forEach((p, k) => {
      const i = (p.__data__ && Number.isInteger(p.__data__.i)) ? p.__data__.i : k;
      const at = p.getScreenCTM();  // the marker is drawn around its own origin
      marks.push({trace: trace.index, i: i, key: trace.customdata[i][0], cx: at.e, cy: at.f});
    });
  }
  return marks;
}
"""


def event_marks(page: Any) -> list[dict[str, Any]]:
    """The drawn event marks of `#timeline`: trace, point index, entry key, centre (cx, cy)."""
    return page.evaluate(MARKS_JS, page.query_selector("#timeline"))


def hidden_marks(page: Any) -> list[tuple[str, str | None]]:
    """(entry key, what a hover at its centre found instead) for each event mark that another
    mark or bar covers: a mark nobody can hover or click."""
    gd = page.query_selector("#timeline")
    page.evaluate(
        "gd => gd.on('plotly_hover', e => { const p = e.points[0];"
        " window.__hovered = p.customdata ? p.customdata[0] : null; })", gd)
    hidden = []
    for mark in event_marks(page):
        page.evaluate("() => { window.__hovered = undefined; }")
        page.mouse.move(1, 1)
        page.mouse.move(mark["cx"], mark["cy"])
        page.wait_for_function("() => window.__hovered !== undefined", timeout=5000)
        found = page.evaluate("() => window.__hovered")
        if found != mark["key"]:
            hidden.append((mark["key"], found))
    return hidden


def dev_articles_jsonl(articles: Path, out: Path) -> Path:
    """The eval set's dev articles as `tradeline import` JSONL (one without a URL gets a
    made-up one, since import keys articles by URL)."""
    lines = []
    for path in sorted(articles.glob("*.json")):
        a = json.loads(path.read_text(encoding="utf-8"))
        url = a.get("url") or f"https://eval.invalid/dev/{a['id']}"
        lines.append(json.dumps({"url": url, "text": a["text"], "published": a.get("published"),
                                 "title": a.get("title")}))
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out
