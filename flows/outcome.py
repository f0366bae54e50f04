"""How a run ended, decided once for the runs table, Prefect's flow-run state and the shell.

Why: a run that could fetch nothing ended 'completed' with exit status 0, so cron and systemd
never saw it fail. `run_status` decides from what succeeded and what failed; the flows record
it (`flows/runs.py`) and turn it into their final Prefect state (`flow_state`); the CLI turns
it into the exit status (`exit_status`):

| status                | when                                      | Prefect state       | exit |
|-----------------------|-------------------------------------------|---------------------|------|
| completed             | nothing failed                            | Completed           | 0    |
| completed_with_errors | some feed, page or record failed, not all | CompletedWithErrors | 1    |
| failed                | something was tried and all of it failed  | Failed              | 3    |

A usage error (bad option or value, missing file) exits 2 before any run starts; Ctrl-C and
SIGTERM exit 130 and 143 (`signals.py`). `--allow-errors` turns 1 and 3 into 0. A partly
failed run is Completed for Prefect, because its facts are stored and count like a completed
run's (view `latest_runs`); the state's name (type Completed) says some of it failed, and
its message counts what did (`describe_errors`: '2 of 5 feeds failed, 1 page failed').
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

COMPLETED = "completed"
COMPLETED_WITH_ERRORS = "completed_with_errors"
FAILED = "failed"

EXIT_STATUS = {COMPLETED: 0, COMPLETED_WITH_ERRORS: 1, FAILED: 3}


class RunFailed(Exception):
    """A flow run that could do nothing it tried; carries the run's summary for the caller
    (a direct call of the flow raises it, as Prefect raises a failed run's exception)."""

    def __init__(self, summary: Any, message: str) -> None:
        super().__init__(message)
        self.summary = summary


def run_status(succeeded: int, failed: int) -> str:
    """'completed' when nothing failed, 'failed' when something failed and nothing succeeded,
    else 'completed_with_errors'."""
    if not failed:
        return COMPLETED
    return COMPLETED_WITH_ERRORS if succeeded else FAILED


# what failed, by the stage its error was recorded at (`records.IngestError.stage`)
_FAILED_THING = {
    "feed": "feed",
    "fetch": "page",
    "parse": "page",
    "extract": "article",
    "import": "record",
}


def describe_errors(errors: Iterable[Any], feeds: int = 0) -> str:
    """What failed, counted: '2 of 5 feeds failed, 1 page failed' ('' when nothing did).

    Why: a Completed state whose message says only 'errors: 3' leaves an operator to dig for
    whether a feed went dead or one page moved; this is the state's message and serve's line."""
    counts = Counter(_FAILED_THING.get(error.stage, error.stage) for error in errors)
    parts = []
    for thing, n in sorted(counts.items(), key=lambda kv: (kv[0] != "feed", kv[0])):
        if thing == "feed" and feeds:
            parts.append(f"{n} of {feeds} {_plural('feed', feeds)} failed")
        else:
            parts.append(f"{n} {_plural(thing, n)} failed")
    return ", ".join(parts)


def _plural(word: str, n: int) -> str:
    return word if n == 1 else f"{word}s"


def exit_status(status: str, *, allow_errors: bool = False) -> int:
    """The shell's exit status for a run that ended with `status`."""
    return 0 if allow_errors else EXIT_STATUS[status]


def flow_state(status: str, summary: Any, message: str) -> Any:
    """Prefect's final state for a flow run that ended with `status`, carrying `summary`."""
    from prefect.states import Completed, Failed

    if status == FAILED:
        return Failed(message=message, data=RunFailed(summary, message))
    if status == COMPLETED_WITH_ERRORS:
        return Completed(name="CompletedWithErrors", message=message, data=summary)
    return Completed(message=message, data=summary)
