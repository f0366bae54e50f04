"""Shared fixtures: paths to ../shared (skipped with a reason in a fresh clone), the record
builders of the warehouse tests, the sample warehouse, the CLI in a subprocess, a per-host gate
on a clock that never moves, a fresh robots.txt cache per test, and the articles the
re-extraction tests import."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests import builders

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
SAMPLES = REPO / "samples"


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or skip the test when this clone has no ../shared."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"needs ../shared/{'/'.join(parts)} (third-party corpus, not in the repo)")
    return path


@pytest.fixture(scope="session")
def nlp_model_name() -> str:
    from tradeline.config import DEFAULT_MODEL

    return DEFAULT_MODEL


@pytest.fixture(scope="session")
def pipeline(nlp_model_name: str):
    """Our pipeline on the packaged assets, built once per session (it loads in about a second)."""
    from tradeline.extractors.pipeline import build_pipeline

    return build_pipeline(nlp_model_name)


@pytest.fixture(scope="session")
def nlp(pipeline):
    """`pipeline` under the name the extractor tests call it by."""
    return pipeline


@pytest.fixture(scope="session")
def prefect_harness():
    """One temporary Prefect server for the whole session (it takes ~15-20 s to start)."""
    from tradeline.flows.prefect_env import apply_prefect_defaults

    apply_prefect_defaults()
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield


@pytest.fixture(scope="session")
def sample_warehouse_path(prefect_harness, tmp_path_factory) -> Path:
    """The bundled sample (samples/feed.xml) ingested once by the Prefect flow, for tests that
    query views and recipes. Treat it as read-only."""
    import shutil

    from tradeline.config import FeedConfig, FetchConfig, Settings
    from tradeline.flows.ingest import ingest

    tmp = tmp_path_factory.mktemp("sample-warehouse")
    shutil.copytree(SAMPLES, tmp / "samples")
    settings = Settings(
        fetch=FetchConfig(per_host_delay_s=0),
        feeds=[FeedConfig(name="sample", url=str(tmp / "samples" / "feed.xml"))],
    )
    path = tmp / "sample.duckdb"
    summary = ingest(settings, str(path))
    assert summary.new_articles >= 7 and not summary.errors, summary.line()
    return path


# --- record builders (tests/builders.py) ----------------------------------------------------


@pytest.fixture(scope="session")
def make_document() -> Callable[..., object]:
    return builders.make_document


@pytest.fixture(scope="session")
def make_article() -> Callable[..., object]:
    return builders.make_article


@pytest.fixture(scope="session")
def make_extraction() -> Callable[..., object]:
    return builders.make_extraction


@pytest.fixture(scope="session")
def make_item() -> Callable[..., object]:
    """(Document, Article, Extraction) for a URL: one fact of each kind; keywords change the
    event (type, companies, event_date, authority, modality)."""
    return builders.make_item


# --- the CLI in a subprocess ----------------------------------------------------------------


@pytest.fixture(scope="session")
def cli() -> Callable[..., subprocess.CompletedProcess[str]]:
    """`tradeline ARGS` in a fresh process (`cli(*args, cwd=…)`), with no TRADELINE_* variables
    leaking in: what a user sees, tracebacks included."""

    def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("TRADELINE_")}
        return subprocess.run(
            [sys.executable, "-m", "tradeline.flows.cli", *args],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    return run


# --- politeness on a clock that never moves ------------------------------------------------


@dataclass
class FrozenGate:
    """The process's per-host gate on a clock stopped at 0: every wait a request asks for is
    recorded instead of slept, so a test asserts the schedule, not wall-clock gaps."""

    waits: list[float] = field(default_factory=list)


@pytest.fixture(autouse=True)
def _fresh_robots_cache() -> None:
    """Each test reads robots.txt afresh: the local test servers reuse ports across tests, and a
    robots.txt one test left unreachable (no handler: 500) would close the site to the next."""
    from tradeline.sources.robots import ROBOTS

    ROBOTS.clear()


@pytest.fixture
def frozen_gate(monkeypatch: pytest.MonkeyPatch) -> FrozenGate:
    from tradeline.sources import politeness

    frozen = FrozenGate()
    gate = politeness.HostGate(clock=lambda: 0.0, sleep=frozen.waits.append)
    monkeypatch.setattr(politeness, "PROCESS_GATE", gate)
    return frozen


# --- articles for the re-extraction tests ---------------------------------------------------


def _page(title: str, body: str) -> str:
    paragraphs = "".join(f"<p>{p}</p>" for p in body.split("\n"))
    return (
        f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
        f"{paragraphs}</article></body></html>"
    )


# Written for these tests: two saved pages (parsed by trafilatura) and two plain texts.
ARCHIVE_ARTICLES = [
    {"url": "https://n.example/rice", "published": "2024-09-28", "html": _page(
        "India lifts rice export ban",
        "India lifted its ban on exports of non-basmati white rice on Saturday, the trade "
        "ministry said.\nThe ban had been introduced in July 2023 to curb domestic prices.\n"
        "Exporters such as KRBL welcomed the decision.")},
    {"url": "https://n.example/tools", "published": "2025-03-05", "text":
        "The Commerce Department granted Northwind Lithography a licence to ship etching "
        "tools on 4 March 2025.\nThe licence is valid for one year."},
    {"url": "https://n.example/magnets", "published": "2025-12-04", "html": _page(
        "Beijing issues magnet permits",
        "China's commerce ministry issued general licences to JL Mag Rare Earth on 2 "
        "December.\nThe licences are valid for one year.\nBeijing introduced controls on "
        "rare earth exports in April.")},
    {"url": "https://n.example/chips", "published": "2026-03-12", "text":
        "The Bureau of Industry and Security tightened controls on chipmaking equipment in "
        "December.\nWeeks later, Northwind Lithography applied for a licence to ship "
        "lithography tools, the company said."},
]


@pytest.fixture(scope="session")
def archive_articles() -> list[dict[str, str]]:
    """Four JSONL records (two HTML pages, two plain texts) the re-extraction tests import."""
    return ARCHIVE_ARTICLES


def _hypothesis_profiles() -> None:
    """CI runs a fixed set of examples (derandomized) so a red build is reproducible."""
    import os

    from hypothesis import settings

    settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
    settings.register_profile("dev", deadline=None)
    settings.load_profile("ci" if os.environ.get("CI") else "dev")


_hypothesis_profiles()
