"""Fast re-polls: a one-off run reuses the Prefect server that answers on `[prefect] port`, and a
poll that finds nothing new neither loads nor imports the spaCy pipeline.

The server selection runs against a fake /api/health on 127.0.0.1 (a real `prefect server
start` takes 15 s or more); one CLI run reports to the session's real test server through the
port alone. Timing targets live in bench/repoll.py, not here.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from tests.conftest import SAMPLES
from tests.reliability_support import kill_group, start_cli
from tradeline.config import (
    DEFAULT_MODEL,
    FeedConfig,
    FetchConfig,
    PrefectConfig,
    Settings,
    load_settings,
)
from tradeline.extractors.model_info import installed_without_spacy
from tradeline.flows import prefect_server
from tradeline.flows.prefect_server import prefect_api, running_server

REPO = Path(__file__).resolve().parent.parent


@contextlib.contextmanager
def health_server(
    status: int = 200, body: bytes = b"true", hits: list[str] | None = None
) -> Iterator[int]:
    """A stand-in for a Prefect server's /api/health on 127.0.0.1 (each request's path goes
    to `hits`); yields its port."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            return None

        def do_GET(self) -> None:
            if hits is not None:
                hits.append(self.path)
            ok = self.path == "/api/health"
            self.send_response(status if ok else 404)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def no_configured_api(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No PREFECT_API_URL, in the environment or in the settings (the session's test server
    may be configured): what a plain `tradeline run` sees."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    with temporary_settings(restore_defaults={PREFECT_API_URL}):
        yield


@pytest.fixture
def temporary_starts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record each temporary server `prefect_api` would start, instead of starting it."""
    started: list[str] = []

    def fake_start(timeout_s: float) -> tuple[object, str]:
        started.append("start")
        return object(), "http://127.0.0.1:9/api"

    monkeypatch.setattr(prefect_server, "_start", fake_start)
    monkeypatch.setattr(prefect_server, "_stop", lambda process: started.append("stop"))
    return started


# -- which server -------------------------------------------------------------------------------


def test_running_server_is_found_only_where_a_prefect_health_check_answers() -> None:
    with health_server() as port:
        assert running_server(port) == f"http://127.0.0.1:{port}/api"
    assert running_server(closed_port()) is None
    with health_server(status=500) as port:
        assert running_server(port) is None
    with health_server(body=b"<html>some other service</html>") as port:
        assert running_server(port) is None


def test_a_server_answering_on_the_port_is_reused_and_none_is_started(
    monkeypatch: pytest.MonkeyPatch, temporary_starts: list[str]
) -> None:
    from prefect.settings import get_current_settings

    hits: list[str] = []
    with no_configured_api(monkeypatch), health_server(hits=hits) as port:
        url = f"http://127.0.0.1:{port}/api"
        with prefect_api(port) as api:
            assert (api.source, api.url) == ("running", url)
            assert os.environ["PREFECT_API_URL"] == url  # for Dask workers too
            assert get_current_settings().api.url == url
            assert get_current_settings().flows.heartbeat_frequency is None
        assert "PREFECT_API_URL" not in os.environ
        assert get_current_settings().api.url != url
    assert temporary_starts == []
    assert hits == ["/api/health"]  # one probe


def test_without_a_server_on_the_port_a_temporary_one_is_started_and_stopped(
    monkeypatch: pytest.MonkeyPatch, temporary_starts: list[str]
) -> None:
    with no_configured_api(monkeypatch):
        with prefect_api(closed_port()) as api:
            assert (api.source, api.url) == ("temporary", "http://127.0.0.1:9/api")
            assert temporary_starts == ["start"]
        assert temporary_starts == ["start", "stop"]
        # reuse turned off: the answering server is not even asked
        hits: list[str] = []
        with health_server(hits=hits), prefect_api(None) as api:
            assert api.source == "temporary"
    assert temporary_starts == ["start", "stop", "start", "stop"]
    assert hits == []


def test_a_configured_api_wins_over_a_running_server(
    monkeypatch: pytest.MonkeyPatch, temporary_starts: list[str]
) -> None:
    with health_server() as port:
        monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:1/api")
        with prefect_api(port) as api:
            assert (api.source, api.url) == ("configured", "http://127.0.0.1:1/api")
    assert temporary_starts == []


def test_a_heartbeat_frequency_the_user_set_is_kept(
    monkeypatch: pytest.MonkeyPatch, temporary_starts: list[str]
) -> None:
    from prefect.settings import get_current_settings

    monkeypatch.setenv("PREFECT_FLOWS_HEARTBEAT_FREQUENCY", "60")
    with no_configured_api(monkeypatch), health_server() as port, prefect_api(port):
        assert get_current_settings().flows.heartbeat_frequency == 60


def test_the_port_and_reuse_come_from_the_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tradeline.flows.cli.common import prefect_api_or_error

    asked: list[int | None] = []

    @contextlib.contextmanager
    def fake_api(port: int | None) -> Iterator[None]:
        asked.append(port)
        yield

    monkeypatch.setattr(prefect_server, "prefect_api", fake_api)
    config = tmp_path / "t.toml"
    config.write_text("[prefect]\nport = 4311\n", encoding="utf-8")
    assert load_settings(config).prefect == PrefectConfig(port=4311, reuse_server=True)
    with prefect_api_or_error(load_settings(config).prefect):
        pass
    with prefect_api_or_error(PrefectConfig(reuse_server=False)):
        pass
    with prefect_api_or_error(Settings().prefect):
        pass
    assert asked == [4311, None, 4200]


# -- nothing new: no model --------------------------------------------------------------------


def test_a_model_is_found_installed_without_importing_spacy(tmp_path: Path) -> None:
    assert installed_without_spacy(DEFAULT_MODEL)
    assert not installed_without_spacy("no_such_pipeline_xyz")
    assert not installed_without_spacy("")
    (tmp_path / "pipe").mkdir()
    assert not installed_without_spacy(str(tmp_path / "pipe"))
    (tmp_path / "pipe" / "config.cfg").write_text("[nlp]\n", encoding="utf-8")
    assert installed_without_spacy(str(tmp_path / "pipe"))


def test_a_missing_model_is_still_one_clear_error() -> None:
    from tradeline.extractors.pipeline import ModelNotFoundError
    from tradeline.flows.cli.common import check_model

    with pytest.raises(ModelNotFoundError, match="no_such_pipeline_xyz"):
        check_model("no_such_pipeline_xyz")


def test_the_run_command_imports_neither_spacy_nor_datasketch_until_needed() -> None:
    """What `tradeline run` imports before its flow starts: spaCy (about a second) and
    datasketch (scipy, 0.4 s) come only with a batch to extract or a timeline to merge."""
    code = (
        "import json, sys\n"
        "from tradeline.flows.cli.common import check_model\n"
        f"check_model({DEFAULT_MODEL!r})\n"
        "import tradeline.flows.cli, tradeline.flows.ingest, tradeline.flows.prefect_server\n"
        "print(json.dumps(sorted(m for m in ('spacy', 'datasketch', 'scipy', 'trafilatura')"
        " if m in sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>t</title><link>{base}</link><description>t</description>
{items}</channel></rss>"""
ITEM = "<item><title>{name}</title><link>{base}/{name}.html</link></item>"


@pytest.mark.slow
def test_a_poll_with_nothing_new_does_not_load_the_model(
    prefect_harness, httpserver: HTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tradeline.flows import steps
    from tradeline.flows.ingest import ingest
    from tradeline.warehouse.db import connect

    base = httpserver.url_for("").rstrip("/")
    pages = ["seed"]
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)

    def feed(request: Request) -> Response:
        items = "".join(ITEM.format(base=base, name=p) for p in pages)
        return Response(RSS.format(base=base, items=items), content_type="application/rss+xml")

    httpserver.expect_request("/feed.xml").respond_with_handler(feed)
    for name, page in (("seed", "seed-rare-earth-permits"), ("rice", "india-rice-exports")):
        httpserver.expect_request(f"/{name}.html").respond_with_data(
            (SAMPLES / "articles" / f"{page}.html").read_bytes(),
            content_type="text/html; charset=utf-8",
        )
    settings = Settings(
        fetch=FetchConfig(allow_private_hosts=True, retries=0, per_host_delay_s=0),
        feeds=[FeedConfig(url=f"{base}/feed.xml")],
    )
    warehouse = tmp_path / "w.duckdb"
    assert ingest(settings, str(warehouse)).new_articles == 1

    real_load = steps._extractor
    loads: list[str] = []

    def counted(model_json: str):
        loads.append(model_json)
        return real_load(model_json)

    monkeypatch.setattr(steps, "_extractor", counted)
    again = ingest(settings, str(warehouse))
    assert (again.new_articles, again.run_id, loads) == (0, None, [])

    pages.append("rice")  # something new: the model is asked for, and the run records it
    third = ingest(settings, str(warehouse))
    assert third.new_articles == 1
    assert loads
    expected = real_load(loads[0])
    with connect(warehouse, read_only=True) as con:
        recorded = con.execute(
            "SELECT model_name, model_version, assets_hash, extractor_version "
            "FROM extraction_runs WHERE run_id = ?",
            [third.run_id],
        ).fetchone()
    assert recorded == (
        expected.model_name,
        expected.model_version,
        expected.assets_hash,
        expected.extractor_version,
    )


# -- a real server, found by its port -----------------------------------------------------------


@pytest.mark.slow
def test_tradeline_run_reports_to_the_server_on_the_configured_port(
    prefect_harness, tmp_path: Path
) -> None:
    """The session's real Prefect server stands in for the one `serve` keeps: the CLI, given
    no PREFECT_API_URL, finds it by `[prefect] port` and its flow run is recorded there."""
    from prefect.settings import PREFECT_API_URL

    api_url = PREFECT_API_URL.value()
    port = urlsplit(api_url).port
    assert running_server(port) == f"http://127.0.0.1:{port}/api"
    before = _ingest_flow_runs(api_url)
    config = tmp_path / "tradeline.toml"
    config.write_text(
        f'[warehouse]\npath = "w.duckdb"\n[report]\nenabled = false\n'
        f'[prefect]\nport = {port}\n[[feeds]]\nurl = "{SAMPLES / "feed.xml"}"\n'
        "[fetch]\nper_host_delay_s = 0\n",
        encoding="utf-8",
    )
    proc = start_cli(
        "-v", "run", "--no-timeline", "--config", str(config), cwd=tmp_path, prefect_api=False
    )
    try:
        _, err = proc.communicate(timeout=300)
    except subprocess.TimeoutExpired:
        kill_group(proc)
        raise
    assert proc.returncode == 0, err[-3000:]
    assert f"report to the Prefect server already running at http://127.0.0.1:{port}/api" in err
    assert "temporary Prefect server" not in err
    assert _ingest_flow_runs(api_url) == before + 1


def _ingest_flow_runs(api_url: str) -> int:
    import httpx

    response = httpx.post(
        f"{api_url}/flow_runs/count",
        json={"flows": {"name": {"any_": ["ingest"]}}},
        timeout=30,
        trust_env=False,
    )
    response.raise_for_status()
    return int(response.json())


# -- a first poll without Prefect (flows/quick_poll.py) -----------------------------------------

ETAG = '"v1"'
SEED_PAGE = "seed-rare-earth-permits"


class EtagFeed:
    """A feed on the test's HTTP server that sends an ETag and answers 304 to it; `items` are
    its entries' page names, `requests` the If-None-Match each request carried ('' none)."""

    def __init__(self, httpserver: HTTPServer, items: list[str], status: int = 200) -> None:
        self.base = httpserver.url_for("").rstrip("/")
        self.items = items
        self.status = status
        self.requests: list[str] = []
        httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
        httpserver.expect_request("/feed.xml").respond_with_handler(self.respond)
        httpserver.expect_request(f"/{SEED_PAGE}.html").respond_with_data(
            (SAMPLES / "articles" / f"{SEED_PAGE}.html").read_bytes(),
            content_type="text/html; charset=utf-8",
        )

    @property
    def url(self) -> str:
        return f"{self.base}/feed.xml"

    def respond(self, request: Request) -> Response:
        asked = request.headers.get("If-None-Match", "")
        self.requests.append(asked)
        if self.status != 200:
            return Response("down", status=self.status)
        if asked == ETAG:
            return Response(status=304, headers={"ETag": ETAG})
        items = "".join(ITEM.format(base=self.base, name=name) for name in self.items)
        body = RSS.format(base=self.base, items=items)
        return Response(body, content_type="application/rss+xml", headers={"ETag": ETAG})


def _config(tmp_path: Path, feed_url: str, extra: str = "") -> Path:
    config = tmp_path / "tradeline.toml"
    config.write_text(
        '[warehouse]\npath = "w.duckdb"\n[report]\nenabled = false\n'
        "[fetch]\nallow_private_hosts = true\nper_host_delay_s = 0\nretries = 0\n"
        f'[[feeds]]\nurl = "{feed_url}"\n{extra}',
        encoding="utf-8",
    )
    return config


# The CLI in a process that says at exit which of these it imported.
_CLI_REPORTING_IMPORTS = (
    "import atexit, json, sys\n"
    "atexit.register(lambda: print('imported: ' + json.dumps(sorted(m for m in "
    "('prefect', 'spacy', 'tradeline.alerts', 'tradeline.flows.ingest') if m in sys.modules))))\n"
    "from tradeline.flows.cli import main\n"
    "sys.argv = ['tradeline', *sys.argv[1:]]\n"
    "main()\n"
)


def _run(tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """`tradeline run --no-timeline ARGS` reporting to the session's server; with the modules
    it imported."""
    from tests.reliability_support import cli_env

    done = subprocess.run(
        [sys.executable, "-c", _CLI_REPORTING_IMPORTS, "run", "--no-timeline", *args],
        cwd=tmp_path,
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    imported = [line for line in done.stdout.splitlines() if line.startswith("imported: ")]
    return done, json.loads(imported[-1].removeprefix("imported: "))


def _warehouse_runs(warehouse: Path) -> int:
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        return int(con.execute("SELECT count(*) FROM extraction_runs").fetchone()[0])


def _flow_runs() -> int:
    from prefect.settings import PREFECT_API_URL

    return _ingest_flow_runs(PREFECT_API_URL.value())


@pytest.mark.slow
def test_a_poll_with_nothing_new_ends_without_prefect_or_a_flow_run(
    prefect_harness, httpserver: HTTPServer, tmp_path: Path
) -> None:
    feed = EtagFeed(httpserver, items=[])  # a feed with no entries yet
    _config(tmp_path, feed.url)
    before = _flow_runs()
    first, imported_first = _run(tmp_path)
    second, imported_second = _run(tmp_path)
    assert (first.returncode, second.returncode) == (0, 0), first.stderr + second.stderr
    assert "nothing new: 1 feed polled (0 unchanged)" in first.stderr
    assert "nothing new: 1 feed polled (1 unchanged)" in second.stderr
    assert feed.requests == ["", ETAG]  # the first poll's ETag was recorded and sent
    assert imported_first == imported_second == []
    assert _flow_runs() == before
    assert _warehouse_runs(tmp_path / "w.duckdb") == 0  # as a flow's poll with nothing new


@pytest.mark.slow
def test_always_flow_runs_the_flow_for_a_poll_with_nothing_new(
    prefect_harness, httpserver: HTTPServer, tmp_path: Path
) -> None:
    feed = EtagFeed(httpserver, items=[])
    _config(tmp_path, feed.url)
    assert _run(tmp_path)[0].returncode == 0
    before = _flow_runs()
    done, imported = _run(tmp_path, "--always-flow")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "feeds polled: 1 (1 unchanged, 0 failed)" in done.stderr
    assert "nothing new" not in done.stderr
    assert "prefect" in imported
    assert _flow_runs() == before + 1
    assert feed.requests == ["", ETAG]  # the flow polled; no first poll of its own


@pytest.mark.slow
def test_a_new_entry_of_an_etag_feed_takes_the_flow_path_and_is_stored(
    prefect_harness, httpserver: HTTPServer, tmp_path: Path
) -> None:
    """The first poll sees the entry but records nothing (not the ETag either), so the flow's
    poll gets the entry again and stores it: nothing seen is lost to a 304."""
    import duckdb

    feed = EtagFeed(httpserver, items=[SEED_PAGE])
    _config(tmp_path, feed.url)
    before = _flow_runs()
    done, imported = _run(tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "new articles: 1 " in done.stderr
    assert "prefect" in imported
    assert feed.requests == ["", ""]  # first poll, then the flow's: neither had an ETag to send
    assert _flow_runs() == before + 1
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        stored = con.execute("SELECT url FROM articles").fetchall()
        states = con.execute("SELECT state, count(*) FROM feed_entries GROUP BY ALL").fetchall()
    assert stored == [(f"{feed.base}/{SEED_PAGE}.html",)]
    assert states == [("stored", 1)]

    again, imported_again = _run(tmp_path)  # the next poll: 304, nothing new, no flow run
    assert again.returncode == 0, again.stderr[-3000:]
    assert "nothing new: 1 feed polled (1 unchanged)" in again.stderr
    assert imported_again == []
    assert feed.requests == ["", "", ETAG]
    assert _flow_runs() == before + 1


@pytest.mark.slow
def test_a_failed_feed_takes_the_flow_path_and_its_failure_is_recorded(
    prefect_harness, httpserver: HTTPServer, tmp_path: Path
) -> None:
    feed = EtagFeed(httpserver, items=[], status=503)
    _config(tmp_path, feed.url)
    before = _flow_runs()
    done, imported = _run(tmp_path)
    assert done.returncode == 3, done.stderr[-3000:]  # nothing could be fetched: failed
    assert "nothing new" not in done.stderr
    assert "prefect" in imported
    assert _flow_runs() == before + 1
    assert len(feed.requests) == 2  # the first poll (no retries), then the flow's
    import duckdb

    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        outcome = con.execute("SELECT status FROM extraction_runs").fetchall()
        errors = con.execute("SELECT stage FROM ingest_errors").fetchall()
    assert outcome == [("failed",)]
    assert errors == [("feed",)]


# -- what sends a poll to the flow, in process ------------------------------------------------


def _settings(feed_url: str, **extra: object) -> Settings:
    return Settings(
        fetch=FetchConfig(allow_private_hosts=True, retries=0, per_host_delay_s=0),
        feeds=[FeedConfig(url=feed_url)],
        **extra,
    )


def _source_etag(warehouse: Path) -> list[tuple[str | None]]:
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute("SELECT etag FROM sources").fetchall()


def test_an_entry_owed_by_an_earlier_run_sends_a_304_poll_to_the_flow(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    from tradeline.flows import polling
    from tradeline.flows.quick_poll import poll_if_nothing_new

    feed = EtagFeed(httpserver, items=[SEED_PAGE])
    settings = _settings(feed.url)
    warehouse = tmp_path / "w.duckdb"
    # An earlier poll saw the entry and recorded it with the ETag; its run never stored it.
    states = polling.read_feed_states(warehouse, settings.feeds)
    results, errors = polling.ask_feeds(settings.fetch, settings.feeds, states)
    polling.record_poll(warehouse, settings.feeds, results, states)
    assert errors == [] and _source_etag(warehouse) == [(ETAG,)]

    assert poll_if_nothing_new(settings, warehouse, None, alerts=True) is None
    assert feed.requests == ["", ETAG]  # a 304: only the owed entry makes it something to do
    feed.items = []  # after it is stored (here: given up), the same 304 is nothing new
    import duckdb

    with duckdb.connect(str(warehouse)) as con:
        con.execute("UPDATE feed_entries SET state = 'given_up'")
    polled = poll_if_nothing_new(settings, warehouse, None, alerts=True)
    assert polled is not None
    assert polled.line() == "nothing new: 1 feed polled (1 unchanged)"


def test_a_failed_alert_sends_a_poll_with_nothing_new_to_the_flow(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    """A failed delivery is retried after every run, even one that finds nothing new: the
    flow's alert pass does it. A watch not registered yet goes there too."""
    import duckdb

    from tradeline.config import WatchConfig
    from tradeline.flows.quick_poll import poll_if_nothing_new
    from tradeline.warehouse.db import connect

    feed = EtagFeed(httpserver, items=[])
    watch = WatchConfig(name="rare earths", companies=["Acme"], notify=["json://127.0.0.1:9/hook"])
    settings = _settings(feed.url, watch=[watch])
    warehouse = tmp_path / "w.duckdb"
    connect(warehouse).close()
    assert poll_if_nothing_new(settings, warehouse, None, alerts=True) is None  # unregistered
    assert feed.requests == []  # decided before asking any feed
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "INSERT INTO alert_watches (watch, destination_key, created_at, criteria)"
            " VALUES ('rare earths', 'd1', now(), 'c1')"
        )
    assert poll_if_nothing_new(settings, warehouse, None, alerts=True) is not None
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "INSERT INTO alerts_sent VALUES ('rare earths', 'e1', 'd1', 'json://127.0.0.1:9/hook',"
            " 'new', 'failed', 1, NULL, 1, now(), now(), 'refused', ['f1'])"
        )
    assert poll_if_nothing_new(settings, warehouse, None, alerts=True) is None
    # --no-alerts retries nothing, so the failed alert does not make it a flow run
    assert poll_if_nothing_new(settings, warehouse, None, alerts=False) is not None
    assert _source_etag(warehouse) == [(ETAG,)]


def test_articles_no_alert_pass_has_considered_send_a_poll_to_the_flow(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    """A sending pass that was interrupted (or could not check) leaves articles stored after
    the watch's mark: the next poll, even with nothing new, runs the flow's alert pass."""
    import duckdb

    from tradeline.config import WatchConfig
    from tradeline.flows.quick_poll import poll_if_nothing_new
    from tradeline.warehouse.db import connect

    feed = EtagFeed(httpserver, items=[])
    watch = WatchConfig(name="acme", companies=["Acme"], notify=["json://127.0.0.1:9/hook"])
    settings = _settings(feed.url, watch=[watch])
    warehouse = tmp_path / "w.duckdb"
    connect(warehouse).close()
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "INSERT INTO alert_watches (watch, destination_key, created_at, criteria,"
            " considered_until) VALUES ('acme', 'd1', TIMESTAMP '2026-01-01', 'c1',"
            " TIMESTAMP '2026-01-02')"
        )
        con.execute(
            "INSERT INTO articles (article_id, canonical_url, url, text, text_chars, stored_at)"
            " VALUES ('a1', 'http://x/1', 'http://x/1', 't', 1, TIMESTAMP '2026-01-01 12:00')"
        )
    assert poll_if_nothing_new(settings, warehouse, None, alerts=True) is not None  # considered
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "INSERT INTO articles (article_id, canonical_url, url, text, text_chars, stored_at)"
            " VALUES ('a2', 'http://x/2', 'http://x/2', 't', 1, TIMESTAMP '2026-01-03')"
        )
    assert poll_if_nothing_new(settings, warehouse, None, alerts=True) is None  # owed a look
    assert poll_if_nothing_new(settings, warehouse, None, alerts=False) is not None


def test_an_ingest_run_left_running_sends_a_poll_to_the_flow(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    """A run whose process died stays 'running' (its articles hidden from the timeline) until
    a flow closes it: a poll with nothing new must not end before that."""
    from tradeline.flows.quick_poll import poll_if_nothing_new
    from tradeline.warehouse.db import connect, transaction
    from tradeline.warehouse.runs import start_run

    feed = EtagFeed(httpserver, items=[])
    settings = _settings(feed.url)
    warehouse = tmp_path / "w.duckdb"
    with connect(warehouse) as con, transaction(con):
        start_run(
            con,
            kind="ingest",
            extractor_version="x",
            model_name="m",
            model_version="1",
            assets_hash="h",
        )
    assert poll_if_nothing_new(settings, warehouse, None, alerts=True) is None
    assert feed.requests == []  # decided before asking any feed
