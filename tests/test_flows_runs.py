"""The one run lifecycle (flows/runs.py) that ingest, reextract and import share: lock, close
the stale runs of its kind, start, and finish as completed / interrupted / failed."""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from tradeline.flows.runlock import lock_path
from tradeline.flows.runs import recorded_run, start_run


@dataclass(frozen=True)
class Versions:
    extractor_version: str = "1"
    model_name: str = "m"
    model_version: str = "1"
    assets_hash: str = "a"


def _runs(warehouse: Path) -> list[tuple[str, str, str]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            "SELECT run_id, kind, status FROM extraction_runs ORDER BY run_id"
        ).fetchall()


@pytest.mark.parametrize(
    ("raised", "status"),
    [(None, "completed"), (KeyboardInterrupt, "interrupted"), (RuntimeError, "failed")],
)
@pytest.mark.parametrize("kind", ["ingest", "import", "reextract"])
def test_every_kind_ends_the_same_way(
    tmp_path: Path, kind: str, raised: type[BaseException] | None, status: str
) -> None:
    warehouse = tmp_path / "w.duckdb"
    with pytest.raises(raised) if raised else nullcontext():  # noqa: SIM117
        with recorded_run(warehouse, kind, Versions()) as run:
            assert lock_path(warehouse).read_text() != ""  # the run lock is held meanwhile
            if raised:
                raise raised()
    assert _runs(warehouse) == [(run.id, kind, status)]


def test_stale_runs_of_its_own_kind_are_closed_first(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    killed_import = start_run(warehouse, Versions(), "import")
    killed_ingest = start_run(warehouse, Versions(), "ingest")
    with recorded_run(warehouse, "import", Versions()) as run:
        pass
    assert _runs(warehouse) == sorted([
        (killed_import, "import", "interrupted"),
        (killed_ingest, "ingest", "running"),  # another kind: not this lifecycle's to close
        (run.id, "import", "completed"),
    ])


def test_a_lazy_run_that_stores_nothing_records_nothing(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    with recorded_run(warehouse, "ingest", Versions(), start=False) as run:
        pass
    assert run.run_id is None
    assert not warehouse.exists()  # not even created
    with recorded_run(warehouse, "ingest", Versions(), start=False) as run:
        first = run.id
        assert run.id == first  # started once, on first use
    assert _runs(warehouse) == [(first, "ingest", "completed")]


def test_an_adopted_run_is_finished_instead_of_a_new_one(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    earlier = start_run(warehouse, Versions(), "reextract")
    with pytest.raises(KeyboardInterrupt):  # noqa: SIM117
        with recorded_run(warehouse, "reextract", Versions(), start=False) as run:
            run.adopt(earlier)  # the flow reopened it to resume it
            with pytest.raises(RuntimeError, match="already recorded"):
                run.adopt("another")
            raise KeyboardInterrupt
    assert _runs(warehouse) == [(earlier, "reextract", "interrupted")]
