"""Helpers for the reliability tests: a small news site on pytest-httpserver, the `tradeline`
CLI in a subprocess, and a content snapshot of a warehouse to compare runs by."""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

import duckdb
from pytest_httpserver import HTTPServer, URIPattern
from werkzeug import Request, Response

from tests.conftest import REPO

# Our own sentences (not from the dev set): a few facts per article, distinct per index.
_COUNTRIES = ("Examplestan", "Northland", "Republic of Sample", "Westmark")
_GOODS = ("gallium", "rare earth magnets", "semiconductor tools", "rice", "graphite")
_FIRMS = ("Acme Metals", "Borealis Chips", "Cobalt Trading", "Delta Magnet Works", "Evergreen")


def article_html(i: int) -> str:
    country = _COUNTRIES[i % len(_COUNTRIES)]
    goods = _GOODS[i % len(_GOODS)]
    firm = _FIRMS[i % len(_FIRMS)]
    day = 1 + i % 27
    month = 1 + i % 12
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Story {i}: {country} and {goods}</title>
<meta property="article:published_time" content="2025-{month:02d}-{day:02d}T09:00:00Z">
</head><body><article><h1>Story {i}: {country} and {goods}</h1>
<p>The commerce ministry of {country} issued export licences for {goods} to {firm} Ltd on
{day} March 2025, the ministry said in a statement on its website on Tuesday.</p>
<p>The licences are valid for six months. Officials said further applications from {firm}
Ltd and other exporters were under review, and that item {i} of the list stays restricted.</p>
<p>{country} introduced export controls on {goods} in January 2025, citing national security.
Traders said shipments had been delayed for weeks while the permits were pending.</p>
</article></body></html>"""


def feed_xml(base: str, n: int) -> str:
    items = "".join(
        f"<item><title>Story {i}</title><link>{base}/story/{i}.html</link>"
        f"<pubDate>Tue, 04 Mar 2025 09:00:00 +0000</pubDate></item>"
        for i in range(n)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Reliability wire</title><link>{base}</link><description>d</description>"
        f"{items}</channel></rss>"
    )


class NewsSite:
    """A feed of `n` articles; counts page requests so a test can act after the k-th. With an
    `etag` the feed sends it and answers 304 to a request that sends it back, as most real
    feeds do (`feed_statuses` lists what each feed request got)."""

    def __init__(self, server: HTTPServer, n: int, etag: str | None = None) -> None:
        self.server = server
        self.n = n
        self.etag = etag
        self.base = server.url_for("").rstrip("/")
        self.page_hits = 0
        self.feed_statuses: list[int] = []
        self.gate = threading.Event()  # pages are answered only while it is set
        self.gate.set()
        self._cond = threading.Condition()
        server.expect_request("/robots.txt").respond_with_data("", status=404)
        server.expect_request("/feed.xml").respond_with_handler(self._feed)
        server.expect_request(_StoryPath()).respond_with_handler(self._page)

    def _feed(self, request: Request) -> Response:
        if self.etag and request.headers.get("If-None-Match") == self.etag:
            self.feed_statuses.append(304)
            return Response(status=304, headers={"ETag": self.etag})
        self.feed_statuses.append(200)
        headers = {"ETag": self.etag} if self.etag else {}
        return Response(
            feed_xml(self.base, self.n), content_type="application/rss+xml", headers=headers
        )

    @property
    def feed_url(self) -> str:
        return f"{self.base}/feed.xml"

    def _page(self, request: Request) -> Response:
        i = int(request.path.rsplit("/", 1)[1].split(".")[0])
        with self._cond:
            self.page_hits += 1
            self._cond.notify_all()
        self.gate.wait(120)
        return Response(article_html(i), content_type="text/html; charset=utf-8")

    def reset(self) -> None:
        with self._cond:
            self.page_hits = 0

    def wait_for_hits(self, k: int, proc: subprocess.Popen, timeout: float = 120) -> bool:
        """Block until `k` pages were served (True) or the process ended first (False)."""
        with self._cond:
            return (
                self._cond.wait_for(lambda: self.page_hits >= k or proc.poll() is not None, timeout)
                and self.page_hits >= k
            )


class _StoryPath(URIPattern):
    """/story/<n>.html"""

    def match(self, uri: str) -> bool:
        return uri.startswith("/story/")


def write_config(
    tmp: Path, feed_url: str, warehouse: Path, timeout_s: float = 5, fetch_extra: str = ""
) -> Path:
    """A config for the test site; `fetch_extra` adds lines to its [fetch] section."""
    tmp.mkdir(parents=True, exist_ok=True)
    config = tmp / "tradeline.toml"
    config.write_text(
        f"""[warehouse]
path = "{warehouse.as_posix()}"

[fetch]
{fetch_extra}
timeout_s = {timeout_s}
retries = 1
backoff_s = 0.01
allow_private_hosts = true   # the test site is on 127.0.0.1
per_host_delay_s = 0
concurrency = 4

[[feeds]]
name = "reliability"
url = "{feed_url}"
""",
        encoding="utf-8",
    )
    return config


def cli_env(prefect_api: bool = True) -> dict[str, str]:
    """The environment for a `tradeline` subprocess: this session's Prefect server if one runs
    (saves starting a temporary server per process; without `prefect_api` the process starts
    its own), and no TRADELINE_* leaking in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRADELINE_")}
    if not prefect_api:
        env.pop("PREFECT_API_URL", None)
        return env
    try:
        from prefect.settings import PREFECT_API_URL

        url = PREFECT_API_URL.value()
    except Exception:  # prefect not configured: each process starts its own temporary server
        url = None
    if url:
        env["PREFECT_API_URL"] = url
    return env


def start_cli(
    *args: str, cwd: Path, env: dict[str, str] | None = None, prefect_api: bool = True
) -> subprocess.Popen[str]:
    """`tradeline ARGS` in its own process group, so a kill reaches anything it started."""
    return subprocess.Popen(
        [sys.executable, "-m", "tradeline.flows.cli", *args],
        cwd=cwd,
        env={**cli_env(prefect_api), **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def run_cli(
    *args: str, cwd: Path, timeout: float = 180, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    proc = start_cli(*args, cwd=cwd, env=env)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_group(proc)
        raise
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def kill_group(proc: subprocess.Popen) -> None:
    """SIGKILL the process group this test started (its id is the child's pid)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)


FACT_TABLES = ("company_mentions", "events", "validity_periods", "policy_dates")


# Content columns of the timeline view that do not depend on run ids or clocks (the view's
# shape is evolving; whichever of these it has are compared).
_TIMELINE_STABLE = ("type", "event_date", "url", "evidence", "fact_key", "entry_key", "companies")


def _timeline_columns(con: duckdb.DuckDBPyConnection) -> str:
    have = {r[0] for r in con.execute("DESCRIBE timeline").fetchall()}
    return ", ".join(c for c in _TIMELINE_STABLE if c in have)


def snapshot(warehouse: Path) -> dict[str, object]:
    """What a run must produce, independent of run ids and timestamps: each value is a Counter,
    so a duplicate shows up as a count of 2."""
    with duckdb.connect(str(warehouse), read_only=True) as con:

        def rows(sql: str) -> Counter:
            return Counter(
                tuple(tuple(v) if isinstance(v, list) else v for v in r)
                for r in con.execute(sql).fetchall()
            )

        snap: dict[str, object] = {
            "documents": rows("SELECT canonical_url, content_hash FROM documents"),
            "articles": rows(
                "SELECT canonical_url, title, published, language, text_chars, md5(text) "
                "FROM articles"
            ),
            "extractions": rows(
                "SELECT a.canonical_url, ae.status, ae.n_facts FROM article_extractions ae "
                "JOIN articles a USING (article_id)"
            ),
            "timeline": rows(f"SELECT {_timeline_columns(con)} FROM timeline"),
            "errors": rows("SELECT stage, url, reason FROM ingest_errors"),
        }
        for table in FACT_TABLES:
            snap[table] = rows(
                f"SELECT a.canonical_url, f.fact_key FROM {table} f JOIN articles a USING "
                "(article_id)"
            )
    return snap


def digest(snap: dict[str, object]) -> str:
    text = repr(sorted((k, sorted(v.items())) for k, v in snap.items()))
    return hashlib.sha256(text.encode()).hexdigest()[:12]


__all__ = ["REPO", "NewsSite", "article_html", "feed_xml", "snapshot", "write_config"]
