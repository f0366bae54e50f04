"""Pages: HTML or plain text in, body text and metadata out (trafilatura; language by py3langid)."""

from tradeline.extractors.page.parse import (
    PageContent,
    PageError,
    decode_html,
    is_plain_text,
    parse_page,
    parse_text,
)

__all__ = ["PageContent", "PageError", "decode_html", "is_plain_text", "parse_page", "parse_text"]
