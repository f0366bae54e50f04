"""robots.txt and per-host limits against a real threaded HTTP server on 127.0.0.1."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from tradeline.config import FetchConfig, Settings
from tradeline.flows.steps import fetch_documents
from tradeline.records import FeedEntry
from tradeline.sources.http import Fetcher
from tradeline.sources.robots import ROBOTS, RobotsCache, parse_robots, site_of

HTML = b"<html><body><p>Export permits issued.</p></body></html>"
UA = FetchConfig().user_agent


@pytest.fixture(scope="module")
def _server() -> Iterator[HTTPServer]:
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    yield server
    server.clear()
    server.stop()


@pytest.fixture
def httpserver(_server: HTTPServer) -> Iterator[HTTPServer]:
    ROBOTS.clear()  # the server keeps its port across tests: forget its robots.txt each time
    yield _server
    _server.clear()
    ROBOTS.clear()


def _settings(**fetch: object) -> Settings:
    values: dict[str, object] = {
        "allow_private_hosts": True,
        "retries": 0,
        "timeout_s": 5.0,
        "concurrency": 4,
    }
    values.update(fetch)
    return Settings(fetch=FetchConfig(**values))


def _entries(httpserver: HTTPServer, *paths: str) -> list[FeedEntry]:
    return [FeedEntry(url=httpserver.url_for(p)) for p in paths]


def _robots_hits(httpserver: HTTPServer) -> int:
    return sum(1 for request, _ in httpserver.log if request.path == "/robots.txt")


def test_parse_rules_for_our_user_agent() -> None:
    rules = parse_robots(
        "User-agent: tradeline\nDisallow: /private/\nCrawl-delay: 2\n\nUser-agent: *\nDisallow: /\n"
    )
    assert rules.can_fetch(UA, "https://example.com/news/a.html")
    assert not rules.can_fetch(UA, "https://example.com/private/b.html")
    assert not rules.can_fetch("OtherBot/1.0", "https://example.com/news/a.html")
    assert rules.crawl_delay(UA) == 2


def test_site_of_ignores_local_files_and_normalises_case() -> None:
    assert site_of("HTTPS://Example.COM:8443/a?b=1") == "https://example.com:8443"
    assert site_of("/tmp/page.html") is None
    assert site_of("file:///tmp/page.html") is None


def test_disallowed_url_is_an_error_with_reason_robots(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data(
        "User-agent: *\nDisallow: /private/\n", content_type="text/plain"
    )
    httpserver.expect_request("/news/a.html").respond_with_data(HTML, content_type="text/html")
    httpserver.expect_request("/private/b.html").respond_with_data(HTML, content_type="text/html")

    docs, errors = fetch_documents(
        _settings(), _entries(httpserver, "/news/a.html", "/private/b.html", "/news/c.html")
    )

    assert [d.url for d in docs] == [httpserver.url_for("/news/a.html")]
    reasons = {e.url.rsplit("/", 1)[-1]: e.reason for e in errors}
    assert reasons["b.html"].startswith("robots:")
    assert not reasons["c.html"].startswith("robots:")  # allowed, but 500 (no handler)
    paths = [request.path for request, _ in httpserver.log]
    assert "/private/b.html" not in paths
    assert _robots_hits(httpserver) == 1  # fetched once, cached for the site


def test_robots_off_fetches_everything(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data("User-agent: *\nDisallow: /\n")
    httpserver.expect_request("/a.html").respond_with_data(HTML, content_type="text/html")
    docs, errors = fetch_documents(_settings(respect_robots=False), _entries(httpserver, "/a.html"))
    assert len(docs) == 1 and not errors
    assert _robots_hits(httpserver) == 0


@pytest.mark.parametrize("status", [404, 500])
def test_missing_or_broken_robots_allows_all(httpserver: HTTPServer, status: int) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data("nope", status=status)
    httpserver.expect_request("/a.html").respond_with_data(HTML, content_type="text/html")
    docs, errors = fetch_documents(_settings(), _entries(httpserver, "/a.html"))
    assert len(docs) == 1 and not errors


def test_cache_expires_after_ttl(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data("User-agent: *\nDisallow:\n")
    cache = RobotsCache(ttl_s=0.0)
    with Fetcher(_settings().fetch) as fetcher:
        assert cache.allowed(fetcher, httpserver.url_for("/a.html"))
        assert cache.allowed(fetcher, httpserver.url_for("/b.html"))
    assert _robots_hits(httpserver) == 2


def test_crawl_delay_spaces_requests_to_a_host(httpserver: HTTPServer, frozen_gate) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data(
        "User-agent: *\nCrawl-delay: 1\n"  # the stdlib reads whole seconds only
    )
    for path in ("/1.html", "/2.html", "/3.html"):
        httpserver.expect_request(path).respond_with_data(HTML, content_type="text/html")
    docs, _ = fetch_documents(_settings(), _entries(httpserver, "/1.html", "/2.html", "/3.html"))

    assert len(docs) == 3
    # Each page waits its turn, 1 s after the one before (the gate's schedule on a stopped
    # clock); robots.txt itself is fetched before any Crawl-delay is known.
    assert sorted(frozen_gate.waits) == [1.0, 2.0]


def test_per_host_concurrency_limit(httpserver: HTTPServer) -> None:
    """Six pages of one host, two slots: each request is held until a second one is in flight
    (or none is left to come), so the test sees two at once every time and never a third."""
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    paths = [f"/{i}.html" for i in range(6)]
    changed = threading.Condition()
    in_flight = 0
    started = 0
    peaks: list[int] = []

    def held(request: Request) -> Response:
        nonlocal in_flight, started
        with changed:
            in_flight += 1
            started += 1
            peaks.append(in_flight)
            changed.notify_all()
            changed.wait_for(lambda: in_flight >= 2 or started == len(paths), timeout=30)
            in_flight -= 1
            changed.notify_all()
        return Response(HTML, content_type="text/html")

    for path in paths:
        httpserver.expect_request(path).respond_with_handler(held)

    docs, _ = fetch_documents(
        _settings(concurrency=6, per_host_concurrency=2), _entries(httpserver, *paths)
    )

    assert len(docs) == 6
    assert len(peaks) == 6 and max(peaks) == 2
