"""Readers for archives researchers already hold: WARC/ARC files, folders of saved pages, JSONL.

Each reader yields, in file order, a `Document` for every page it can take and a `RecordIssue`
for every record it skips or cannot read, so one broken record never stops the rest of a file.
`read_path` picks the reader from the path (a folder, or a file's suffix).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from tradeline.records import Document
from tradeline.sources.archives.html_folder import read_html_folder
from tradeline.sources.archives.issues import RecordIssue
from tradeline.sources.archives.jsonl import read_jsonl
from tradeline.sources.archives.warc import read_warc

__all__ = ["FORMATS", "RecordIssue", "count_records", "detect_format", "read_path"]

FORMATS = ("warc", "html", "jsonl")
_WARC_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")
_JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".ndjson")
_HTML_SUFFIXES = (".html", ".htm")


def detect_format(path: Path) -> str:
    """'html' for a folder or a page, 'warc' or 'jsonl' by suffix; ValueError otherwise."""
    name = path.name.lower()
    if path.is_dir() or name.endswith(_HTML_SUFFIXES):
        return "html"
    if name.endswith(_WARC_SUFFIXES):
        return "warc"
    if name.endswith(_JSONL_SUFFIXES):
        return "jsonl"
    raise ValueError(
        f"cannot tell the format of {path}: expected a folder of .html/.htm files, "
        f"{', '.join(_WARC_SUFFIXES)} or {', '.join(_JSONL_SUFFIXES)} (or pass --format)"
    )


def read_path(path: Path, fmt: str | None = None) -> Iterator[Document | RecordIssue]:
    """Documents and issues of one archive path, in order."""
    fmt = fmt or detect_format(path)
    if fmt == "warc":
        return read_warc(path)
    if fmt == "jsonl":
        return read_jsonl(path)
    if fmt == "html":
        return read_html_folder(path)
    raise ValueError(f"unknown archive format {fmt!r}: use one of {', '.join(FORMATS)}")


def count_records(path: Path, fmt: str | None = None) -> int:
    """How many items `read_path` yields (a progress bar's total): one extra pass over the
    file, reading records but parsing no article."""
    return sum(1 for _ in read_path(path, fmt))
