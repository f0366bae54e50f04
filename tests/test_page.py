"""Page parsing and language detection on small hand-written pages and a few real ones."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import shared_path
from tradeline.extractors.page import PageContent, PageError, parse_page
from tradeline.extractors.page.language import detect_language

BODY_EN = (
    "The trade ministry said on Tuesday it would suspend tin export licences for six months "
    "while it reviews the quota system, a move that surprised smelters and traders alike. "
)


def _page(body: str, *, head: str = "", charset: str | None = "utf-8", h1: str = "") -> str:
    meta = f'<meta charset="{charset}">' if charset else ""
    heading = f"<h1>{h1}</h1>" if h1 else ""
    return (
        f"<html><head>{meta}{head}</head><body><article>{heading}"
        f"<p>{body}</p><p>{body}</p></article></body></html>"
    )


HEAD = (
    "<title>Tin licences suspended</title>"
    '<meta name="author" content="Maria Lopez">'
    '<meta property="og:site_name" content="Metals Daily">'
    '<meta property="article:published_time" content="2024-03-05T10:00:00Z">'
)


def test_metadata_from_page() -> None:
    pc = parse_page(
        _page(BODY_EN, head=HEAD, h1="Tin licences suspended"), url="https://example.org/tin"
    )
    assert isinstance(pc, PageContent)
    assert "suspend tin export licences" in pc.text
    assert pc.title == "Tin licences suspended"
    assert pc.author == "Maria Lopez"
    assert pc.outlet == "Metals Daily"
    assert (pc.published, pc.published_source) == ("2024-03-05", "page")
    assert pc.language == "en"
    assert pc.url == "https://example.org/tin"


def test_feed_fallback_when_page_has_no_date() -> None:
    pc = parse_page(
        _page(BODY_EN, head="<title>Tin</title>").encode(),
        fallback_published="2024-04-01",
        fallback_title="Feed title",
    )
    assert (pc.published, pc.published_source) == ("2024-04-01", "feed")
    bare = parse_page(_page(BODY_EN))
    assert (bare.published, bare.published_source) == (None, None)
    assert parse_page(_page(BODY_EN), fallback_title="From the feed").title == "From the feed"


@pytest.mark.parametrize(
    "payload",
    [
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3 binary stream",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        b"\x1f\x8b\x08\x00\x00\x00\x00\x00",
        bytes(range(32)) * 50,
    ],
)
def test_binary_is_refused(payload: bytes) -> None:
    with pytest.raises(PageError) as err:
        parse_page(payload)
    assert err.value.reason == "binary"


@pytest.mark.parametrize("payload", [b"", "", "   \n", b"\n\t"])
def test_empty_is_refused(payload) -> None:
    with pytest.raises(PageError) as err:
        parse_page(payload)
    assert err.value.reason == "empty"


def test_page_without_text() -> None:
    with pytest.raises(PageError) as err:
        parse_page(
            "<html><head><title>x</title></head><body><script>var a=1;</script></body></html>"
        )
    assert err.value.reason == "no_text"


def test_latin1_bytes_without_declaration() -> None:
    body = BODY_EN + "The caf\u00e9 owners in S\u00e3o Paulo and Z\u00fcrich were na\u00efve. "
    raw = _page(body, charset=None).encode("latin-1")
    pc = parse_page(raw)
    assert "caf\u00e9" in pc.text and "Z\u00fcrich" in pc.text
    assert "\ufffd" not in pc.text


def test_wrong_declared_charset_falls_back() -> None:
    raw = _page(BODY_EN + "Se\u00f1or ", charset="no-such-charset").encode("utf-8")
    assert "Se\u00f1or" in parse_page(raw).text


def test_non_english_page_gets_its_language() -> None:
    body = (
        "Das Wirtschaftsministerium hat am Dienstag angek\u00fcndigt, die Ausfuhrgenehmigungen "
        "f\u00fcr Zinn f\u00fcr sechs Monate auszusetzen, w\u00e4hrend es das Quotensystem "
        "\u00fcberpr\u00fcft. H\u00e4ndler und Schmelzen zeigten sich \u00fcberrascht. "
    )
    assert parse_page(_page(body)).language == "de"


def test_huge_page_is_handled() -> None:
    filler = "<div>" + ("<span>menu</span>" * 20000) + "</div>"
    html = _page(BODY_EN * 3, head="<title>Big</title>").replace("<body>", "<body>" + filler)
    pc = parse_page(html * 3)
    assert "tin export licences" in pc.text


@given(st.binary(max_size=2000))
@settings(max_examples=100, deadline=None)
def test_parse_page_only_raises_page_error(raw: bytes) -> None:
    try:
        pc = parse_page(raw)
    except PageError as err:
        assert err.reason in {"empty", "binary", "no_text", "decode"}
    else:
        assert pc.text.strip()


def test_detect_language() -> None:
    assert detect_language(BODY_EN) == "en"
    assert detect_language("Le minist\u00e8re a suspendu les licences d'exportation mardi.") == "fr"
    assert detect_language("ok") is None
    assert detect_language("1234 5678 !!! ???") is None
    assert detect_language("") is None


@given(st.text(max_size=500))
@settings(max_examples=100, deadline=None)
def test_detect_language_never_raises(text: str) -> None:
    out = detect_language(text)
    assert out is None or (isinstance(out, str) and 2 <= len(out) <= 3)


# --------------------------------------------------------------------------- real pages

REAL = ["theguardian.com.academics.html", "bbc.com.52241221.html", "nature.com.telescope.html"]


@pytest.mark.shared
@pytest.mark.parametrize("name", REAL)
def test_real_pages(name: str) -> None:
    expected = json.loads(shared_path("corpus", "html", "expected.json").read_text("utf-8"))[name]
    raw = shared_path("corpus", "html", name).read_bytes()
    pc = parse_page(raw, url=expected.get("url"))
    for snippet in expected["with"]:
        assert snippet in pc.text
    for snippet in expected["without"]:
        assert snippet not in pc.text
    assert pc.published == expected["date"]
    assert pc.language == expected["lang"]
    assert pc.title


@pytest.mark.shared
def test_real_non_english_page() -> None:
    expected = json.loads(shared_path("corpus", "html", "expected.json").read_text("utf-8"))
    name = next(k for k, v in expected.items() if v.get("lang") == "es")
    pc = parse_page(shared_path("corpus", "html", name).read_bytes())
    assert pc.language == "es"
