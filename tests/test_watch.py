"""Watchlist alerts (tradeline/alerts/): real ingest runs over a feed on 127.0.0.1, a real
DuckDB file, and a real webhook receiver that Apprise posts to (tests/webhook.py)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from tests.conftest import SAMPLES
from tests.webhook import WebhookServer, dead_url, watch_toml
from tradeline.alerts.delivery import destination_key
from tradeline.alerts.matching import NEW, SOURCES, Entry, Record, Watch, matches, owed_alerts
from tradeline.config import ConfigError, FetchConfig, Settings, WatchConfig, load_settings

PAGES = {
    "wire": SAMPLES / "articles" / "nickel-permits-wire.html",
    "review": SAMPLES / "articles" / "nickel-permits-review.html",
    "rice": SAMPLES / "articles" / "india-rice-exports.html",
}


# --- the matcher and the rule of what is owed (pure) ---------------------------------------

T0 = datetime(2026, 1, 1)


def _entry(**kw) -> Entry:
    base = dict(
        entry_key="e1",
        type="permit_issued",
        n_sources=1,
        first_stored=T0,
        companies=("JL Mag Rare-Earth", "Ningbo Yunsheng"),
        commodity="rare earths",
        authority="MOFCOM",
        authority_country="China",
    )
    return Entry(**{**base, **kw})


def _watch(**kw) -> Watch:
    return Watch(**{"name": "w", "notify": ("json://h/a",), **kw})


def test_company_matching_is_forgiving_but_not_loose():
    entry = _entry(company_names=("JL Mag Rare-Earth", "JL MAG", "Ningbo Yunsheng"))
    for wanted in ("jl mag rare earth", "JL MAG", "Ningbo Yansheng", "ningbo", "JL Mag"):
        assert matches(_watch(companies=(wanted,)), entry), wanted
    for wanted in ("Mag", "Lynas", "JL Magnet Works", "Ningbo Steel"):
        assert not matches(_watch(companies=(wanted,)), entry), wanted


def test_criteria_and_across_or_within():
    entry = _entry()
    assert matches(_watch(types=("permit_denied", "permit_issued")), entry)
    assert matches(_watch(authorities=("china",)), entry)  # a country names its authorities
    assert matches(_watch(authorities=("mofcom",)), entry)
    assert not matches(_watch(authorities=("India",)), entry)
    assert matches(_watch(commodities=("rare earths",), types=("permit_issued",)), entry)
    assert not matches(_watch(commodities=("rare earths",), types=("ban_lifted",)), entry)
    assert not matches(_watch(commodities=("nickel",)), entry)
    assert not matches(_watch(companies=("Lynas",), commodities=("rare earths",)), entry)


def test_owed_new_once_sources_once_and_failed_again():
    watch = _watch(companies=("JL Mag",), n_sources_threshold=3)
    dest = destination_key(watch.notify[0])
    created = {("w", dest): T0}

    def owed(entry, recorded):
        return [
            (o.entry.entry_key, o.reason, o.retry)
            for o in owed_alerts([watch], [entry], created, recorded, destination_key)
        ]

    new = _entry()
    assert owed(new, {}) == [("e1", NEW, False)]
    older = _entry(first_stored=datetime(2025, 12, 31))  # stored before the watch existed
    assert owed(older, {}) == []
    sent = {("w", "e1", dest, NEW): Record("sent", 1)}
    assert owed(new, sent) == []
    assert owed(_entry(n_sources=2), sent) == []
    assert owed(_entry(n_sources=3), sent) == [("e1", SOURCES, False)]
    grown = {**sent, ("w", "e1", dest, SOURCES): Record("sent", 3)}
    assert owed(_entry(n_sources=5), grown) == []
    assert owed(new, {("w", "e1", dest, NEW): Record("failed", 1)}) == [("e1", NEW, True)]
    skipped = {("w", "e1", dest, NEW): Record("skipped", 1)}
    assert owed(new, skipped) == []
    assert owed(_entry(n_sources=4), skipped) == [("e1", SOURCES, False)]


def test_an_entry_whose_key_changed_is_not_news_again():
    """A later report naming a second firm changes the entry's key; the entry holding the
    alerted entry's reports continues it (sent.continuations finds them by fact_key)."""
    watch = _watch(companies=("JL Mag",), n_sources_threshold=2)
    dest = destination_key(watch.notify[0])
    sent = {("w", "e1", dest, NEW): Record("sent", 1)}
    renamed = _entry(entry_key="e2", n_sources=1)

    def owed(entry, continues):
        return [
            (o.entry.entry_key, o.reason)
            for o in owed_alerts(
                [watch], [entry], {("w", dest): T0}, sent, destination_key, continues
            )
        ]

    assert owed(renamed, {}) == [("e2", NEW)]  # without its history it would be news
    assert owed(renamed, {"e2": ["e1"]}) == []
    assert owed(_entry(entry_key="e2", n_sources=2), {"e2": ["e1"]}) == [("e2", SOURCES)]


def test_watch_config_errors_are_clear(tmp_path: Path):
    config = tmp_path / "tradeline.toml"
    config.write_text(watch_toml("w", "json://127.0.0.1/h", types=["permit_isued"]))
    with pytest.raises(
        ConfigError, match="unknown event type 'permit_isued'; did you mean permit_issued"
    ):
        load_settings(config)
    config.write_text(watch_toml("w", "json://127.0.0.1/h"))
    with pytest.raises(ConfigError, match="names nothing to match"):
        load_settings(config)
    config.write_text(watch_toml("w", "hooks.example/x", types=["permit_issued"]))
    with pytest.raises(ConfigError, match="not an Apprise URL"):
        load_settings(config)
    config.write_text(watch_toml("w", "json://a/h", types=["ban_lifted"]) * 2)
    with pytest.raises(ConfigError, match="watch name used twice: w"):
        load_settings(config)
    config.write_text(watch_toml("w", "json://a/h", types=["Permit Issued"], bogus=1))
    with pytest.raises(ConfigError, match="bogus"):
        load_settings(config)
    config.write_text(watch_toml("w", "json://a/h", types=["Permit Issued", "ban-lifted"]))
    assert load_settings(config).watch[0].types == ["permit_issued", "ban_lifted"]


# --- real ingest runs ----------------------------------------------------------------------

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Test trade feed</title><link>{base}</link>
<description>t</description>{items}</channel></rss>"""
ITEM = "<item><title>{name}</title><link>{base}/{name}.html</link></item>"


class Feed:
    """A feed on the test HTTP server whose items are `self.pages` (names of PAGES); its ETag
    changes with them, so an unchanged feed is a 304 and a run that records nothing."""

    def __init__(self, httpserver: HTTPServer, *pages: str) -> None:
        self.pages = list(pages)
        self.base = httpserver.url_for("").rstrip("/")
        self.url = httpserver.url_for("/feed.xml")
        httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
        httpserver.expect_request("/feed.xml").respond_with_handler(self._feed)
        for name, path in PAGES.items():
            httpserver.expect_request(f"/{name}.html").respond_with_data(
                path.read_bytes(), content_type="text/html; charset=utf-8"
            )

    def _feed(self, request: Request) -> Response:
        etag = '"' + "-".join(self.pages) + '"'
        if request.headers.get("If-None-Match") == etag:
            return Response(status=304, headers={"ETag": etag})
        items = "".join(ITEM.format(name=n, base=self.base) for n in self.pages)
        body = RSS.format(base=self.base, items=items)
        return Response(body, content_type="application/rss+xml", headers={"ETag": etag})


def _settings(feed: Feed, *watches: WatchConfig) -> Settings:
    return Settings(
        fetch=FetchConfig(allow_private_hosts=True, retries=0, timeout_s=5, per_host_delay_s=0),
        watch=list(watches),
    )


def _ingest(settings: Settings, warehouse: Path, feed: Feed, **kw):
    from tradeline.flows.ingest import ingest

    return ingest(settings, str(warehouse), [feed.url], **kw)


def _alerts(warehouse: Path) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            """SELECT watch, entry_key, reason, status, n_sources, attempts, destination,
                      run_id, error
               FROM alerts_sent ORDER BY first_tried_at, watch, reason"""
        ).fetchall()


def _nickel(url: str, **kw) -> WatchConfig:
    return WatchConfig(
        name="nickel", notify=[url], companies=["halmera nickel"], types=["Permit Issued"], **kw
    )


@pytest.mark.slow
def test_matching_new_entry_alerts_once_and_again_when_sources_grow(
    prefect_harness, httpserver: HTTPServer, tmp_path: Path
):
    feed = Feed(httpserver, "wire", "rice")
    warehouse = tmp_path / "wh.duckdb"
    with WebhookServer() as hook:
        other = WatchConfig(
            name="chips", notify=[hook.url], companies=["Northwind"], types=["permit_issued"]
        )
        settings = _settings(feed, _nickel(hook.url, n_sources_threshold=2), other)

        first = _ingest(settings, warehouse, feed)
        assert first.new_articles == 2 and not first.errors
        with duckdb.connect(str(warehouse), read_only=True) as con:
            halmera = con.execute(
                "SELECT entry_key, type, event_date, evidence, urls FROM timeline "
                "WHERE list_contains(companies, 'Halmera Nickel Industries') "
                "AND type = 'permit_issued'"
            ).fetchall()
        assert len(halmera) == 1, halmera
        key, _, event_date, evidence, urls = halmera[0]
        assert len(hook.posts) == 1, hook.posts  # one entry, one destination; chips: none
        post = hook.posts[0]
        assert hook.paths == ["/hook"]
        assert post["title"].startswith("[nickel] permit issued: Halmera Nickel Industries")
        message = post["message"]
        assert "Event: permit issued" in message
        assert f"Date: {event_date}" in message
        assert "Authority:" in message and "Indonesia" in message
        assert " ".join(evidence.split()) in message
        assert urls[0] in message and "wire.html" in urls[0]
        assert first.alerts == "alerts: 1 sent"
        assert "alerts: 1 sent" in first.line()
        [row] = _alerts(warehouse)
        assert row[:6] == ("nickel", key, NEW, "sent", 1, 1)
        assert row[6] == f"json://127.0.0.1:{hook.port}/hook" and row[7] == first.run_id

        second = _ingest(settings, warehouse, feed)  # unchanged feed: nothing new
        assert second.run_id is None and second.alerts == ""
        assert len(hook.posts) == 1

        feed.pages.append("review")  # a second outlet reports the same permit
        third = _ingest(settings, warehouse, feed)
        assert third.new_articles == 1
        assert len(hook.posts) == 2, [p["title"] for p in hook.posts]
        assert hook.posts[1]["title"].startswith("[nickel] now 2 sources: permit issued")
        assert "review.html" in hook.posts[1]["message"]
        assert [(r[1], r[2], r[3], r[4]) for r in _alerts(warehouse)] == [
            (key, NEW, "sent", 1),
            (key, SOURCES, "sent", 2),
        ]

        _ingest(settings, warehouse, feed)
        assert len(hook.posts) == 2


@pytest.mark.slow
def test_dead_destination_is_recorded_and_retried_without_failing_the_run(
    prefect_harness, httpserver: HTTPServer, tmp_path: Path
):
    feed = Feed(httpserver, "wire")
    warehouse = tmp_path / "wh.duckdb"
    with WebhookServer() as hook:
        hook.failing = True
        dead = dead_url()
        settings = _settings(
            feed, _nickel(hook.url), _nickel(dead).model_copy(update={"name": "nickel-dead"})
        )
        first = _ingest(settings, warehouse, feed)
        assert first.status == "completed" and not first.errors
        assert first.alerts == "alerts: 2 failed (retried next run)"
        rows = _alerts(warehouse)
        assert [(r[0], r[3], r[5]) for r in rows] == [
            ("nickel", "failed", 1),
            ("nickel-dead", "failed", 1),
        ]
        assert "503" in rows[0][8] or "Service Unavailable" in rows[0][8], rows[0][8]
        assert rows[1][8]

        hook.failing = False
        second = _ingest(settings, warehouse, feed)  # nothing new: only the retries
        assert second.run_id is None and second.status == "completed"
        assert len(hook.posts) == 1
        assert second.alerts == "alerts: 1 sent, 1 failed (retried next run)"
        rows = _alerts(warehouse)
        assert (rows[0][0], rows[0][3], rows[0][5], rows[0][8]) == ("nickel", "sent", 2, None)
        assert (rows[1][0], rows[1][3], rows[1][5]) == ("nickel-dead", "failed", 2)
        assert rows[0][7] == first.run_id  # the run whose entry owed it, not the poll after
        _ingest(settings, warehouse, feed)
        assert len(hook.posts) == 1


@pytest.mark.slow
def test_watch_added_later_alerts_only_what_comes_after_it(
    prefect_harness, httpserver: HTTPServer, tmp_path: Path
):
    feed = Feed(httpserver, "wire")
    warehouse = tmp_path / "wh.duckdb"
    with WebhookServer() as hook:
        _ingest(_settings(feed), warehouse, feed)  # history stored before any watch
        settings = _settings(feed, _nickel(hook.url))
        feed.pages.append("rice")
        later = _ingest(settings, warehouse, feed)
        assert later.new_articles == 1
        assert hook.posts == [] and _alerts(warehouse) == []  # Halmera's entry predates it
        with duckdb.connect(str(warehouse), read_only=True) as con:
            seen = con.execute("SELECT watch, run_id FROM alert_watches").fetchall()
        assert seen == [("nickel", later.run_id)]


@pytest.mark.slow
def test_no_alerts_run_records_its_entries_unsent(
    prefect_harness, httpserver: HTTPServer, tmp_path: Path
):
    feed = Feed(httpserver, "wire")
    warehouse = tmp_path / "wh.duckdb"
    with WebhookServer() as hook:
        settings = _settings(feed, _nickel(hook.url))
        unsent = _ingest(settings, warehouse, feed, alerts=False)
        assert unsent.new_articles == 1 and hook.posts == []
        assert unsent.alerts == "alerts: 1 recorded unsent"
        assert [(r[0], r[2], r[3], r[5]) for r in _alerts(warehouse)] == [
            ("nickel", NEW, "skipped", 0)
        ]
        _ingest(settings, warehouse, feed)  # a sending run: the entry is not news any more
        assert hook.posts == []


def test_import_records_unsent_and_a_later_run_sends_nothing(tmp_path: Path, archive_articles):
    import json

    from tradeline.alerts import notify_watches
    from tradeline.flows.archive_import import import_paths

    dump = tmp_path / "dump.jsonl"
    dump.write_text("".join(json.dumps(a) + "\n" for a in archive_articles), encoding="utf-8")
    warehouse = tmp_path / "w.duckdb"
    with WebhookServer() as hook:
        watch = WatchConfig(name="tools", notify=[hook.url], companies=["Northwind"])
        settings = Settings(watch=[watch])
        imported = import_paths(settings, warehouse, [dump])
        assert imported.imported == 4
        rows = _alerts(warehouse)
        assert rows and {(r[0], r[3], r[5]) for r in rows} == {("tools", "skipped", 0)}
        assert all(r[7] == imported.run_id for r in rows)
        assert notify_watches(settings, warehouse, None).line() == ""  # what a later run does
        assert hook.posts == []


def _config(tmp_path: Path, *watches: str) -> Path:
    config = tmp_path / "tradeline.toml"
    config.write_text(
        f'[warehouse]\npath = "{tmp_path / "wh.duckdb"}"\n' + "".join(watches), encoding="utf-8"
    )
    return config


def test_watch_test_sends_a_sample_and_fails_clearly(tmp_path: Path, cli):
    with WebhookServer() as hook:
        dead = dead_url()
        config = _config(
            tmp_path,
            watch_toml("ok", hook.url, types=["permit_issued"]),
            watch_toml(
                "mixed",
                [hook.url.replace("json://", "json://user:s3cret@"), dead],
                commodities=["nickel"],
            ),
        )
        ok = cli("watch", "test", "ok", "-c", str(config), cwd=tmp_path)
        assert ok.returncode == 0, ok.stderr
        assert len(hook.posts) == 1
        assert hook.posts[0]["title"].startswith("[ok] permit issued")
        assert "test alert" in hook.posts[0]["message"]
        assert f"sent    ok → json://127.0.0.1:{hook.port}/hook" in ok.stderr

        mixed = cli("watch", "test", "mixed", "-c", str(config), cwd=tmp_path)
        assert mixed.returncode == 1, mixed.stderr
        assert len(hook.posts) == 2
        lines = mixed.stderr.splitlines()
        assert lines[0].startswith("sent    mixed → json://user:****@127.0.0.1")
        assert lines[1].startswith("failed  mixed → json://127.0.0.1:")
        assert "Connection error" in lines[1]
        assert "s3cret" not in mixed.stderr and "Traceback" not in mixed.stderr

        unknown = cli("watch", "test", "nope", "-c", str(config), cwd=tmp_path)
        assert unknown.returncode == 2
        assert "no watch named 'nope'; configured: ok, mixed" in unknown.stderr


def test_watch_list_counts_and_unknown_values(tmp_path: Path, cli):
    from tradeline.alerts import sent
    from tradeline.warehouse.db import connect

    config = _config(
        tmp_path,
        watch_toml("ok", "json://user:pw@127.0.0.1:9/h", types=["permit_issued"]),
        watch_toml("none", "json://127.0.0.1:9/h", companies=["Lynas"]),
    )
    with connect(tmp_path / "wh.duckdb") as con:
        sent.record(
            con,
            [
                sent.Outcome("ok", "e1", "d", "json://user:****@127.0.0.1:9/h", NEW, "sent", 1),
                sent.Outcome(
                    "ok", "e2", "d", "json://user:****@127.0.0.1:9/h", NEW, "failed", 1, "x"
                ),
                sent.Outcome("ok", "e3", "d", "json://user:****@127.0.0.1:9/h", NEW, "sent", 1),
            ],
            None,
            datetime(2026, 1, 1),
        )
    listed = cli("watch", "list", "-c", str(config), cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    lines = [line for line in listed.stdout.splitlines() if "│ ok" in line or "│ none" in line]
    assert len(lines) == 2, listed.stdout
    assert [c.strip() for c in lines[0].split("│")][-5:-1] == ["2", "1", "0", "0"], listed.stdout
    assert [c.strip() for c in lines[1].split("│")][-5:-1] == ["0", "0", "0", "0"], listed.stdout
    assert "pw" not in listed.stdout

    bad = _config(tmp_path, watch_toml("x", "json://127.0.0.1:9/h", commodities=["nikel"]))
    refused = cli("watch", "list", "-c", str(bad), cwd=tmp_path)
    assert refused.returncode == 2
    assert "watch 'x' not used: unknown commodity 'nikel'; did you mean nickel ore?" in (
        refused.stderr
    )


@pytest.mark.slow
def test_alerts_over_max_per_run_go_as_one_digest(
    prefect_harness, httpserver: HTTPServer, tmp_path: Path
):
    feed = Feed(httpserver, "wire")
    warehouse = tmp_path / "wh.duckdb"
    with WebhookServer() as hook:
        watch = WatchConfig(
            name="halmera", notify=[hook.url], companies=["Halmera Nickel"], max_per_run=1
        )
        run = _ingest(_settings(feed, watch), warehouse, feed)
        with duckdb.connect(str(warehouse), read_only=True) as con:
            types = con.execute(
                "SELECT type FROM timeline "
                "WHERE list_contains(companies, 'Halmera Nickel Industries')"
            ).fetchall()
        assert len(types) == 2  # permit_applied (2025-11), permit_issued (2026-02-09)
        assert run.alerts == "alerts: 2 sent"
        assert [p["title"] for p in hook.posts] == [
            "[halmera] permit applied: Halmera Nickel Industries, Sulawesi Ore Partners",
            "[halmera] 1 more matching entries",
        ]
        assert "permit issued" in hook.posts[1]["message"]
        assert "wire.html" in hook.posts[1]["message"]
        assert {r[3] for r in _alerts(warehouse)} == {"sent"}
