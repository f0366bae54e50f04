"""Turn a fetched HTML page into body text and metadata with trafilatura.

trafilatura does the boilerplate removal and metadata reading (title, author, date, sitename).
What is added here is the defensive part a crawler needs: bytes in odd or undeclared encodings
are decoded before trafilatura sees them (it otherwise guesses per call), binary payloads
served as HTML are refused with a reason, huge pages are capped, and an empty extraction is an
error rather than an empty article. The feed entry's date and title fill in what the page lacks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tradeline.extractors.page.language import detect_language

MAX_HTML_CHARS = 6_000_000  # larger pages are cut; the article body is near the top
_SNIFF = 4096
_MAGIC = (
    b"%PDF",
    b"\x89PNG",
    b"GIF87a",
    b"GIF89a",
    b"\xff\xd8\xff",
    b"PK\x03\x04",
    b"\x1f\x8b",
    b"BZh",
    b"\xfd7zXZ",
    b"7z\xbc\xaf",
    b"Rar!",
    b"ID3",
    b"OggS",
    b"RIFF",
    b"\x00\x00\x01\x00",
    b"wOFF",
    b"wOF2",
    b"\x7fELF",
    b"MZ",
)
_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.\-]+)""", re.I)
_XML_ENC_RE = re.compile(rb"""<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.\-]+)""", re.I)
_HTML_LANG_RE = re.compile(
    r"""<html[^>]*?\blang\s*=\s*["']?([A-Za-z]{2,3})(?:[-_][A-Za-z]+)?""", re.I
)


class PageError(Exception):
    """A page that yields no article: reason is empty | binary | no_text | decode."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


@dataclass
class PageContent:
    """Body text and metadata of one page."""

    text: str
    title: str | None
    author: str | None
    published: str | None
    published_source: str | None  # "page" | "feed" | None
    outlet: str | None
    language: str | None
    url: str | None


def _looks_binary(head: bytes) -> bool:
    if head.startswith(_MAGIC):
        return True
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 BOM: text, decoded below
        return False
    if b"\x00" in head:
        return True
    ctrl = sum(1 for b in head if b < 9 or 13 < b < 32)
    return bool(head) and ctrl / len(head) > 0.05


def decode_html(raw: bytes) -> str:
    """Declared charset, else UTF-8, else charset detection, else cp1252 with replacement."""
    head = raw[:_SNIFF]
    if _looks_binary(head):
        raise PageError("binary", "payload is not text")
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="replace")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16", errors="replace")
    declared = _CHARSET_RE.search(raw[:65536]) or _XML_ENC_RE.search(head)
    if declared:
        name = declared.group(1).decode("ascii", "ignore").lower()
        try:
            text = raw.decode(name)
            return text
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong declaration is common; fall through to detection
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(raw[:200_000]).best()
        if best is not None and best.encoding:
            return raw.decode(best.encoding, errors="replace")
    except Exception:  # detection is a best effort
        pass
    return raw.decode("cp1252", errors="replace")


def _clean(value: object) -> str | None:
    if value is None:
        return None
    text = re.sub(r"\s+", " ", str(value)).strip()
    return text or None


def _iso_date(value: object) -> str | None:
    if not value:
        return None
    m = re.match(r"(\d{4})-(\d{2})(?:-(\d{2}))?", str(value))
    if not m:
        return None
    return m.group(0)


def parse_page(
    html: bytes | str,
    *,
    url: str | None = None,
    fallback_published: str | None = None,
    fallback_title: str | None = None,
) -> PageContent:
    """Body text and metadata of a page; raises PageError when there is no article in it."""
    from trafilatura import bare_extraction

    if html is None or (isinstance(html, (bytes, str)) and not html.strip()):
        raise PageError("empty", "no content")
    if isinstance(html, (bytes, bytearray)):
        text_html = decode_html(bytes(html))
    elif isinstance(html, str):
        if "\x00" in html[:_SNIFF]:
            raise PageError("binary", "NUL characters in page")
        text_html = html
    else:
        raise PageError("decode", f"unsupported type {type(html).__name__}")
    if not text_html.strip():
        raise PageError("empty", "no content")
    if len(text_html) > MAX_HTML_CHARS:
        text_html = text_html[:MAX_HTML_CHARS]
    try:
        doc = bare_extraction(
            text_html,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            date_extraction_params={"extensive_search": True, "original_date": True},
        )
    except Exception as exc:  # trafilatura/lxml raise a variety of errors on broken markup
        raise PageError("no_text", f"extraction failed: {type(exc).__name__}") from exc
    if doc is None:
        raise PageError("no_text", "nothing extracted")
    body = (getattr(doc, "text", None) or "").strip()
    if not body:
        raise PageError("no_text", "empty body")
    published = _iso_date(getattr(doc, "date", None))
    source = "page" if published else None
    if not published and fallback_published:
        published, source = _iso_date(fallback_published), "feed"
        if not published:
            source = None
    lang = detect_language(body)
    if lang is None:
        m = _HTML_LANG_RE.search(text_html[:20000])
        lang = m.group(1).lower() if m else None
    return PageContent(
        text=body,
        title=_clean(getattr(doc, "title", None)) or _clean(fallback_title),
        author=_clean(getattr(doc, "author", None)),
        published=published,
        published_source=source,
        outlet=_clean(getattr(doc, "sitename", None)),
        language=lang,
        url=url or _clean(getattr(doc, "url", None)),
    )


def is_plain_text(content_type: str | None) -> bool:
    """A text/plain document (e.g. a JSONL import with text only): its body is the article."""
    return (content_type or "").split(";", 1)[0].strip().lower() == "text/plain"


def parse_text(
    raw: bytes | str,
    *,
    url: str | None = None,
    fallback_published: str | None = None,
    fallback_title: str | None = None,
) -> PageContent:
    """A plain-text body taken as it is (line ends normalised); the date and title come from
    the fallbacks, which were given with the text (published_source 'given')."""
    text = raw if isinstance(raw, str) else decode_html(bytes(raw))
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        raise PageError("empty", "no content")
    published = _iso_date(fallback_published)
    return PageContent(
        text=text,
        title=_clean(fallback_title),
        author=None,
        published=published,
        published_source="given" if published else None,
        outlet=None,
        language=detect_language(text),
        url=url,
    )
