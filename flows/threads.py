"""Worker threads that an interrupted run can leave behind.

Why: `concurrent.futures` joins its worker threads when the interpreter exits, so one slow
request in flight kept an interrupted or terminated run alive for minutes. These workers are
daemon threads and the caller stops waiting at the first KeyboardInterrupt, so a run ends at
once; what they were fetching is abandoned (those entries stay owed in the warehouse).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def map_in_threads(fn: Callable[[T], R], items: Sequence[T], workers: int) -> list[R]:
    """fn over items in up to `workers` daemon threads; results in input order. An exception
    in fn is raised here; an interrupt here leaves the threads to finish or die unobserved."""
    if not items:
        return []
    todo: queue.SimpleQueue[int] = queue.SimpleQueue()
    for index in range(len(items)):
        todo.put(index)
    done: queue.SimpleQueue[tuple[int, bool, object]] = queue.SimpleQueue()
    stop = threading.Event()

    def work() -> None:
        while not stop.is_set():
            try:
                index = todo.get_nowait()
            except queue.Empty:
                return
            try:
                done.put((index, True, fn(items[index])))
            except BaseException as exc:  # handed to the caller, who raises it
                done.put((index, False, exc))

    for n in range(min(workers, len(items))):
        threading.Thread(target=work, name=f"tradeline-worker-{n}", daemon=True).start()
    results: dict[int, R] = {}
    try:
        while len(results) < len(items):
            index, ok, value = done.get()
            if not ok:
                raise value  # type: ignore[misc]
            results[index] = value  # type: ignore[assignment]
    finally:
        stop.set()
    return [results[i] for i in range(len(items))]
