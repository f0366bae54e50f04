"""The text of one alert: what happened, to whom, when, by which authority, the sentence that
says so and where it was reported, in plain text that reads the same in Slack, e-mail and a
webhook's JSON."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tradeline.alerts.matching import NEW, Entry, Watch

MAX_LINKS = 10  # source links a message lists at most


@dataclass(frozen=True)
class Message:
    title: str
    body: str


def _label(value: str) -> str:
    return value.replace("_", " ")


def format_alert(watch: Watch, entry: Entry, reason: str = NEW) -> Message:
    """The alert for `entry` under `watch`; `reason` 'sources' says its sources grew."""
    who = ", ".join(entry.companies) or entry.authority or entry.authority_country or "—"
    what = _label(entry.type)
    if reason == NEW:
        title = f"[{watch.name}] {what}: {who}"
    else:
        title = f"[{watch.name}] now {entry.n_sources} sources: {what}: {who}"
    date = entry.event_date or (
        f"undated (first reported {entry.first_reported})" if entry.first_reported else "undated"
    )
    authority = entry.authority or "—"
    if entry.authority_country and entry.authority_country != entry.authority:
        authority = f"{authority} ({entry.authority_country})"
    commodity = entry.commodity or "—"
    if entry.commodity_detail and entry.commodity_detail != entry.commodity:
        commodity = f"{commodity} ({entry.commodity_detail})"
    lines = [
        f"Event: {what}" + (f" ({entry.modality})" if entry.modality else ""),
        f"Companies: {', '.join(entry.companies) or '—'}",
        f"Date: {date}",
        f"Commodity: {commodity}",
        f"Authority: {authority}",
        f"Sources: {entry.n_sources} ({entry.n_articles} article"
        f"{'s' if entry.n_articles != 1 else ''})",
    ]
    if entry.evidence:
        lines += ["", f"Evidence: “{' '.join(entry.evidence.split())}”"]
    if entry.urls:
        lines += ["", "Links:", *(f"- {url}" for url in entry.urls[:MAX_LINKS])]
        if len(entry.urls) > MAX_LINKS:
            lines.append(f"- … and {len(entry.urls) - MAX_LINKS} more")
    lines += ["", f"tradeline watch {watch.name!r} · entry {entry.entry_key}"]
    return Message(title=title, body="\n".join(lines))


def format_digest(watch: Watch, entries: list[Entry]) -> Message:
    """One message for the alerts over a watch's `max_per_run`: a line per entry."""
    lines = [
        f"- {e.event_date or 'undated'} · {_label(e.type)} · "
        f"{', '.join(e.companies) or e.authority or e.authority_country or '—'}"
        + (f" · {e.commodity}" if e.commodity else "")
        + (f" · {e.urls[0]}" if e.urls else "")
        for e in entries
    ]
    return Message(
        title=f"[{watch.name}] {len(entries)} more matching entries",
        body=f"More than {watch.max_per_run} alerts in one run; the rest in one message:\n"
        + "\n".join(lines)
        + f"\n\ntradeline watch {watch.name!r} · `tradeline timeline` shows them in full",
    )


def sample_entry() -> Entry:
    """A made-up entry for `tradeline watch test`: every field filled, marked as a test."""
    return Entry(
        entry_key="test-sample",
        type="permit_issued",
        n_sources=2,
        first_stored=datetime(2025, 12, 3),
        event_date="2025-12-02",
        modality="actual",
        authority="MOFCOM",
        authority_country="China",
        companies=("Example Magnets Co",),
        commodity="rare earths",
        commodity_detail="rare earth magnets",
        n_articles=2,
        first_reported="2025-12-03",
        title="Test alert from tradeline",
        evidence="This is a test alert from `tradeline watch test`; no such event happened.",
        urls=("https://example.invalid/tradeline-watch-test",),
    )
