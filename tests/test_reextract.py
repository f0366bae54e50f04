"""`reextract` over a real warehouse: offline (no socket opened), a new run beside the old
ones, resumable after an interruption with the same end result, and as a Prefect flow."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import duckdb
import pytest

from tradeline.config import ModelConfig, Settings
from tradeline.flows import steps
from tradeline.flows.archive_import import import_paths
from tradeline.flows.reextract import reextract, reextract_archive
from tradeline.warehouse.runs import RunError

pytestmark = pytest.mark.slow

def _rows(path: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def _fact_keys(path: Path, run_id: str) -> set[tuple[str, str]]:
    rows = _rows(
        path,
        "SELECT 'c', fact_key FROM company_mentions WHERE run_id = $1 UNION ALL "
        "SELECT 'e', fact_key FROM events WHERE run_id = $1 UNION ALL "
        "SELECT 'v', fact_key FROM validity_periods WHERE run_id = $1 UNION ALL "
        "SELECT 'p', fact_key FROM policy_dates WHERE run_id = $1",
        [run_id],
    )
    return set(rows)


@pytest.fixture(scope="module")
def archive(tmp_path_factory, archive_articles) -> tuple[Path, str]:
    """Four articles from two JSONL files, imported once; returns (warehouse, ingest run)."""
    root = tmp_path_factory.mktemp("reextract")
    dump = root / "notes.jsonl"
    dump.write_text("".join(json.dumps(a) + "\n" for a in archive_articles[:3]), encoding="utf-8")
    more = root / "more.jsonl"
    more.write_text(json.dumps(archive_articles[3]) + "\n", encoding="utf-8")
    warehouse = root / "w.duckdb"
    summary = import_paths(Settings(), warehouse, [dump, more])
    assert summary.imported == 4
    return warehouse, summary.run_id


@pytest.fixture
def no_network(monkeypatch):
    """Every way Python code opens a connection or resolves a name raises, loopback included."""

    class NetworkUsed(AssertionError):
        pass

    def refuse(*args, **kwargs):
        raise NetworkUsed(f"network used: {args[1:] or kwargs}")

    for name in ("connect", "connect_ex", "sendto", "sendmsg"):
        monkeypatch.setattr(socket.socket, name, refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    return NetworkUsed


def test_reextract_opens_no_socket(archive, no_network):
    warehouse, ingest_run = archive
    with pytest.raises(no_network):  # the guard is live
        socket.create_connection(("127.0.0.1", 9))
    # Model settings no other test uses: the pipeline is built under the guard too.
    settings = Settings(model=ModelConfig(batch_size=31))
    summary = reextract_archive(settings, warehouse, batch_size=2)
    assert (summary.selected, summary.extracted, summary.failed, summary.batches) == (4, 4, 0, 2)
    (run,) = _rows(
        warehouse,
        "SELECT kind, status, n_articles, extractor_version, model_name, model_version, "
        "assets_hash FROM extraction_runs WHERE run_id = ?",
        [summary.run_id],
    )
    assert run[:3] == ("reextract", "completed", 4)
    assert run[4] == Settings().model.name and all(run[3:])
    # Same code, same archive: the same facts under the same keys; the earlier run stays.
    assert _fact_keys(warehouse, summary.run_id) == _fact_keys(warehouse, ingest_run)
    assert _rows(warehouse, "SELECT count(*) FROM extraction_runs WHERE run_id = ?",
                 [ingest_run]) == [(1,)]
    # The views show each article's latest completed run (latest_runs): this one.
    assert _rows(warehouse, "SELECT DISTINCT run_id FROM latest_runs") == [(summary.run_id,)]


def test_filters_select_articles(archive):
    warehouse, _ = archive
    only_more = reextract_archive(Settings(), warehouse, source="more.jsonl")
    assert (only_more.selected, only_more.extracted) == (1, 1)
    recent = reextract_archive(Settings(), warehouse, since="2025-12")
    assert recent.selected == 2  # published 2025-12-04 and 2026-03-12
    with pytest.raises(ValueError, match="YYYY"):
        reextract_archive(Settings(), warehouse, since="March")


def test_resume_after_interruption_ends_like_an_uninterrupted_run(archive, monkeypatch):
    warehouse, _ = archive
    whole = reextract_archive(Settings(), warehouse, batch_size=2)
    real_store = steps.store_results
    stored = []

    def store_then_stop(*args, **kwargs):
        if len(stored) == 2:
            raise KeyboardInterrupt
        stored.append(1)
        return real_store(*args, **kwargs)

    monkeypatch.setattr(steps, "store_results", store_then_stop)
    with pytest.raises(KeyboardInterrupt):
        reextract_archive(Settings(), warehouse, batch_size=1)
    monkeypatch.setattr(steps, "store_results", real_store)
    (stopped,) = _rows(
        warehouse,
        "SELECT run_id, status, n_articles FROM extraction_runs "
        "WHERE kind = 'reextract' ORDER BY started_at DESC LIMIT 1",
    )
    run_id = stopped[0]
    assert stopped[1:] == ("interrupted", 2)
    # An interrupted run never hides a completed one in the views.
    assert (run_id,) not in _rows(warehouse, "SELECT DISTINCT run_id FROM latest_runs")

    resumed = reextract_archive(Settings(), warehouse, batch_size=1, resume=run_id)
    assert (resumed.run_id, resumed.resumed) == (run_id, True)
    assert (resumed.selected, resumed.already_done, resumed.extracted) == (4, 2, 2)
    assert _rows(warehouse, "SELECT status, n_articles FROM extraction_runs WHERE run_id = ?",
                 [run_id]) == [("completed", 4)]
    assert _fact_keys(warehouse, run_id) == _fact_keys(warehouse, whole.run_id)
    n_facts = _rows(warehouse, "SELECT run_id, n_facts FROM extraction_runs WHERE run_id IN "
                    "(?, ?) ORDER BY run_id", [run_id, whole.run_id])
    assert n_facts[0][1] == n_facts[1][1]

    with pytest.raises(RunError, match="completed"):
        reextract_archive(Settings(), warehouse, resume=run_id)


def test_resume_refuses_other_runs_and_filters(archive, monkeypatch):
    warehouse, ingest_run = archive
    with pytest.raises(RunError, match="not a re-extraction"):
        reextract_archive(Settings(), warehouse, resume=ingest_run)
    with pytest.raises(RunError, match="no extraction run"):
        reextract_archive(Settings(), warehouse, resume="nope")

    def stop(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(steps, "store_results", stop)
    with pytest.raises(KeyboardInterrupt):
        reextract_archive(Settings(), warehouse, source="more.jsonl")
    monkeypatch.undo()
    (run_id,) = _rows(warehouse, "SELECT run_id FROM extraction_runs WHERE status = "
                      "'interrupted' ORDER BY started_at DESC LIMIT 1")[0]
    with pytest.raises(RunError, match="--source"):
        reextract_archive(Settings(), warehouse, source="notes.jsonl", resume=run_id)
    # parts retrained since the run started: resuming would mix two models in one run
    with duckdb.connect(str(warehouse)) as con:
        (hash_then,) = con.execute(
            "SELECT trained_hash FROM extraction_runs WHERE run_id = ?", [run_id]
        ).fetchone()
        con.execute("UPDATE extraction_runs SET trained_hash = 'other' WHERE run_id = ?", [run_id])
    with pytest.raises(RunError, match="trained_hash"):
        reextract_archive(Settings(), warehouse, resume=run_id)
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "UPDATE extraction_runs SET trained_hash = ? WHERE run_id = ?", [hash_then, run_id]
        )
    done = reextract_archive(Settings(), warehouse, resume=run_id)  # its own filters
    assert (done.selected, done.extracted) == (1, 1)


def test_reextract_prefect_flow(archive, prefect_harness):
    warehouse, _ = archive
    summary = reextract(Settings(), str(warehouse), since="2025-12")
    assert summary.extracted == summary.selected == 2
    assert _rows(warehouse, "SELECT status FROM extraction_runs WHERE run_id = ?",
                 [summary.run_id]) == [("completed",)]


def test_reextract_cli(archive, prefect_harness):
    from typer.testing import CliRunner

    from tradeline.flows.cli import app

    warehouse, _ = archive
    runner = CliRunner()
    done = runner.invoke(app, ["reextract", "-w", str(warehouse), "--source", "more.jsonl"])
    assert done.exit_code == 0, done.output
    assert "extracted: 1" in done.output
    bad = runner.invoke(app, ["reextract", "-w", str(warehouse), "--since", "March"])
    assert bad.exit_code == 2 and "YYYY" in bad.output
    bad = runner.invoke(app, ["reextract", "-w", str(warehouse), "--resume", "nope"])
    assert bad.exit_code == 2 and "no extraction run 'nope'" in bad.output
    bad = runner.invoke(app, ["reextract", "-w", str(warehouse), "--assets", "/nonexistent"])
    assert bad.exit_code == 2 and "assets folder not found" in bad.output
