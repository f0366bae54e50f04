"""Where the ingest flow's batches run: in the flow's own process (default) or on Dask.

With `--task-runner dask`, each batch's fetch → parse → extract is one Prefect task on a Dask
worker (the model loads once per worker process and stays cached); the flow keeps a few
batches in flight, takes results back in order, and alone writes them to DuckDB, whose file
has a single writer.
"""

from __future__ import annotations

import logging
import os
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from prefect.context import FlowRunContext
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner

TASK_RUNNERS = ("local", "dask")


class TaskRunnerError(ValueError):
    """An unknown task runner name or an option that does not fit it."""


def make_task_runner(
    kind: str = "local",
    address: str | None = None,
    workers: int | None = None,
    processes: bool = True,
) -> TaskRunner | None:
    """None for the default (the flow's own process); a DaskTaskRunner for 'dask'.

    `address` (tcp://host:8786) connects to a running Dask scheduler; without it a LocalCluster
    of `workers` single-threaded worker processes starts and stops with the flow.
    """
    if kind == "local":
        if address:
            raise TaskRunnerError("--dask-address needs --task-runner dask")
        return None
    if kind != "dask":
        raise TaskRunnerError(f"unknown task runner {kind!r}: use {' or '.join(TASK_RUNNERS)}")
    quiet_dask_logs()
    from prefect_dask import DaskTaskRunner

    if address:
        return DaskTaskRunner(address=address)
    cluster: dict[str, Any] = {"processes": processes, "threads_per_worker": 1}
    if workers:
        cluster["n_workers"] = workers
    return DaskTaskRunner(cluster_kwargs=cluster)


def quiet_dask_logs() -> None:
    """Dask logs every worker start and stop at INFO; keep warnings (workers inherit the env)."""
    os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "warning")
    logging.getLogger("distributed").setLevel(os.environ["DASK_LOGGING__DISTRIBUTED"].upper())


def runs_in_flow_process() -> bool:
    """True outside a flow or on Prefect's default thread pool (work stays in this process)."""
    context = FlowRunContext.get()
    return context is None or isinstance(context.task_runner, ThreadPoolTaskRunner)


def submitted_in_order(
    task: Any, settings: Any, batches: Iterable[Sequence[Any]], in_flight: int
) -> Iterator[Any]:
    """Submit `task(settings, batch)` keeping at most `in_flight` batches out; yield results in
    submission order, so memory stays bounded and the writer sees batches as a local run does."""
    pending: deque[Any] = deque()
    for batch in batches:
        pending.append(task.submit(settings, list(batch)))
        if len(pending) >= in_flight:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()
