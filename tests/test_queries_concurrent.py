"""Querying from a second process while an ingest writes: reads wait out the writer's short
transactions (and the writer waits out a reader's query), and always see a committed state."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tests.conftest import REPO
from tradeline.warehouse.query import run_sql, timeline_readonly

# The writer: the ingest steps' pattern (flows/steps.py) — one short connection per step — with
# synthetic facts instead of fetching and NLP. It reports its progress on stdout and waits for
# the test's go-ahead on stdin at the two points the test wants to interleave with.
WRITER = r"""
import sys, time
from types import SimpleNamespace
from pathlib import Path
from tradeline.flows import runs, steps
from tests.builders import make_item
from tradeline.warehouse.db import connect
from tradeline.warehouse.load import store_batch

path = Path(sys.argv[1])
extractor = SimpleNamespace(extractor_version="1", model_name="m", model_version="1",
                            assets_hash="h")

def say(word):
    print(word, flush=True)

def run(n, batches):
    run_id = runs.start_run(path, extractor, kind="ingest")
    for b in range(batches):
        items = [make_item(f"https://example.com/{n}/{b}/{i}") for i in range(3)]
        steps.store_results(path, items, [], run_id)
    runs.finish_run(path, run_id, "completed")

run(1, 2)
say("run1")
sys.stdin.readline()              # the test now holds a read-only connection
run(2, 2)                         # so this run's first connect waits until it is closed
say("run2")
con = connect(path)               # a long write transaction, uncommitted while we hold it
con.execute("BEGIN TRANSACTION")
con.execute("INSERT INTO ingest_errors VALUES ('held', NULL, now(), 'store', NULL, NULL, 'x')")
say("holding")
time.sleep(1.5)
con.execute("COMMIT")
con.close()
run(3, 2)
say("done")
"""

INVARIANTS = """
SELECT
    (SELECT count(*) FROM articles) AS articles,
    (SELECT count(*) FROM article_extractions) AS extractions,
    (SELECT count(*) FROM event_mentions) AS mentions,
    (SELECT count(*) FROM timeline_entry_mentions) AS merged,
    (SELECT count(*) FROM extraction_runs WHERE status = 'completed') AS runs,
    (SELECT count(*) FROM ingest_errors) AS held
"""


def _state(path: Path) -> dict[str, int]:
    columns, rows = run_sql(path, INVARIANTS)
    state = dict(zip(columns, rows[0], strict=True))
    # a batch's articles and their extraction rows commit together, and a run's completion
    # commits with the merged timeline, so these hold in every state a reader can see
    assert state["articles"] == state["extractions"], state
    assert state["mentions"] == state["merged"] == 3 * 2 * state["runs"], state
    return state


@pytest.mark.slow  # the writer process imports the ingest steps (spaCy)
def test_query_from_another_process_while_ingest_writes(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path)],
        cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    )
    assert writer.stdin is not None and writer.stdout is not None
    try:
        assert writer.stdout.readline().strip() == "run1"
        assert _state(path)["runs"] == 1
        reader = duckdb.connect(str(path), read_only=True)  # a long analyst session
        writer.stdin.write("go\n")
        writer.stdin.flush()
        assert reader.execute("SELECT count(*) FROM timeline").fetchone() == (1,)
        reader.close()  # the writer, waiting on its lock, goes on now
        assert writer.stdout.readline().strip() == "run2"
        assert writer.stdout.readline().strip() == "holding"
        # the writer holds the file: this read waits for it, then sees the committed row
        state = _state(path)
        assert state["held"] == 1 and state["runs"] >= 2
        columns, rows = timeline_readonly(path)
        assert len(rows) >= 1 and "n_sources" in columns
        while writer.poll() is None:  # keep reading while the last run writes
            _state(path)
        assert writer.returncode == 0, writer.stderr.read()
        assert writer.stdout.readline().strip() == "done"
        assert _state(path)["runs"] == 3
    finally:
        if writer.poll() is None:
            writer.kill()
        writer.wait()
