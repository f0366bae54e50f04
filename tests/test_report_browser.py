"""`tradeline report` of the bundled sample, opened from disk in headless Chromium: what an
analyst sees is what the warehouse holds. One mark per timeline entry, the seed permit with its
one-year validity bar, its evidence on hover, no console error, no request off the machine, a
table that sorts, and a screenshot (the README's is regenerated with TRADELINE_UPDATE_DOCS=1).

Skipped with the reason when Playwright or Debian's `chromium` is missing (tests/browser.py)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.browser import (
    chromium,
    label_overlaps,
    open_page,
    png_size,
    screenshot,
    skip_reason,
)
from tests.conftest import REPO, shared_path

DOCS_PNG = REPO / "docs" / "report.png"
SEED = ("permit_issued", "2025-12-02", "JL Mag Rare Earth")

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


def _one(path: Path, sql: str, *params: Any) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


@pytest.fixture(scope="module")
def report(cli, sample_warehouse_path: Path, tmp_path_factory) -> Path:
    if skip_reason():  # before the report is built: say why at once
        pytest.skip(skip_reason())
    out = tmp_path_factory.mktemp("report") / "timeline.html"
    done = cli("report", "-o", str(out), "-w", str(sample_warehouse_path), cwd=out.parent)
    assert done.returncode == 0, done.stderr
    assert out.stat().st_size > 0
    return out


@pytest.fixture
def page(browser, report: Path):
    """The report loaded from its file:// URL; the test's page log is checked after it."""
    with open_page(browser, report) as (page, log):
        page.wait_for_selector("#timeline .scatterlayer .trace", state="attached")
        yield page, log
        assert log.console_errors == [], log.console_errors
        assert log.page_errors == [], log.page_errors
        assert log.remote_requests() == [], log.remote_requests()


def test_one_event_mark_per_timeline_entry(page, sample_warehouse_path: Path) -> None:
    page, _ = page
    (expected,), = _one(sample_warehouse_path, "SELECT count(*) FROM timeline")
    assert expected >= 10  # the sample's events, so a count of 0 == 0 cannot pass
    in_data = page.evaluate(
        "() => document.getElementById('timeline').data"
        ".filter(t => t.meta === 'event').reduce((n, t) => n + t.x.length, 0)"
    )
    marks = page.evaluate(MARKS_JS, page.query_selector("#timeline"))
    assert in_data == expected
    assert len(marks) == expected  # each one drawn as an SVG point
    keys = [k for (k,) in _one(sample_warehouse_path, "SELECT entry_key FROM timeline")]
    assert sorted(m["key"] for m in marks) == sorted(keys)


def _seed(warehouse: Path) -> tuple[str, str, str, str]:
    rows = _one(
        warehouse,
        "SELECT entry_key, evidence, CAST(valid_from AS VARCHAR), CAST(valid_to AS VARCHAR) "
        "FROM timeline WHERE type = ? AND event_date = ? AND list_contains(companies, ?)",
        *SEED,
    )
    assert len(rows) == 1, rows
    return rows[0]


def test_the_seed_permit_has_its_one_year_validity_bar(page, sample_warehouse_path) -> None:
    page, _ = page
    key, _, valid_from, valid_to = _seed(sample_warehouse_path)
    assert (valid_from, valid_to) == ("2025-12-02", "2026-12-02")
    marks = page.evaluate(MARKS_JS, page.query_selector("#timeline"))
    assert [m["key"] for m in marks].count(key) == 1
    bars = page.evaluate(
        """key => {
          const spans = [];
          for (const t of document.getElementById('timeline').data) {
            if (t.meta !== 'validity') continue;
            for (let i = 0; i + 1 < t.x.length; i++) {
              const a = t.customdata[i], b = t.customdata[i + 1];
              if (a && b && a[0] === key && b[0] === key) spans.push([t.x[i], t.x[i + 1]]);
            }
          }
          return spans;
        }""",
        key,
    )
    assert [[a[:10], b[:10]] for a, b in bars] == [["2025-12-02", "2026-12-02"]]


def test_hovering_the_seed_permit_shows_its_evidence(page, sample_warehouse_path) -> None:
    page, _ = page
    key, evidence, _, _ = _seed(sample_warehouse_path)
    assert "JL Mag" in evidence
    (mark,) = [m for m in page.evaluate(MARKS_JS, page.query_selector("#timeline"))
               if m["key"] == key]
    page.mouse.move(mark["cx"], mark["cy"])
    hover = page.wait_for_selector("#timeline .hoverlayer .hovertext", timeout=5000)
    shown = "".join(hover.text_content().split())
    # The hover wraps the sentence over lines (and cuts one over 300 characters).
    assert "".join(evidence.split())[:200] in shown
    assert "JLMagRareEarth" in shown


def hidden_marks(page) -> list[tuple[str, str | None]]:
    """(entry key, what a hover at its centre found instead) for each event mark that another
    mark or bar covers: a mark nobody can hover or click."""
    gd = page.query_selector("#timeline")
    page.evaluate(
        "gd => gd.on('plotly_hover', e => { const p = e.points[0];"
        " window.__hovered = p.customdata ? p.customdata[0] : null; })", gd)
    hidden = []
    for mark in page.evaluate(MARKS_JS, gd):
        page.evaluate("() => { window.__hovered = undefined; }")
        page.mouse.move(1, 1)
        page.mouse.move(mark["cx"], mark["cy"])
        page.wait_for_function("() => window.__hovered !== undefined", timeout=5000)
        found = page.evaluate("() => window.__hovered")
        if found != mark["key"]:
            hidden.append((mark["key"], found))
    return hidden


def test_no_mark_hides_another(page) -> None:
    page, _ = page
    assert hidden_marks(page) == []


def _column(page, header: str) -> list[tuple[str, str]]:
    """(row key, sort value) of each #entries row, in the order shown, for one column."""
    return page.evaluate(
        """header => {
          const table = document.getElementById('entries');
          const names = [...table.tHead.rows[0].cells].map(c => c.textContent.trim());
          const col = names.indexOf(header);
          if (col < 0) throw new Error('no column ' + header + ' in ' + names);
          return [...table.tBodies[0].rows].map(r => {
            const cell = r.cells[col];
            return [r.dataset.key, cell.dataset.sort ?? cell.textContent.trim()];
          });
        }""",
        header,
    )


@pytest.mark.parametrize(("header", "as_value"), [("n_articles", int), ("date", str)])
def test_clicking_a_header_sorts_the_entries(page, header: str, as_value) -> None:
    page, _ = page
    before = _column(page, header)
    values = sorted(as_value(v) for _, v in before)
    assert len(before) >= 10 and values[0] != values[-1]  # a sort can be seen
    directions = []
    for _ in range(2):
        page.click(f"#entries thead th:text-is('{header}')")
        after = _column(page, header)
        assert sorted(k for k, _ in after) == sorted(k for k, _ in before)  # the same rows
        shown = [as_value(v) for _, v in after]
        directions.append("up" if shown == values else "down" if shown == values[::-1] else shown)
    # One click sorts by the column one way, the next click the other way.
    assert sorted(directions) == ["down", "up"], directions


def test_a_screenshot_of_the_report(page, tmp_path: Path) -> None:
    page, _ = page
    png = tmp_path / "report.png"
    page.screenshot(path=str(png), full_page=True)
    width, height = png_size(png)
    assert width == 1280 and height >= 800
    assert png.stat().st_size > 30_000  # a blank page of this size is a few kB


def test_the_readme_screenshot(browser, report: Path) -> None:
    """TRADELINE_UPDATE_DOCS=1 regenerates docs/report.png from the sample's report (1280x800);
    otherwise the committed one must be there and be that PNG."""
    if os.environ.get("TRADELINE_UPDATE_DOCS") == "1":
        screenshot(browser, report, DOCS_PNG)
    assert DOCS_PNG.exists(), "docs/report.png missing: run with TRADELINE_UPDATE_DOCS=1"
    assert png_size(DOCS_PNG) == (1280, 800)
    assert 30_000 < DOCS_PNG.stat().st_size < 1_000_000


# --- a larger warehouse: ../shared/corpus/html plus the dev articles ------------------------


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


@pytest.mark.slow
@pytest.mark.shared
def test_the_report_of_the_shared_corpus(browser, cli, tmp_path: Path) -> None:
    html_dir = shared_path("corpus", "html")
    jsonl = dev_articles_jsonl(shared_path("eval", "dev", "articles"), tmp_path / "dev.jsonl")
    warehouse = tmp_path / "corpus.duckdb"
    done = cli("import", str(html_dir), str(jsonl), "-w", str(warehouse), cwd=tmp_path)
    assert done.returncode in (0, 1), done.stderr  # 1: some page could not be read
    report = tmp_path / "corpus.html"
    done = cli("report", "-o", str(report), "-w", str(warehouse), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    (expected,), = _one(warehouse, "SELECT count(*) FROM timeline")
    assert expected >= 15
    with open_page(browser, report) as (page, log):
        page.wait_for_selector("#timeline .scatterlayer .trace", state="attached")
        marks = page.evaluate(MARKS_JS, page.query_selector("#timeline"))
        assert len(marks) == expected
        assert label_overlaps(page) == []
        page.screenshot(path=str(tmp_path / "corpus.png"))
    assert log.console_errors == [] and log.page_errors == [] and log.remote_requests() == []
    assert png_size(tmp_path / "corpus.png") == (1280, 800)
