"""Extraction runs, all in one module: start and finish one (the merged timeline is rebuilt
with every finish), close the ones a killed process left running, list them and reopen an
unfinished one. Diffing two runs is `rundiff.py`.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import duckdb

from tradeline.warehouse import materialized, merge, pushdown, registry
from tradeline.warehouse.db import WarehouseError, transaction, utcnow

RUN_KINDS = ("ingest", "import", "reextract", "extract")
FINAL_RUN_STATUSES = ("completed", "completed_with_errors", "failed", "interrupted")

_RUN_COLUMNS = (
    "run_id", "kind", "status", "started_at", "finished_at", "extractor_version", "model_name",
    "model_version", "assets_hash", "n_articles", "n_facts", "notes", "trained_hash",
)


class RunError(WarehouseError, ValueError):
    """A run id that does not exist or cannot be used as asked."""


# --- one run's life: start, finish, close the stale ones ------------------------------------


def start_run(
    con: duckdb.DuckDBPyConnection,
    *,
    kind: str,
    extractor_version: str,
    model_name: str,
    model_version: str,
    assets_hash: str,
    notes: str | None = None,
    trained_hash: str | None = None,
    relevance_threshold: float | None = None,
    confidence_threshold: float | None = None,
    best_event_floor: float | None = None,
) -> str:
    """Open an extraction run; the id sorts by start time (UTC) then a random suffix. The
    trained parts' data hash and the thresholds are recorded when the extractor has them."""
    if kind not in RUN_KINDS:
        raise ValueError(f"run kind must be one of {RUN_KINDS}, got {kind!r}")
    now = utcnow()
    run_id = f"{now:%Y%m%dT%H%M%S%f}Z-{uuid.uuid4().hex[:8]}"
    con.execute(
        "INSERT INTO extraction_runs (run_id, kind, started_at, status, extractor_version, "
        "model_name, model_version, assets_hash, notes, trained_hash, relevance_threshold, "
        "confidence_threshold, best_event_floor) "
        "VALUES (?, ?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            run_id, kind, now, extractor_version, model_name, model_version, assets_hash, notes,
            trained_hash, relevance_threshold, confidence_threshold, best_event_floor,
        ],
    )
    return run_id


def finish_run(con: duckdb.DuckDBPyConnection, run_id: str, *, status: str) -> None:
    """Close a run, counting its articles and facts from what was actually stored."""
    if status not in FINAL_RUN_STATUSES:
        raise ValueError(f"final run status must be one of {FINAL_RUN_STATUSES}, got {status!r}")
    with transaction(con):  # the merged timeline commits with the run's end
        row = con.execute(
            """
            UPDATE extraction_runs SET
                finished_at = ?,
                status = ?,
                n_articles = (SELECT count(*) FROM article_extractions WHERE run_id = ?),
                n_facts = (SELECT coalesce(sum(n_facts), 0) FROM article_extractions
                           WHERE run_id = ?)
            WHERE run_id = ?
            """,
            [utcnow(), status, run_id, run_id, run_id],
        ).fetchone()
        if not row or row[0] == 0:
            raise ValueError(f"no extraction run {run_id!r}")
        rebuild_derived(con, incremental=True)


def rebuild_derived(con: duckdb.DuckDBPyConnection, *, incremental: bool = False) -> int:
    """Rewrite what is derived from the latest runs: the merged timeline and the registry's
    firms, whole or (`incremental`) only where the changes since the last run reach
    (`merge.update`, `registry.update_firms`: the same result); the caller holds the
    transaction. Returns the number of timeline entries."""
    current = merge.rules_current(con)
    if incremental and current:
        pushdown.push_small_joins(con)  # the run's few keys filter the scans of big tables
        entries = merge.update(con)
        registry.update_firms(con)  # same rules version: the firms were grouped by them too
    else:  # a file merged by other rules (by a run or `rebuild-timeline`): old keys hand on
        entries = merge.rebuild(con, hand_on_all=not current)
        registry.rebuild_firms(con)
    materialized.refresh_firms(con)  # the firms the registry grouped anew
    return entries


def mark_interrupted_runs(con: duckdb.DuckDBPyConnection, kind: str) -> list[str]:
    """Close runs of `kind` left 'running' by a process that died (the caller holds the lock
    that proves no such run is alive) as 'interrupted', counting what they did store."""
    if kind not in RUN_KINDS:
        raise ValueError(f"run kind must be one of {RUN_KINDS}, got {kind!r}")
    stale = [
        r[0]
        for r in con.execute(
            "SELECT run_id FROM extraction_runs WHERE status = 'running' AND kind = ? "
            "ORDER BY run_id",
            [kind],
        ).fetchall()
    ]
    for run_id in stale:
        finish_run(con, run_id, status="interrupted")
    return stale


# --- reading and resuming -----------------------------------------------------------------


def list_runs(con: duckdb.DuckDBPyConnection) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Every run, newest first, with counts taken from what is stored (also for running ones)."""
    cur = con.execute(
        """
        SELECT r.run_id, r.kind, r.status, r.started_at, r.finished_at, r.extractor_version,
               r.model_name, r.model_version, left(r.assets_hash, 12) AS assets_hash,
               coalesce(count(ae.article_id), 0) AS n_articles,
               coalesce(sum(ae.n_facts), 0) AS n_facts,
               r.notes
        FROM extraction_runs AS r
        LEFT JOIN article_extractions AS ae USING (run_id)
        GROUP BY ALL
        ORDER BY r.started_at DESC, r.run_id DESC
        """
    )
    return [d[0] for d in cur.description], cur.fetchall()


def get_run(con: duckdb.DuckDBPyConnection, run_id: str) -> dict[str, Any]:
    """One run's row; RunError when there is none."""
    cur = con.execute(
        f"SELECT {', '.join(_RUN_COLUMNS)} FROM extraction_runs WHERE run_id = ?", [run_id]
    )
    row = cur.fetchone()
    if row is None:
        raise RunError(f"no extraction run {run_id!r} (see `tradeline runs`)")
    return dict(zip(_RUN_COLUMNS, row, strict=True))


def run_notes(run: dict[str, Any]) -> dict[str, Any]:
    """The JSON a run was started with in `notes` ({} when notes are free text or empty)."""
    try:
        notes = json.loads(run.get("notes") or "{}")
    except json.JSONDecodeError:
        return {}
    return notes if isinstance(notes, dict) else {}


def reopen_run(con: duckdb.DuckDBPyConnection, run_id: str) -> None:
    """Set an unfinished (running / interrupted / failed) run running again, to resume it;
    a run that finished (completed, or completed_with_errors) is not resumed."""
    run = get_run(con, run_id)
    if run["status"] in ("completed", "completed_with_errors"):
        raise RunError(f"run {run_id} is {run['status']}; there is nothing to resume")
    con.execute(
        "UPDATE extraction_runs SET status = 'running', finished_at = NULL WHERE run_id = ?",
        [run_id],
    )


def done_articles(con: duckdb.DuckDBPyConnection, run_id: str) -> set[str]:
    """Articles a run has already stored (skipped when it is resumed)."""
    rows = con.execute(
        "SELECT article_id FROM article_extractions WHERE run_id = ?", [run_id]
    ).fetchall()
    return {r[0] for r in rows}
