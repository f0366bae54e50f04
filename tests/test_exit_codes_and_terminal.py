"""Honest exit codes and run states, and a terminal that fits (issue 13, items 5-7).

`tradeline run` / `import` exit 0 when all went well, 1 when some feed or page failed
(the run `completed_with_errors`), 3 when nothing could be fetched (the run `failed`, and its
Prefect flow run Failed); `--allow-errors` keeps 0. The timeline table fits 80 columns with
whole dates, `--columns` picks columns, output off a terminal is never wrapped, and
`--version` says which model the extractors build on.
"""

from __future__ import annotations

import json
import os
import re
import socket
from pathlib import Path

import duckdb
import pytest
from pytest_httpserver import HTTPServer
from typer.testing import CliRunner

from tests.reliability_support import article_html, write_config
from tradeline.flows.cli import app
from tradeline.flows.outcome import exit_status, run_status


@pytest.fixture(autouse=True)
def _verbosity_restored(monkeypatch: pytest.MonkeyPatch):
    """`-q` / `-v` set the tradeline and prefect loggers' levels and PREFECT_LOGGING_LEVEL for
    the process (a CLI run is one process), and the console handler's level (variable and
    handler); in-process runs here must not leak them."""
    import logging

    for variable in ("PREFECT_LOGGING_LEVEL", "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL"):
        if variable in os.environ:  # monkeypatch puts it back as it was
            monkeypatch.setenv(variable, os.environ[variable])
        else:  # recorded as unset, so a value a test's -q sets is removed afterwards
            monkeypatch.setenv(variable, "WARNING")
            monkeypatch.delenv(variable)
    levels = {name: logging.getLogger(name).level for name in ("tradeline", "prefect")}
    handlers = {handler: handler.level for handler in logging.getLogger().handlers}
    yield
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)
    for handler, level in handlers.items():
        handler.setLevel(level)

runner = CliRunner()


def _runs(warehouse: Path) -> list[tuple[str, str]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            "SELECT kind, status FROM extraction_runs ORDER BY started_at"
        ).fetchall()


def _flow_run_state(warehouse: Path) -> tuple[str, str]:
    """(type, name) of the Prefect state of the ingest flow run that wrote `warehouse`."""
    state = _flow_run(warehouse).state
    return state.type.value, state.name


def _flow_run(warehouse: Path):
    """The ingest flow run that wrote `warehouse` (one, else the test fails)."""
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        runs = [
            r for r in client.read_flow_runs()
            if r.parameters.get("warehouse") == str(warehouse)
        ]
    assert len(runs) == 1, runs
    return runs[0]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed when the block ends: nothing listens there


# --- the decision, as a plain function ------------------------------------------------------


@pytest.mark.parametrize(
    ("succeeded", "failed", "status", "code"),
    [
        (3, 0, "completed", 0),
        (0, 0, "completed", 0),  # nothing new, nothing failed
        (2, 1, "completed_with_errors", 1),
        (0, 2, "failed", 3),
    ],
)
def test_the_status_and_exit_code_of_a_run(succeeded, failed, status, code) -> None:
    assert run_status(succeeded, failed) == status
    assert exit_status(status) == code
    assert exit_status(status, allow_errors=True) == 0


def test_migration_9_keeps_runs_and_accepts_completed_with_errors(tmp_path: Path) -> None:
    """A warehouse at schema 7 (views created on extraction_runs) is upgraded in place: its
    runs keep every column, and the status CHECK takes the new value, and only known ones."""
    from tradeline.warehouse.db import connect
    from tradeline.warehouse.migrations import _BOOTSTRAP, available

    path = tmp_path / "w.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute(_BOOTSTRAP)
        for migration in available():
            if migration.version <= 7:
                con.execute(migration.sql)
                con.execute("INSERT INTO schema_migrations VALUES (?, ?, now())",
                            [migration.version, migration.name])
        # a view on extraction_runs, as schema 7's were (this code's views need later tables)
        con.execute("CREATE VIEW latest_runs AS SELECT ae.article_id, ae.run_id, r.status "
                    "FROM article_extractions AS ae JOIN extraction_runs AS r USING (run_id)")
        con.execute("INSERT INTO extraction_runs VALUES ('r1', 'ingest', now(), now(), "
                    "'completed', '0.3.1', 'm', '3.8.0', 'a', 1, 2, 'n', 't', 0.5, 0.6, 0.7)")
        con.execute("INSERT INTO article_extractions (article_id, run_id, status, n_facts, "
                    "extracted_at) VALUES ('a1', 'r1', 'done', 2, now())")
        before = con.execute("SELECT * FROM extraction_runs").fetchall()
    with connect(path) as con:
        assert con.execute("SELECT * FROM extraction_runs").fetchall() == before
        con.execute("UPDATE extraction_runs SET status = 'completed_with_errors'")
        with pytest.raises(duckdb.ConstraintException):
            con.execute("UPDATE extraction_runs SET status = 'so-so'")
        # the run's article still counts, like a completed run's
        assert con.execute("SELECT article_id, run_id FROM latest_runs").fetchall() == [
            ("a1", "r1")
        ]


# --- tradeline run --------------------------------------------------------------------------


def test_a_missing_feed_file_exits_3_and_the_run_and_flow_run_failed(
    prefect_harness, tmp_path: Path
) -> None:
    warehouse = tmp_path / "wh.duckdb"
    result = runner.invoke(
        app, ["run", "--feed", str(tmp_path / "nofeed.xml"), "-w", str(warehouse)]
    )
    assert result.exit_code == 3, result.output
    assert "no such file" in result.stderr
    assert _runs(warehouse) == [("ingest", "failed")]
    assert _flow_run_state(warehouse) == ("FAILED", "Failed")
    message = _flow_run(warehouse).state.message
    assert message == "new articles: 0 · facts: 0 · errors: 1 (1 of 1 feed failed)"


def test_a_feed_on_a_closed_port_exits_3(prefect_harness, tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{_closed_port()}/feed.xml"
    warehouse = tmp_path / "wh.duckdb"
    config = write_config(tmp_path, url, warehouse, timeout_s=2)
    result = runner.invoke(app, ["run", "-c", str(config), "--no-timeline"])
    assert result.exit_code == 3, result.output
    assert _runs(warehouse) == [("ingest", "failed")]


@pytest.fixture
def one_good_one_broken(httpserver: HTTPServer) -> str:
    """A feed of two articles: one page is served, the other answers 500."""
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request("/good.html").respond_with_data(
        article_html(1), content_type="text/html; charset=utf-8"
    )
    httpserver.expect_request("/broken.html").respond_with_data("oops", status=500)
    items = "".join(
        f"<item><title>{p}</title><link>{httpserver.url_for(p)}</link></item>"
        for p in ("/good.html", "/broken.html")
    )
    httpserver.expect_request("/feed.xml").respond_with_data(
        f'<rss version="2.0"><channel><title>t</title>{items}</channel></rss>',
        content_type="application/rss+xml",
    )
    return httpserver.url_for("/feed.xml")


@pytest.mark.slow
def test_one_broken_page_exits_1_and_the_run_completed_with_errors(
    prefect_harness, one_good_one_broken: str, tmp_path: Path
) -> None:
    warehouse = tmp_path / "wh.duckdb"
    config = write_config(tmp_path, one_good_one_broken, warehouse)
    result = runner.invoke(app, ["run", "-c", str(config), "--no-timeline"])
    assert result.exit_code == 1, result.output
    assert "http_500" in result.stderr
    assert _runs(warehouse) == [("ingest", "completed_with_errors")]
    assert _flow_run_state(warehouse) == ("COMPLETED", "CompletedWithErrors")
    message = _flow_run(warehouse).state.message  # counts what failed
    assert message.startswith("new articles: 1 · facts: ")
    assert message.endswith(" · errors: 1 (1 page failed)")
    with duckdb.connect(str(warehouse), read_only=True) as con:  # its facts count
        assert con.execute("SELECT count(*) FROM latest_runs").fetchone()[0] == 1
        assert con.execute("SELECT count(*) FROM timeline").fetchone()[0] > 0


@pytest.mark.slow
def test_allow_errors_exits_0_and_still_records_the_errors(
    prefect_harness, one_good_one_broken: str, tmp_path: Path
) -> None:
    warehouse = tmp_path / "wh.duckdb"
    config = write_config(tmp_path, one_good_one_broken, warehouse)
    result = runner.invoke(app, ["run", "-c", str(config), "--no-timeline", "--allow-errors"])
    assert result.exit_code == 0, result.output
    assert _runs(warehouse) == [("ingest", "completed_with_errors")]


# --- tradeline import: counted first, the same exit codes ----------------------------------


@pytest.mark.slow
def test_import_counts_its_input_and_exits_1_then_3(
    archive_articles: list[dict[str, str]], tmp_path: Path
) -> None:
    mixed = tmp_path / "mixed.jsonl"
    lines = [json.dumps(a) for a in archive_articles[:2]] + ["{not json"]
    mixed.write_text("\n".join(lines) + "\n", encoding="utf-8")
    warehouse = tmp_path / "wh.duckdb"
    result = runner.invoke(app, ["import", str(mixed), "-w", str(warehouse)])
    assert result.exit_code == 1, result.output
    assert re.search(r"import\s.*3/3", result.stderr), result.stderr  # a total, not 3/?
    broken = tmp_path / "broken.jsonl"
    broken.write_text("{not json\n[]\n", encoding="utf-8")
    result = runner.invoke(app, ["-q", "import", str(broken), "-w", str(warehouse)])
    assert result.exit_code == 3, result.output
    assert "━" not in result.stderr  # -q: no progress bar
    assert _runs(warehouse) == [("import", "completed_with_errors"), ("import", "failed")]


# --- the terminal ---------------------------------------------------------------------------


def test_the_timeline_fits_80_columns_with_whole_dates(sample_warehouse_path: Path) -> None:
    as_json = runner.invoke(app, ["timeline", "-w", str(sample_warehouse_path), "--format",
                                  "json"])
    dates = {e["event_date"] for e in json.loads(as_json.stdout) if e["event_date"]}
    assert any(len(d) == 10 for d in dates)
    result = runner.invoke(app, ["timeline", "-w", str(sample_warehouse_path)],
                           env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    shown = set(re.findall(r"│ (\d{4}(?:-\d\d){0,2}) +│", result.stdout))
    assert shown == dates  # every date whole on its line
    header = next(line for line in lines if "event_date" in line)
    assert "companies" in header and "title" not in header  # the wanted ones, not all


def test_columns_picks_and_orders_columns_and_rejects_unknown_ones(
    sample_warehouse_path: Path,
) -> None:
    result = runner.invoke(app, ["timeline", "-w", str(sample_warehouse_path),
                                 "--columns", "companies,event_date", "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "companies,event_date"
    result = runner.invoke(app, ["timeline", "-w", str(sample_warehouse_path),
                                 "--columns", "event_date,typo"])
    assert result.exit_code == 2
    assert "unknown column 'typo'" in result.stderr and "did you mean type" in result.stderr
    assert "valid_to" in result.stderr  # the valid ones are named


def test_error_lines_off_a_terminal_are_not_wrapped(cli, sample_warehouse_path: Path) -> None:
    result = cli("timeline", "-w", str(sample_warehouse_path), "--columns", "nope",
                 cwd=sample_warehouse_path.parent)
    assert result.returncode == 2
    assert result.stderr.startswith("error: unknown column 'nope'")
    assert result.stderr.count("\n") == 1 and len(result.stderr) > 120  # one long line


def test_serve_help_is_not_cut_off(cli, tmp_path: Path) -> None:
    result = cli("serve", "--help", cwd=tmp_path)
    assert result.returncode == 0
    assert "…" not in result.stdout
    assert "$TRADELINE_WAREHOUSE" in result.stdout and "--no-start-server" in result.stdout


def test_version_names_the_extractor_and_the_model(tmp_path: Path, monkeypatch) -> None:
    from tradeline.config import DEFAULT_MODEL
    from tradeline.extractors.model_info import EXTRACTOR_VERSION

    monkeypatch.chdir(tmp_path)  # no tradeline.toml: the default model
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert f"extractor {EXTRACTOR_VERSION}" in result.stdout
    assert f"model {DEFAULT_MODEL} 3.8.0" in result.stdout
    assert "re-upload of spaCy's en_core_web_sm" in result.stdout


def test_quiet_and_verbose_together_is_a_usage_error() -> None:
    result = runner.invoke(app, ["-q", "-v", "timeline"])
    assert result.exit_code == 2
    assert "--quiet and --verbose" in result.stderr
