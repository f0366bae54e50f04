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
