"""Run references: what a user may type where a command wants a run id, so that nobody has to
copy a 33-character id to compare the last two runs.

* a full run id;
* a unique prefix of one (`20261130T0745`, or any start that only one run has);
* `latest`: the most recently started run that completed (status `completed` or
  `completed_with_errors`), of any kind — ingest, import or reextract;
* `previous`: the completed run started before `latest`, of any kind.

Kinds are not filtered: `runs diff previous latest` after a re-extraction compares it with
whatever run came before it; to pick a run of one kind, give (a prefix of) its id.
"""

from __future__ import annotations

import duckdb

from tradeline.warehouse.runs import RunError

COMPLETED = ("completed", "completed_with_errors")
NAMED = ("latest", "previous")
SHOWN = 5  # candidates an ambiguous prefix's message names


def resolve_run_ref(con: duckdb.DuckDBPyConnection, ref: str) -> str:
    """The run id `ref` names (see the module docstring); RunError, one line naming the
    candidates or where to look, when it names none or several."""
    ref = ref.strip()
    if not ref:
        raise RunError("empty run id (see `tradeline runs`)")
    if ref.lower() in NAMED:
        return _named(con, NAMED.index(ref.lower()))
    ids = [
        r[0]
        for r in con.execute(
            "SELECT run_id FROM extraction_runs WHERE starts_with(run_id, ?) "
            "ORDER BY started_at DESC, run_id DESC",
            [ref],
        ).fetchall()
    ]
    if ref in ids or len(ids) == 1:
        return ref if ref in ids else ids[0]
    if not ids:
        raise RunError(f"no extraction run {ref!r} (see `tradeline runs`)")
    more = f", … ({len(ids)} in all)" if len(ids) > SHOWN else ""
    raise RunError(
        f"run id prefix {ref!r} is ambiguous: {', '.join(ids[:SHOWN])}{more}; type more of it"
    )


def _named(con: duckdb.DuckDBPyConnection, back: int) -> str:
    marks = ", ".join("?" for _ in COMPLETED)
    rows = con.execute(
        f"SELECT run_id FROM extraction_runs WHERE status IN ({marks}) "
        "ORDER BY started_at DESC, run_id DESC LIMIT 2",
        list(COMPLETED),
    ).fetchall()
    if len(rows) <= back:
        have = f"only {len(rows)} completed run" if rows else "no completed run"
        raise RunError(f"there is no {NAMED[back]} run: the warehouse has {have}")
    return rows[back][0]
