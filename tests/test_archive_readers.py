"""Archive readers on real files: warcio's and FastWARC's test WARCs (clean and broken), saved
news pages, and JSONL written here. No spaCy, no warehouse: what each reader yields."""

from __future__ import annotations

import gzip
import json
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import shared_path
from tradeline.records import Document
from tradeline.sources.archives import RecordIssue, detect_format, read_path
from tradeline.sources.archives.html_folder import declared_url


def _outcomes(items) -> tuple[Counter, list[Document], list[RecordIssue]]:
    docs, issues = [], []
    for item in items:
        (docs if isinstance(item, Document) else issues).append(item)
    counts = Counter({"documents": len(docs)})
    counts.update(i.outcome for i in issues)
    return counts, docs, [i for i in issues if i.outcome == "failed"]


# file, documents, skipped, failed, (offset, words in the reason) of the first failure
WARC_CASES = [
    ("resiliparse/warcfile.warc", 16, 34, 0, None),
    ("resiliparse/warcfile.warc.gz", 16, 34, 0, None),
    ("resiliparse/block-sized-records.warc", 0, 3, 0, None),
    ("resiliparse/clipped.warc.gz", 0, 0, 1, (0, "truncated")),
    ("resiliparse/clueweb-quirk.warc.gz", 0, 0, 30, (0, "WARC/0.18")),
    ("resiliparse/warcfile.warc.lz4", 0, 0, 1, (0, "unreadable")),
    ("warcio/example.warc", 1, 5, 0, None),
    ("warcio/example.warc.gz", 1, 5, 0, None),
    ("warcio/example-iana.org-chunked.warc", 1, 2, 0, None),
    ("warcio/example-resource.warc.gz", 1, 2, 0, None),
    ("warcio/example-wget-bad-target-uri.warc.gz", 1, 5, 0, None),
    ("warcio/post-test.warc.gz", 0, 6, 0, None),
    ("warcio/example-trunc.warc", 0, 3, 1, (1197, "block digest failed")),
    ("warcio/example-digest.warc", 0, 3, 1, (0, "payload digest failed")),
    ("warcio/example-bad-non-chunked.warc.gz", 0, 1, 1, (0, "unreadable")),
    ("warcio/example-wrong-chunks.warc.gz", 0, 0, 2, (0, "truncated")),
    ("warcio/example.arc", 1, 1, 0, None),
    ("warcio/example.arc.gz", 1, 1, 0, None),
    ("warcio/bad.arc", 0, 1, 3, (0, "invalid ARC length")),
]


@pytest.mark.shared
@pytest.mark.parametrize(("name", "n_docs", "n_skipped", "n_failed", "first"), WARC_CASES)
def test_warc_reader_counts(name, n_docs, n_skipped, n_failed, first):
    path = shared_path("corpus", "warc", *name.split("/"))
    counts, docs, failed = _outcomes(read_path(path, "warc"))
    assert (counts["documents"], counts["skipped"], counts["failed"]) == (
        n_docs, n_skipped, n_failed
    )
    for doc in docs:
        assert doc.origin == "warc"
        assert doc.body.strip()
        assert doc.fetched_at is not None and doc.fetched_at.tzinfo is not None
        assert doc.feed_url == str(path)
    if first is not None:
        offset, words = first
        assert failed[0].offset == offset
        assert words in failed[0].reason
        assert failed[0].path == str(path)


@pytest.mark.shared
def test_clueweb_records_name_every_problem():
    path = shared_path("corpus", "warc", "resiliparse", "clueweb-quirk.warc.gz")
    _, _, failed = _outcomes(read_path(path))
    assert "invalid WARC-Date '2008-10-294T05:21:46-0700'" in failed[0].reason
    assert all("unsupported WARC version WARC/0.18" in f.reason for f in failed)
    offsets = [f.offset for f in failed]
    assert offsets == sorted(offsets) and len(set(offsets)) == 30
    assert failed[1].url.startswith("http://www.uraharajuku.st/")


@pytest.mark.shared
def test_warc_pages_decoded_and_dated():
    """Chunked transfer encoding is undone; the capture time is the WARC-Date."""
    path = shared_path("corpus", "warc", "warcio", "example-iana.org-chunked.warc")
    (doc,) = [d for d in read_path(path) if isinstance(d, Document)]
    assert doc.url == "http://www.iana.org/"
    assert doc.canonical_url == "http://www.iana.org/"
    assert doc.status == 200
    assert doc.content_type.startswith("text/html")
    assert doc.body.lstrip().lower().startswith(b"<!doctype html")
    assert doc.body.rstrip().endswith(b"</html>")
    assert doc.fetched_at.isoformat() == "2017-03-06T16:54:09+00:00"


@pytest.mark.shared
def test_html_folder_reads_every_page_in_order():
    folder = shared_path("corpus", "html")
    pages = sorted(p for p in folder.iterdir() if p.suffix in (".html", ".htm"))
    counts, docs, _ = _outcomes(read_path(folder))
    assert counts == Counter({"documents": len(pages)})
    assert all(d.origin == "html-folder" and d.content_type == "text/html" for d in docs)
    # Pages that declare their own URL are keyed by it (so they dedup against fetched ones).
    web = [d for d in docs if d.url.startswith("http")]
    assert len(web) >= len(docs) // 2
    assert all(d.canonical_url.startswith("file:///") for d in docs if d not in web)
    assert len({d.canonical_url for d in docs}) == len(docs)


def test_declared_url_prefers_canonical_link():
    page = (
        b'<html><head><meta property="og:url" content="https://example.org/og">'
        b'<link href="https://example.org/a?utm_source=x" rel="canonical"></head></html>'
    )
    assert declared_url(page) == "https://example.org/a?utm_source=x"
    assert declared_url(b'<meta property="og:url" content="https://e.org/og">') == (
        "https://e.org/og"
    )
    assert declared_url(b'<link rel="canonical" href="/relative">') is None


def test_html_folder_reports_empty_files(tmp_path: Path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.htm").write_text("<html><body><p>Hello</p></body></html>")
    (tmp_path / "empty.html").write_text("  \n")
    (tmp_path / "notes.txt").write_text("not a page")
    counts, docs, failed = _outcomes(read_path(tmp_path))
    assert counts == Counter({"documents": 1, "failed": 1})
    assert docs[0].url == (tmp_path / "sub" / "a.htm").resolve().as_uri()
    assert failed[0].reason == "empty file"


def _jsonl(path: Path, lines: list[object]) -> Path:
    path.write_text(
        "\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n",
        encoding="utf-8",
    )
    return path


def test_jsonl_html_text_and_broken_lines(tmp_path: Path):
    path = _jsonl(tmp_path / "dump.jsonl", [
        {"url": "https://news.example/a?utm_medium=x", "html": "<p>page</p>",
         "published": "2025-02-03", "title": "A"},
        {"url": "https://news.example/b", "text": "Plain words."},
        "{not json",
        {"html": "<p>no url</p>"},
        "",
        {"url": "https://news.example/c", "text": "   "},
    ])
    counts, docs, failed = _outcomes(read_path(path))
    assert counts == Counter({"documents": 2, "failed": 3})
    a, b = docs
    assert a.canonical_url == "https://news.example/a"
    assert a.content_type.startswith("text/html") and a.body == b"<p>page</p>"
    assert (a.feed_published, a.feed_title, a.origin) == ("2025-02-03", "A", "jsonl")
    assert b.content_type.startswith("text/plain") and b.body == b"Plain words."
    assert [(f.offset, f.reason.split(":")[0]) for f in failed] == [
        (3, "invalid JSON"), (4, "missing 'url'"), (6, "needs a non-empty 'html' or 'text'")
    ]


def test_jsonl_gz(tmp_path: Path):
    path = tmp_path / "dump.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write(json.dumps({"url": "https://n.example/x", "text": "Hi."}) + "\n")
    counts, _, _ = _outcomes(read_path(path))
    assert counts == Counter({"documents": 1})


def test_detect_format(tmp_path: Path):
    assert detect_format(tmp_path) == "html"
    assert detect_format(tmp_path / "x.WARC.GZ") == "warc"
    assert detect_format(tmp_path / "x.arc") == "warc"
    assert detect_format(tmp_path / "x.jsonl") == "jsonl"
    with pytest.raises(ValueError, match="cannot tell the format"):
        detect_format(tmp_path / "x.zip")
