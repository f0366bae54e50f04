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
        entry_key="e1", type="permit_issued", n_sources=1, first_stored=T0,
        companies=("JL Mag Rare-Earth", "Ningbo Yunsheng"), commodity="rare earths",
        authority="MOFCOM", authority_country="China",
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
    created = {"w": T0}

    def owed(entry, recorded):
        return [(o.entry.entry_key, o.reason, o.retry)
                for o in owed_alerts([watch], [entry], created, recorded, destination_key)]

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


def test_watch_config_errors_are_clear(tmp_path: Path):
    config = tmp_path / "tradeline.toml"
    config.write_text(watch_toml("w", "json://127.0.0.1/h", types=["permit_isued"]))
    with pytest.raises(ConfigError, match="unknown event type 'permit_isued'; did you mean "
                       "permit_issued"):
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
