"""robots.txt and per-host limits against a real threaded HTTP server on 127.0.0.1."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from tradeline.config import FetchConfig, Settings
from tradeline.flows.steps import fetch_documents
from tradeline.records import FeedEntry
from tradeline.sources.http import Fetcher, FetchError
from tradeline.sources.robots import ROBOTS, RobotsCache, parse_robots, site_of
from tradeline.warehouse.entries import PERMANENT, code_of

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
    assert rules.can_fetch("https://example.com/news/a.html", UA)
    assert not rules.can_fetch("https://example.com/private/b.html", UA)
    assert not rules.can_fetch("https://example.com/news/a.html", "OtherBot/1.0")
    assert rules.crawl_delay(UA) == 2


# The three cases urllib.robotparser got wrong (issue 15), as RFC 9309 §2.2.2-2.2.3 reads them.
@pytest.mark.parametrize(
    ("robots", "path", "allowed"),
    [
        ("Disallow: /*?print=1", "/news/a.html?print=1", False),  # `*` matches any characters
        ("Disallow: /*?print=1", "/news/a.html", True),
        ("Disallow: /\nAllow: /news/", "/news/a", True),  # the longest match wins
        ("Disallow: /\nAllow: /news/", "/about", False),
        ("Allow: /news/\nDisallow: /", "/news/a", True),  # whatever the order of the lines
        ("Disallow: /*.pdf$", "/files/report.pdf", False),  # `$` anchors the end
        ("Disallow: /*.pdf$", "/files/report.pdf.html", True),
    ],
)
def test_rfc9309_wildcards_and_longest_match(robots: str, path: str, allowed: bool) -> None:
    rules = parse_robots("User-agent: *\n" + robots + "\n")
    assert rules.can_fetch("https://example.com" + path, UA) is allowed


def test_crawl_delay_is_read_per_user_agent() -> None:
    rules = parse_robots(
        "User-agent: tradeline\nCrawl-delay: 2.5\n\nUser-agent: *\nCrawl-delay: 10\n"
        "\nUser-agent: QuietBot\nDisallow: /x\n"
    )
    assert rules.crawl_delay(UA) == 2.5  # our group, fractional seconds read as such
    assert rules.crawl_delay("OtherBot/1.0") == 10.0  # the `*` group
    assert rules.crawl_delay("QuietBot") is None  # its own group says nothing


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


def test_rfc9309_rules_decide_what_is_fetched(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data(
        "User-agent: *\nDisallow: /\nAllow: /news/\nDisallow: /*?print=1\nDisallow: /*.pdf$\n",
        content_type="text/plain",
    )
    for path in ("/news/a.html", "/news/b.html", "/news/report.pdf"):
        httpserver.expect_request(path).respond_with_data(HTML, content_type="text/html")
    entries = _entries(
        httpserver, "/news/a.html", "/news/b.html?print=1", "/news/report.pdf", "/about.html"
    )

    docs, errors = fetch_documents(_settings(), entries)

    assert [d.url for d in docs] == [httpserver.url_for("/news/a.html")]
    assert sorted(e.url.rsplit("/", 1)[-1] for e in errors) == [
        "about.html", "b.html?print=1", "report.pdf"
    ]
    assert all(e.reason.startswith("robots:") for e in errors)
    assert sorted(r.path for r, _ in httpserver.log) == ["/news/a.html", "/robots.txt"]


def test_robots_off_fetches_everything(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data("User-agent: *\nDisallow: /\n")
    httpserver.expect_request("/a.html").respond_with_data(HTML, content_type="text/html")
    docs, errors = fetch_documents(_settings(respect_robots=False), _entries(httpserver, "/a.html"))
    assert len(docs) == 1 and not errors
    assert _robots_hits(httpserver) == 0


@pytest.mark.parametrize("status", [403, 404, 410])
def test_unavailable_robots_4xx_allows_all(httpserver: HTTPServer, status: int) -> None:
    """RFC 9309 §2.3.1.3: a 4xx robots.txt is "unavailable", and the crawler may fetch all."""
    httpserver.expect_request("/robots.txt").respond_with_data("nope", status=status)
    httpserver.expect_request("/a.html").respond_with_data(HTML, content_type="text/html")
    docs, errors = fetch_documents(_settings(), _entries(httpserver, "/a.html"))
    assert len(docs) == 1 and not errors


@pytest.mark.parametrize("status", [500, 503, 429])
def test_unreachable_robots_5xx_disallows_all(
    httpserver: HTTPServer, status: int, caplog: pytest.LogCaptureFixture
) -> None:
    """RFC 9309 §2.3.1.4: a 5xx robots.txt is "unreachable": the crawler MUST assume complete
    disallow. Each page is an error saying why, one that is tried again (not 'robots:', which
    gives the entry up), and the operator sees a warning."""
    httpserver.expect_request("/robots.txt").respond_with_data("down", status=status)
    httpserver.expect_request("/a.html").respond_with_data(HTML, content_type="text/html")
    with caplog.at_level("WARNING", logger="tradeline.sources.robots"):
        docs, errors = fetch_documents(_settings(), _entries(httpserver, "/a.html", "/b.html"))

    assert not docs and len(errors) == 2
    for error in errors:
        assert error.reason.startswith("robots_unreachable:")
        assert f"answered {status}" in error.reason and "RFC 9309" in error.reason
        assert code_of(error.reason) not in PERMANENT  # the entry stays owed
    assert [r.path for r, _ in httpserver.log] == ["/robots.txt"]  # no page was requested
    assert any("unreachable" in r.getMessage() for r in caplog.records)


def test_unreachable_robots_is_asked_again_after_ttl(httpserver: HTTPServer) -> None:
    httpserver.expect_ordered_request("/robots.txt").respond_with_data("down", status=503)
    httpserver.expect_ordered_request("/robots.txt").respond_with_data("User-agent: *\nDisallow:\n")
    cache = RobotsCache(ttl_s=0.0)
    with Fetcher(_settings().fetch) as fetcher:
        assert not cache.allowed(fetcher, httpserver.url_for("/a.html"))
        assert cache.allowed(fetcher, httpserver.url_for("/a.html"))
    assert _robots_hits(httpserver) == 2


def test_refused_connection_for_robots_disallows_all() -> None:
    with socket.socket() as sock:  # a port nothing listens on: bound, never listening
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}/a.html"
        cache = RobotsCache()
        with Fetcher(_settings().fetch) as fetcher, pytest.raises(FetchError) as caught:
            cache.check(fetcher, url)
    assert caught.value.reason == "robots_unreachable"
    assert "connection" in str(caught.value)


def test_cache_expires_after_ttl(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data("User-agent: *\nDisallow:\n")
    cache = RobotsCache(ttl_s=0.0)
    with Fetcher(_settings().fetch) as fetcher:
        assert cache.allowed(fetcher, httpserver.url_for("/a.html"))
        assert cache.allowed(fetcher, httpserver.url_for("/b.html"))
    assert _robots_hits(httpserver) == 2


def test_crawl_delay_spaces_requests_to_a_host(httpserver: HTTPServer, frozen_gate) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data(
        "User-agent: *\nCrawl-delay: 1\n"
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
