"""`tradeline report` of the bundled sample, opened from disk in headless Chromium: what an
analyst sees is what the warehouse holds. One mark per timeline entry, the seed permit with its
one-year validity bar, its evidence on hover, no console error, no request off the machine, a
table that sorts, and a screenshot (the README's is regenerated with TRADELINE_UPDATE_DOCS=1).

Skipped with the reason when Playwright or Debian's `chromium` is missing (tests/browser.py)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.browser import (
    chromium,
    dev_articles_jsonl,
    event_marks,
    hidden_marks,
    label_overlaps,
    open_page,
    png_size,
    screenshot,
)
from tests.conftest import REPO, shared_path

DOCS_PNG = REPO / "docs" / "report.png"
SEED = ("permit_issued", "2025-12-02", "JL Mag Rare Earth")


def _one(path: Path, sql: str, *params: Any) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


@pytest.fixture(scope="module")
def report(browser, cli, sample_warehouse_path: Path, tmp_path_factory) -> Path:
    """The sample's report (`browser` first: without one, skip before the sample is built)."""
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
    ((expected,),) = _one(sample_warehouse_path, "SELECT count(*) FROM timeline")
    assert expected >= 10  # the sample's events, so a count of 0 == 0 cannot pass
    in_data = page.evaluate(
        "() => document.getElementById('timeline').data"
        ".filter(t => t.meta === 'event').reduce((n, t) => n + t.x.length, 0)"
    )
    marks = event_marks(page)
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
    marks = event_marks(page)
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
    (mark,) = [m for m in event_marks(page) if m["key"] == key]
    page.mouse.move(mark["cx"], mark["cy"])
    hover = page.wait_for_selector("#timeline .hoverlayer .hovertext", timeout=5000)
    shown = "".join(hover.text_content().split())
    # The hover wraps the sentence over lines (and cuts one over 300 characters).
    assert "".join(evidence.split())[:200] in shown
    assert "JLMagRareEarth" in shown


def test_no_mark_hides_another(page) -> None:
    page, _ = page
    assert hidden_marks(page) == []


def test_lane_labels_do_not_overlap_and_the_check_would_see_it(page) -> None:
    page, _ = page
    assert label_overlaps(page) == []
    page.evaluate("gd => Plotly.relayout(gd, {'yaxis.tickfont.size': 60})",
                  page.query_selector("#timeline"))
    assert "rice overlaps grain" in label_overlaps(page)


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


def test_the_readme_screenshot_is_committed() -> None:
    assert DOCS_PNG.exists(), "docs/report.png missing: run with TRADELINE_UPDATE_DOCS=1"
    assert png_size(DOCS_PNG) == (1280, 800)
    assert 30_000 < DOCS_PNG.stat().st_size < 1_000_000


@pytest.mark.skipif(os.environ.get("TRADELINE_UPDATE_DOCS") != "1",
                    reason="regenerates docs/report.png only with TRADELINE_UPDATE_DOCS=1")
def test_the_readme_screenshot_regenerated(browser, report: Path) -> None:
    """The README's picture: the sample's report at the default 1280x800 viewport."""
    DOCS_PNG.unlink(missing_ok=True)
    screenshot(browser, report, DOCS_PNG)
    assert png_size(DOCS_PNG) == (1280, 800)


# --- a larger warehouse: ../shared/corpus/html plus the dev articles ------------------------


@pytest.mark.slow
@pytest.mark.shared
def test_the_report_of_the_shared_corpus(browser, cli, tmp_path: Path) -> None:
    """The report the import run rebuilds beside the warehouse, on ~70 real articles: every
    entry drawn, no label over another or cut off and no mark under another at the default
    size."""
    html_dir = shared_path("corpus", "html")
    jsonl = dev_articles_jsonl(shared_path("eval", "dev", "articles"), tmp_path / "dev.jsonl")
    warehouse = tmp_path / "corpus.duckdb"
    done = cli("import", str(html_dir), str(jsonl), "-w", str(warehouse), cwd=tmp_path)
    assert done.returncode in (0, 1), done.stderr  # 1: some page could not be read
    report = tmp_path / "corpus.report.html"
    assert report.exists(), "the import run did not rebuild the report beside the warehouse"
    ((expected,),) = _one(warehouse, "SELECT count(*) FROM timeline")
    assert expected >= 15
    with open_page(browser, report) as (page, log):
        page.wait_for_selector("#timeline .scatterlayer .trace", state="attached")
        assert len(event_marks(page)) == expected
        assert label_overlaps(page) == []
        page.screenshot(path=str(tmp_path / "corpus.png"))
        assert hidden_marks(page) == []  # its rare-earth lane is crowded: seven marks in 3 months
    assert log.console_errors == [] and log.page_errors == [] and log.remote_requests() == []
    assert png_size(tmp_path / "corpus.png") == (1280, 800)
