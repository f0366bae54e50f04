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


# --- review fixes ----------------------------------------------------------------------------

SECRET = "TOKsecret12345"  # a token in a notify URL's path


def test_sources_alert_follows_an_entry_whose_key_changed():
    """The 'sources' record of the alerted entry stands for the continuing entry's too."""
    watch = _watch(companies=("JL Mag",), n_sources_threshold=2)
    dest = destination_key(watch.notify[0])
    both = {
        ("w", "e1", dest, NEW): Record("sent", 1),
        ("w", "e1", dest, SOURCES): Record("sent", 2),
    }
    renamed = _entry(entry_key="e2", n_sources=3)

    def owed(recorded):
        return [
            (o.entry.entry_key, o.reason, o.retry, o.supersedes)
            for o in owed_alerts(
                [watch], [renamed], {("w", dest): T0}, recorded, destination_key, {"e2": ["e1"]}
            )
        ]

    assert owed(both) == []
    failed = {**both, ("w", "e1", dest, SOURCES): Record("failed", 2)}
    assert owed(failed) == [("e2", SOURCES, True, "e1")]
    given_up = {**both, ("w", "e1", dest, NEW): Record("given_up", 1)}
    del given_up[("w", "e1", dest, SOURCES)]
    assert owed(given_up) == []


def test_new_destination_and_changed_criteria_start_from_when_they_appeared(tmp_path: Path):
    from tradeline.alerts import sent
    from tradeline.warehouse.db import connect

    t1, t2 = datetime(2026, 2, 1), datetime(2026, 3, 1)
    with connect(tmp_path / "wh.duckdb") as con:
        first = sent.register_watches(con, [("w", "a", "c1")], "r0", T0)
        assert first.since == {("w", "a"): T0} and first.look_from == T0
        added = sent.register_watches(con, [("w", "a", "c1"), ("w", "b", "c1")], "r1", t1)
        assert added.since == {("w", "a"): T0, ("w", "b"): t1}  # b: only what comes after
        sent.considered(con, [("w", "a"), ("w", "b")], t1)
        widened = sent.register_watches(con, [("w", "a", "c2"), ("w", "b", "c2")], "r2", t2)
        assert widened.since == {("w", "a"): t2, ("w", "b"): t2}
        assert widened.look_from == t1  # what is newer than the last pass is still looked at
    assert _watch(types=("a", "b")) != _watch(types=("b", "a"))
    from tradeline.alerts.matching import criteria_hash

    assert criteria_hash(_watch(types=("a", "b"))) == criteria_hash(_watch(types=("b", "a")))
    assert criteria_hash(_watch(types=("a",))) != criteria_hash(_watch(types=("a", "b")))


def test_superseded_and_given_up_rows(tmp_path: Path):
    from tradeline.alerts import sent
    from tradeline.warehouse.db import connect

    def outcome(key: str, status: str, supersedes: str | None = None) -> sent.Outcome:
        return sent.Outcome("w", key, "d", "json://h/x", NEW, status, 1, supersedes=supersedes)

    with connect(tmp_path / "wh.duckdb") as con:
        sent.record(con, [outcome("e1", "failed"), outcome("x", "failed")], None, T0, {"w": 2})
        sent.record(con, [outcome("e2", "sent", supersedes="e1")], None, T0, {"w": 2})
        sent.record(con, [outcome("x", "failed")], None, T0, {"w": 2})
        rows = con.execute(
            "SELECT entry_key, status, attempts FROM alerts_sent ORDER BY entry_key"
        ).fetchall()
    assert rows == [("e1", "superseded", 1), ("e2", "sent", 1), ("x", "given_up", 2)]
    assert sent.recorded  # a given-up alert is owed nothing more:
    watch = _watch(companies=("JL Mag",))
    dest = destination_key(watch.notify[0])
    recorded = {("w", "e1", dest, NEW): Record("given_up", 1)}
    assert (
        list(owed_alerts([watch], [_entry()], {("w", dest): T0}, recorded, destination_key)) == []
    )


def test_secrets_stay_out_of_shown_destinations_errors_and_config_messages(tmp_path: Path):
    from tradeline.alerts.delivery import redacted, scrub

    url = f"json://hooks.example/hook/{SECRET}"
    assert redacted(url) == "json://hooks.example/hook/…"
    slack = "slack://T1234ABCD/B1234ABCD/xoxbsecrettoken12345678"
    assert "xoxbsecrettoken12345678" not in redacted(slack)
    assert "T1234ABCD" not in redacted(slack)
    line = f"Failed to send to {url}: HTTP 404 for /hook/{SECRET}?token=abcdef"
    assert SECRET not in scrub(line, url) and "HTTP 404" in scrub(line, url)
    assert SECRET not in scrub(line, url + "?token=abcdef").replace("abcdef", "")
    assert "abcdef" not in scrub(line, url + "?token=abcdef")

    config = tmp_path / "tradeline.toml"
    config.write_text(watch_toml("w", f"hooks.example/x/{SECRET}", types=["permit_issued"]))
    with pytest.raises(ConfigError, match="not an Apprise URL") as info:
        load_settings(config)
    assert SECRET not in str(info.value) and "hooks.example" in str(info.value)


def test_env_notify_is_read_when_sending(monkeypatch: pytest.MonkeyPatch):
    from tradeline.alerts.delivery import deliver
    from tradeline.alerts.message import format_alert, sample_entry

    watch = WatchConfig(name="w", notify="env:TRADELINE_TEST_HOOK", types=["permit_issued"])
    assert watch.notify == ["env:TRADELINE_TEST_HOOK"]
    message = format_alert(_watch(), sample_entry())
    monkeypatch.delenv("TRADELINE_TEST_HOOK", raising=False)
    assert "TRADELINE_TEST_HOOK is not set" in (deliver(watch.notify[0], message) or "")
    with WebhookServer() as hook:
        monkeypatch.setenv("TRADELINE_TEST_HOOK", hook.url)
        assert deliver(watch.notify[0], message) is None
        assert len(hook.posts) == 1


def _secret_config(tmp_path: Path, feed: Feed, hook: WebhookServer) -> Path:
    config = tmp_path / "tradeline.toml"
    config.write_text(
        f'[warehouse]\npath = "{tmp_path / "wh.duckdb"}"\n'
        "[fetch]\nallow_private_hosts = true\nretries = 0\ntimeout_s = 5\n"
        "per_host_delay_s = 0\n"
        f'[[feeds]]\nurl = "{feed.url}"\n'
        + watch_toml(
            "nickel", f"{hook.url}/{SECRET}", companies=["halmera nickel"], types=["permit_issued"]
        ),
        encoding="utf-8",
    )
    return config


@pytest.mark.slow
def test_notify_urls_stay_out_of_prefect_parameters_and_a_deployment_run_still_sends(
    prefect_harness, httpserver: HTTPServer, tmp_path: Path
):
    import json

    from tradeline.flows.ingest import ingest
    from tradeline.flows.serve import deployment_kwargs

    feed = Feed(httpserver, "wire")
    warehouse = tmp_path / "wh.duckdb"
    with WebhookServer() as hook:
        settings = load_settings(_secret_config(tmp_path, feed, hook))
        assert settings.watch[0].notify == [f"{hook.url}/{SECRET}"]
        params = ingest.serialize_parameters({"settings": settings, "warehouse": str(warehouse)})
        assert SECRET not in json.dumps(params)
        deployment = deployment_kwargs(settings, warehouse, interval_s=3600)
        assert SECRET not in json.dumps(deployment["parameters"])
        assert deployment["parameters"]["settings"]["config_path"] == str(
            (tmp_path / "tradeline.toml").resolve()
        )

        run = ingest(deployment["parameters"]["settings"], str(warehouse), [feed.url])
        assert run.alerts == "alerts: 1 sent"
        assert hook.paths == [f"/hook/{SECRET}"]
        [row] = _alerts(warehouse)
        assert SECRET not in row[6] and row[6].endswith("/hook/…")

        from prefect.client.orchestration import get_client

        async def stored_parameters() -> str:
            async with get_client() as client:
                runs = await client.read_flow_runs()
            return json.dumps([r.parameters for r in runs], default=str)

        import asyncio

        assert SECRET not in asyncio.run(stored_parameters())


@pytest.mark.slow
def test_a_pass_records_each_alert_as_it_goes_and_survives_one_that_raises(
    prefect_harness, httpserver: HTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    from tradeline.alerts import notify

    feed = Feed(httpserver, "wire")
    warehouse = tmp_path / "wh.duckdb"
    with WebhookServer() as hook:
        hook.failing = True
        watch = WatchConfig(name="halmera", notify=[hook.url], companies=["Halmera Nickel"])
        settings = _settings(feed, watch)
        first = _ingest(settings, warehouse, feed)
        assert first.alerts == "alerts: 2 failed (retried next run)"
        hook.failing = False

        real_deliver, calls = notify.deliver, []

        def deliver_then_interrupt(url, message):
            calls.append(message.title)
            if len(calls) == 2:
                raise KeyboardInterrupt
            return real_deliver(url, message)

        monkeypatch.setattr(notify, "deliver", deliver_then_interrupt)
        with pytest.raises(KeyboardInterrupt):
            notify.notify_watches(settings, warehouse, None)
        assert len(hook.posts) == 1
        assert sorted((r[3], r[5]) for r in _alerts(warehouse)) == [("failed", 1), ("sent", 2)]
        monkeypatch.setattr(notify, "deliver", real_deliver)

        def broken_format(watch, entry, reason):
            raise RuntimeError(f"boom {entry.entry_key}")

        monkeypatch.setattr(notify, "format_alert", broken_format)
        summary = notify.notify_watches(settings, warehouse, None)
        assert (summary.sent, summary.failed, summary.problems) == (0, 1, [])
        rows = sorted(_alerts(warehouse), key=lambda r: r[3])
        assert [(r[3], r[5]) for r in rows] == [("failed", 2), ("sent", 2)]
        assert rows[0][8].startswith("RuntimeError: boom")
        assert len(hook.posts) == 1


@pytest.mark.slow
def test_alert_pass_looks_only_at_what_is_new_and_gives_up_after_max_attempts(
    prefect_harness, httpserver: HTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    from tradeline.alerts import sent

    seen: list[list[str]] = []
    real_candidates = sent.candidates

    def spy(con, look_from):
        entries = real_candidates(con, look_from)
        seen.append(sorted({", ".join(e.companies) for e in entries}))
        return entries

    monkeypatch.setattr(sent, "candidates", spy)
    feed = Feed(httpserver, "wire")
    warehouse = tmp_path / "wh.duckdb"
    with WebhookServer() as hook, WebhookServer() as dead, WebhookServer() as added:
        dead.failing = True
        dead_watch = _nickel(dead.url).model_copy(update={"name": "nickel-dead", "max_attempts": 2})
        settings = _settings(feed, _nickel(hook.url), dead_watch)
        _ingest(settings, warehouse, feed)
        assert len(hook.posts) == 1 and any("Halmera" in c for c in seen[-1])

        feed.pages.append("rice")  # something new that no watch wants; the dead one retried
        assert _ingest(settings, warehouse, feed).alerts == "alerts: 1 given up"
        rows = _alerts(warehouse)
        assert [(r[0], r[3], r[5]) for r in rows] == [
            ("nickel", "sent", 1),
            ("nickel-dead", "given_up", 2),
        ]

        # nothing new: the pass reads only the newest run's entries (no failed alert is left),
        # the given-up alert is not tried again, and a destination added now gets no history
        widened = _nickel(hook.url).model_copy(update={"notify": [hook.url, added.url]})
        _ingest(_settings(feed, widened, dead_watch), warehouse, feed)
        assert not any("Halmera" in c for c in seen[-1]), seen[-1]
        assert len(hook.posts) == 1 and added.posts == []
        assert [(r[0], r[3], r[5]) for r in _alerts(warehouse)] == [
            ("nickel", "sent", 1),
            ("nickel-dead", "given_up", 2),
        ]

        feed.pages.append("review")  # Halmera's entry grows: a candidate, but not news
        _ingest(_settings(feed, widened, dead_watch), warehouse, feed)
        assert any("Halmera" in c for c in seen[-1])
        assert len(hook.posts) == 1 and added.posts == []
