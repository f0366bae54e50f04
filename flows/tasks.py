"""How our Prefect tasks are declared: batches in, batches out, never cached.

Each task's inputs are batches of pages, articles or facts. Prefect's default cache policy
hashes every input, and it walks every argument looking for futures; both are wasted work here
(about 10% of an ingest run, profiled with bench/throughput.py, stage d against d0). Tasks are
therefore declared with `NO_CACHE`, and callers pass batches wrapped in `quote` (the task still
receives the plain value).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from prefect import Task, task
from prefect.cache_policies import NO_CACHE
from prefect.utilities.annotations import quote

__all__ = ["batch_task", "quote"]


def batch_task(fn: Callable[..., Any], name: str) -> Task:
    """A Prefect task around a plain step function that never computes a cache key."""
    return task(fn, name=name, cache_policy=NO_CACHE)
