"""The ingest flow end to end: a real HTTP server, real Prefect runs, a real DuckDB file."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from tests.conftest import SAMPLES
from tradeline.config import FetchConfig, Settings
from tradeline.flows import steps

pytestmark = pytest.mark.slow

SEED_PAGE = SAMPLES / "articles" / "seed-rare-earth-permits.html"
OTHER_PAGE = SAMPLES / "articles" / "india-rice-exports.html"

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Test trade feed</title><link>{base}</link>
<description>t</description>
<item><title>Seed</title><link>{base}/seed.html?utm_source=rss</link>
<pubDate>Wed, 03 Dec 2025 09:00:00 +0900</pubDate></item>
<item><title>Rice</title><link>{base}/rice.html</link>
<pubDate>Mon, 30 Sep 2024 08:00:00 +0530</pubDate></item>
<item><title>Gone</title><link>{base}/gone.html</link></item>
</channel></rss>"""


def _settings() -> Settings:
    return Settings(
        fetch=FetchConfig(allow_private_hosts=True, retries=1, backoff_s=0.01, timeout_s=5)
    )


def _serve_feed(httpserver: HTTPServer, etag: str = '"v1"') -> list[Request]:
    """Serve the feed with an ETag (304 when it matches) and two pages; return the feed requests."""
    feed_requests: list[Request] = []
    body = RSS.format(base=httpserver.url_for("").rstrip("/"))

    def feed(request: Request) -> Response:
        feed_requests.append(request)
        if request.headers.get("If-None-Match") == etag:
            return Response(status=304, headers={"ETag": etag})
        return Response(body, content_type="application/rss+xml", headers={"ETag": etag})

    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)  # none: all allowed
    httpserver.expect_request("/feed.xml").respond_with_handler(feed)
    httpserver.expect_request("/seed.html").respond_with_data(
        SEED_PAGE.read_bytes(), content_type="text/html; charset=utf-8"
    )
    httpserver.expect_request("/rice.html").respond_with_data(
        OTHER_PAGE.read_bytes(), content_type="text/html; charset=utf-8"
    )
    httpserver.expect_request("/gone.html").respond_with_data("gone", status=410)
    return feed_requests


def _count(path: Path, table: str) -> int:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


TABLES = (
    "documents",
    "articles",
    "extraction_runs",
    "events",
    "company_mentions",
    "validity_periods",
    "policy_dates",
    "ingest_errors",
)


def test_seed_report_end_to_end_over_http(prefect_harness, httpserver: HTTPServer, tmp_path):
    from tradeline.flows.ingest import ingest

    feed_requests = _serve_feed(httpserver)
    warehouse = tmp_path / "wh.duckdb"
    summary = ingest(_settings(), str(warehouse), [httpserver.url_for("/feed.xml")])

    assert summary.feeds_polled == 1
    assert summary.new_articles == 2
    assert [e.stage for e in summary.errors] == ["fetch"]
    assert "410" in summary.errors[0].reason
    assert feed_requests[0].headers["User-Agent"].startswith("tradeline")

    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            """SELECT type, event_date, companies, title FROM timeline
               WHERE array_to_string(urls, ' ') LIKE '%seed.html%' ORDER BY event_date"""
        ).fetchall()
        errors = con.execute("SELECT url, stage, reason FROM ingest_errors").fetchall()
        validity = con.execute(
            """SELECT v.duration FROM validity_periods v JOIN articles a USING (article_id)
               WHERE a.url LIKE '%seed.html%'"""
        ).fetchall()
        published = con.execute(
            "SELECT published FROM articles WHERE url LIKE '%seed.html%'"
        ).fetchone()[0]

    assert published == "2025-12-03"
    issued = [r for r in rows if r[0] == "permit_issued"]
    assert issued, rows
    assert issued[0][1] == "2025-12-02"
    companies = " ".join(issued[0][2] if isinstance(issued[0][2], list) else [issued[0][2]])
    assert "JL Mag" in companies or "JL MAG" in companies
    assert "Ningbo" in companies
    assert ("control_introduced", "2025-04") in {(r[0], r[1]) for r in rows}
    assert ("P1Y",) in validity
    assert errors and errors[0][1] == "fetch" and "gone.html" in errors[0][0]


def test_second_run_adds_nothing_and_304_skips_parsing(
    prefect_harness, httpserver: HTTPServer, tmp_path
):
    from tradeline.flows.ingest import ingest

    feed_requests = _serve_feed(httpserver)
    warehouse = tmp_path / "wh.duckdb"
    feed_url = httpserver.url_for("/feed.xml")
    ingest(_settings(), str(warehouse), [feed_url])
    before = {t: _count(warehouse, t) for t in TABLES}

    summary = ingest(_settings(), str(warehouse), [feed_url])

    assert feed_requests[1].headers.get("If-None-Match") == '"v1"'
    assert summary.feeds_not_modified == 1
    assert summary.entries_seen == 0 and summary.new_articles == 0
    assert {t: _count(warehouse, t) for t in TABLES} == before


def test_unchanged_feed_without_validators_is_deduplicated(
    prefect_harness, httpserver: HTTPServer, tmp_path
):
    """A server that ignores conditional GET: entries are known by canonical URL, not refetched."""
    from tradeline.flows.ingest import ingest

    _serve_feed(httpserver, etag='"never-matches"')
    body = RSS.format(base=httpserver.url_for("").rstrip("/"))
    httpserver.clear()
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request("/feed.xml").respond_with_data(body, content_type="text/xml")
    page_hits: list[str] = []

    def page(request: Request) -> Response:
        page_hits.append(request.path)
        return Response(SEED_PAGE.read_bytes(), content_type="text/html")

    for path in ("/seed.html", "/rice.html", "/gone.html"):
        httpserver.expect_request(path).respond_with_handler(page)
    warehouse = tmp_path / "wh.duckdb"
    feed_url = httpserver.url_for("/feed.xml")
    ingest(_settings(), str(warehouse), [feed_url])
    first_hits = len(page_hits)
    summary = ingest(_settings(), str(warehouse), [feed_url])

    assert first_hits == 3
    assert len(page_hits) == 3, "second run must not refetch stored articles"
    assert summary.already_stored == 3 and summary.new_articles == 0


def test_ctrl_c_during_an_ingest_is_recorded_interrupted(
    prefect_harness, httpserver: HTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Like `reextract` and `import` (flows/runs.py): Ctrl-C ends the run 'interrupted', and
    the batch stored before it stays."""
    import tradeline.flows.ingest as ingest_module
    from tradeline.flows.ingest import ingest

    _serve_feed(httpserver)
    stored = ingest_module.store_results
    calls = []

    def store_then_interrupt(*args, **kwargs):
        calls.append(stored(*args, **kwargs))
        raise KeyboardInterrupt

    monkeypatch.setattr(ingest_module, "store_results", store_then_interrupt)
    warehouse = tmp_path / "w.duckdb"
    with pytest.raises(KeyboardInterrupt):
        ingest(_settings(), str(warehouse), [httpserver.url_for("/feed.xml")])
    with duckdb.connect(str(warehouse), read_only=True) as con:
        runs = con.execute("SELECT kind, status, n_articles FROM extraction_runs").fetchall()
    assert len(calls) == 1
    assert runs == [("ingest", "interrupted", 2)]  # the seed and rice pages' batch stays


def test_one_article_that_breaks_extraction_does_not_fail_its_batch(make_article) -> None:
    """The batch is extracted again article by article: the bad one carries its error as the
    reason it was skipped, the others keep their facts."""
    from tradeline.records import Extraction

    class Flaky:
        def extract_many(self, items):
            items = list(items)
            if any(text == "boom" for text, _ in items):
                raise RuntimeError("component crashed")
            return [Extraction() for _ in items]

        def extract(self, text, published):
            if text == "boom":
                raise RuntimeError("component crashed")
            return Extraction()

    articles = [make_article(f"https://example.com/{n}") for n in range(3)]
    articles[1].text = "boom"
    out = steps.extract_articles(Flaky(), articles)
    assert [e.skipped_reason for e in out] == [
        None, "error: RuntimeError: component crashed", None
    ]
