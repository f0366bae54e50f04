"""Dating events and listing policy dates: resolution, GUIDELINES §5 exclusions, effective
dates told apart, inherited announcement dates, and the learned attachment's plumbing
(sentences written here)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from tradeline.extractors.companies.facts import find_companies
from tradeline.extractors.dates.facts import find_date_mentions, find_policy_dates
from tradeline.extractors.document import extract_doc
from tradeline.extractors.events.date_options import DateOption, candidate_rows
from tradeline.extractors.events.facts import EventFinder, to_fact
from tradeline.extractors.learned.corpus import LabelledArticle
from tradeline.extractors.learned.date_labels import (
    MISSING,
    _Recorder,
    attachment_rows,
    gold_dates,
    positives,
)
from tradeline.extractors.pipes import Pipes
from tradeline.records import EventFact

pytestmark = pytest.mark.slow


def policy(nlp, text: str, published: str) -> dict[str, str]:
    doc = nlp(text)
    return {f.text: f.resolved for f in find_policy_dates(doc, published, Pipes.of(nlp).dates)}


def events(nlp, text: str, published: str) -> list[EventFact]:
    return extract_doc(nlp(text), published, nlp).events


# ---------------------------------------------------------------- resolution
def test_from_until_is_a_start_and_an_end(nlp) -> None:
    got = policy(
        nlp, "Jakarta will bar coal miners from exporting from Oct. 1 until Oct. 31.", "2024-09-20"
    )
    assert got == {"from Oct. 1": "2024-10-01", "until Oct. 31": "2024-10-31"}


def test_month_to_month_period_stays_whole(nlp) -> None:
    got = policy(nlp, "Smelters shipped 72 tons over the period from January to August.", "2024-09")
    assert "from January" not in got and "to August" not in got


def test_weekday_with_its_date_is_one_day(nlp) -> None:
    got = policy(nlp, "On Saturday, September 28, the ministry scrapped its ban on rice exports.",
                 "2024-09")
    assert got == {"On Saturday, September 28": "2024-09-28"}


def test_month_only_publication_dates_a_weekday_by_the_month(nlp) -> None:
    (event,) = events(nlp, "The ministry banned exports of raw cashew nuts on Tuesday.", "2025-02")
    assert (event.event_date, event.date_granularity) == ("2025-02", "month")


def test_start_participle_takes_the_tense_of_its_clause(nlp) -> None:
    got = policy(nlp, "Starting in September, exporters of lithography tools will need licences.",
                 "2023-06-30")
    assert got == {"Starting in September": "2023-09"}


def test_present_takes_effect_looks_ahead(nlp) -> None:
    got = policy(nlp, "The final rule becomes effective Dec. 31.", "2025-08-29")
    assert got == {"effective Dec. 31": "2025-12-31"}


# ---------------------------------------------------------------- GUIDELINES §5 exclusions
@pytest.mark.parametrize(
    "text",
    [
        "Diesel on the exchange was up 21.3% since Jan 1, traders said.",
        "He credited the export suspension with a 92 percent jump in cobalt prices since March.",
        "Shipments were 20 per cent higher compared with a year ago, at 1.9 million tonnes.",
        "China and Russia together accounted for 72% of the total in 2022.",
        "Wholesale fuel prices have gone up since the start of the year.",
        "The decision comes weeks before an election on October 29.",
        "The rule builds on the Export Control Reform Act of 2018.",
        "Caps for 2026 and 2027 have been set at 96,600 tons.",
    ],
)
def test_not_policy_dates(nlp, text: str) -> None:
    assert policy(nlp, text, "2025-06-10") == {}


def test_bracketed_dateline_is_not_a_policy_date(nlp) -> None:
    text = (
        "Lisbon (Portugal), Aug. 11 (Lusa) – The government halted exports of cork oak seedlings "
        "on Friday, the agriculture ministry said."
    )
    assert policy(nlp, text, "2025-08-11") == {"on Friday": "2025-08-08"}


# ---------------------------------------------------------------- which date an event takes
def test_since_date_starts_a_state(nlp) -> None:
    (event,) = events(nlp, "Antimony exports have required a licence since September 2024.",
                      "2026-03-12")
    assert (event.type, event.event_date) == ("control_introduced", "2024-09")


def test_stand_alone_effective_date_dates_the_announced_control(nlp) -> None:
    text = (
        "On Monday, the ministry confirmed that drone engines would be subject to export "
        "controls. As a spokesperson put it, the measures will take effect from September 1."
    )
    found = events(nlp, text, "2023-08-01")
    assert [(e.type, e.event_date) for e in found] == [("control_introduced", "2023-09-01")]


def test_apply_for_is_not_a_start(nlp) -> None:
    text = (
        "The regulator on Monday lifted a ban on raw sugar exports it imposed in January. "
        "Two millers said they had applied for clearances on Tuesday."
    )
    dates = {e.type: e.event_date for e in events(nlp, text, "2026-07-08")}
    assert dates.get("ban_introduced") in (None, "2026-01")


def test_same_notification_inherits_the_announcement_date(nlp) -> None:
    text = (
        "The ministry said on Wednesday it would ban exports of tin ore from March 1. "
        "In the same notification, the ministry granted export licences to two smelters."
    )
    dates = {e.type: e.event_date for e in events(nlp, text, "2026-02-13")}
    assert dates["ban_introduced"] == "2026-03-01"
    assert dates["permit_issued"] == "2026-02-11"  # announced Wednesday, not the ban's start


# ---------------------------------------------------------------- learned attachment
class _PreferNone:
    """A stand-in for the trained attachment: always 'no date'."""

    def scores(self, rows: Sequence[Sequence[str]]) -> list[float]:
        return [1.0 if "opt=none" in row else 0.0 for row in rows]


def _finder_run(nlp, text: str, published: str, attachment: object | None = None):
    """The rule finder on `text`; with `attachment`, a plain finder that uses it, else one that
    records what the attachment would see (`finder.seen`)."""
    doc = nlp(text)
    pipes = Pipes.of(nlp)
    finder = _Recorder(pipes) if attachment is None else EventFinder(pipes)
    finder.attachment = attachment
    firms = find_companies(doc, pipes.companies)
    mentions = find_date_mentions(doc, published, pipes.dates)
    return finder, finder.merged(doc, published, firms, mentions), pipes


def test_options_and_features(nlp) -> None:
    text = "The ministry said on Tuesday it would ban exports of nickel ore from January 1."
    finder, _, pipes = _finder_run(nlp, text, "2025-06-11")
    cands, mentions = finder.seen
    ((options, rows),) = candidate_rows(cands, mentions, finder, pipes.dates.lexicon, "2025-06-11")
    assert options[0].mention is None and rows[0][:1] == ["type=ban_introduced"]
    texts = {o.mention.fact.text: o.sources for o in options if o.mention}
    assert set(texts) == {"on Tuesday", "from January 1"}
    assert all("own" in s for s in texts.values())
    picked = [r for r in rows if "picked=True" in r]
    assert len(picked) == 1 and "lead=from" in picked[0]


def test_attachment_choice_is_the_output_date_only(nlp) -> None:
    text = "The ministry banned exports of nickel ore on Tuesday."
    _, merged, _ = _finder_run(nlp, text, "2025-06-11", _PreferNone())
    (c,) = merged
    assert c.date is not None and c.date.value == "2025-06-10"  # the rules' date stays
    assert to_fact(c).event_date is None  # the attachment chose "no date"


def test_labels_follow_the_gold_date() -> None:
    assert positives([DateOption(None, ["none"])], None) == {0}
    assert gold_dates([], []) == []
    assert MISSING is not None


def test_attachment_rows_label_the_gold_option(nlp) -> None:
    text = "The ministry said on Tuesday it would ban exports of nickel ore from January 1."
    gold = {"events": [{"type": "ban_introduced", "event_date": "2026-01-01", "evidence": text}]}
    article = LabelledArticle("x", text, "2025-06-11", gold, "synth", "train")
    rows = attachment_rows(nlp, nlp(text), article)
    attached = [words for words, cats in rows if cats["ATTACH"] == 1.0]
    assert len(rows) == 3 and len(attached) == 1 and "lead=from" in attached[0]


def test_rule_finder_has_no_attachment_by_default(nlp) -> None:
    assert EventFinder(Pipes.of(nlp)).attachment is None
