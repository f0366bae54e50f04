"""Storing batches, runs, sources and errors, and reading the archive back."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from tests.builders import start_test_run
from tradeline.records import Extraction, IngestError
from tradeline.warehouse.db import connect
from tradeline.warehouse.load import (
    get_source_state,
    iter_archived,
    known_canonical_urls,
    load_document_body,
    record_errors,
    store_batch,
    update_source_state,
)
from tradeline.warehouse.runs import finish_run, start_run

COUNTED = (
    "documents",
    "articles",
    "article_extractions",
    "company_mentions",
    "events",
    "event_companies",
    "validity_periods",
    "policy_dates",
    "company_registry",
    "company_aliases",
)


@pytest.fixture
def con(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = connect(tmp_path / "w.duckdb")
    yield connection
    connection.close()


def _run(con: duckdb.DuckDBPyConnection, kind: str = "ingest") -> str:
    return start_test_run(con, kind)


def _counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in COUNTED}


def test_store_batch_writes_everything_once(con: duckdb.DuckDBPyConnection, make_item) -> None:
    run = _run(con)
    items = [make_item("https://example.com/a"), make_item("https://example.com/b")]
    result = store_batch(con, items, run)
    assert (result.new_documents, result.new_articles, result.extractions_written) == (2, 2, 2)
    assert result.facts_written == 8  # 1 company + 1 event + 1 validity + 1 policy date, each
    counts = _counts(con)
    assert counts["events"] == 2 and counts["company_registry"] == 1
    assert counts["company_aliases"] == 3  # Nvidia Corp, Nvidia, NVIDIA
    again = store_batch(con, items, run)
    assert (again.new_documents, again.new_articles, again.facts_written) == (0, 0, 0)
    assert again.extractions_written == 0
    assert _counts(con) == counts
    row = con.execute(
        "SELECT a.document_id, a.text_chars, d.raw_size, d.origin, d.source_url "
        "FROM articles a JOIN documents d USING (document_id) "
        "WHERE a.canonical_url = 'https://example.com/a'"
    ).fetchone()
    assert row[0] == items[0][0].document_id and row[1] == len(items[0][1].text)
    assert row[2] == len(items[0][0].body) and row[3:] == ("fetch", items[0][0].feed_url)


def test_duplicates_within_a_batch_and_changed_pages(
    con: duckdb.DuckDBPyConnection,
    make_article,
    make_document,
    make_extraction,
    make_item,
) -> None:
    run = _run(con)
    url = "https://example.com/a"
    item = make_item(url)
    result = store_batch(con, [item, item], run)
    assert (result.new_documents, result.new_articles, result.extractions_written) == (1, 1, 1)
    changed = make_document(url, body=b"<html>updated page</html>")
    result = store_batch(con, [(changed, make_article(url), make_extraction())], run)
    assert (result.new_documents, result.new_articles, result.facts_written) == (1, 0, 0)
    assert known_canonical_urls(con, [url, "https://example.com/new", url]) == {url}
    assert known_canonical_urls(con, []) == set()


def test_existing_rows_are_found_by_pushed_constants(
    con: duckdb.DuckDBPyConnection, make_item
) -> None:
    """The existence checks look stored rows up by the batch's keys written as constants
    (quotes escaped): a batch stored again, with a URL holding a quote, adds nothing."""
    run = _run(con)
    items = [make_item("https://example.com/o'brien"), make_item("https://example.com/c")]
    first = store_batch(con, items, run)
    assert (first.new_documents, first.new_articles) == (2, 2)
    counts = _counts(con)
    again = store_batch(con, [items[1], items[0], make_item("https://example.com/d")], run)
    assert (again.new_documents, again.new_articles, again.extractions_written) == (1, 1, 1)
    assert _counts(con)["articles"] == counts["articles"] + 1


def test_failed_batch_leaves_no_partial_rows(con: duckdb.DuckDBPyConnection, make_item) -> None:
    run = _run(con)
    bad = make_item("https://example.com/bad", modality="bogus")  # violates a CHECK constraint
    items = [make_item("https://example.com/a"), make_item("https://example.com/b"), bad]
    with pytest.raises(duckdb.ConstraintException, match="modality"):
        store_batch(con, items, run)
    assert set(_counts(con).values()) == {0}
    result = store_batch(con, items[:2], run)  # the connection is still usable
    assert result.new_articles == 2


def test_article_id_must_follow_the_contract(con: duckdb.DuckDBPyConnection, make_item) -> None:
    run = _run(con)
    doc, article, ex = make_item("https://example.com/a")
    with pytest.raises(ValueError, match=r"Article\.id_for"):
        store_batch(con, [(doc, replace(article, article_id="made-up"), ex)], run)
    with pytest.raises(ValueError, match="start_run first"):
        store_batch(con, [(doc, article, ex)], "no-such-run")


def test_body_round_trips_compressed(
    con: duckdb.DuckDBPyConnection,
    make_article,
    make_document,
    make_extraction,
) -> None:
    body = b"<html>" + bytes(range(256)) + "é ü 漢字".encode() + b"x" * 20_000 + b"</html>"
    url = "https://example.com/bin"
    doc = make_document(url, body=body)
    store_batch(con, [(doc, make_article(url), make_extraction())], _run(con))
    stored, raw_size, content_hash = con.execute(
        "SELECT body_zlib, raw_size, content_hash FROM documents"
    ).fetchone()
    assert len(stored) < len(body) // 10 and zlib.decompress(stored) == body
    assert raw_size == len(body) and content_hash == doc.content_hash
    assert load_document_body(con, doc.document_id) == body
    with pytest.raises(KeyError):
        load_document_body(con, "missing")


def test_runs_are_counted_from_what_was_stored(
    con: duckdb.DuckDBPyConnection,
    make_article,
    make_document,
    make_item,
) -> None:
    run = _run(con)
    skipped = (
        make_document("https://example.com/de"),
        make_article("https://example.com/de"),
        Extraction(skipped_reason="language:de"),
    )
    store_batch(con, [make_item("https://example.com/a"), skipped], run)
    finish_run(con, run, status="completed")
    row = con.execute(
        "SELECT status, n_articles, n_facts, finished_at >= started_at FROM extraction_runs"
    ).fetchone()
    assert row == ("completed", 2, 4, True)
    statuses = con.execute(
        "SELECT status, skipped_reason FROM article_extractions ORDER BY status"
    ).fetchall()
    assert statuses == [("done", None), ("skipped", "language:de")]
    assert run < _run(con)  # run ids sort by start time
    with pytest.raises(ValueError, match="final run status"):
        finish_run(con, run, status="running")
    with pytest.raises(ValueError, match="no extraction run"):
        finish_run(con, "nope", status="failed")
    with pytest.raises(ValueError, match="run kind"):
        start_run(
            con,
            kind="other",
            extractor_version="1",
            model_name="m",
            model_version="1",
            assets_hash="h",
        )


def test_reextraction_keeps_earlier_rows_and_fact_keys(
    con: duckdb.DuckDBPyConnection,
    make_article,
    make_extraction,
    make_item,
) -> None:
    url = "https://example.com/a"
    run1 = _run(con)
    store_batch(con, [make_item(url)], run1)
    finish_run(con, run1, status="completed")
    run2 = _run(con, "reextract")
    result = store_batch(
        con, [(None, make_article(url), make_extraction(type="permit_denied"))], run2
    )
    assert (result.new_documents, result.new_articles, result.facts_written) == (0, 0, 4)
    keys = con.execute(
        "SELECT run_id, fact_key FROM company_mentions UNION ALL "
        "SELECT run_id, fact_key FROM policy_dates ORDER BY 1, 2"
    ).fetchall()
    by_run = {r: sorted(k for rr, k in keys if rr == r) for r in (run1, run2)}
    assert by_run[run1] == by_run[run2] and len(by_run[run1]) == 2
    events = dict(con.execute("SELECT run_id, fact_key FROM events").fetchall())
    assert events[run1] != events[run2]  # different content, different key
    assert con.execute("SELECT count(*) FROM documents").fetchone() == (1,)


def test_source_state_round_trip(con: duckdb.DuckDBPyConnection) -> None:
    feed = "https://feeds.example.com/trade.xml"
    assert get_source_state(con, feed) is None
    update_source_state(
        con,
        feed,
        name="Trade",
        kind="feed",
        etag='"v1"',
        last_modified="Tue, 05 Mar 2024 10:00:00 GMT",
        status=200,
        error=None,
        title="Trade news",
    )
    state = get_source_state(con, feed)
    assert state is not None
    assert (state["url"], state["name"], state["kind"], state["etag"]) == (
        feed,
        "Trade",
        "feed",
        '"v1"',
    )
    assert state["last_status"] == 200 and state["title"] == "Trade news"
    assert state["last_polled_at"].tzinfo is UTC
    update_source_state(
        con,
        feed,
        name=None,
        kind="feed",
        etag=None,
        last_modified=None,
        status=None,
        error="timeout after 20s",
        title=None,
    )
    state = get_source_state(con, feed)
    assert state is not None
    assert state["etag"] == '"v1"' and state["name"] == "Trade"  # kept for the next GET
    assert state["last_status"] is None and state["last_error"] == "timeout after 20s"
    update_source_state(
        con,
        feed,
        name=None,
        kind="feed",
        etag='"v2"',
        last_modified=None,
        status=304,
        error=None,
        title=None,
    )
    state = get_source_state(con, feed)
    assert state is not None and state["etag"] == '"v2"' and state["last_error"] is None
    assert con.execute("SELECT count(*) FROM sources").fetchone() == (1,)
    with pytest.raises(ValueError, match="source kind"):
        update_source_state(
            con,
            feed,
            name=None,
            kind="blog",
            etag=None,
            last_modified=None,
            status=None,
            error=None,
            title=None,
        )


def test_record_errors(con: duckdb.DuckDBPyConnection) -> None:
    run = _run(con)
    at = datetime(2024, 3, 5, 13, 0, tzinfo=UTC)
    record_errors(
        con,
        [
            IngestError(
                url="https://example.com/x?token=REDACTED",
                stage="fetch",
                reason="HTTP 500",
                source_url="https://feeds.example.com/trade.xml",
                at=at,
            ),
            IngestError(url="file:///imports/bad.warc", stage="import", reason="truncated record"),
        ],
        run,
    )
    record_errors(con, [], None)
    rows = con.execute(
        'SELECT run_id, "at", stage, url, source_url, reason FROM ingest_errors ORDER BY stage'
    ).fetchall()
    assert len(rows) == 2
    assert rows[0][0] == run and rows[0][1] == datetime(2024, 3, 5, 13, 0)
    assert rows[0][2:] == (
        "fetch",
        "https://example.com/x?token=REDACTED",
        "https://feeds.example.com/trade.xml",
        "HTTP 500",
    )
    assert rows[1][2] == "import" and rows[1][1] is not None and rows[1][4] is None


def test_iter_archived_filters_and_allows_writes_between_items(
    con: duckdb.DuckDBPyConnection,
    make_article,
    make_document,
    make_extraction,
) -> None:
    run = _run(con)
    items = []
    for i, published in enumerate(["2023-12-30", "2024-02", "2024-03-04"]):
        url = f"https://example.com/{i}"
        doc = make_document(url)
        if i == 2:
            doc = replace(doc, feed_url="https://other.example.org/rss")
        items.append((doc, make_article(url, published=published), make_extraction()))
    store_batch(con, items, run)
    update_source_state(
        con,
        "https://other.example.org/rss",
        name="Other",
        kind="feed",
        etag=None,
        last_modified=None,
        status=200,
        error=None,
        title=None,
    )
    finish_run(con, run, status="completed")

    run2 = _run(con, "reextract")
    seen = []
    for doc, article in iter_archived(con):
        seen.append(article.canonical_url)
        assert doc.body == dict((d.canonical_url, d.body) for d, _, _ in items)[doc.canonical_url]
        assert doc.fetched_at == datetime(2024, 3, 5, 12, 30, tzinfo=UTC)
        assert article.document_id == doc.document_id and article.text
        store_batch(con, [(None, article, make_extraction())], run2)  # write mid-iteration
    assert sorted(seen) == [f"https://example.com/{i}" for i in range(3)]
    assert con.execute(
        "SELECT count(*) FROM article_extractions WHERE run_id = ?", [run2]
    ).fetchone() == (3,)

    def urls(**kw: str) -> list[str]:
        return sorted(a.canonical_url for _, a in iter_archived(con, **kw))

    assert urls(since="2024-02-15") == ["https://example.com/1", "https://example.com/2"]
    assert urls(since="2024-03") == ["https://example.com/2"]
    assert urls(source="Other") == ["https://example.com/2"]
    assert urls(source="https://feeds.example.com/trade.xml") == [
        "https://example.com/0",
        "https://example.com/1",
    ]
    with pytest.raises(ValueError, match="YYYY"):
        urls(since="March 2024")
