"""The ingest flow on a Dask LocalCluster writes the same warehouse as a local run."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from pytest_httpserver import HTTPServer

from tests.conftest import SAMPLES
from tradeline.config import FetchConfig, Settings
from tradeline.flows.taskrunners import TaskRunnerError, make_task_runner

PAGES = sorted((SAMPLES / "articles").glob("*.html"))

RSS_ITEM = "<item><title>{title}</title><link>{base}/{name}</link></item>"
RSS = (
    '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
    "<link>{base}</link><description>t</description>{items}"
    "<item><title>gone</title><link>{base}/gone.html</link></item></channel></rss>"
)

FACT_TABLES = ("events", "company_mentions", "event_companies", "validity_periods", "policy_dates")


def test_make_task_runner_choices() -> None:
    assert make_task_runner("local") is None
    dask = make_task_runner("dask", workers=2)
    assert dask.cluster_kwargs == {"processes": True, "threads_per_worker": 1, "n_workers": 2}
    remote = make_task_runner("dask", address="tcp://10.0.0.5:8786")
    assert remote.address == "tcp://10.0.0.5:8786"
    with pytest.raises(TaskRunnerError, match="unknown task runner"):
        make_task_runner("ray")
    with pytest.raises(TaskRunnerError, match="needs --task-runner dask"):
        make_task_runner("local", address="tcp://10.0.0.5:8786")


def _serve(httpserver: HTTPServer) -> str:
    base = httpserver.url_for("").rstrip("/")
    items = "".join(RSS_ITEM.format(title=p.stem, base=base, name=p.name) for p in PAGES)
    httpserver.expect_request("/feed.xml").respond_with_data(
        RSS.format(base=base, items=items), content_type="application/rss+xml"
    )
    for page in PAGES:
        httpserver.expect_request(f"/{page.name}").respond_with_data(
            page.read_bytes(), content_type="text/html; charset=utf-8"
        )
    httpserver.expect_request("/gone.html").respond_with_data("gone", status=410)
    return httpserver.url_for("/feed.xml")


def _snapshot(path: Path) -> dict[str, list[tuple]]:
    """Every fact row without its run id, plus articles and errors: what must not differ."""
    with duckdb.connect(str(path), read_only=True) as con:
        snap = {
            table: sorted(
                map(tuple, con.execute(f"SELECT * EXCLUDE (run_id) FROM {table}").fetchall()),
                key=repr,
            )
            for table in FACT_TABLES
        }
        snap["articles"] = sorted(
            con.execute(
                "SELECT article_id, canonical_url, published, title FROM articles"
            ).fetchall()
        )
        snap["ingest_errors"] = sorted(
            con.execute("SELECT url, stage FROM ingest_errors").fetchall()
        )
    return snap


@pytest.mark.slow
def test_dask_local_cluster_matches_local_run(prefect_harness, httpserver: HTTPServer, tmp_path):
    from tradeline.flows.ingest import ingest

    feed = _serve(httpserver)
    settings = Settings(
        fetch=FetchConfig(allow_private_hosts=True, retries=0, timeout_s=5, respect_robots=False)
    )
    local_wh, dask_wh = tmp_path / "local.duckdb", tmp_path / "dask.duckdb"

    local = ingest(settings, str(local_wh), [feed], batch_size=2)
    runner = make_task_runner("dask", workers=1, processes=False)  # workers as threads: fast
    on_dask = ingest.with_options(task_runner=runner)(settings, str(dask_wh), [feed], batch_size=2)

    assert local.new_articles == on_dask.new_articles == len(PAGES)
    assert local.facts == on_dask.facts > 0
    local_rows, dask_rows = _snapshot(local_wh), _snapshot(dask_wh)
    assert local_rows["events"]  # the comparison compares something
    assert dask_rows == local_rows


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--task-runner", "ray"], "unknown task runner"),
        (["--dask-address", "tcp://10.0.0.5:8786"], "needs --task-runner dask"),
    ],
)
def test_cli_run_rejects_bad_task_runner_options(
    args: list[str], message: str, tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    from tradeline.flows.cli import app

    result = CliRunner().invoke(
        app, ["run", "--feed", str(SAMPLES / "feed.xml"), "-w", str(tmp_path / "w.duckdb"), *args]
    )
    assert result.exit_code == 2
    assert message in result.output
    assert not (tmp_path / "w.duckdb").exists()  # refused before anything ran
