"""Shared fixtures: paths to ../shared (skipped with a reason in a fresh clone)."""

from __future__ import annotations

from pathlib import Path

import pytest

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


def _hypothesis_profiles() -> None:
    """CI runs a fixed set of examples (derandomized) so a red build is reproducible."""
    import os

    from hypothesis import settings

    settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
    settings.register_profile("dev", deadline=None)
    settings.load_profile("ci" if os.environ.get("CI") else "dev")


_hypothesis_profiles()
