"""Which date an action takes when its sentence or its neighbours hold several: the effective
date over the day it was reported, a relative clause's date stays with that clause, an action
that continues an announcement takes the day it was announced, a named measure's start dates
only that measure (sentences written here)."""

from __future__ import annotations

import pytest

from tradeline.extractors.document import extract_doc
from tradeline.records import EventFact

pytestmark = pytest.mark.slow


def events(nlp, text: str, published: str) -> list[EventFact]:
    return extract_doc(nlp(text), published, nlp).events


def dates_of(nlp, text: str, published: str, etype: str) -> list[str | None]:
    return [e.event_date for e in events(nlp, text, published) if e.type == etype]


# ---------------------------------------------------------------- one sentence
def test_start_date_beats_the_day_it_was_said(nlp) -> None:
    text = (
        "The trade ministry said on Friday it will widen its export controls on machine tools, "
        "adding 12 types of lathes to the list of items requiring a licence from Oct. 5."
    )
    assert "2026-10-05" in dates_of(nlp, text, "2026-08-15", "control_tightened")


def test_takes_effect_in_a_relative_clause_dates_the_action(nlp) -> None:
    text = (
        "The industry ministry on Monday scrapped the prior-licence requirement for exports of "
        "aluminium scrap, in a resolution that takes effect on March 3."
    )
    assert dates_of(nlp, text, "2026-02-18", "control_lifted") == ["2026-03-03"]


def test_date_of_a_relative_clause_is_not_the_main_action_s(nlp) -> None:
    text = (
        "Ghana on Tuesday extended its ban on exports of raw cashew nuts by six months, the "
        "trade ministry said.\n\nThe ministry also lifted the ban on exports of shea butter "
        "that it imposed in 2021."
    )
    got = dates_of(nlp, text, "2026-05-14", "ban_lifted")
    assert got and "2021" not in got


def test_hedged_end_date_does_not_date_the_action(nlp) -> None:
    text = (
        "Customs authorities have stopped issuing the certificates needed to export fertiliser, "
        "halting new shipments until at least the end of the year, traders said on Wednesday."
    )
    got = [e.event_date for e in events(nlp, text, "2026-09-17")]
    assert got and "2026" not in got


def test_date_before_an_after_clause_dates_the_main_action(nlp) -> None:
    text = (
        "The ministry revoked the export licence of Delta Grain Traders last month after "
        "inspectors found that it had shipped maize to a banned buyer."
    )
    assert dates_of(nlp, text, "2026-06-10", "permit_denied") == ["2026-05"]


# ---------------------------------------------------------------- from the context
def test_continuing_action_takes_the_announcement_day(nlp) -> None:
    text = (
        "Kenya will require exporters of maize to obtain a licence from July 1, the agriculture "
        "ministry said on Wednesday.\n\nThe ministry also revoked the export licence of Rift "
        "Valley Grain Ltd, which it said had ignored quality rules."
    )
    assert dates_of(nlp, text, "2026-06-11", "permit_denied") == ["2026-06-10"]


def test_the_measure_itself_acting_keeps_its_start(nlp) -> None:
    text = (
        "The Commerce Department will remove licence requirements for exports of thermal "
        "cameras to Canada from Jan. 15, it said on Monday.\n\nThe rule also tightens controls "
        "on the same cameras for Belarus, replacing case-by-case review with a ban."
    )
    assert "2027-01-15" in dates_of(nlp, text, "2026-12-08", "control_tightened")


def test_named_measure_start_dates_only_that_measure(nlp) -> None:
    text = (
        "Russia will extend a ban on gasoline exports for three more months and bar resellers "
        "from exporting diesel, the government said on Thursday.\n\nThe diesel restriction will "
        "take effect from Oct. 1, the government said in a statement."
    )
    assert dates_of(nlp, text, "2026-09-25", "control_extended") == ["2026-09-24"]


# ---------------------------------------------------------------- policy dates (GUIDELINES §5)
def policy_texts(nlp, text: str, published: str) -> list[str]:
    return [d.text for d in extract_doc(nlp(text), published, nlp).policy_dates]


def test_speculation_date_is_no_policy_date(nlp) -> None:
    text = (
        "The ministry banned exports of raw cashew nuts on Monday. Analysts said the "
        "government could move to a full export ban next year."
    )
    got = policy_texts(nlp, text, "2026-03-04")
    assert "on Monday" in got and "next year" not in got


def test_steady_market_date_is_no_policy_date(nlp) -> None:
    text = (
        "The ministry banned exports of raw cashew nuts on Monday. Cashew prices in Accra "
        "were unchanged on Tuesday."
    )
    got = policy_texts(nlp, text, "2026-03-04")
    assert "on Monday" in got and "on Tuesday" not in got


def test_a_period_that_runs_from_a_date_starts_the_suspension(nlp) -> None:
    (event,) = [
        e
        for e in extract_doc(
            nlp(
                "Ghana has suspended for 60 days its ban on exporting shea nuts by road, the "
                "trade ministry said on Friday. The suspension runs from March 15 until May 13, "
                "the ministry said."
            ),
            "2025-03-11",
            nlp,
        ).events
        if e.type == "control_suspended"
    ]
    assert event.event_date == "2025-03-15"


def test_a_suspension_taking_effect_dates_the_licence_suspension(nlp) -> None:
    (event,) = [
        e
        for e in extract_doc(
            nlp(
                "Peru's plant health agency has suspended the export licences of two avocado "
                "packers for 90 days, the agency said in a statement. The suspension took "
                "effect on Thursday."
            ),
            "2026-01-23",
            nlp,
        ).events
        if e.type == "permit_denied"
    ]
    assert event.event_date == "2026-01-22"


def test_same_time_action_takes_the_day_the_package_was_adopted(nlp) -> None:
    got = dates_of(
        nlp,
        "The European Union on Wednesday adopted a new sanctions package, adding 12 companies "
        "to its export control list. The package also bans exports of machine tools to Belarus "
        "from Aug. 1. At the same time, the EU removed two Serbian companies from the list.",
        "2026-07-23",
        "control_lifted",
    )
    assert got == ["2026-07-22"]


def test_the_rules_also_ban_takes_the_rules_start(nlp) -> None:
    got = events(
        nlp,
        "India has imposed restrictions on exports of basmati rice, the government said in a "
        "notification on Monday. The new rules will be effective from September 15. The rules "
        "also ban exports of broken rice to all destinations except Nepal.",
        "2025-09-08",
    )
    assert {e.type: e.event_date for e in got} == {
        "control_introduced": "2025-09-15",
        "ban_introduced": "2025-09-15",
    }


def test_a_restated_suspension_with_its_start_is_one_action(nlp) -> None:
    got = events(
        nlp,
        "Chile's government on Tuesday suspended lithium export permits for two companies for "
        "30 days. The mining ministry said the suspension of permits held by Andes Lithium SpA "
        "and Salar Minerals SA would start on Feb. 10. The ministry also approved an export "
        "licence for SQM to ship lithium carbonate to South Korea.",
        "2026-02-04",
    )
    assert [(e.type, e.event_date) for e in got] == [
        ("permit_denied", "2026-02-10"),
        ("permit_issued", "2026-02-03"),
    ]
