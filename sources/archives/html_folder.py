"""Folders of saved pages (.html / .htm, searched recursively, in name order) or one page.

A saved page's URL is the one it names itself (`<link rel="canonical">`, else `og:url`), so a
page saved from the web dedups against the same article fetched from its feed; a page that
names none keeps its file URL. The file's modification time stands for the fetch time.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from tradeline.records import Document
from tradeline.sources.archives.issues import RecordIssue
from tradeline.sources.urls import canonical_url

SUFFIXES = (".html", ".htm")
_HEAD = 65536
_CANONICAL = re.compile(
    rb"""<link\b(?=[^>]*\brel\s*=\s*["']?canonical\b)[^>]*\bhref\s*=\s*["']([^"'\s>]+)""", re.I
)
_OG_URL = re.compile(
    rb"""<meta\b(?=[^>]*\bproperty\s*=\s*["']og:url["'])[^>]*\bcontent\s*=\s*["']([^"'\s>]+)""",
    re.I,
)


def declared_url(body: bytes) -> str | None:
    """The http(s) URL a page declares for itself, if any."""
    head = body[:_HEAD]
    for pattern in (_CANONICAL, _OG_URL):
        match = pattern.search(head)
        if match:
            url = match.group(1).decode("utf-8", "replace").strip()
            if url.lower().startswith(("http://", "https://")):
                return url
    return None


def page_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    return sorted(
        (p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES),
        key=lambda p: p.relative_to(path).as_posix(),
    )


def read_html_folder(path: Path) -> Iterator[Document | RecordIssue]:
    """A Document per readable, non-empty page file; a failed issue for the others."""
    where = str(path)
    if not path.exists():
        raise FileNotFoundError(f"no such file or folder: {path}")
    for file in page_files(path):
        file_url = file.resolve().as_uri()
        try:
            body = file.read_bytes()
            mtime = datetime.fromtimestamp(file.stat().st_mtime, UTC)
        except OSError as exc:
            yield RecordIssue(str(file), None, "failed", f"unreadable: {exc.strerror}", file_url)
            continue
        if not body.strip():
            yield RecordIssue(str(file), None, "failed", "empty file", file_url)
            continue
        url = declared_url(body) or file_url
        yield Document(
            url=url,
            final_url=url,
            canonical_url=canonical_url(url),
            body=body,
            status=None,
            content_type="text/html",
            fetched_at=mtime,
            origin="html-folder",
            feed_url=where,
        )
