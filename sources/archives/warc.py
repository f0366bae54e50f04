"""WARC (1.0/1.1, plain or gzipped per record) and ARC v1 files through warcio.

Only HTML pages become Documents: `response` records with a 2xx HTTP status and an HTML
content type, and `resource` records with an HTML content type (a page saved without its HTTP
exchange). Every other record is skipped with its type as the reason. A record is failed, with
its offset and the reason, when its payload is shorter than its declared length (truncated), a
block or payload digest does not match, its WARC version is not 1.0/1.1 (e.g. the WARC/0.18 of
ClueWeb09), its date is not a valid date, or its length field is not a number (ARC lengths
are often wrong by a few bytes and ARC has no digests, so ARC records are not checked for
truncation: warcio reads them up to the next header). warcio's
`ArchiveLoadFailed` (e.g. a gzip that is not one member per record) ends the file there: the
records before it are kept, and the failure is reported at the offset where reading stopped.
So does a file cut short (a download stopped at 60%): warcio stops quietly inside the cut gzip
member, and the bytes it left unread are reported as `truncated` at their offset.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from tradeline.records import Document
from tradeline.sources.archives.issues import RecordIssue
from tradeline.sources.urls import canonical_url

HTML_TYPES = ("text/html", "application/xhtml+xml")
WARC_VERSIONS = ("WARC/1.0", "WARC/1.1")
_ARC_DATE = re.compile(r"^\d{14}$")
_PADDING_PEEK = 4096  # trailing bytes that are only newlines or NULs are padding, not a record


def is_html(content_type: str | None) -> bool:
    return (content_type or "").split(";", 1)[0].strip().lower() in HTML_TYPES


def parse_warc_date(value: str | None) -> datetime:
    """WARC-Date (ISO 8601, 'Z' or an offset) as an aware UTC datetime; ValueError if invalid."""
    if not value:
        raise ValueError("missing WARC-Date")
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"invalid WARC-Date {value!r}") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def parse_arc_date(value: str | None) -> datetime:
    """ARC archive-date (YYYYMMDDhhmmss, UTC); ValueError if invalid."""
    if not value or not _ARC_DATE.match(value):
        raise ValueError(f"invalid ARC archive-date {value!r}")
    try:
        return datetime.strptime(value, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    except ValueError:
        raise ValueError(f"invalid ARC archive-date {value!r}") from None


def _problems(record, raw: bytes) -> list[str]:
    """Why a fully read record cannot be trusted; empty when it can."""
    problems: list[str] = []
    headers = record.rec_headers
    if record.format == "arc":
        declared = headers.get_header("length")
        if declared is None or not declared.strip().isdigit():
            problems.append(f"invalid ARC length {declared!r}")
    else:
        if headers.protocol not in WARC_VERSIONS:
            problems.append(f"unsupported WARC version {headers.protocol}")
        declared = headers.get_header("Content-Length")
        if declared is None or not declared.strip().isdigit():
            problems.append(f"invalid Content-Length {declared!r}")
    expected = record.payload_length if record.payload_length >= 0 else record.length
    if record.format != "arc" and isinstance(expected, int) and expected > len(raw):
        problems.append(f"truncated: {len(raw)} of {expected} payload bytes")
    if record.digest_checker.passed is False:
        problems.extend(record.digest_checker.problems)
    try:
        if record.format == "arc":
            parse_arc_date(headers.get_header("archive-date"))
        else:
            parse_warc_date(headers.get_header("WARC-Date"))
    except ValueError as exc:
        problems.append(str(exc))
    return problems


def _decoded(record, raw: bytes) -> bytes:
    """The payload with HTTP chunking and content encoding undone (warcio's own decoders)."""
    record.raw_stream = io.BytesIO(raw)
    return record.content_stream().read()


def _document(record, body: bytes, where: str) -> Document:
    headers = record.rec_headers
    http = record.http_headers
    if record.format == "arc":
        url = headers.get_header("uri")
        fetched = parse_arc_date(headers.get_header("archive-date"))
    else:
        url = headers.get_header("WARC-Target-URI")
        fetched = parse_warc_date(headers.get_header("WARC-Date"))
    content_type = (http.get_header("Content-Type") if http else None) or record.content_type
    return Document(
        url=url,
        final_url=url,
        canonical_url=canonical_url(url),
        body=body,
        status=int(http.get_statuscode()) if http and http.get_statuscode() else None,
        content_type=content_type,
        fetched_at=fetched,
        etag=http.get_header("ETag") if http else None,
        last_modified=http.get_header("Last-Modified") if http else None,
        origin="warc",
        feed_url=where,
    )


def _skip_reason(record) -> str | None:
    """None when the record is an HTML page to take; else why it is skipped."""
    rtype = record.rec_type
    if rtype not in ("response", "resource"):
        return f"{rtype} record"
    http = record.http_headers
    content_type = (http.get_header("Content-Type") if http else None) or record.content_type
    if rtype == "response" and record.format == "warc" and http is None:
        return "response without HTTP headers"
    if http is not None:
        status = http.get_statuscode() or ""
        if not status.startswith("2"):
            return f"HTTP status {status or 'missing'}"
    if not is_html(content_type):
        return f"not HTML ({(content_type or 'no content type').split(';')[0].strip()})"
    return None


def _unread_tail(fh: BinaryIO, offset: int) -> str | None:
    """Why the bytes after the last record warcio returned are a problem, or None when there
    are none (or only padding). warcio ends quietly on a file cut inside a gzip member: its
    last records are then missing, and only the bytes it left unread tell."""
    if offset < 0:
        return None
    size = os.fstat(fh.fileno()).st_size
    if offset >= size:
        return None
    fh.seek(offset)
    tail = fh.read(_PADDING_PEEK)
    if not tail.strip(b"\r\n\t \x00") and size - offset <= _PADDING_PEEK:
        return None
    return (
        f"truncated: the file ends inside a record ({size - offset} bytes from offset "
        f"{offset} could not be read as a record)"
    )


def read_warc(path: Path) -> Iterator[Document | RecordIssue]:
    """Documents for the HTML pages of a WARC/ARC file, issues for every other record."""
    where = str(path)
    with open(path, "rb") as fh:
        iterator = ArchiveIterator(fh, check_digests=True)
        records = iter(iterator)
        while True:
            offset = iterator.offset
            try:
                with contextlib.redirect_stderr(io.StringIO()):  # warcio prints warnings there
                    record = next(records)
            except StopIteration:
                cut = _unread_tail(fh, iterator.offset)
                if cut:
                    yield RecordIssue(where, iterator.offset, "failed", cut)
                return
            except ArchiveLoadFailed as exc:
                reason = " ".join(str(exc).split())[:300] or "unreadable archive"
                # warcio's offset can go negative after a bad gzip member: report the start of
                # the member it was reading instead.
                at = iterator.offset if iterator.offset >= 0 else offset
                yield RecordIssue(where, at, "failed", f"unreadable: {reason}")
                return
            except Exception as exc:  # warcio on a cut gzip member: EOFError, AttributeError…
                reason = str(exc) or type(exc).__name__
                yield RecordIssue(where, offset, "failed", f"unreadable: {reason}")
                return
            offset = iterator.offset
            url = record.rec_headers.get_header("WARC-Target-URI") or record.rec_headers.get_header(
                "uri"
            )
            try:
                raw = record.raw_stream.read()
            except Exception as exc:  # a stream error inside one record
                yield RecordIssue(where, offset, "failed", f"unreadable record: {exc}", url)
                continue
            problems = _problems(record, raw)
            if problems:
                yield RecordIssue(where, offset, "failed", "; ".join(problems), url)
                continue
            reason = _skip_reason(record)
            if reason:
                yield RecordIssue(where, offset, "skipped", reason, url)
                continue
            try:
                body = _decoded(record, raw)
            except Exception as exc:  # bad chunking or compression
                yield RecordIssue(where, offset, "failed", f"cannot decode payload: {exc}", url)
                continue
            if not body.strip():
                yield RecordIssue(where, offset, "failed", "empty payload", url)
                continue
            yield _document(record, body, where)
