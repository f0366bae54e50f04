"""Fetcher against a real HTTP server on 127.0.0.1 (pytest-httpserver, threaded): no mocks."""

from __future__ import annotations

import gzip
import pickle
import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

import tradeline.sources.http as http_module
from tradeline.config import FetchConfig
from tradeline.sources.http import Fetcher, FetchError, parse_retry_after
from tradeline.sources.politeness import MAX_CRAWL_DELAY_S, HostGate

HTML = b"<html><head><title>t</title></head><body><p>Export permits issued.</p></body></html>"


@pytest.fixture(scope="module")
def _server() -> Iterator[HTTPServer]:
    # Threaded, so a handler that sleeps or trickles does not hold up the next request.
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    yield server
    server.clear()
    server.stop()


@pytest.fixture
def httpserver(_server: HTTPServer) -> Iterator[HTTPServer]:
    yield _server
    _server.clear()


def make_fetcher(**overrides: object) -> Fetcher:
    values: dict[str, object] = {
        "allow_private_hosts": True,
        "timeout_s": 2.0,
        "retries": 2,
        "backoff_s": 0.01,
    }
    values.update(overrides)
    return Fetcher(FetchConfig(**values))


def fetch_error(fetcher: Fetcher, url: str, **kwargs: object) -> FetchError:
    with fetcher, pytest.raises(FetchError) as info:
        fetcher.fetch(url, **kwargs)
    return info.value


def stamping(status: int, headers: dict[str, str] | None = None) -> Callable[[Request], Response]:
    """A handler that notes when the request arrived (see `request_times`)."""

    def handler(request: Request) -> Response:
        request.environ["tradeline.arrived"] = time.monotonic()
        return Response(HTML, status=status, headers=headers, content_type="text/html")

    return handler


def wait_for_log(httpserver: HTTPServer, n: int) -> int:
    """Requests are logged when their handler returns; wait (briefly) for slow ones."""
    deadline = time.monotonic() + 3
    while len(httpserver.log) < n and time.monotonic() < deadline:
        time.sleep(0.02)
    return len(httpserver.log)


def request_times(httpserver: HTTPServer) -> list[float]:
    return [request.environ["tradeline.arrived"] for request, _ in httpserver.log]


# -- success and conditional GET -------------------------------------------------------------


def test_200_page(httpserver: HTTPServer) -> None:
    settings = FetchConfig(allow_private_hosts=True)
    assert "tradeline" in settings.user_agent
    httpserver.expect_request(
        "/story", headers={"User-Agent": settings.user_agent}
    ).respond_with_data(
        HTML,
        content_type="text/html; charset=utf-8",
        headers={"ETag": '"v1"', "Last-Modified": "Wed, 03 Dec 2025 09:00:00 GMT"},
    )
    before = datetime.now(UTC)
    with Fetcher(settings) as fetcher:
        resp = fetcher.fetch(httpserver.url_for("/story"))
    assert resp.status == 200
    assert resp.body == HTML
    assert resp.content_type == "text/html; charset=utf-8"
    assert resp.etag == '"v1"'
    assert resp.last_modified == "Wed, 03 Dec 2025 09:00:00 GMT"
    assert resp.not_modified is False
    assert resp.url == resp.final_url == httpserver.url_for("/story")
    assert resp.fetched_at.tzinfo is not None and resp.fetched_at >= before


def test_conditional_get_304_sends_validators(httpserver: HTTPServer) -> None:
    lm = "Wed, 03 Dec 2025 09:00:00 GMT"
    httpserver.expect_request(
        "/feed", headers={"If-None-Match": '"abc"', "If-Modified-Since": lm}
    ).respond_with_data("", status=304)
    with make_fetcher() as fetcher:
        resp = fetcher.fetch(
            httpserver.url_for("/feed"), etag='"abc"', last_modified=lm, kind="feed"
        )
    assert resp.not_modified is True
    assert resp.status == 304
    assert resp.body == b""
    assert resp.etag == '"abc"' and resp.last_modified == lm  # echoed when the 304 omits them
    request, _ = httpserver.log[0]
    assert request.headers["If-None-Match"] == '"abc"'
    assert request.headers["If-Modified-Since"] == lm


def test_gzip_encoded_body_is_decoded(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/gz").respond_with_data(
        gzip.compress(HTML), content_type="text/html", headers={"Content-Encoding": "gzip"}
    )
    with make_fetcher() as fetcher:
        assert fetcher.fetch(httpserver.url_for("/gz")).body == HTML
    request, _ = httpserver.log[0]
    assert "gzip" in request.headers["Accept-Encoding"]


# -- retries ---------------------------------------------------------------------------------


def test_500_500_200_retries_and_succeeds(httpserver: HTTPServer) -> None:
    for status in (500, 500):
        httpserver.expect_ordered_request("/flaky").respond_with_data("oops", status=status)
    httpserver.expect_ordered_request("/flaky").respond_with_data(HTML, content_type="text/html")
    with make_fetcher(retries=2) as fetcher:
        resp = fetcher.fetch(httpserver.url_for("/flaky"))
    assert resp.status == 200 and resp.body == HTML
    assert len(httpserver.log) == 3


def test_503_forever_gives_up_after_retries(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/down").respond_with_data("busy", status=503)
    exc = fetch_error(make_fetcher(retries=2), httpserver.url_for("/down"))
    assert exc.reason == "http_503" and exc.status == 503
    assert str(exc).startswith("http_503: ")
    assert len(httpserver.log) == 3  # one try + two retries


def test_backoff_grows_exponentially(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/down").respond_with_data("busy", status=502)
    start = time.monotonic()
    fetch_error(make_fetcher(retries=2, backoff_s=0.1), httpserver.url_for("/down"))
    assert time.monotonic() - start >= 0.1 + 0.2


def test_429_honours_retry_after(httpserver: HTTPServer) -> None:
    httpserver.expect_ordered_request("/limited").respond_with_handler(
        stamping(429, {"Retry-After": "1"})
    )
    httpserver.expect_ordered_request("/limited").respond_with_handler(stamping(200))
    start = time.monotonic()
    with make_fetcher(retries=1, backoff_s=0.0) as fetcher:
        resp = fetcher.fetch(httpserver.url_for("/limited"))
    assert resp.status == 200
    assert time.monotonic() - start >= 0.95
    first, second = request_times(httpserver)
    assert second - first >= 0.95


def test_429_retry_after_beyond_budget_gives_up_at_once(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/limited").respond_with_data(
        "later", status=429, headers={"Retry-After": "3600"}
    )
    start = time.monotonic()
    # Budget: 3 x 0.3 s per attempt x 2 attempts < the 60 s cap on Retry-After.
    exc = fetch_error(make_fetcher(retries=1, timeout_s=0.3), httpserver.url_for("/limited"))
    assert exc.reason == "http_429"
    assert time.monotonic() - start < 1.0
    assert len(httpserver.log) == 1


def test_parse_retry_after() -> None:
    now = datetime(2025, 12, 3, 9, 0, tzinfo=UTC)
    assert parse_retry_after("7", now) == 7.0
    assert parse_retry_after(format_datetime(now + timedelta(seconds=30), usegmt=True), now) == 30
    assert parse_retry_after(format_datetime(now - timedelta(seconds=30), usegmt=True), now) == 0
    assert parse_retry_after("-5", now) == 0
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after(None, now) is None


@pytest.mark.parametrize("status", [404, 410, 403])
def test_client_errors_fail_at_once(httpserver: HTTPServer, status: int) -> None:
    httpserver.expect_request("/gone").respond_with_data("no", status=status)
    exc = fetch_error(make_fetcher(retries=3), httpserver.url_for("/gone"))
    assert exc.reason == f"http_{status}" and exc.status == status
    assert len(httpserver.log) == 1


# -- timeouts --------------------------------------------------------------------------------


def test_read_timeout_is_retried_then_reported(httpserver: HTTPServer) -> None:
    """The server answers only after the client has given up on both attempts, so a fetch that
    returns at all returned on its own read timeout (no wall-clock bound needed)."""
    answer = threading.Event()

    def held(request: Request) -> Response:
        answer.wait(30)
        return Response(HTML, content_type="text/html")

    httpserver.expect_request("/slow").respond_with_handler(held)
    try:
        exc = fetch_error(make_fetcher(timeout_s=0.2, retries=1), httpserver.url_for("/slow"))
        assert not answer.is_set()
    finally:
        answer.set()
    assert exc.reason == "timeout"
    assert wait_for_log(httpserver, 2) == 2  # one try + one retry reached the server


def test_trickling_body_hits_the_deadline(httpserver: HTTPServer) -> None:
    """Each chunk comes well within the 0.2 s read timeout, and the body never ends until the
    test says so: only the whole-request deadline (3 × 0.2 s) can end the fetch."""
    done = threading.Event()

    def trickle(request: Request) -> Response:
        def body() -> Iterator[bytes]:
            while not done.wait(0.05):
                yield b"<p>drip</p>"

        return Response(body(), content_type="text/html")

    httpserver.expect_request("/trickle").respond_with_handler(trickle)
    start = time.monotonic()
    try:
        exc = fetch_error(make_fetcher(timeout_s=0.2, retries=2), httpserver.url_for("/trickle"))
    finally:
        done.set()
    assert exc.reason == "timeout" and "not complete" in exc.detail
    assert time.monotonic() - start >= 0.55  # not before the deadline
    assert not exc.retryable and wait_for_log(httpserver, 1) == 1  # an overrun is not retried


def test_connection_refused(httpserver: HTTPServer) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    exc = fetch_error(make_fetcher(retries=1), f"http://127.0.0.1:{port}/x?token=SECRET")
    assert exc.reason == "connection"
    assert "SECRET" not in str(exc)


# -- redirects -------------------------------------------------------------------------------


def _redirect(httpserver: HTTPServer, path: str, location: str, status: int = 302) -> None:
    httpserver.expect_request(path).respond_with_data(
        "", status=status, headers={"Location": location}
    )


def test_redirect_is_followed(httpserver: HTTPServer) -> None:
    _redirect(httpserver, "/old", "/new", 301)
    httpserver.expect_request("/new").respond_with_data(HTML, content_type="text/html")
    with make_fetcher() as fetcher:
        resp = fetcher.fetch(httpserver.url_for("/old"))
    assert resp.url == httpserver.url_for("/old")
    assert resp.final_url == httpserver.url_for("/new")
    assert resp.body == HTML


def test_redirect_loop(httpserver: HTTPServer) -> None:
    _redirect(httpserver, "/a", "/b")
    _redirect(httpserver, "/b", httpserver.url_for("/a"))
    exc = fetch_error(make_fetcher(max_redirects=10), httpserver.url_for("/a"))
    assert exc.reason == "redirect_loop"


def test_too_many_redirects(httpserver: HTTPServer) -> None:
    for i in range(6):
        _redirect(httpserver, f"/r/{i}", f"/r/{i + 1}")
    httpserver.expect_request("/r/6").respond_with_data(HTML, content_type="text/html")
    exc = fetch_error(make_fetcher(max_redirects=3), httpserver.url_for("/r/0"))
    assert exc.reason == "too_many_redirects"
    assert len(httpserver.log) == 4
    with make_fetcher(max_redirects=3) as fetcher:  # exactly the limit is fine
        assert fetcher.fetch(httpserver.url_for("/r/3")).final_url == httpserver.url_for("/r/6")


@pytest.mark.parametrize("target", ["ftp://example.com/file", "file:///etc/passwd"])
def test_redirect_to_other_scheme_is_refused(httpserver: HTTPServer, target: str) -> None:
    _redirect(httpserver, "/jump", target)
    exc = fetch_error(make_fetcher(), httpserver.url_for("/jump"), allow_local=True)
    assert exc.reason == "bad_scheme"


def test_non_http_scheme_is_refused() -> None:
    assert fetch_error(make_fetcher(), "ftp://example.com/x").reason == "bad_scheme"


@pytest.mark.parametrize(
    "url", ["http://[::1/x", "http:///no-host", "http://example.com:99999999/"]
)
def test_malformed_urls_are_bad_url(url: str) -> None:
    assert fetch_error(make_fetcher(), url).reason == "bad_url"


class _RawHeaders(Response):
    def get_wsgi_headers(self, environ):  # werkzeug would choke on the bad Location itself
        return self.headers


def test_redirect_to_malformed_url(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/jump").respond_with_response(
        _RawHeaders("", status=302, headers={"Location": "http://[broken/x"})
    )
    assert fetch_error(make_fetcher(), httpserver.url_for("/jump")).reason == "bad_url"


# -- size caps -------------------------------------------------------------------------------


def test_body_over_cap_with_content_length(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/big").respond_with_data(b"x" * 5000, content_type="text/plain")
    exc = fetch_error(make_fetcher(), httpserver.url_for("/big"), max_bytes=1000)
    assert exc.reason == "too_large" and "declares 5000" in exc.detail


def test_body_over_cap_without_content_length(httpserver: HTTPServer) -> None:
    def chunked(request: Request) -> Response:
        return Response((b"x" * 1000 for _ in range(50)), content_type="text/plain")

    httpserver.expect_request("/big").respond_with_handler(chunked)
    exc = fetch_error(make_fetcher(), httpserver.url_for("/big"), max_bytes=10_000)
    assert exc.reason == "too_large"
    _, response = httpserver.log[0]
    assert "Content-Length" not in response.headers


def test_default_caps_differ_for_pages_and_feeds(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/doc").respond_with_data(b"<rss/>" * 400, content_type="text/xml")
    with make_fetcher(max_bytes=1000, max_feed_bytes=5000) as fetcher:
        assert len(fetcher.fetch(httpserver.url_for("/doc"), kind="feed").body) == 2400
    httpserver.expect_request("/page").respond_with_data(b"<p/>" * 400, content_type="text/html")
    exc = fetch_error(
        make_fetcher(max_bytes=1000, max_feed_bytes=5000), httpserver.url_for("/page")
    )
    assert exc.reason == "too_large"


def test_gzip_bomb_is_stopped_at_the_cap(httpserver: HTTPServer) -> None:
    bomb = gzip.compress(b"\0" * 50_000_000, compresslevel=9)
    assert len(bomb) < 100_000  # small on the wire
    httpserver.expect_request("/bomb").respond_with_data(
        bomb, content_type="text/html", headers={"Content-Encoding": "gzip"}
    )
    exc = fetch_error(make_fetcher(), httpserver.url_for("/bomb"), max_bytes=1_000_000)
    assert exc.reason == "too_large" and "decoded" in exc.detail


def test_corrupt_gzip_is_a_decode_error(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/bad").respond_with_data(
        b"not gzip at all", content_type="text/html", headers={"Content-Encoding": "gzip"}
    )
    assert fetch_error(make_fetcher(), httpserver.url_for("/bad")).reason == "decode"


# -- content types ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content_type", "kind"),
    [
        ("application/pdf", "page"),
        ("image/png", "page"),
        ("application/octet-stream", "page"),
        ("application/rss+xml", "page"),
        ("application/pdf", "feed"),
        ("image/jpeg", "feed"),
    ],
)
def test_wrong_content_type_is_refused(
    httpserver: HTTPServer, content_type: str, kind: str
) -> None:
    httpserver.expect_request("/doc").respond_with_data(b"%PDF-1.4", content_type=content_type)
    exc = fetch_error(make_fetcher(), httpserver.url_for("/doc"), kind=kind)
    assert exc.reason == "content_type"


@pytest.mark.parametrize(
    ("content_type", "kind"),
    [
        ("text/html; charset=utf-8", "page"),
        ("application/xhtml+xml", "page"),
        ("text/plain", "page"),
        (None, "page"),
        ("application/rss+xml; charset=utf-8", "feed"),
        ("application/atom+xml", "feed"),
        ("application/rdf+xml", "feed"),
        ("application/xml", "feed"),
        ("text/xml", "feed"),
        ("text/html", "feed"),
        (None, "feed"),
    ],
)
def test_accepted_content_types(
    httpserver: HTTPServer, content_type: str | None, kind: str
) -> None:
    def handler(request: Request) -> Response:
        response = Response(b"<x/>")
        del response.headers["Content-Type"]
        if content_type:
            response.headers["Content-Type"] = content_type
        return response

    httpserver.expect_request("/doc").respond_with_handler(handler)
    with make_fetcher() as fetcher:
        resp = fetcher.fetch(httpserver.url_for("/doc"), kind=kind)
    assert resp.content_type == content_type


# -- private addresses -----------------------------------------------------------------------


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_private_address_refused(httpserver: HTTPServer, host: str) -> None:
    httpserver.expect_request("/x").respond_with_data(HTML, content_type="text/html")
    url = f"http://{host}:{httpserver.port}/x"
    exc = fetch_error(make_fetcher(allow_private_hosts=False), url)
    assert exc.reason == "private_address"
    assert httpserver.log == []  # refused before connecting


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://0.0.0.0/",
        "http://224.0.0.1/",
    ],
)
def test_private_literals_refused_without_network(url: str) -> None:
    assert fetch_error(make_fetcher(allow_private_hosts=False), url).reason == "private_address"


def test_every_redirect_hop_is_checked(httpserver: HTTPServer, monkeypatch) -> None:
    # Pretend 127.0.0.1 is public so the first hop passes; "localhost" stays private.
    real = http_module.first_non_public
    monkeypatch.setattr(
        http_module,
        "first_non_public",
        lambda host, port: None if host == "127.0.0.1" else real(host, port),
    )
    _redirect(httpserver, "/out", f"http://localhost:{httpserver.port}/internal")
    exc = fetch_error(make_fetcher(allow_private_hosts=False), httpserver.url_for("/out"))
    assert exc.reason == "private_address"
    assert [req.path for req, _ in httpserver.log] == ["/out"]


# -- local files -----------------------------------------------------------------------------


def test_local_files_only_when_allowed(tmp_path: Path) -> None:
    page = tmp_path / "story.html"
    page.write_bytes(HTML)
    for url in (str(page), page.as_uri()):
        assert fetch_error(make_fetcher(), url).reason == "local_not_allowed"
        with make_fetcher() as fetcher:
            resp = fetcher.fetch(url, allow_local=True)
        assert resp.body == HTML
        assert resp.status == 200
        assert resp.content_type == "text/html"
        assert resp.final_url == page.as_uri()


def test_local_file_missing_too_large_or_wrong_type(tmp_path: Path) -> None:
    missing = tmp_path / "nope.html"
    assert fetch_error(make_fetcher(), str(missing), allow_local=True).reason == "not_found"
    assert fetch_error(make_fetcher(), str(tmp_path), allow_local=True).reason == "not_found"
    big = tmp_path / "big.html"
    big.write_bytes(b"x" * 2000)
    exc = fetch_error(make_fetcher(), str(big), allow_local=True, max_bytes=1000)
    assert exc.reason == "too_large"
    pdf = tmp_path / "doc.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    assert fetch_error(make_fetcher(), str(pdf), allow_local=True).reason == "content_type"
    feed = tmp_path / "feed.rss"
    feed.write_bytes(b"<rss/>")
    with make_fetcher() as fetcher:
        resp = fetcher.fetch(feed.as_uri(), kind="feed", allow_local=True)
    assert resp.content_type == "application/rss+xml"


# -- politeness, secrets, plumbing -----------------------------------------------------------


@pytest.fixture
def stamped(httpserver: HTTPServer) -> HTTPServer:
    httpserver.expect_request("/p").respond_with_handler(stamping(200))
    return httpserver


def test_per_host_delay_is_respected_across_threads(stamped: HTTPServer, frozen_gate) -> None:
    """Four threads fetch one host at once: each request waits its turn, one delay after the
    one before (the gate's schedule on a stopped clock: waits of 0, 1, 2 and 3 delays)."""
    delay = 0.15
    with make_fetcher(per_host_delay_s=delay) as fetcher:
        threads = [
            threading.Thread(target=fetcher.fetch, args=(stamped.url_for("/p"),)) for _ in range(4)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert wait_for_log(stamped, 4) == 4
    assert sorted(frozen_gate.waits) == pytest.approx([delay, 2 * delay, 3 * delay])


def test_per_host_delay_carries_over_to_the_next_fetcher(stamped: HTTPServer, frozen_gate) -> None:
    """Each ingest batch opens its own Fetcher; the spacing is the process's, not the batch's."""
    for _ in range(2):
        with make_fetcher(per_host_delay_s=0.5) as fetcher:
            fetcher.fetch(stamped.url_for("/p"))
    assert frozen_gate.waits == [0.5]


def test_host_gate_spaces_starts_on_its_clock() -> None:
    """The gate itself, on a clock that moves only when it sleeps: starts 1 s apart, a longer
    Crawl-delay wins (capped), no spacing means no wait, and hosts do not share a schedule."""
    now = [100.0]
    gate = HostGate(clock=lambda: now[0], sleep=lambda s: now.__setitem__(0, now[0] + s))
    starts = [gate.wait_turn("a.example", 1.0) for _ in range(3)]
    assert starts == [100.0, 101.0, 102.0] and now == [102.0]
    assert gate.wait_turn("a.example", 1.0, crawl_delay_s=5.0) == 103.0
    assert gate.wait_turn("a.example", 0.0, crawl_delay_s=1e9) == 108.0
    assert gate.wait_turn("a.example", 1.0) == 108.0 + MAX_CRAWL_DELAY_S
    assert gate.wait_turn("a.example", 0.0) is None and now == [108.0 + MAX_CRAWL_DELAY_S]
    assert gate.wait_turn("b.example", 1.0) == 108.0 + MAX_CRAWL_DELAY_S


def test_no_delay_by_default(stamped: HTTPServer, frozen_gate) -> None:
    with make_fetcher() as fetcher:
        for _ in range(5):
            fetcher.fetch(stamped.url_for("/p"))
    assert wait_for_log(stamped, 5) == 5
    assert frozen_gate.waits == []


def test_errors_never_show_secrets(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed").respond_with_data("no", status=404)
    url = httpserver.url_for("/feed") + "?api_key=SECRETKEY&id=3"
    exc = fetch_error(make_fetcher(), url.replace("http://", "http://bob:SECRETPW@"))
    assert exc.reason == "http_404"
    assert "SECRETKEY" not in str(exc) and "SECRETPW" not in str(exc)
    assert "id=3" in str(exc)


def test_fetch_error_pickles() -> None:
    exc = FetchError("http_503", "https://example.com/x", "https://example.com/x answered 503", 503)
    copy = pickle.loads(pickle.dumps(exc))
    assert (copy.reason, copy.url, copy.detail, copy.status) == (
        "http_503",
        exc.url,
        exc.detail,
        503,
    )
    assert str(copy) == str(exc) == "http_503: https://example.com/x answered 503"
