"""Every feed of ../shared/corpus/feeds served over HTTP and polled through the ingest steps in
one go: each is ingested (its entries selected for fetching) or recorded as a source error with
feedparser's bozo reason; encodings (UTF-16/32, Big5, EUC-KR, undeclared Latin-1) decode."""

from __future__ import annotations

import importlib.util
import json
import re
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from pytest_httpserver import HTTPServer

from tests.conftest import SHARED, shared_path
from tradeline.config import FeedConfig, FetchConfig, Settings
from tradeline.flows import steps

pytestmark = pytest.mark.shared

FEEDS = SHARED / "corpus" / "feeds"
NEWS_TYPES = {".rss": "application/rss+xml", ".atom": "application/atom+xml"}
BOZO_REASON = re.compile(r"^\w+: ")
# A feed in Latin-1 with no declaration anywhere (no XML prolog, no charset): our own bytes.
LATIN1_UNDECLARED = (
    "<rss version='2.0'><channel><title>Außenhandel Müller</title>"
    "<item><title>Exportgenehmigung für Kühlgeräte</title>"
    "<link>https://news.example.de/a</link></item></channel></rss>"
).encode("latin-1")


def _corpus() -> dict[str, dict]:
    """Relative path → its EXPECTATIONS entry ({} for the news feeds, which have none)."""
    if not FEEDS.exists():
        return {}
    expectations = json.loads((FEEDS / "EXPECTATIONS.json").read_text(encoding="utf-8"))
    files = sorted(
        p.relative_to(FEEDS).as_posix()
        for p in FEEDS.rglob("*")
        if p.is_file() and p.suffix != ".json"
    )
    return {name: expectations.get(name, {}) for name in files}


def _content_type(name: str, spec: dict) -> str:
    headers = spec.get("http_headers") or {}
    given = next((v for k, v in headers.items() if k.lower() == "content-type"), None)
    return given or NEWS_TYPES.get(Path(name).suffix, "application/xml")


def _needs_missing_module(spec: dict) -> bool:
    """Fixtures upstream skips without chardet (not installed here): only 'no crash' is asked."""
    return "chardet" in (spec.get("skip_unless") or "") and not importlib.util.find_spec("chardet")


@pytest.fixture(scope="module")
def polled(tmp_path_factory) -> Iterator[tuple[dict, Path, list]]:
    corpus = _corpus()
    if not corpus:
        shared_path("corpus", "feeds")  # skips with the reason
    server = HTTPServer()
    server.start()
    urls: dict[str, str] = {}
    for name, spec in corpus.items():
        server.expect_request(f"/{name}").respond_with_data(
            (FEEDS / name).read_bytes(), content_type=_content_type(name, spec)
        )
        urls[name] = server.url_for(f"/{name}")
    server.expect_request("/latin1").respond_with_data(
        LATIN1_UNDECLARED, content_type="application/xml"
    )
    urls["latin1"] = server.url_for("/latin1")
    settings = Settings(
        fetch=FetchConfig(allow_private_hosts=True, retries=0, timeout_s=5, concurrency=1)
    )
    warehouse = tmp_path_factory.mktemp("feeds") / "wh.duckdb"
    feeds = [FeedConfig(url=u, name=n) for n, u in urls.items()]
    results, errors = steps.poll_feeds(settings, feeds, warehouse)
    entries, seen, known = steps.select_new_entries(warehouse, results)
    server.clear()
    server.stop()
    by_name = dict(zip(urls, results, strict=True))
    with duckdb.connect(str(warehouse)) as con:
        sources = {
            r[0]: r[1:]
            for r in con.execute(
                "SELECT name, last_status, last_error, title FROM sources"
            ).fetchall()
        }
    yield by_name, sources, errors, entries, (seen, known), corpus


def test_every_feed_is_ingested_or_recorded_with_its_reason(polled) -> None:
    results, sources, errors, entries, (seen, known), _ = polled
    assert set(sources) == set(results)  # every feed has its sources row
    error_names = set()
    for name, result in results.items():
        status, last_error, _ = sources[name]
        assert status == 200, name
        if result.entries:
            assert result.error is None, name
        else:
            assert result.error is None or last_error == result.error, name
            if result.error:
                error_names.add(name)
        if result.bozo_reason:
            assert BOZO_REASON.match(result.bozo_reason), (name, result.bozo_reason)
            assert last_error in (result.bozo_reason, result.error), name
            if result.error:
                assert result.bozo_reason in result.error
    assert {e.reason for e in errors} == {results[n].error for n in error_names}
    assert {e.stage for e in errors} <= {"feed"}
    # every entry with an http(s) link is selected for fetching, each once
    assert seen == sum(len(r.entries) for r in results.values()) and known == 0
    assert all(re.match(r"https?://|file:", e.url) for e in entries)
    print(
        f"feeds: {len(results)}; with entries: {sum(bool(r.entries) for r in results.values())}; "
        f"bozo: {sum(bool(r.bozo_reason) for r in results.values())}; "
        f"source errors: {len(error_names)}; entries selected: {len(entries)}"
    )


def test_feedparser_bozo_verdicts_are_kept(polled) -> None:
    """Where feedparser itself calls a fixture bozo, the source row says why."""
    results, sources, _, _, _, corpus = polled
    for name, spec in corpus.items():
        expect = spec.get("expect", "")
        if _needs_missing_module(spec):
            continue
        if expect.startswith("bozo"):
            reason = results[name].bozo_reason
            assert reason and BOZO_REASON.match(reason), name
            assert reason in (sources[name][1] or ""), name  # alone, or "not a usable feed (…)"


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("illformed/encoding/euc-kr.xml", "\ub144"),
        ("latin1", "Außenhandel Müller"),
    ],
)
def test_encodings_decode_to_the_right_text(polled, name: str, title: str) -> None:
    results, sources, *_ = polled
    assert results[name].title == title
    assert sources[name][2] == title


@pytest.mark.parametrize(
    "name",
    [
        "illformed/encoding/utf-16le-autodetect.xml",
        "illformed/encoding/utf-32be-bom.xml",
        "illformed/encoding/big5.xml",
        "illformed/encoding/euc-kr.xml",
        "illformed/encoding/utf-8-bom.xml",
    ],
)
def test_declared_and_bom_encodings_are_not_errors(polled, name: str) -> None:
    results, sources, *_ = polled
    assert results[name].error is None and results[name].bozo_reason is None, name
    assert sources[name][1] is None


def test_undeclared_latin1_feed_is_ingested(polled) -> None:
    results, *_ = polled
    result = results["latin1"]
    assert result.error is None
    assert [e.title for e in result.entries] == ["Exportgenehmigung für Kühlgeräte"]
