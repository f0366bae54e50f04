"""JSONL dumps: one `{"url", "html" or "text", "published", "title"}` object per line.

`html` is archived as the page (content type text/html) and parsed like a fetched page;
`text` alone is archived as text/plain and taken as the article body as it is (the page parser
has nothing to strip). `published` (YYYY-MM-DD or YYYY-MM) and `title` fill in what the page
lacks, as a feed entry's would. Offsets of issues are 1-based line numbers.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from tradeline.records import Document
from tradeline.sources.archives.issues import RecordIssue
from tradeline.sources.urls import canonical_url


def _open(path: Path) -> IO[bytes]:
    return gzip.open(path, "rb") if path.name.lower().endswith(".gz") else open(path, "rb")


def _record(obj: object) -> tuple[str, bytes, str, str | None, str | None]:
    """(url, body, content type, published, title) of one line; ValueError says what is wrong."""
    if not isinstance(obj, dict):
        raise ValueError("line is not a JSON object")
    url = obj.get("url")
    if not isinstance(url, str) or not url.strip():
        raise ValueError("missing 'url'")
    html, text = obj.get("html"), obj.get("text")
    if isinstance(html, str) and html.strip():
        body, content_type = html.encode("utf-8"), "text/html; charset=utf-8"
    elif isinstance(text, str) and text.strip():
        body, content_type = text.encode("utf-8"), "text/plain; charset=utf-8"
    else:
        raise ValueError("needs a non-empty 'html' or 'text'")
    published, title = obj.get("published"), obj.get("title")
    return (
        url.strip(),
        body,
        content_type,
        published if isinstance(published, str) and published.strip() else None,
        title if isinstance(title, str) and title.strip() else None,
    )


def read_jsonl(path: Path) -> Iterator[Document | RecordIssue]:
    """A Document per valid line; a failed issue (with the line number) per invalid one."""
    where = str(path)
    with _open(path) as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                url, body, content_type, published, title = _record(json.loads(line))
            except (ValueError, UnicodeDecodeError) as exc:
                if isinstance(exc, json.JSONDecodeError):
                    reason = f"invalid JSON: {exc.msg}"
                else:
                    reason = str(exc)
                yield RecordIssue(where, number, "failed", reason)
                continue
            yield Document(
                url=url,
                final_url=url,
                canonical_url=canonical_url(url),
                body=body,
                status=None,
                content_type=content_type,
                origin="jsonl",
                feed_url=where,
                feed_published=published,
                feed_title=title,
            )
