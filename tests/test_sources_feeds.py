"""parse_feed and poll_feed: own RSS/Atom strings, real news feeds served over HTTP, and the
feedparser project's ill-formed fixtures (../shared, skipped when absent)."""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pytest_httpserver import HTTPServer

from tests.conftest import REPO, shared_path
from tradeline.config import FetchConfig
from tradeline.sources.feeds import parse_feed, poll_feed
from tradeline.sources.http import Fetcher

FEED_URL = "https://news.example.com/trade/feed.xml"

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0">
  <channel>
    <title>  Trade Desk  </title>
    <link>https://news.example.com/</link>
    <item>
      <title>
        China issues rare earth export permits
      </title>
      <link>/trade/2025/12/03/rare-earth-permits?utm_source=rss</link>
      <pubDate>Wed, 03 Dec 2025 09:00:00 +0900</pubDate>
    </item>
    <item>
      <title>Rome, late evening</title>
      <link>https://news.example.com/trade/late</link>
      <pubDate>Wed, 16 Nov 2022 00:38:15 +0100</pubDate>
    </item>
    <item>
      <title>No link at all</title>
      <description>Nothing to fetch here.</description>
    </item>
    <item>
      <title>Undated</title>
      <guid isPermaLink="true">https://news.example.com/trade/undated</guid>
    </item>
    <item>
      <title>Bad date</title>
      <link>https://news.example.com/trade/bad-date</link>
      <pubDate>sometime soon</pubDate>
    </item>
  </channel>
</rss>
"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Export Controls Watch</title>
  <id>urn:example:feed</id>
  <updated>2026-03-12T22:10:00Z</updated>
  <entry>
    <title type="html">Licence granted for &lt;b&gt;chip&lt;/b&gt; tools</title>
    <link rel="alternate" href="https://atom.example.org/posts/chip-tools"/>
    <id>urn:example:1</id>
    <published>2026-03-12T17:10:00-05:00</published>
    <updated>2026-03-13T09:00:00Z</updated>
  </entry>
  <entry>
    <title>Only updated</title>
    <link href="posts/only-updated"/>
    <id>urn:example:2</id>
    <updated>2026-01-05T08:00:00Z</updated>
  </entry>
</feed>
"""


def test_parse_rss() -> None:
    result = parse_feed(RSS, FEED_URL, content_type="application/rss+xml; charset=utf-8")
    assert result.error is None and result.bozo_reason is None
    assert result.title == "Trade Desk"
    by_title = {e.title: e for e in result.entries}
    assert set(by_title) == {
        "China issues rare earth export permits",
        "Rome, late evening",
        "Undated",
        "Bad date",
    }  # the entry without a link is skipped
    permits = by_title["China issues rare earth export permits"]
    assert permits.url == (
        "https://news.example.com/trade/2025/12/03/rare-earth-permits?utm_source=rss"
    )
    assert permits.published == "2025-12-03"
    assert permits.feed_url == FEED_URL
    # The date the publisher wrote, not the UTC date (which would be the 15th).
    assert by_title["Rome, late evening"].published == "2022-11-16"
    assert by_title["Undated"].url == "https://news.example.com/trade/undated"
    assert by_title["Undated"].published is None
    assert by_title["Bad date"].published is None


def test_parse_atom() -> None:
    result = parse_feed(ATOM, "https://atom.example.org/feed.atom")
    assert result.error is None and result.bozo_reason is None
    assert result.title == "Export Controls Watch"
    first, second = result.entries
    assert first.url == "https://atom.example.org/posts/chip-tools"
    assert first.title == "Licence granted for chip tools"
    assert first.published == "2026-03-12"  # published wins over updated
    assert second.url == "https://atom.example.org/posts/only-updated"
    assert second.published == "2026-01-05"  # falls back to updated


def test_duplicate_links_are_kept_once() -> None:
    item = b"<item><title>t</title><link>https://x.example/a</link></item>"
    body = b'<rss version="2.0"><channel><title>d</title>' + item * 3 + b"</channel></rss>"
    assert [e.url for e in parse_feed(body, FEED_URL).entries] == ["https://x.example/a"]


def test_non_http_links_are_skipped() -> None:
    body = (
        b'<rss version="2.0"><channel><title>d</title>'
        b"<item><link>javascript:alert(1)</link></item>"
        b"<item><link>mailto:desk@example.com</link></item>"
        b"<item><link>https://x.example/ok</link></item></channel></rss>"
    )
    assert [e.url for e in parse_feed(body, FEED_URL).entries] == ["https://x.example/ok"]


def test_bozo_feed_keeps_its_entries() -> None:
    body = (
        b'<rss version="2.0"><channel><title>Broken & proud</title>'
        b"<item><title>One</title><link>https://x.example/1</link></item>"
        b"</channel></rss>"
    )
    result = parse_feed(body, FEED_URL)
    assert result.bozo_reason and result.bozo_reason.startswith("SAXParseException: ")
    assert result.error is None
    assert [e.url for e in result.entries] == ["https://x.example/1"]


@pytest.mark.parametrize(
    "body",
    [b"", b"\x00\xff\xfe garbage", b"<html><body>Not a feed</body></html>", b"<rss><channel"],
)
def test_unusable_bytes_give_an_error_not_an_exception(body: bytes) -> None:
    result = parse_feed(body, FEED_URL)
    assert result.entries == []
    assert result.error


def test_bytes_that_look_like_a_path_are_not_opened(tmp_path: Path) -> None:
    secret = tmp_path / "secret.xml"
    secret.write_bytes(RSS)
    result = parse_feed(str(secret).encode(), FEED_URL)
    assert result.entries == [] and result.error


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=400) | st.text(max_size=300).map(lambda t: f"<rss>{t}</rss>".encode()))
def test_parse_feed_never_raises(body: bytes) -> None:
    result = parse_feed(body, FEED_URL)
    assert result.error is None or result.entries == []


# -- poll_feed over HTTP ---------------------------------------------------------------------


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    with Fetcher(FetchConfig(allow_private_hosts=True, retries=1, backoff_s=0.01)) as f:
        yield f


def test_poll_feed_then_304(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    httpserver.expect_ordered_request("/feed.xml").respond_with_data(
        RSS, content_type="application/rss+xml", headers={"ETag": '"r1"'}
    )
    httpserver.expect_ordered_request(
        "/feed.xml", headers={"If-None-Match": '"r1"'}
    ).respond_with_data("", status=304)
    url = httpserver.url_for("/feed.xml")
    first = poll_feed(fetcher, url)
    assert first.status == 200 and first.error is None and first.not_modified is False
    assert first.etag == '"r1"'
    assert len(first.entries) == 4
    assert first.entries[0].url == httpserver.url_for(
        "/trade/2025/12/03/rare-earth-permits?utm_source=rss"
    )  # relative link resolved against the URL the feed came from
    assert all(e.feed_url == url for e in first.entries)

    second = poll_feed(fetcher, url, etag=first.etag, last_modified="Wed, 03 Dec 2025 09:00:00 GMT")
    assert second.not_modified is True and second.status == 304
    assert second.entries == [] and second.error is None
    assert second.etag == '"r1"' and second.last_modified == "Wed, 03 Dec 2025 09:00:00 GMT"


def test_poll_feed_resolves_against_the_final_url(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    httpserver.expect_request("/old-feed").respond_with_data(
        "", status=301, headers={"Location": "/new/feed.xml"}
    )
    httpserver.expect_request("/new/feed.xml").respond_with_data(
        ATOM, content_type="application/atom+xml"
    )
    url = httpserver.url_for("/old-feed")
    result = poll_feed(fetcher, url)
    assert result.url == url
    assert result.entries[1].url == httpserver.url_for("/new/posts/only-updated")
    assert result.entries[1].feed_url == url


def test_poll_feed_network_faults_become_errors(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    httpserver.expect_request("/gone").respond_with_data("", status=410)
    result = poll_feed(fetcher, httpserver.url_for("/gone"), etag='"old"')
    assert result.error is not None and result.error.startswith("http_410: ")
    assert result.status == 410 and result.entries == []
    assert result.etag == '"old"'  # kept for next time

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    refused = poll_feed(fetcher, f"http://127.0.0.1:{port}/feed")
    assert refused.error is not None and refused.error.startswith("connection: ")

    httpserver.expect_request("/pdf").respond_with_data(b"%PDF", content_type="application/pdf")
    assert poll_feed(fetcher, httpserver.url_for("/pdf")).error.startswith("content_type: ")


def test_poll_local_feed_needs_allow_local(tmp_path: Path, fetcher: Fetcher) -> None:
    feed = tmp_path / "feed.xml"
    feed.write_bytes(RSS)
    refused = poll_feed(fetcher, str(feed))
    assert refused.error is not None and refused.error.startswith("local_not_allowed: ")
    result = poll_feed(fetcher, str(feed), allow_local=True)
    assert result.error is None and len(result.entries) == 4
    # A root-relative link in a local feed resolves against the file: URL, like any other base.
    assert result.entries[0].url == "file:///trade/2025/12/03/rare-earth-permits?utm_source=rss"
    assert result.entries[1].url == "https://news.example.com/trade/late"


def test_bundled_sample_feed_links_to_local_articles(fetcher: Fetcher) -> None:
    sample = REPO / "samples" / "feed.xml"
    if not sample.exists():
        pytest.skip("no samples/feed.xml")
    result = poll_feed(fetcher, str(sample), allow_local=True)
    assert result.error is None and result.entries
    for entry in result.entries:
        assert entry.url.startswith("file:///")
        assert Path(entry.url.removeprefix("file://")).is_file(), entry.url
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", entry.published or "")


# -- the shared corpus ------------------------------------------------------------------------

NEWS_FEEDS = {
    "guardian-us.rss": ("application/rss+xml", 55),
    "uol-noticias.rss": ("application/rss+xml", 15),
    "jn-pt-ultimas.rss": ("application/rss+xml", 40),
    "heise-developer.atom": ("application/atom+xml", 15),
    "tpm-all-news.atom": ("application/atom+xml", 20),
    "washingtonpost-wellness.xml": ("text/xml; charset=utf-8", 29),
    "nbc-newyork.xml": ("application/xml", 1),
    "ilgiornale-cronache.xml": ("application/rss+xml", 1),
    "ilmessaggero-mondo.xml": ("application/rss+xml", 1),
    "nyt-wirecutter.xml": (None, 1),
}


@pytest.mark.shared
@pytest.mark.parametrize(("name", "spec"), NEWS_FEEDS.items(), ids=list(NEWS_FEEDS))
def test_news_feeds_over_http(
    httpserver: HTTPServer, fetcher: Fetcher, name: str, spec: tuple[str | None, int]
) -> None:
    content_type, n_entries = spec
    body = shared_path("corpus", "feeds", "news", name).read_bytes()
    httpserver.expect_request(f"/{name}").respond_with_data(body, content_type=content_type)
    result = poll_feed(fetcher, httpserver.url_for(f"/{name}"))
    assert result.error is None, result.error
    assert result.title
    assert len(result.entries) == n_entries
    for entry in result.entries:
        parts = urlsplit(entry.url)
        assert parts.scheme in ("http", "https") and parts.netloc, entry.url
        assert entry.title
        assert entry.published is None or re.fullmatch(r"\d{4}-\d{2}-\d{2}", entry.published)


@pytest.mark.shared
def test_news_feed_dates_and_bozo_details() -> None:
    folder = shared_path("corpus", "feeds", "news")
    guardian = parse_feed((folder / "guardian-us.rss").read_bytes(), "https://example.org/rss")
    assert guardian.bozo_reason is None
    assert guardian.entries[0].published == "2018-01-31"
    # Latin-1 bytes declared as UTF-8: feedparser recovers, says so, and the entries survive.
    uol = parse_feed((folder / "uol-noticias.rss").read_bytes(), "https://example.org/rss")
    assert uol.bozo_reason and uol.bozo_reason.startswith("CharacterEncodingOverride")
    assert uol.error is None and len(uol.entries) == 15
    # Localised day/month names ("Seg, 24 Set 2018") are beyond feedparser: no date, no guess.
    assert all(e.published is None for e in uol.entries)


def _illformed_cases() -> list[tuple[str, dict]]:
    path = REPO.parent / "shared" / "corpus" / "feeds" / "EXPECTATIONS.json"
    if not path.exists():
        return [("EXPECTATIONS.json", {})]  # the test itself skips via shared_path
    expectations = json.loads(path.read_text(encoding="utf-8"))
    return [
        (key.removeprefix("illformed/"), spec)
        for key, spec in sorted(expectations.items())
        if key.startswith("illformed/")
        and spec["expect"].startswith("bozo")
        and "chardet" not in (spec.get("skip_unless") or "")
    ]


ILLFORMED = _illformed_cases()


@pytest.mark.shared
@pytest.mark.parametrize(("name", "spec"), ILLFORMED, ids=[name for name, _ in ILLFORMED])
def test_illformed_feeds_set_bozo_reason(
    httpserver: HTTPServer, fetcher: Fetcher, name: str, spec: dict
) -> None:
    """Every fixture feedparser itself calls bozo parses without raising and says why.

    Fixtures whose upstream test sends HTTP headers are served with those headers, since the
    Content-Type is what makes them bozo (e.g. text/plain without a charset)."""
    body = shared_path("corpus", "feeds", "illformed", *name.split("/")).read_bytes()
    headers = spec.get("http_headers") or {}
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), None)
    if headers:
        httpserver.expect_request("/feed").respond_with_data(body, content_type=content_type)
        result = poll_feed(fetcher, httpserver.url_for("/feed"))
    else:
        result = parse_feed(body, "https://example.org/feed")
    assert result.bozo_reason, name
    assert re.match(r"\w+: ", result.bozo_reason)
    if not result.entries:
        assert result.error


def test_titles_are_plain_text() -> None:
    body = (
        b'<rss version="2.0"><channel><title>Desk</title><item>'
        b"<title>Tariffs &amp; quotas &lt; 10% &lt;b&gt;now&lt;/b&gt;</title>"
        b"<link>https://x.example/t</link></item></channel></rss>"
    )
    assert parse_feed(body, FEED_URL).entries[0].title == "Tariffs & quotas < 10% now"
