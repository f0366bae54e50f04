"""`tradeline report`: the HTML timeline on the bundled sample and on made-up warehouses,
read back as HTML and as the Plotly figure it embeds (the browser tests open it for real)."""

from __future__ import annotations

import base64
import gzip
import logging
import re
from collections import Counter
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from tests.report_support import figure_in, synthetic_warehouse
from tradeline.flows.cli import app
from tradeline.report import build_report
from tradeline.report.figure import event_count
from tradeline.report.hover import EVIDENCE_CHARS
from tradeline.report.publish import ARTIFACT_KEY, publish_report, report_path
from tradeline.warehouse import merge

runner = CliRunner()
CONTRACT_IDS = ("timeline", "detail", "active-permits", "companies-ranked", "entries",
                "provenance")
TODAY = date(2026, 3, 1)


class _Page(HTMLParser):
    """Every tag's attributes, and the ids, of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    @property
    def ids(self) -> dict[str, str]:
        return {a["id"]: tag for tag, a in self.tags if a.get("id")}


def _page(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def _count(warehouse: Path, where: str = "") -> int:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(f"SELECT count(*) FROM timeline {where}").fetchone()[0]


def _report(warehouse: Path, out: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["report", "-w", str(warehouse), "-o", str(out), *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def sample_report(sample_warehouse_path: Path, tmp_path_factory) -> tuple[Path, str]:
    """The sample's report, written by the CLI (the sample is made by the ingest flow)."""
    out = tmp_path_factory.mktemp("report") / "timeline.html"
    code, stdout, stderr = _report(sample_warehouse_path, out)
    assert code == 0, stderr
    return out, stdout


@pytest.mark.slow
def test_the_sample_report_is_one_offline_page_with_the_contract_ids(
    sample_report: tuple[Path, str], sample_warehouse_path: Path
) -> None:
    out, stdout = sample_report
    html = out.read_text(encoding="utf-8")
    n = _count(sample_warehouse_path)
    assert stdout.strip() == f"{out} · entries: {n} · bytes: {out.stat().st_size}"
    page = _page(html)
    ids = page.ids
    assert {i: ids.get(i) for i in CONTRACT_IDS} == {
        "timeline": "div", "detail": "div", "active-permits": "table",
        "companies-ranked": "table", "entries": "table", "provenance": "section",
    }
    assert "aggregated" not in ids
    loads = [(tag, a) for tag, a in page.tags if tag != "a" and (a.get("src") or a.get("href"))]
    assert loads == [], "the page loads nothing: scripts and styles are inline"
    links = [a["href"] for tag, a in page.tags if tag == "a" and a.get("href")]
    assert links and all(href.startswith("file://") for href in links)  # the sample's sources
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=", html)
    assert "cdn.plot.ly" not in html.split("<script", 2)[1][:200]
    assert out.stat().st_size < 10_000_000


@pytest.mark.slow
def test_every_entry_is_one_event_mark_with_its_key(
    sample_report: tuple[Path, str], sample_warehouse_path: Path
) -> None:
    out, _ = sample_report
    html = out.read_text(encoding="utf-8")
    fig = figure_in(html)
    with duckdb.connect(str(sample_warehouse_path), read_only=True) as con:
        keys = {k for (k,) in con.execute("SELECT entry_key FROM timeline").fetchall()}
    events = [t for t in fig["data"] if t.get("meta") == "event"]
    assert all(t["type"] == "scatter" for t in fig["data"])  # SVG, so marks are in the DOM
    assert event_count(fig) == len(keys) == _count(sample_warehouse_path) > 0
    assert {c[0] for t in events for c in t["customdata"]} == keys
    assert [s["name"] for s in fig["layout"]["shapes"]] == ["today"]
    table = re.search(r'<table id="entries".*?</table>', html, re.S).group(0)
    rows = re.findall(r'<tr data-key="([0-9a-f]+)">', table)
    assert sorted(rows) == sorted(keys)  # the entries table has the same entries


@pytest.mark.slow
def test_the_seed_permit_shows_its_evidence_sources_and_one_year_validity(
    sample_report: tuple[Path, str], sample_warehouse_path: Path
) -> None:
    out, _ = sample_report
    fig = figure_in(out.read_text(encoding="utf-8"))
    with duckdb.connect(str(sample_warehouse_path), read_only=True) as con:
        key, evidence, mentions = con.execute(
            "SELECT entry_key, evidence, mentions FROM timeline WHERE type = 'permit_issued' "
            "AND event_date = '2025-12-02'"
        ).fetchone()
    hover = next(
        text for t in fig["data"] if t.get("meta") == "event"
        for text, c in zip(t["text"], t["customdata"], strict=True) if c[0] == key
    )
    assert "JL Mag" in hover and "China" in hover and "rare earths" in hover
    assert " ".join(evidence.split()[:8]) in hover.replace("<br>", " ")
    assert "n_articles: 2 · n_sources: 2" in hover
    for m in mentions:
        assert m["outlet"] in hover and str(m["published"]) in hover and m["url"] in hover
    validity = next(t for t in fig["data"] if t.get("meta") == "validity")
    points = [x for x, c in zip(validity["x"], validity["customdata"], strict=True)
              if c[0] == key]
    assert points == ["2025-12-02", "2026-12-02"]


@pytest.mark.slow
def test_a_filter_narrows_the_chart_and_tables(
    sample_warehouse_path: Path, tmp_path: Path
) -> None:
    out = tmp_path / "rare.html"
    code, _, stderr = _report(sample_warehouse_path, out, "--commodity", "rare earths",
                              "--since", "2025-06")
    assert code == 0, stderr
    fig = figure_in(out.read_text(encoding="utf-8"))
    expected = _count(sample_warehouse_path, "WHERE commodity = 'rare earths' AND "
                      "date_to >= DATE '2025-06-01'")
    assert 0 < event_count(fig) == expected < _count(sample_warehouse_path)
    assert "--commodity rare earths" in out.read_text(encoding="utf-8")


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--type", "nope"), "unknown event type 'nope'"),
        (("--commodity", "moon dust"), "moon dust"),
        (("--since", "2025-13"), "not a real month"),
        (("--until", "soon"), "until"),
        (("--company", " "), "company filter is empty"),
        (("--lanes", "country"), "unknown --lanes 'country'"),
    ],
)
def test_a_bad_filter_is_one_error_line_and_exit_2(
    sample_warehouse_path: Path, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    out = tmp_path / "bad.html"
    code, stdout, stderr = _report(sample_warehouse_path, out, *args)
    assert code == 2 and stdout == ""
    assert stderr.startswith("error: ") and message in stderr and "Traceback" not in stderr
    assert len(stderr.strip().splitlines()) == 1
    assert not out.exists()


def test_a_missing_warehouse_is_exit_2(tmp_path: Path) -> None:
    code, _, stderr = _report(tmp_path / "none.duckdb", tmp_path / "x.html")
    assert code == 2 and "no warehouse" in stderr


def test_an_output_that_is_a_folder_is_exit_2_leaving_nothing(tmp_path: Path) -> None:
    warehouse = synthetic_warehouse(tmp_path / "w.duckdb", 2)
    folder = tmp_path / "out"
    folder.mkdir()
    code, _, stderr = _report(warehouse, folder)
    assert code == 2 and stderr.startswith("error: ") and "is a folder" in stderr
    assert list(folder.iterdir()) == []
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.slow
def test_company_lanes_name_each_firm(sample_warehouse_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "companies.html"
    code, _, stderr = _report(sample_warehouse_path, out, "--lanes", "company")
    assert code == 0, stderr
    html = out.read_text(encoding="utf-8")
    fig = figure_in(html)
    assert event_count(fig) == _count(sample_warehouse_path)
    lanes = fig["layout"]["yaxis"]["ticktext"]
    assert fig["layout"]["yaxis"]["title"]["text"] == "company"
    with duckdb.connect(str(sample_warehouse_path), read_only=True) as con:
        firms = {c for (c,) in con.execute("SELECT DISTINCT canonical FROM company_timeline")
                 .fetchall()}
        no_firm = con.execute("SELECT count(*) FROM timeline WHERE len(companies) = 0") \
            .fetchone()[0]
    assert set(lanes) - {"(no company)"} <= firms and len(lanes) >= 2
    assert ("(no company)" in lanes) == (no_firm > 0)
    ranked = re.search(r'<table id="companies-ranked".*?</table>', html, re.S).group(0)
    assert all(firm in ranked for firm in firms)


def test_month_dates_are_spans_with_the_mark_in_the_middle(tmp_path: Path) -> None:
    warehouse = synthetic_warehouse(tmp_path / "w.duckdb", 12)
    summary = build_report(warehouse, tmp_path / "r.html", today=TODAY)
    fig = figure_in((tmp_path / "r.html").read_text(encoding="utf-8"))
    assert summary.entries == summary.marks == event_count(fig) == 12
    spans = [t for t in fig["data"] if t.get("meta") == "span"]
    xs = [x for t in spans for x in t["x"]]
    # entry 0 is dated 2020-01 and entry 10 2021-04: ranges over the month, marks mid-month
    assert {"2020-01-01", "2020-01-31", "2021-04-01", "2021-04-30"} <= set(xs)
    marks = {x for t in fig["data"] if t.get("meta") == "event" for x in t["x"]}
    assert "2020-01-16" in marks and "2020-01-01" not in marks


def test_many_entries_are_aggregated_by_lane_and_month_and_the_page_says_so(
    tmp_path: Path,
) -> None:
    warehouse = synthetic_warehouse(tmp_path / "w.duckdb", 60)
    with duckdb.connect(str(warehouse)) as con:  # two events known only to the year
        con.execute("UPDATE events SET event_date = '2024', date_granularity = 'year' WHERE "
                    "fact_key IN (SELECT fact_key FROM events ORDER BY fact_key LIMIT 2)")
        merge.rebuild(con)  # the timeline's entries take the new dates
    summary = build_report(warehouse, tmp_path / "r.html", aggregate_above=20, today=TODAY)
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    fig = figure_in(html)
    events = [t for t in fig["data"] if t.get("meta") == "event"]
    counts = [c[1] for t in events for c in t["customdata"]]
    assert summary.aggregated and summary.entries == 60
    assert sum(counts) == 60 and summary.marks == event_count(fig) == len(counts) < 60
    keys = [c[0] for t in events for c in t["customdata"]]
    assert all(re.fullmatch(r".+\|\d{4}(-\d{2})?", k) for k in keys)
    year_only = [c[1] for t in events for c in t["customdata"] if c[0].endswith("|2024")]
    assert sum(year_only) == 2  # in a year bucket of their own, not in 2024-07
    assert '<p id="aggregated">' in html and "over 20," in html
    assert len(re.findall(r'<tr data-key="', html)) == 60  # the table still lists every entry
    rows = re.findall(r'<tr data-key="[0-9a-f]+" data-lane="([^"]+)" data-month="([-0-9]+)"',
                      html)  # a click on a lane-month lists the rows of that lane and month
    assert sorted(Counter(rows).values()) == sorted(counts)
    small = build_report(warehouse, tmp_path / "s.html", aggregate_above=60, today=TODAY)
    assert not small.aggregated and small.marks == 60


def test_a_page_that_would_be_too_large_is_aggregated(tmp_path: Path) -> None:
    warehouse = synthetic_warehouse(tmp_path / "w.duckdb", 60)
    summary = build_report(warehouse, tmp_path / "r.html", max_bytes=1_000, today=TODAY)
    assert summary.aggregated and summary.entries == 60 and summary.marks < 60
    assert '<p id="aggregated">' in (tmp_path / "r.html").read_text(encoding="utf-8")


def test_a_large_table_is_packed_and_holds_every_entry(tmp_path: Path) -> None:
    warehouse = synthetic_warehouse(tmp_path / "w.duckdb", 40)
    build_report(warehouse, tmp_path / "r.html", pack_rows_above=1_000, today=TODAY)
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    table = re.search(r'<table id="entries".*?</table>', html, re.S).group(0)
    assert "<tbody></tbody>" in table  # filled by the page's script
    packed = re.search(
        r'<script type="application/gzip\+base64" id="entries-rows">([A-Za-z0-9+/=]+)</script>',
        html,
    ).group(1)
    rows = gzip.decompress(base64.b64decode(packed)).decode("utf-8")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        keys = sorted(k for (k,) in con.execute("SELECT entry_key FROM timeline").fetchall())
    assert sorted(re.findall(r'<tr data-key="([0-9a-f]+)">', rows)) == keys
    assert len(packed) < len(rows) / 2


def test_values_are_escaped_and_hover_evidence_is_cut(tmp_path: Path) -> None:
    warehouse = synthetic_warehouse(tmp_path / "w.duckdb", 3,
                                    outlet="<script>alert(1)</script> & Co")
    with duckdb.connect(str(warehouse)) as con:  # a long sentence, as an article may have
        con.execute("UPDATE events SET evidence = evidence || repeat(' more words', 60)")
        merge.rebuild(con)  # the timeline's rows take the edited facts
    build_report(warehouse, tmp_path / "r.html", today=TODAY)
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in html
    fig = figure_in(html)
    hover = next(t for t in fig["data"] if t.get("meta") == "event")["text"][0]
    evidence = re.search(r"“(.*?)”", hover.replace("<br>", " "), re.S).group(1)
    assert len(evidence) <= EVIDENCE_CHARS + 1 and evidence.endswith("…")
    assert "more words more words" in html.split('<table id="entries"', 1)[1]  # whole there


def test_a_javascript_link_stays_text(tmp_path: Path) -> None:
    warehouse = synthetic_warehouse(tmp_path / "w.duckdb", 2)
    with duckdb.connect(str(warehouse)) as con:
        con.execute("UPDATE articles SET url = 'javascript:alert(1)'")
        merge.rebuild(con)  # the timeline's rows take the edited articles
    build_report(warehouse, tmp_path / "r.html", today=TODAY)
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "javascript:alert(1)" in html.split('<table id="entries"', 1)[1]  # shown, as text
    assert not re.search(r"""href\s*=\s*["']?\s*javascript:""", html, re.I)


def test_an_empty_warehouse_still_makes_a_page(tmp_path: Path) -> None:
    from tradeline.warehouse.db import connect

    connect(tmp_path / "w.duckdb").close()
    summary = build_report(tmp_path / "w.duckdb", tmp_path / "r.html", today=TODAY)
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert summary.entries == summary.marks == 0
    assert "none yet" in html and all(f'id="{i}"' in html for i in CONTRACT_IDS)


# --- after each run ---------------------------------------------------------------------------


@pytest.mark.slow
def test_the_ingest_flow_leaves_the_report_beside_the_warehouse_and_an_artifact(
    sample_warehouse_path: Path,
) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    out = report_path(sample_warehouse_path)
    assert out == sample_warehouse_path.with_name("sample.report.html") and out.is_file()
    assert event_count(figure_in(out.read_text(encoding="utf-8"))) == _count(
        sample_warehouse_path)
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[ARTIFACT_KEY]))
        )
    mine = [a for a in artifacts if str(out.resolve()) in str(a.data)]
    assert mine and all(a.type == "markdown" and a.flow_run_id for a in mine)
    assert out.resolve().as_uri() in mine[0].data


def test_a_report_that_cannot_be_built_only_warns(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    broken = tmp_path / "broken.duckdb"
    broken.write_bytes(b"not a database at all" * 100)
    with caplog.at_level(logging.WARNING, logger="tradeline.report.publish"):
        assert publish_report(broken) is None
    assert "timeline report not rebuilt" in caplog.text
    assert not report_path(broken).exists()


def test_the_report_can_be_turned_off(tmp_path: Path) -> None:
    from tradeline.config import load_settings

    config = tmp_path / "tradeline.toml"
    config.write_text("[report]\nenabled = false\n")
    settings = load_settings(config)
    warehouse = synthetic_warehouse(tmp_path / "w.duckdb", 2)
    assert publish_report(warehouse, enabled=settings.report.enabled) is None
    assert not report_path(warehouse).exists()
    summary = publish_report(warehouse)  # outside a flow run: the file, no artifact
    assert summary is not None and summary.path == tmp_path / "w.report.html"


@pytest.mark.slow
def test_runs_follow_the_report_setting_and_a_poll_with_nothing_new_rewrites_nothing(
    tmp_path: Path,
) -> None:
    import shutil

    from tests.conftest import SAMPLES
    from tradeline.config import FeedConfig, FetchConfig, ReportConfig, Settings
    from tradeline.flows.archive_import import import_paths
    from tradeline.flows.ingest import ingest

    off = Settings(report=ReportConfig(enabled=False))
    import_paths(off, tmp_path / "off.duckdb", [SAMPLES / "articles"])
    assert not report_path(tmp_path / "off.duckdb").exists()

    shutil.copytree(SAMPLES, tmp_path / "samples")
    settings = Settings(fetch=FetchConfig(per_host_delay_s=0), feeds=[
        FeedConfig(name="sample", url=str(tmp_path / "samples" / "feed.xml"))])
    warehouse = tmp_path / "feed.duckdb"
    assert ingest(settings, str(warehouse)).new_articles >= 7
    report_path(warehouse).unlink()
    again = ingest(settings, str(warehouse))
    assert again.new_articles == 0
    assert not report_path(warehouse).exists()  # no run recorded: the same picture


@pytest.mark.slow
def test_reextract_and_import_rebuild_the_report_too(
    sample_warehouse_path: Path, tmp_path: Path
) -> None:
    import shutil

    from tests.conftest import SAMPLES
    from tradeline.config import Settings
    from tradeline.flows.archive_import import import_paths
    from tradeline.flows.reextract import reextract

    copy = tmp_path / "copy.duckdb"
    shutil.copy(sample_warehouse_path, copy)
    summary = reextract(Settings(), str(copy), since="2026-02")
    assert summary.extracted > 0
    html = report_path(copy).read_text(encoding="utf-8")
    assert event_count(figure_in(html)) == _count(copy)
    with duckdb.connect(str(copy), read_only=True) as con:
        assert summary.run_id == con.execute(
            "SELECT run_id FROM extraction_runs WHERE status = 'completed' "
            "ORDER BY finished_at DESC LIMIT 1").fetchone()[0]
    assert summary.run_id in html.split('<section id="provenance"', 1)[1]

    imported = tmp_path / "imported.duckdb"
    import_paths(Settings(), imported, [SAMPLES / "articles"])
    html = report_path(imported).read_text(encoding="utf-8")
    assert 0 < event_count(figure_in(html)) == _count(imported)


def test_crowded_marks_of_a_lane_take_rows_of_their_own() -> None:
    from tradeline.report.lanes import rows_in_lane

    days = [date(2025, 12, d) for d in (1, 2, 2, 3)] + [date(2026, 6, 1), date(2025, 12, 2)]
    rows = rows_in_lane([0, 0, 0, 0, 0, 1], days, min_gap_days=10)
    assert len(set(rows[:4])) == 4  # four marks within days of each other: four rows
    assert rows[4] == 0 and rows[5] == 0  # far from the others, or in another lane: the middle
