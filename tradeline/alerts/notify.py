"""The one call a flow makes after a run: send the alerts its new timeline entries owe.

Which entries are new to a watch's destination: those whose earliest report was stored after
the destination was first seen with the watch's current criteria (`alert_watches`), so a
watch added to a big warehouse, a new destination or a widened watch alerts only for what
comes after it. A pass reads only the entries with a report stored since the last sending
pass, and those whose alert failed (issue 16: its cost follows what is new). A run that
sends (`tradeline run`, `serve`) tries every owed alert, one message per (watch, entry,
destination), and records the outcomes even when it stops half-way; a failed delivery is
tried again after the next run, up to the watch's `max_attempts`.
A silent run (`tradeline import`, `tradeline run --no-alerts`) records the entries it stored
as seen ('skipped') without sending them, so an imported archive never floods a channel.

Alerts never fail the run that stored the facts: any problem is a line in the run's summary
and a warning in its log.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from tradeline.alerts import sent
from tradeline.alerts.delivery import deliver, destination_key, redacted, scrub
from tradeline.alerts.matching import Owed, Watch, criteria_hash, owed_alerts
from tradeline.alerts.message import format_alert, format_digest
from tradeline.config import Settings, WatchConfig
from tradeline.warehouse.db import WarehouseError, connect, utcnow

# A run that holds the warehouse now sends what is owed when it ends: no need to wait long.
LOCK_WAIT_S = 5.0


@dataclass
class AlertSummary:
    """What one alert pass did, for the run's summary line and for tests."""

    sent: int = 0
    failed: int = 0
    skipped: int = 0
    given_up: int = 0  # failed for the last time (`max_attempts`)
    failures: list[str] = field(default_factory=list)  # "watch → destination: why"
    problems: list[str] = field(default_factory=list)  # a watch not usable, a busy warehouse

    def line(self) -> str:
        """'' when nothing happened, else e.g. 'alerts: 2 sent, 1 failed (retried next run)'."""
        parts = []
        if self.sent:
            parts.append(f"{self.sent} sent")
        if self.failed:
            parts.append(f"{self.failed} failed (retried next run)")
        if self.given_up:
            parts.append(f"{self.given_up} given up")
        if self.skipped:
            parts.append(f"{self.skipped} recorded unsent")
        parts += self.problems
        return f"alerts: {', '.join(parts)}" if parts else ""


def resolve_watch(con: duckdb.DuckDBPyConnection, config: WatchConfig) -> Watch:
    """`config` with its commodities and authorities resolved as `--commodity` and
    `--authority` are (warehouse/vocab.py): vocab.UnknownValue names the valid ones."""
    from tradeline.warehouse import vocab

    return Watch(
        name=config.name,
        notify=tuple(config.notify),
        companies=tuple(config.companies),
        commodities=tuple(vocab.resolve(con, "commodity", c) for c in config.commodities),
        authorities=tuple(vocab.resolve(con, "authority", a) for a in config.authorities),
        types=tuple(config.types),
        n_sources_threshold=config.n_sources_threshold,
        max_per_run=config.max_per_run,
        max_attempts=config.max_attempts,
    )


def resolve_watches(
    con: duckdb.DuckDBPyConnection, configs: list[WatchConfig]
) -> tuple[list[Watch], list[str]]:
    """The usable watches, and one line per watch that names an unknown value."""
    from tradeline.warehouse.vocab import UnknownValue

    watches, problems = [], []
    for config in configs:
        try:
            watches.append(resolve_watch(con, config))
        except UnknownValue as exc:
            problems.append(f"watch {config.name!r} not used: {exc}")
    return watches, problems


def notify_watches(
    settings: Settings, warehouse_path: Path, run_id: str | None, *, send: bool = True
) -> AlertSummary:
    """Send (or, with `send` False, record unsent) the alerts owed after run `run_id` (None:
    a poll that stored nothing, which still retries failed deliveries). Holds the run lock
    while it works, so two runs never send one alert twice; never raises for a failure of its
    own."""
    summary = AlertSummary()
    if not settings.watch or not warehouse_path.is_file():
        return summary
    from tradeline.flows.run_logs import run_logger
    from tradeline.flows.runlock import run_lock

    log = run_logger()
    try:
        with run_lock(warehouse_path, wait_s=LOCK_WAIT_S):
            _notify(settings, warehouse_path, run_id, send, summary)
    except Exception as exc:  # alerts must never fail the run that stored the facts
        summary.problems.append(f"not checked ({type(exc).__name__}: {exc}); next run will")
    for problem in summary.problems:
        log.warning("alerts: %s", problem)
    for failure in summary.failures:
        log.warning("alert not delivered: %s", failure)
    if summary.line():
        log.info(summary.line())
    return summary


def _notify(
    settings: Settings, warehouse_path: Path, run_id: str | None, send: bool, summary: AlertSummary
) -> None:
    now = utcnow()
    with connect(warehouse_path) as con:
        watches, problems = resolve_watches(con, settings.watch)
        summary.problems.extend(problems)
        started = sent.run_started(con, run_id)
        destinations = [
            (w.name, destination_key(url), criteria_hash(w)) for w in watches for url in w.notify
        ]
        seen = sent.register_watches(con, destinations, run_id, started or now)
        if not watches or seen.look_from is None:
            return
        newest = sent.newest_stored(con)
        entries = sent.candidates(con, seen.look_from)
        owed = list(
            owed_alerts(
                watches,
                entries,
                seen.since,
                sent.recorded(con),
                destination_key,
                sent.continuations(con),
            )
        )
    if not send:  # only what this run stored is recorded as seen; the rest stays owed
        owed = [o for o in owed if not o.retry and started and o.entry.first_stored >= started]
        _record(warehouse_path, [_outcome(o, "skipped") for o in owed], run_id, watches, summary)
        return
    outcomes: list[sent.Outcome] = []
    try:
        for outcome in _deliver_all(owed):
            outcomes.append(outcome)
    finally:  # what went is recorded even when the pass stops half-way (an error, Ctrl-C)
        recorded = _record(warehouse_path, outcomes, run_id, watches, summary)
    if recorded and newest is not None:  # the next pass looks only at what is newer
        with connect(warehouse_path) as con:
            sent.considered(con, [(w, d) for w, d, _ in destinations], newest)


def _record(
    warehouse_path: Path,
    outcomes: list[sent.Outcome],
    run_id: str | None,
    watches: list[Watch],
    summary: AlertSummary,
) -> bool:
    """Record `outcomes` and count them in `summary`; False (and a problem line) when they
    could not be recorded."""
    for outcome in outcomes:
        if outcome.status == "sent":
            summary.sent += 1
        elif outcome.status == "failed":
            summary.failed += 1
            summary.failures.append(f"{outcome.watch} → {outcome.destination}: {outcome.error}")
        else:
            summary.skipped += 1
    if not outcomes:
        return True
    try:
        with connect(warehouse_path) as con:
            limits = {w.name: w.max_attempts for w in watches}
            given_up = sent.record(con, outcomes, run_id, utcnow(), limits)
    except WarehouseError as exc:  # sent but not recorded: say so, loudly
        summary.problems.append(f"{len(outcomes)} not recorded ({exc})")
        return False
    summary.failed -= given_up
    summary.given_up += given_up
    return True


def _deliver_all(owed: list[Owed]) -> Iterator[sent.Outcome]:
    """Deliver each alert, up to its watch's `max_per_run` per destination; the rest go as
    one digest (recorded as its outcome for each of them). One alert that cannot be made or
    sent (any exception) is a failed outcome, and the others still go."""
    by_destination: dict[tuple[str, str], list[Owed]] = {}
    for o in owed:
        by_destination.setdefault((o.watch.name, o.url), []).append(o)
    for group in by_destination.values():
        cap = group[0].watch.max_per_run
        for o in group[:cap]:
            error = _try(lambda o=o: deliver(o.url, format_alert(o.watch, o.entry, o.reason)))
            yield _outcome(o, "failed" if error else "sent", error)
        rest = group[cap:]
        if rest:
            error = _try(
                lambda rest=rest: deliver(
                    rest[0].url, format_digest(rest[0].watch, [o.entry for o in rest])
                )
            )
            for o in rest:
                yield _outcome(o, "failed" if error else "sent", error)


def _try(send: Callable[[], str | None]) -> str | None:
    """`send()`'s result, or the exception it raised as a failure (without secrets)."""
    try:
        return send()
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"


def _outcome(owed: Owed, status: str, error: str | None = None) -> sent.Outcome:
    return sent.Outcome(
        watch=owed.watch.name,
        entry_key=owed.entry.entry_key,
        destination_key=destination_key(owed.url),
        destination=redacted(owed.url),
        reason=owed.reason,
        status=status,
        n_sources=owed.entry.n_sources,
        error=scrub(error, owed.url) if error else None,
        fact_keys=owed.entry.fact_keys,
        supersedes=owed.supersedes,
    )
