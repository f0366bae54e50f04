"""canonical_url, is_local_url and redact_url: dedup keys and log-safe URLs."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradeline.sources.urls import canonical_url, is_local_url, redact_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTP://Example.COM", "http://example.com/"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("https://example.com:8443/a", "https://example.com:8443/a"),
        ("https://example.com/a#section-2", "https://example.com/a"),
        ("https://example.com/a?b=2&a=1", "https://example.com/a?a=1&b=2"),
        (
            "https://example.com/a?utm_source=rss&utm_medium=feed&id=7&fbclid=x&gclid=y&mc_cid=z",
            "https://example.com/a?id=7",
        ),
        ("https://example.com/a?UTM_Campaign=x", "https://example.com/a"),
        ("https://example.com/a?utm_source=rss", "https://example.com/a"),
        ("https://example.com/Path/Case", "https://example.com/Path/Case"),
        ("  https://example.com/a  ", "https://example.com/a"),
        ("https://example.com/a?q=a%20b&p=", "https://example.com/a?p=&q=a%20b"),
        ("http://[::1]:80/x", "http://[::1]/x"),
        ("https://user:pw@Example.com/", "https://user:pw@example.com/"),
        ("mailto:someone@example.com", "mailto:someone@example.com"),
    ],
)
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


def test_canonical_url_is_idempotent_and_order_free() -> None:
    a = canonical_url("https://EXAMPLE.com/story?b=2&a=1&utm_term=x#top")
    b = canonical_url("https://example.com:443/story?a=1&b=2")
    assert a == b == canonical_url(a)


def test_local_paths_become_absolute_file_uris(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "feeds").mkdir()
    expected = (tmp_path / "feeds" / "a b.xml").as_uri()
    assert canonical_url("feeds/a b.xml") == expected
    assert canonical_url(str(tmp_path / "feeds" / "a b.xml")) == expected
    assert canonical_url("feeds/../feeds/a b.xml") == expected
    assert canonical_url(expected) == expected
    assert expected.startswith("file:///")


@pytest.mark.parametrize(
    ("url", "local"),
    [
        ("file:///tmp/x.xml", True),
        ("FILE:///tmp/x.xml", True),
        ("/tmp/x.xml", True),
        ("feeds/x.xml", True),
        ("./x.html", True),
        ("C:\\feeds\\x.xml", True),
        ("http://example.com/x", False),
        ("https://example.com/x", False),
        ("ftp://example.com/x", False),
        ("//example.com/x", False),
        ("", False),
    ],
)
def test_is_local_url(url: str, local: bool) -> None:
    assert is_local_url(url) is local


@pytest.mark.parametrize(
    ("url", "secret"),
    [
        ("https://api.example.com/feed?token=SECRET1&page=2", "SECRET1"),
        ("https://api.example.com/feed?api_key=SECRET2", "SECRET2"),
        ("https://api.example.com/feed?apiKey=SECRET3", "SECRET3"),
        ("https://s3.example.com/o?X-Amz-Signature=SECRET4&X-Amz-Credential=SECRET5", "SECRET4"),
        ("https://s3.example.com/o?X-Amz-Signature=SECRET4&X-Amz-Credential=SECRET5", "SECRET5"),
        ("https://example.com/?password=SECRET6", "SECRET6"),
        ("https://example.com/?client_secret=SECRET7", "SECRET7"),
        ("https://example.com/?auth=SECRET8", "SECRET8"),
        ("https://bob:SECRET9@example.com/feed", "SECRET9"),
        ("https://example.com/cb#access_token=SECRET10", "SECRET10"),
        ("https://example.com/[broken?token=SECRET11", "SECRET11"),
    ],
)
def test_redact_url_masks_secrets(url: str, secret: str) -> None:
    redacted = redact_url(url)
    assert secret not in redacted
    assert "***" in redacted


def test_redact_url_keeps_the_rest() -> None:
    url = "https://example.com/news/story?id=42&page=2&token=abc"
    assert redact_url(url) == "https://example.com/news/story?id=42&page=2&token=***"
    assert redact_url("https://example.com/a?id=1") == "https://example.com/a?id=1"


@given(st.text(max_size=80))
def test_url_helpers_never_raise(text: str) -> None:
    canonical_url(text)
    redact_url(text)
    is_local_url(text)
