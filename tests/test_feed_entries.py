"""Owed feed entries in a real warehouse (fast, no network): recorded with the poll, settled
by the store step, retried on a capped doubling backoff, given up after the last attempt."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tradeline.flows import steps
from tradeline.records import Article, FeedEntry, FeedResult, IngestError
from tradeline.warehouse import entries
from tradeline.warehouse.db import connect, transaction
from tradeline.warehouse.runs import start_run

NOW = datetime(2026, 1, 1, 12, 0, 0)
FEED = "https://feeds.example.com/trade.xml"


def _seen(url: str, feed: str = FEED, redacted: bool = False) -> entries.SeenEntry:
    return entries.SeenEntry(steps.entry_key(url), url, redacted, feed, "t", "2026-01-01")


def _states(con) -> dict[str, tuple]:
    rows = con.execute(
        "SELECT url, state, attempts, next_try_at, last_error FROM feed_entries ORDER BY url"
    ).fetchall()
    return {r[0]: r[1:] for r in rows}


def test_seen_entries_are_recorded_once_and_a_stored_article_is_not_owed(
    tmp_path: Path, make_item
) -> None:
    con = connect(tmp_path / "w.duckdb")
    run_id = start_run(con, kind="ingest", extractor_version="1", model_name="m",
                       model_version="1", assets_hash="h")
    from tradeline.warehouse.load import store_batch

    store_batch(con, [make_item("https://news.example.com/old")], run_id)
    seen = [_seen("https://news.example.com/old"), _seen("https://news.example.com/new")]
    assert entries.record_seen(con, seen, NOW) == 2
    assert entries.record_seen(con, seen, NOW) == 0  # a second poll adds nothing
    states = _states(con)
    assert states["https://news.example.com/old"][0] == "stored"
    assert states["https://news.example.com/new"] == ("seen", 0, None, None)
    due = entries.owed(con, [FEED], [], NOW)
    assert [e.url for e in due.values()] == ["https://news.example.com/new"]
    con.close()


def test_failures_back_off_doubling_to_the_cap_then_give_up(tmp_path: Path) -> None:
    con = connect(tmp_path / "w.duckdb")
    url = "https://news.example.com/flaky"
    key = steps.entry_key(url)
    entries.record_seen(con, [_seen(url)], NOW)
    policy = entries.RetryPolicy(attempts=5, backoff_s=60, backoff_max_s=200)
    waits = []
    now = NOW
    for _ in range(5):
        assert key in entries.owed(con, [FEED], [], now)
        given_up = entries.mark_failed(con, {key: "http_503: busy"}, policy, now)
        state, attempts, next_try, error = _states(con)[url]
        if state == "failed":
            waits.append((next_try - now).total_seconds())
            assert key not in entries.owed(con, [FEED], [], now)  # not before its next try
            now = next_try
    assert waits == [60, 120, 200, 200]  # doubling, capped
    assert (state, attempts, next_try, error) == ("given_up", 5, None, "http_503: busy")
    assert given_up == [key]
    assert entries.owed(con, [FEED], [key], now + timedelta(days=9)) == {}
    con.close()


@pytest.mark.parametrize("reason", ["http_410: gone", "robots: disallowed", "binary: pdf"])
def test_a_failure_no_retry_can_change_is_given_up_at_once(tmp_path: Path, reason: str) -> None:
    con = connect(tmp_path / "w.duckdb")
    url = "https://news.example.com/x"
    entries.record_seen(con, [_seen(url)], NOW)
    entries.mark_failed(con, {steps.entry_key(url): reason}, entries.RetryPolicy(), NOW)
    assert _states(con)[url][:2] == ("given_up", 1)
    con.close()


def test_an_unreachable_robots_txt_leaves_the_entry_owed(tmp_path: Path) -> None:
    """robots.txt answering 503 closes the site for now (RFC 9309), not for good."""
    con = connect(tmp_path / "w.duckdb")
    url = "https://news.example.com/x"
    entries.record_seen(con, [_seen(url)], NOW)
    reason = "robots_unreachable: https://news.example.com/x not fetched: robots.txt unreachable"
    entries.mark_failed(con, {steps.entry_key(url): reason}, entries.RetryPolicy(), NOW)
    assert _states(con)[url][:2] == ("failed", 1)
    con.close()


def test_fetched_then_stored(tmp_path: Path, make_item) -> None:
    warehouse = tmp_path / "w.duckdb"
    url = "https://news.example.com/a"
    doc, article, extraction = make_item(url)
    with connect(warehouse) as con:
        entries.record_seen(con, [_seen(url)], NOW)
    assert steps.archive_documents(warehouse, [doc]) == 1
    with connect(warehouse) as con:
        assert _states(con)[url][0] == "fetched"
        owed = entries.owed(con, [FEED], [], NOW + timedelta(seconds=1))
        assert [e.document_id for e in owed.values()] == [doc.document_id]
        run_id = start_run(con, kind="ingest", extractor_version="1", model_name="m",
                           model_version="1", assets_hash="h")
    loaded, missing = steps.load_archived(warehouse, list(owed.values()))
    assert [d.body for d in loaded] == [doc.body] and missing == []
    entry = FeedEntry(url=url, feed_url=FEED)
    assert steps.store_results(warehouse, [(doc, article, extraction)], [], run_id, [entry]) == 1
    with connect(warehouse) as con:
        assert _states(con)[url][0] == "stored"
        assert con.execute("SELECT count(*) FROM documents").fetchone() == (1,)
    assert article.article_id == Article.id_for(article.canonical_url)


def test_store_step_settles_a_batch_in_one_transaction(tmp_path: Path, make_item) -> None:
    warehouse = tmp_path / "w.duckdb"
    ok, bad = "https://news.example.com/ok", "https://news.example.com/bad"
    with connect(warehouse) as con:
        entries.record_seen(con, [_seen(ok), _seen(bad)], NOW)
        run_id = start_run(con, kind="ingest", extractor_version="1", model_name="m",
                           model_version="1", assets_hash="h")
    error = IngestError(url=bad, stage="fetch", reason="http_500: oops", at=NOW)
    batch = [FeedEntry(url=ok, feed_url=FEED), FeedEntry(url=bad, feed_url=FEED)]
    policy = entries.RetryPolicy(backoff_s=0)
    steps.store_results(warehouse, [make_item(ok)], [error], run_id, batch, policy)
    with connect(warehouse) as con:
        states = _states(con)
    assert states[ok][0] == "stored"
    assert states[bad][:2] == ("failed", 1) and states[bad][3] == "http_500: oops"


def test_select_retries_owed_entries_when_the_feed_answers_304(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    owed_url = "https://news.example.com/owed"
    with connect(warehouse) as con, transaction(con):
        entries.record_seen(con, [_seen(owed_url)], NOW)
    not_modified = FeedResult(url=FEED, status=304, not_modified=True)
    todo, seen, known = steps.select_new_entries(warehouse, [not_modified])
    assert [e.url for e in todo] == [owed_url] and (seen, known) == (0, 0)
    assert steps.owed_count(todo, [not_modified]) == 1
    # another feed's poll does not fetch it
    other = FeedResult(url="https://other.example.com/feed.xml", status=304, not_modified=True)
    assert steps.select_new_entries(warehouse, [other])[0] == []


def test_a_link_with_a_secret_is_kept_redacted_and_fetched_only_from_its_feed(
    tmp_path: Path,
) -> None:
    warehouse = tmp_path / "w.duckdb"
    link = "https://news.example.com/a?token=S3CRET"
    result = FeedResult(url=FEED, status=200, entries=[FeedEntry(url=link, feed_url=FEED)])
    with connect(warehouse) as con, transaction(con):
        entries.record_seen(con, steps._seen_entries([result]), NOW)
        assert con.execute("SELECT url, url_redacted FROM feed_entries").fetchall() == [
            ("https://news.example.com/a?token=***", True)
        ]
        assert entries.owes_redacted(con, FEED)  # so the next poll sends no validators
    not_modified = FeedResult(url=FEED, status=304, not_modified=True)
    assert steps.select_new_entries(warehouse, [not_modified])[0] == []
    todo, _, _ = steps.select_new_entries(warehouse, [result])
    assert [e.url for e in todo] == [link]  # the feed gave it back
