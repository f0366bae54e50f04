"""The one run lifecycle: `ingest`, `reextract` and `import` each record themselves as an
extraction run through `recorded_run`, so a run ends the same way whichever flow it is.

`recorded_run` holds the warehouse's run lock (`runlock.py`), closes the runs of its kind that a
killed process left 'running' (the lock proves none of them is alive), starts the run, and
finishes it as the flow decided (`Run.outcome`: 'completed', 'completed_with_errors' or
'failed', see `outcome.py`), 'interrupted' (Ctrl-C or SIGTERM: `signals.py`) or 'failed' (any
other exception). Finishing also rebuilds the merged timeline (`warehouse.runs.finish_run`).
An interrupted run is finished only if the file is free within a moment; otherwise it stays
'running' and the next run of its kind closes it, so an interrupt never waits on a lock.

The functions below open the warehouse for one short transaction each, like the ingest steps.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from tradeline.flows.runlock import run_lock
from tradeline.flows.signals import is_interrupt
from tradeline.warehouse import runs
from tradeline.warehouse.db import WarehouseError, connect, writes_wait

INTERRUPTED_LOCK_WAIT_S = 1.0  # an interrupted run records itself only if the file is free


class RunVersions(Protocol):
    """What produced a run's facts (an `Extractor` has these, and also `trained_hash`, the
    two thresholds and the best-event floor, recorded when present), recorded with the run."""

    extractor_version: str
    model_name: str
    model_version: str
    assets_hash: str


def start_run(
    warehouse_path: Path, versions: RunVersions, kind: str, notes: str | None = None
) -> str:
    """Open a run of `kind` with the versions that produce its facts; returns its id."""
    with connect(warehouse_path) as con:
        return runs.start_run(
            con,
            kind=kind,
            extractor_version=versions.extractor_version,
            model_name=versions.model_name,
            model_version=versions.model_version,
            assets_hash=versions.assets_hash,
            notes=notes,
            trained_hash=getattr(versions, "trained_hash", None),
            relevance_threshold=getattr(versions, "relevance_threshold", None),
            confidence_threshold=getattr(versions, "confidence_threshold", None),
            best_event_floor=getattr(versions, "best_event_floor", None),
        )


def finish_run(warehouse_path: Path, run_id: str, status: str) -> None:
    """Close a run (counts from what it stored) and rebuild the merged timeline with it."""
    with connect(warehouse_path) as con:
        runs.finish_run(con, run_id, status=status)


def close_interrupted_runs(warehouse_path: Path, kind: str = "ingest") -> list[str]:
    """Mark runs of `kind` a killed process left 'running' as 'interrupted' (call with the run
    lock held: then no other run is alive). What they stored stays: each batch is whole.
    A warehouse that does not exist yet is not created."""
    if not warehouse_path.is_file():
        return []
    with connect(warehouse_path) as con:
        return runs.mark_interrupted_runs(con, kind)


@dataclass
class Run:
    """A run being recorded. Unless `recorded_run` started it, the first use of `id` starts it
    (so an ingest whose poll finds nothing new records no run), or `adopt` takes over a run
    the flow reopened to resume it."""

    warehouse_path: Path
    kind: str
    versions: RunVersions
    notes: str | None = None
    run_id: str | None = None
    outcome: str = "completed"  # the flow sets it from what failed (outcome.run_status)

    @property
    def id(self) -> str:
        return self.start()

    def start(self) -> str:
        """Start the run unless it is already recorded; returns its id."""
        if self.run_id is None:
            self.run_id = start_run(self.warehouse_path, self.versions, self.kind, self.notes)
        return self.run_id

    def adopt(self, run_id: str) -> None:
        """Record `run_id` (already set running again) instead of starting a new run."""
        if self.run_id is not None:
            raise RuntimeError(f"run {self.run_id} is already recorded; cannot adopt {run_id}")
        self.run_id = run_id


@contextmanager
def recorded_run(
    warehouse_path: Path,
    kind: str,
    versions: RunVersions,
    *,
    notes: str | None = None,
    start: bool = True,
) -> Iterator[Run]:
    """Lock → close stale runs of `kind` → start (unless `start` is False: lazily, or adopted)
    → yield → finish as `run.outcome` / 'interrupted' (Ctrl-C, SIGTERM) / 'failed'."""
    with run_lock(warehouse_path):
        close_interrupted_runs(warehouse_path, kind)
        run = Run(warehouse_path, kind, versions, notes)
        if start:
            run.start()
        status = "failed"
        try:
            yield run
            status = run.outcome
        except BaseException as exc:
            if is_interrupt(exc):
                status = "interrupted"
            raise
        finally:
            if run.run_id is not None and status == "interrupted":
                with suppress(WarehouseError), writes_wait(INTERRUPTED_LOCK_WAIT_S):
                    finish_run(warehouse_path, run.run_id, status)
            elif run.run_id is not None:
                finish_run(warehouse_path, run.run_id, status)
