"""Extraction runs, all in one module: start and finish one (the merged timeline is rebuilt
with every finish), close the ones a killed process left running, list them, reopen an
unfinished one, and diff two runs.

A diff pairs facts of the two runs by an *identity key* per fact kind, which names what a fact
is about, separately from `fact_key`, which hashes all of its content:

* company: `canonical_key` (the normalised canonical name);
* event: `type`, `event_date` and the sorted `canonical_key`s of its companies;
* validity, policy_date: the character span of the text (`start_char`, `end_char`);

each within its article, numbered `#n` in text order when one article has several facts with
the same identity (so two events of the same type and date pair up in order).

A fact is *changed* when both runs have its identity but a compared column differs (the diff
lists those columns, a → b), *unchanged* when none does, *added* or *removed* when only one run
has the identity. Compared are the fact's content columns, an event's company names in order,
and for a validity period the type and date of its event (not the event's fact_key, which
changes with any change to the event). Only articles extracted by both runs are
compared; articles only one run processed are counted apart.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any

import duckdb

from tradeline.warehouse import merge, registry
from tradeline.warehouse.db import transaction, utcnow

RUN_KINDS = ("ingest", "import", "reextract", "extract")
FINAL_RUN_STATUSES = ("completed", "completed_with_errors", "failed", "interrupted")
FACT_KINDS = ("company", "event", "validity", "policy_date")

# kind -> (table, identity SQL over alias f, compared columns)
_KINDS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "company": (
        "company_mentions",
        "f.canonical_key",
        ("name", "canonical", "aliases", "ticker", "evidence", "start_char", "end_char",
         "mentions"),
    ),
    "event": (
        "events",
        "f.type || '|' || coalesce(f.event_date, '') || '|' || coalesce(("
        "SELECT string_agg(ec.canonical_key, ',' ORDER BY ec.canonical_key) "
        "FROM event_companies AS ec WHERE ec.fact_key = f.fact_key AND ec.run_id = f.run_id"
        "), '')",
        ("authority", "authority_country", "commodity", "commodity_detail", "date_granularity",
         "date_text", "modality", "subtype", "trigger", "evidence", "start_char", "end_char",
         "companies"),
    ),
    "validity": (
        "validity_periods",
        "CAST(f.start_char AS VARCHAR) || '-' || CAST(f.end_char AS VARCHAR)",
        ("text", "duration", "valid_from", "valid_to", "applies_to", "event", "evidence"),
    ),
    "policy_date": (
        "policy_dates",
        "CAST(f.start_char AS VARCHAR) || '-' || CAST(f.end_char AS VARCHAR)",
        ("text", "resolved", "granularity", "evidence"),
    ),
}

# Derived columns some kinds compare: an event's company names in order, and the event a
# validity period belongs to by what it is (its fact_key changes whenever the event does).
_DERIVED = {
    "companies": "(SELECT list(ec.company ORDER BY ec.position) FROM event_companies AS ec "
    "WHERE ec.fact_key = f.fact_key AND ec.run_id = f.run_id)",
    "event": "(SELECT ev.type || ' ' || coalesce(ev.event_date, '') FROM events AS ev "
    "WHERE ev.fact_key = f.event_fact_key AND ev.run_id = f.run_id)",
}

_RUN_COLUMNS = (
    "run_id", "kind", "status", "started_at", "finished_at", "extractor_version", "model_name",
    "model_version", "assets_hash", "n_articles", "n_facts", "notes",
)


class RunError(ValueError):
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
        rebuild_derived(con)


def rebuild_derived(con: duckdb.DuckDBPyConnection) -> int:
    """Rewrite what is derived from the latest runs: the merged timeline and the registry's
    firms; the caller holds the transaction. Returns the number of timeline entries."""
    entries = merge.rebuild(con)
    registry.rebuild_firms(con)
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


# --- diff ----------------------------------------------------------------------------------


@dataclass
class RunDiff:
    """Facts added, removed and changed from run `a` to run `b`."""

    a: str
    b: str
    articles_compared: int = 0
    articles_only_a: int = 0
    articles_only_b: int = 0
    counts: dict[str, dict[str, int]] = field(default_factory=dict)  # kind -> outcome -> n
    changes: list[dict[str, Any]] = field(default_factory=list)  # one per non-unchanged fact

    def to_json(self) -> dict[str, Any]:
        return {
            "a": self.a,
            "b": self.b,
            "articles_compared": self.articles_compared,
            "articles_only_a": self.articles_only_a,
            "articles_only_b": self.articles_only_b,
            "counts": self.counts,
            "changes": self.changes,
        }


def _kind_rows(
    con: duckdb.DuckDBPyConnection, kind: str, a: str, b: str
) -> list[dict[str, Any]]:
    table, identity, columns = _KINDS[kind]
    cols = ", ".join(f"{_DERIVED[c]} AS {c}" if c in _DERIVED else f"f.{c}" for c in columns)
    sql = f"""
    WITH shared AS (
        SELECT article_id FROM article_extractions WHERE run_id = $a
        INTERSECT
        SELECT article_id FROM article_extractions WHERE run_id = $b
    ),
    facts AS (
        SELECT f.run_id, f.article_id, f.fact_key, {identity} AS ident,
               f.start_char AS pos, {cols}
        FROM {table} AS f
        WHERE f.run_id IN ($a, $b) AND f.article_id IN (SELECT article_id FROM shared)
    ),
    ranked AS (
        SELECT *, ident || '#' || CAST(row_number() OVER (
            PARTITION BY run_id, article_id, ident ORDER BY pos NULLS LAST, fact_key
        ) AS VARCHAR) AS identity_key
        FROM facts
    )
    SELECT * FROM ranked ORDER BY article_id, identity_key, run_id
    """
    cur = con.execute(sql, {"a": a, "b": b})
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def _jsonable(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


def diff_runs(con: duckdb.DuckDBPyConnection, a: str, b: str) -> RunDiff:
    """Compare the facts of run `a` (before) and run `b` (after), per article and fact kind."""
    get_run(con, a)
    get_run(con, b)
    diff = RunDiff(a, b)
    row = con.execute(
        """
        WITH ra AS (SELECT article_id FROM article_extractions WHERE run_id = $a),
             rb AS (SELECT article_id FROM article_extractions WHERE run_id = $b)
        SELECT (SELECT count(*) FROM ra WHERE article_id IN (SELECT article_id FROM rb)),
               (SELECT count(*) FROM ra WHERE article_id NOT IN (SELECT article_id FROM rb)),
               (SELECT count(*) FROM rb WHERE article_id NOT IN (SELECT article_id FROM ra))
        """,
        {"a": a, "b": b},
    ).fetchone()
    diff.articles_compared, diff.articles_only_a, diff.articles_only_b = (int(v) for v in row)
    for kind in FACT_KINDS:
        counts = {"added": 0, "removed": 0, "changed": 0, "unchanged": 0}
        columns = _KINDS[kind][2]
        pairs: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}
        for r in _kind_rows(con, kind, a, b):
            side = "a" if r["run_id"] == a else "b"
            pairs.setdefault((r["article_id"], r["identity_key"]), {})[side] = r
        for (article_id, identity_key), sides in pairs.items():
            before, after = sides.get("a"), sides.get("b")
            if before and after:
                fields = {
                    c: {"a": _jsonable(before[c]), "b": _jsonable(after[c])}
                    for c in columns
                    if before[c] != after[c]
                }
                if not fields:  # same content (a key may differ only by a linked key)
                    counts["unchanged"] += 1
                    continue
                outcome = "changed"
            else:
                outcome = "added" if after else "removed"
                fact = after or before
                fields = {c: _jsonable(fact[c]) for c in columns if fact[c] is not None}
            counts[outcome] += 1
            diff.changes.append({
                "article_id": article_id,
                "kind": kind,
                "change": outcome,
                "identity_key": identity_key,
                "fact_key_a": before["fact_key"] if before else None,
                "fact_key_b": after["fact_key"] if after else None,
                "fields": fields,
            })
        diff.counts[kind] = counts
    return diff
