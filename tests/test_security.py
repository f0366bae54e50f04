"""Security end to end through the ingest steps and the CLI: what a web feed may make tradeline
fetch, size caps on feeds, a read-only `tradeline sql`, warehouse paths that are only paths, and
secrets in feed URLs that never reach the warehouse or the logs."""

from __future__ import annotations

import gzip
import logging
from pathlib import Path

import duckdb
import pytest
from pytest_httpserver import HTTPServer
from typer.testing import CliRunner

from tests.reliability_support import article_html
from tradeline.config import FeedConfig, FetchConfig, Settings
from tradeline.flows import steps
from tradeline.flows.cli import app
from tradeline.records import Extraction
from tradeline.warehouse.db import connect
from tradeline.warehouse.query import QueryError, run_sql

runner = CliRunner()
FAST = {"retries": 0, "timeout_s": 1, "backoff_s": 0.0}


def _rss(links: list[str]) -> str:
    items = "".join(
        f"<item><title>t{i}</title><link>{u}</link></item>" for i, u in enumerate(links)
    )
    return f'<rss version="2.0"><channel><title>web feed</title>{items}</channel></rss>'


def _ingest(settings_poll: Settings, settings_fetch: Settings, warehouse: Path) -> list:
    """poll → select → fetch → parse → store (no NLP: stored articles get an empty extraction)."""
    results, feed_errors = steps.poll_feeds(settings_poll, settings_poll.feeds, warehouse)
    entries, _, _ = steps.select_new_entries(warehouse, results)
    docs, fetch_errors = steps.fetch_documents(settings_fetch, entries)
    parsed, parse_errors = steps.parse_documents(docs)
    with connect(warehouse) as con:
        from tradeline.warehouse import runs

        run_id = runs.start_run(
            con,
            kind="ingest",
            extractor_version="t",
            model_name="t",
            model_version="t",
            assets_hash="t",
        )
    errors = [*feed_errors, *fetch_errors, *parse_errors]
    steps.store_results(warehouse, [(d, a, Extraction()) for d, a in parsed], errors, run_id)
    return errors


def _rows(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.mark.parametrize("allow_private", [False, True])
def test_web_feed_cannot_make_us_read_local_files_or_private_hosts(
    httpserver: HTTPServer, tmp_path: Path, allow_private: bool
) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request("/ok.html").respond_with_data(
        article_html(1), content_type="text/html"
    )
    links = [
        "file:///etc/passwd",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/admin",
        "http://[::1]:9/x",
        httpserver.url_for("/ok.html"),  # loopback: allowed only when the config says so
    ]
    httpserver.expect_request("/feed.xml").respond_with_data(
        _rss(links), content_type="application/rss+xml"
    )
    feed = FeedConfig(url=httpserver.url_for("/feed.xml"))
    # The feed itself is on 127.0.0.1, so polling needs the allowance; the article fetches
    # are what is under test.
    poll = Settings(feeds=[feed], fetch=FetchConfig(allow_private_hosts=True, **FAST))
    fetch = Settings(fetch=FetchConfig(allow_private_hosts=allow_private, **FAST))
    warehouse = tmp_path / "wh.duckdb"
    _ingest(poll, fetch, warehouse)

    recorded = dict(_rows(warehouse, "SELECT url, reason FROM ingest_errors"))
    reasons = {url: reason.split(":", 1)[0] for url, reason in recorded.items()}
    # feedparser hands the link on as file://etc/passwd; from a web feed it is never read
    assert [r for u, r in reasons.items() if u.startswith("file:")] == ["local_not_allowed"]
    assert not any("root:" in r for r in recorded.values())
    stored = {r[0] for r in _rows(warehouse, "SELECT url FROM documents")}
    if allow_private:
        assert stored == {httpserver.url_for("/ok.html")}
        # allowed, so they are tried: nothing listens there (a connection error, not a refusal)
        assert "http://10.0.0.1/admin" in reasons  # tried; whatever answers, nothing stored
    else:
        assert stored == set()
        for url in links[1:]:  # link-local, private, IPv6 loopback, loopback
            assert reasons[url] == "private_address", (url, recorded[url])


def test_feed_size_caps_are_recorded_as_source_errors(httpserver: HTTPServer, tmp_path) -> None:
    httpserver.expect_request("/big.xml").respond_with_data(
        _rss([f"https://example.org/{i}" for i in range(2000)]), content_type="application/xml"
    )
    httpserver.expect_request("/bomb.xml").respond_with_data(
        gzip.compress(b"<rss>" + b" " * 30_000_000, 9),
        content_type="application/xml",
        headers={"Content-Encoding": "gzip"},
    )
    feeds = [FeedConfig(url=httpserver.url_for(p)) for p in ("/big.xml", "/bomb.xml")]
    settings = Settings(
        feeds=feeds, fetch=FetchConfig(allow_private_hosts=True, max_feed_bytes=50_000, **FAST)
    )
    warehouse = tmp_path / "wh.duckdb"
    errors = _ingest(settings, settings, warehouse)
    assert [e.reason.split(":")[0] for e in errors] == ["too_large", "too_large"]
    assert "declares" in errors[0].reason and "decoded" in errors[1].reason
    assert _rows(warehouse, "SELECT count(*) FROM ingest_errors WHERE stage = 'feed'") == [(2,)]
    assert _rows(warehouse, "SELECT count(*) FROM sources WHERE last_error LIKE 'too_large%'") == [
        (2,)
    ]


def test_secrets_in_feed_urls_reach_neither_warehouse_nor_logs(
    httpserver: HTTPServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request("/a.html").respond_with_data(
        article_html(2), content_type="text/html"
    )
    httpserver.expect_request("/feed.xml").respond_with_data(
        _rss([httpserver.url_for("/a.html"), httpserver.url_for("/missing.html?api_key=S3CRET2")])
        + "<item><title>no link</title></item>",
        content_type="application/rss+xml",
    )
    base = httpserver.url_for("/feed.xml").replace("http://", "http://reader:PASSW0RD@")
    feed_url = f"{base}?token=S3CRET1&edition=us"
    settings = Settings(
        feeds=[FeedConfig(url=feed_url)], fetch=FetchConfig(allow_private_hosts=True, **FAST)
    )
    warehouse = tmp_path / "wh.duckdb"
    with caplog.at_level(logging.DEBUG):
        errors = _ingest(settings, settings, warehouse)
        _ingest(settings, settings, warehouse)  # a second poll finds its state by the same key
    assert [e.stage for e in errors] == ["fetch"]

    leaks = []
    with duckdb.connect(str(warehouse), read_only=True) as con:
        columns = con.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE data_type = 'VARCHAR' AND table_schema = 'main'"
        ).fetchall()
        for table, column in columns:
            hits = con.execute(
                f'SELECT count(*) FROM "{table}" WHERE "{column}" SIMILAR TO '
                "'.*(S3CRET|PASSW0RD).*'"
            ).fetchone()[0]
            if hits:
                leaks.append((table, column, hits))
        sources = con.execute("SELECT url FROM sources").fetchall()
        documents = con.execute("SELECT count(*) FROM documents").fetchone()[0]
    assert leaks == []
    assert sources == [(feed_url.replace("reader:PASSW0RD", "***").replace("S3CRET1", "***"),)]
    assert documents == 1
    ours = "\n".join(
        r.getMessage() for r in caplog.records if not r.name.startswith("werkzeug")
    )  # werkzeug is the test server's own request log
    assert "HTTP Request: GET" in ours  # httpx's INFO line is there, masked
    assert "S3CRET" not in ours and "PASSW0RD" not in ours


# -- tradeline sql and warehouse paths ---------------------------------------------------------


@pytest.fixture
def odd_warehouse(tmp_path: Path) -> Path:
    """A warehouse whose path is full of SQL and shell metacharacters."""
    folder = tmp_path / "we'ird; DROP TABLE articles; --\" $(touch pwned) `id`"
    folder.mkdir()
    path = folder / "wh'; ATTACH 'x.db' AS x; --.duckdb"
    with connect(path) as con:
        con.execute(
            "INSERT INTO sources (source_id, url, kind) VALUES ('s', 'https://e.org/f', 'feed')"
        )
    return path


@pytest.mark.parametrize(
    "sql",
    [
        "DROP TABLE sources",
        "DELETE FROM sources",
        "UPDATE sources SET url = 'x'",
        "INSERT INTO sources (source_id, url, kind) VALUES ('t', 'u', 'feed')",
        "SELECT 1; DROP TABLE sources",
        "COPY sources TO 'leak.csv'",
        "ATTACH 'other.duckdb' AS other",
        "CREATE TABLE t AS SELECT 1",
        "INSTALL httpfs",
        "SET enable_external_access = true",
    ],
)
def test_sql_cannot_modify_the_warehouse(odd_warehouse: Path, sql: str, tmp_path: Path) -> None:
    with pytest.raises(QueryError):
        run_sql(odd_warehouse, sql)
    assert run_sql(odd_warehouse, "SELECT count(*) FROM sources")[1] == [(1,)]
    assert not (tmp_path / "leak.csv").exists() and not Path("leak.csv").exists()


def test_odd_warehouse_path_is_only_a_path(odd_warehouse: Path, tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        ["sql", "SELECT url FROM sources", "--warehouse", str(odd_warehouse), "--format", "csv"],
    )
    assert result.exit_code == 0, result.output
    assert "https://e.org/f" in result.stdout
    assert sorted(p.name for p in odd_warehouse.parent.iterdir()) == [odd_warehouse.name]
    assert not any(p.name == "pwned" for p in tmp_path.rglob("*"))
    assert not (odd_warehouse.parent / "x.db").exists()
