"""Assembly of one processed Doc into an `Extraction`: the table of contents of extraction.

Each kind's facts come from its own subpackage and read their word lists from the component
that owns them (`Pipes.of(nlp)`): firms (companies/facts.py), every date mention
(dates/facts.py), events with their dates, actors, firms and commodities (events/facts.py),
validity periods (validity/facts.py), and the dates that date an event. This module only ties
validity periods to events: each period qualifies the event of its sentence, else the nearest
preceding event, and runs from that event's date when the date is day-precise.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from tradeline.extractors.companies.facts import find_companies
from tradeline.extractors.dates.facts import find_date_mentions, find_policy_dates
from tradeline.extractors.events.facts import find_events
from tradeline.extractors.pipes import Pipes
from tradeline.extractors.policy_dates.filter import keep_policy_dates
from tradeline.extractors.relevance.component import relevance
from tradeline.extractors.validity.durations import add_duration
from tradeline.extractors.validity.facts import find_validity_periods
from tradeline.records import EventFact, Extraction, ValidityPeriodFact


def extract_doc(doc: Doc, published: str | None, nlp: Language) -> Extraction:
    """Companies, events, validity periods and policy dates of one article (`doc`, made by
    `nlp`; `published` anchors relative dates)."""
    pipes = Pipes.of(nlp)
    firms = find_companies(doc, pipes.companies, pipes.company_filter)
    mentions = find_date_mentions(doc, published, pipes.dates)
    events = find_events(doc, published, firms, mentions, pipes)
    periods = find_validity_periods(doc, pipes.validity)
    for period in periods:
        _attach(period, events)
    return Extraction(
        companies=firms.facts,
        events=events,
        validity_periods=periods,
        policy_dates=keep_policy_dates(
            doc, find_policy_dates(doc, published, pipes.dates), pipes.policy_date_filter
        ),
        relevance=relevance(doc),
    )


def _attach(period: ValidityPeriodFact, events: list[EventFact]) -> None:
    """Same sentence first, else the nearest earlier event; dates only from day-precise events."""
    index = None
    for k, event in enumerate(events):
        if event.start_char <= period.start_char < event.end_char:
            index = k
            break
    if index is None:
        before = [k for k, e in enumerate(events) if e.start_char <= period.start_char]
        if before:
            index = max(before, key=lambda k: events[k].start_char)
    if index is None:
        return
    period.event_index = index
    event = events[index]
    if period.applies_to is None:
        period.applies_to = event.type
    if event.event_date and event.date_granularity == "day" and period.valid_from is None:
        period.valid_from = event.event_date
    if period.valid_from and period.valid_to is None:
        period.valid_to = add_duration(period.valid_from, period.duration)
