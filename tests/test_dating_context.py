"""Dates an action takes from its context: actions of one clause chain share the sentence's
date, an undated action takes the announcement told before it or its report date, and a
season with its year resolves to the year (sentences written here)."""

from __future__ import annotations

import pytest

from tradeline.extractors.dates.facts import find_policy_dates
from tradeline.extractors.document import extract_doc
from tradeline.extractors.pipes import Pipes
from tradeline.records import EventFact

pytestmark = pytest.mark.slow


def events(nlp, text: str, published: str) -> list[EventFact]:
    return extract_doc(nlp(text), published, nlp).events


def dated(nlp, text: str, published: str) -> dict[str, str | None]:
    return {e.type: e.event_date for e in events(nlp, text, published)}


# ---------------------------------------------------------------- one clause chain
def test_coordinated_actions_share_a_fronted_date(nlp) -> None:
    got = dated(
        nlp,
        "On November 3, Zambia is to lift its ban on copper exports and bring in strict "
        "export quotas.",
        "2025-10-20",
    )
    assert got.get("ban_lifted") == "2025-11-03"
    assert got.get("control_introduced") == "2025-11-03"


def test_participle_shares_the_main_action_date(nlp) -> None:
    got = dated(
        nlp,
        "On Tuesday, March 4, the government scrapped its ban on overseas sales of onions, "
        "setting instead a minimum export price of $550 a tonne.",
        "2025-03-06",
    )
    assert got.get("ban_lifted") == "2025-03-04"
    assert got.get("control_introduced") == "2025-03-04"


def test_date_after_the_first_verb_is_not_shared_by_a_second(nlp) -> None:
    text = "Vietnam to ban zircon exports from December, revokes miner's permit\n\nHANOI - ..."
    got = [e for e in events(nlp, text, "2026-11-25") if e.type == "permit_denied"]
    assert all(e.event_date != "2026-12" for e in got)


# ---------------------------------------------------------------- from the context
def test_undated_action_takes_the_report_date_that_follows(nlp) -> None:
    text = (
        "Gabon has extended its temporary manganese export suspension by another two months. "
        "In a statement released on Saturday, the mining ministry said the extension was "
        "needed because stocks remain high."
    )
    got = [e for e in events(nlp, text, "2025-06-22") if e.type == "control_extended"]
    assert got and got[0].event_date == "2025-06-21"


def test_undated_action_takes_the_date_of_the_sentence_before(nlp) -> None:
    text = (
        "The United States moved on March 12, 2024 to reimpose sanctions on Ruritania. "
        "Among the measures is the revocation of general licenses for mining firms."
    )
    got = [e for e in events(nlp, text, "2024-03-20") if e.type == "permit_denied"]
    assert got and got[0].event_date == "2024-03-12"


def test_an_end_date_is_never_taken_from_the_context(nlp) -> None:
    text = (
        "The licences run until June 30, 2025. "
        "The ministry revoked the export licences of two traders."
    )
    got = [e for e in events(nlp, text, "2025-03-10") if e.type == "permit_denied"]
    assert got and got[0].event_date != "2025-06-30"


# ---------------------------------------------------------------- seasons
def test_season_with_its_year_is_the_year(nlp) -> None:
    doc = nlp(
        "The chip controls were first introduced in Fall 2022 and tightened in the spring "
        "of 2023, and again this summer."
    )
    got = {
        f.text: (f.resolved, f.granularity)
        for f in find_policy_dates(doc, "2024-12-05", Pipes.of(nlp).dates)
    }
    assert got.get("in Fall 2022") == ("2022", "year")
    assert got.get("in the spring of 2023") == ("2023", "year")
    assert not any("summer" in t for t in got)


def test_split_fiscal_or_crop_year_is_a_period(nlp) -> None:
    doc = nlp("In 2023-24, Ruritania's barley exports came to 3 million tonnes.")
    got = find_policy_dates(doc, "2024-08-01", Pipes.of(nlp).dates)
    assert not got


# ---------------------------------------------------------------- one report, several actions
def test_actions_told_by_one_report_share_its_date(nlp) -> None:
    got = dated(
        nlp,
        "The mines ministry has renewed the tin export licence of Timah Resources for another "
        "year, while suspending the export permits of two smelters, officials said on Monday.",
        "2025-06-12",
    )
    assert got.get("permit_issued") == "2025-06-09"
    assert got.get("permit_denied") == "2025-06-09"


def test_refusal_coordinated_with_the_report_takes_its_date(nlp) -> None:
    got = dated(
        nlp,
        "The economy ministry said on Thursday it had granted Nordchip licences to keep "
        "servicing etching tools at two plants, but refused licences for spare parts.",
        "2025-06-14",
    )
    assert got.get("permit_issued") == "2025-06-12"
    assert got.get("permit_denied") == "2025-06-12"


# ---------------------------------------------------------------- replacements and end dates
def test_replacing_action_starts_when_the_replaced_one_ends(nlp) -> None:
    got = dated(
        nlp,
        "Vietnam will lift its ban on exports of raw cashew kernels from March 1, the trade "
        "ministry said on Friday. Exporters will instead need to obtain an export licence for "
        "each shipment.",
        "2025-02-15",
    )
    assert got.get("ban_lifted") == "2025-03-01"
    assert got.get("control_introduced") == "2025-03-01"


def test_end_date_after_a_time_of_day_never_dates_the_grant(nlp) -> None:
    got = dated(
        nlp,
        "The Treasury on Tuesday issued a general licence to Norvan Metals, which allows until "
        "12:01 a.m. EST, March 20, 2025, for U.S. firms to wind down their dealings.",
        "2025-02-27",
    )
    assert got.get("permit_issued") == "2025-02-25"


# ---------------------------------------------------------------- history and afterwards
def test_undated_action_takes_the_announcement_not_the_history_beside_it(nlp) -> None:
    got = dated(
        nlp,
        "Zambia has extended its suspension of manganese exports by three months, the mines "
        "ministry said in a statement dated Saturday. The original suspension, which took "
        "effect on Feb. 22, had been due to expire on Sunday. The ministry said it had "
        "rejected requests from several traders for exemptions.",
        "2025-06-24",
    )
    assert got.get("permit_denied") == "2025-06-21"


def test_an_action_told_as_happening_since_takes_no_neighbour_date(nlp) -> None:
    got = dated(
        nlp,
        "Canada followed on Oct. 22 with its own designations, and the finance ministry has "
        "since issued licences letting Arctic Nickel keep operating.",
        "2025-11-20",
    )
    assert "permit_issued" in got and got["permit_issued"] is None


def test_since_phrase_hung_on_the_object_starts_the_state(nlp) -> None:
    got = dated(
        nlp,
        "The customs agency revoked the export licence of Andean Minerals on Aug. 28. The "
        "agency has required prior authorisation for all exports of industrial explosives "
        "since January, following a string of thefts.",
        "2025-09-10",
    )
    assert got.get("control_introduced") == "2025-01"


def test_an_action_counted_since_another_takes_no_neighbour_date(nlp) -> None:
    got = dated(
        nlp,
        "Separately, the UK revoked two export licences held by Lukoil traders on Friday. The "
        "Export Control Joint Unit said it had received 40 applications for licences to "
        "export refinery parts since the sanctions took effect.",
        "2025-11-26",
    )
    assert got.get("permit_denied") == "2025-11-21"
    assert "permit_applied" in got and got["permit_applied"] is None


def test_a_start_month_in_a_future_clause_lies_ahead(nlp) -> None:
    got = dated(
        nlp,
        "Indonesia will require exporters of nickel pig iron to obtain a permit from the trade "
        "ministry starting in January, a senior official said on Wednesday.",
        "2025-10-09",
    )
    assert got.get("control_introduced") == "2026-01"
