"""Nothing lost when the feed sends an ETag: an entry is owed until its article is stored, so
failed fetches, kills after the poll or mid-run, and a page archived before a crash are all
made good by the next run, although the feed then answers 304 (real server, real Prefect)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from tests.reliability_support import (
    NewsSite,
    article_html,
    kill_group,
    run_cli,
    start_cli,
    write_config,
)
from tradeline.config import FeedConfig, FetchConfig, Settings

pytestmark = pytest.mark.slow

ETAG = '"feed-v1"'
TIMEOUT_S = 0.5  # a request's deadline is 3 × this


class Faults:
    """Pages that fail (500, 503, 429, a timeout, a TCP reset) until `recover()`."""

    def __init__(self, server: HTTPServer) -> None:
        self.server = server
        self.recovered = threading.Event()
        self.feed_statuses: list[int] = []
        self.ok_paths = [f"/ok/{i}.html" for i in range(4)]
        self.fault_paths = ["/f/500.html", "/f/503.html", "/f/429.html", "/f/timeout.html"]
        self._reset = socket.socket()
        self._reset.bind(("127.0.0.1", 0))
        self._reset.listen(16)
        self.reset_url = f"http://127.0.0.1:{self._reset.getsockname()[1]}/f/reset.html"
        self._stop = threading.Event()
        threading.Thread(target=self._serve_reset, daemon=True).start()
        for i, path in enumerate(self.ok_paths):
            server.expect_request(path).respond_with_data(
                article_html(i), content_type="text/html; charset=utf-8"
            )
        for i, path in enumerate(self.fault_paths):
            server.expect_request(path).respond_with_handler(self._fault(path, 10 + i))
        server.expect_request("/feed.xml").respond_with_handler(self._feed)

    @property
    def links(self) -> list[str]:
        return [self.server.url_for(p) for p in self.ok_paths + self.fault_paths] + [
            self.reset_url
        ]

    def recover(self) -> None:
        self.recovered.set()

    def close(self) -> None:
        self._stop.set()
        self._reset.close()

    def _feed(self, request: Request) -> Response:
        if request.headers.get("If-None-Match") == ETAG:
            self.feed_statuses.append(304)
            return Response(status=304, headers={"ETag": ETAG})
        self.feed_statuses.append(200)
        items = "".join(f"<item><title>{i}</title><link>{u}</link></item>"
                        for i, u in enumerate(self.links))
        return Response(
            f'<rss version="2.0"><channel><title>faults</title>{items}</channel></rss>',
            content_type="application/rss+xml",
            headers={"ETag": ETAG},
        )

    def _fault(self, path: str, i: int):
        def handler(request: Request) -> Response:
            if self.recovered.is_set():
                return Response(article_html(i), content_type="text/html; charset=utf-8")
            if path.endswith("timeout.html"):
                self.recovered.wait(TIMEOUT_S * 6)  # past the request's deadline
                return Response("late", content_type="text/html")
            status = int(path.rsplit("/", 1)[1].split(".")[0])
            return Response("busy", status=status, headers={"Retry-After": "0"})

        return handler

    def _serve_reset(self) -> None:
        """Reset every connection while failing, then answer like a web server."""
        body = article_html(20).encode()
        while not self._stop.is_set():
            try:
                conn, _ = self._reset.accept()
            except OSError:
                return
            with conn:
                conn.recv(4096)
                if self.recovered.is_set():
                    conn.sendall(
                        b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
                        + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
                        + body
                    )
                else:
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\0\0\0\0\0\0\0")


@pytest.fixture
def faults() -> Iterator[Faults]:
    server = HTTPServer(threaded=True)
    server.start()
    site = Faults(server)
    yield site
    site.recover()
    site.close()
    server.clear()
    server.stop()


def _rows(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_failed_articles_are_stored_on_the_run_after_the_server_recovers(
    prefect_harness, faults: Faults, tmp_path: Path
) -> None:
    from tradeline.flows.ingest import ingest

    settings = Settings(
        feeds=[FeedConfig(url=faults.server.url_for("/feed.xml"))],
        fetch=FetchConfig(
            allow_private_hosts=True, timeout_s=TIMEOUT_S, retries=1, backoff_s=0.01,
            respect_robots=False, entry_backoff_s=0,
        ),
    )
    warehouse = tmp_path / "wh.duckdb"
    first = ingest(settings, str(warehouse))
    assert first.new_articles == 4
    reasons = sorted(e.reason.split(":", 1)[0] for e in first.errors)
    assert reasons == ["connection", "http_429", "http_500", "http_503", "timeout"]
    assert _rows(warehouse, "SELECT state, attempts, count(*) FROM feed_entries "
                            "GROUP BY ALL ORDER BY ALL") == [("failed", 1, 5), ("stored", 0, 4)]

    faults.recover()
    second = ingest(settings, str(warehouse))
    assert faults.feed_statuses == [200, 304]  # the feed says nothing changed...
    assert (second.owed, second.new_articles, second.errors) == (5, 5, [])  # ...and all come
    stored = {r[0] for r in _rows(warehouse, "SELECT url FROM articles")}
    assert stored == set(faults.links)
    assert _rows(warehouse, "SELECT state, count(*) FROM feed_entries GROUP BY ALL") == [
        ("stored", 9)
    ]

    third = ingest(settings, str(warehouse))
    assert faults.feed_statuses[-1] == 304 and third.owed == 0 and third.run_id is None


def test_a_page_archived_before_a_crash_is_stored_from_the_archive(
    prefect_harness, httpserver: HTTPServer, tmp_path: Path
) -> None:
    """A run that archived its pages and died before storing them: the next run gets 304 and
    stores the articles from the archive without fetching the pages again."""
    from tradeline.flows import steps
    from tradeline.flows.ingest import ingest

    site = NewsSite(httpserver, 3, etag=ETAG)
    settings = Settings(
        feeds=[FeedConfig(url=site.feed_url)],
        fetch=FetchConfig(allow_private_hosts=True, timeout_s=5, retries=0),
    )
    warehouse = tmp_path / "wh.duckdb"
    results, _ = steps.poll_feeds(settings, settings.feeds, warehouse)
    entries, _, _ = steps.select_new_entries(warehouse, results)
    docs, errors = steps.fetch_documents(settings, entries)
    assert steps.archive_documents(warehouse, docs) == 3 and not errors  # ...then the crash
    assert site.page_hits == 3

    summary = ingest(settings, str(warehouse))
    assert site.feed_statuses == [200, 304]
    assert site.page_hits == 3  # nothing fetched again
    assert (summary.owed, summary.new_articles) == (3, 3)
    assert _rows(warehouse, "SELECT count(*), count(DISTINCT document_id) FROM articles") == [
        (3, 3)
    ]
    assert _rows(warehouse, "SELECT count(*) FROM documents") == [(3,)]


N_ARTICLES = 40  # two batches of the flow (32 + 8)


def test_kill_9_after_the_poll_and_mid_run_then_a_rerun_stores_every_article(
    prefect_harness, httpserver: HTTPServer, tmp_path: Path
) -> None:
    """Kill points are events, never delays: the first page requested (the poll and its
    entries are committed by then), and page 33 (batch 1 stored, batch 2 being fetched)."""
    site = NewsSite(httpserver, N_ARTICLES, etag=ETAG)
    warehouse = tmp_path / "wh.duckdb"
    config = write_config(tmp_path, site.feed_url, warehouse)

    def stored() -> int:
        return _rows(warehouse, "SELECT count(*) FROM articles")[0][0]

    outcomes = []
    for hits in (1, 33):
        site.reset()
        proc = start_cli("run", "--config", str(config), "--no-timeline", cwd=tmp_path)
        reached = site.wait_for_hits(hits, proc)
        alive = proc.poll() is None
        kill_group(proc)
        outcomes.append((hits, reached, alive, stored()))
    print("kills (page, reached, killed while running, articles stored):", outcomes)
    assert outcomes == [(1, True, True, 0), (33, True, True, 32)]
    # The first run asks the feed twice: its first poll (flows/quick_poll.py) sees something
    # to do and records nothing, then the flow polls. A run after a killed one goes straight to
    # the flow (the dead run must be closed): once. Before the fix it saw no entries.
    assert site.feed_statuses == [200, 200, 304]

    final = run_cli("run", "--config", str(config), "--no-timeline", cwd=tmp_path)
    assert final.returncode == 0, final.stderr
    assert "Traceback" not in final.stderr
    assert site.feed_statuses == [200, 200, 304, 304]
    assert _rows(warehouse, "SELECT count(*), count(DISTINCT canonical_url) FROM articles") == [
        (N_ARTICLES, N_ARTICLES)
    ]
    assert _rows(warehouse, "SELECT count(DISTINCT article_id) FROM article_extractions") == [
        (N_ARTICLES,)
    ]
    assert _rows(warehouse, "SELECT state, count(*) FROM feed_entries GROUP BY ALL") == [
        ("stored", N_ARTICLES)
    ]
    statuses = _rows(warehouse, "SELECT status FROM extraction_runs ORDER BY run_id")
    assert statuses == [("interrupted",), ("interrupted",), ("completed",)]
    assert not _rows(warehouse, "SELECT * FROM ingest_errors")


def test_owed_entries_wait_for_their_backoff(
    prefect_harness, httpserver: HTTPServer, tmp_path: Path
) -> None:
    """A failed page is not asked again before its next try (an hour here); a 410 is given up
    at once and never asked again."""
    from tradeline.flows.ingest import ingest

    hits: dict[str, int] = {"/busy.html": 0, "/gone.html": 0}

    def counting(status: int):
        def handler(request: Request) -> Response:
            hits[request.path] += 1
            return Response("no", status=status)

        return handler

    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request("/busy.html").respond_with_handler(counting(503))
    httpserver.expect_request("/gone.html").respond_with_handler(counting(410))
    items = "".join(f"<item><link>{httpserver.url_for(p)}</link></item>" for p in hits)
    httpserver.expect_request("/feed.xml").respond_with_data(
        f'<rss version="2.0"><channel><title>t</title>{items}</channel></rss>',
        content_type="application/rss+xml",
    )
    settings = Settings(
        feeds=[FeedConfig(url=httpserver.url_for("/feed.xml"))],
        fetch=FetchConfig(allow_private_hosts=True, timeout_s=5, retries=0,
                          entry_backoff_s=3600),
    )
    warehouse = tmp_path / "wh.duckdb"
    first = ingest(settings, str(warehouse))
    assert first.given_up == 1 and len(first.errors) == 2
    second = ingest(settings, str(warehouse))
    assert hits == {"/busy.html": 1, "/gone.html": 1} and second.new_articles == 0
    rows = _rows(warehouse, "SELECT url, state, attempts, next_try_at IS NOT NULL "
                            "FROM feed_entries ORDER BY url")
    assert [r[1:] for r in rows] == [("failed", 1, True), ("given_up", 1, False)]
