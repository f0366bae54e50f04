"""Events on unseen styles: headlines, effective dates in the next sentence, single
consignments, obligations, descriptions, separate 'also' actions (sentences written here)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tradeline.extractors.document import extract_doc
from tradeline.records import EventFact

pytestmark = pytest.mark.slow

FRIDAY = "2024-03-15"


def events(nlp, text: str, published: str | None = FRIDAY) -> list[EventFact]:
    return extract_doc(nlp(text), published, nlp).events


def summary(found: list[EventFact]) -> list[tuple[str, str | None]]:
    return [(e.type, e.event_date) for e in found]


def test_headline_line_is_its_own_sentence(nlp):
    text = (
        "Ruritania halts tin ore shipments to protect smelters\n"
        "Ruritania's mines ministry said on Thursday it had banned exports of tin ore."
    )
    found = events(nlp, text)
    assert summary(found) == [("ban_introduced", "2024-03-14")]
    assert found[0].evidence.startswith("Ruritania's mines ministry")
    assert "\n" not in found[0].evidence


def test_headline_alone_still_counts(nlp):
    found = events(nlp, "Ruritania bans tin ore exports\nPrices rose 4% in London.")
    assert [e.type for e in found] == ["ban_introduced"]


def test_a_weekday_looks_back_even_under_a_future_verb(nlp):
    """GUIDELINES §5: the most recent such day on or before publication unless "next"."""
    found = events(nlp, "The ministry will lift the ban on tin ore exports from Monday.")
    assert summary(found) == [("ban_lifted", "2024-03-11")]
    found = events(nlp, "The ministry will lift the ban on tin ore exports from next Monday.")
    assert summary(found) == [("ban_lifted", "2024-03-18")]


def test_reported_weekday_with_future_clause_looks_back(nlp):
    found = events(
        nlp, "The government said on Wednesday it would widen export controls on drones."
    )
    assert summary(found) == [("control_tightened", "2024-03-13")]


def test_requirement_sentence_gives_the_effective_date(nlp):
    text = (
        "Borduria's trade ministry on Friday widened export controls on chipmaking equipment. "
        "From July 4, suppliers will need a licence to ship the tools abroad."
    )
    found = events(nlp, text)
    assert summary(found) == [("control_tightened", "2024-07-04")]
    assert found[0].date_text == "From July 4"


def test_take_effect_relative_clause_donates_too(nlp):
    text = (
        "The bureau on Monday added 12 firms to its Entity List. "
        "Companies on the list need a licence for any shipment, according to the rule, "
        "which takes effect on March 29."
    )
    # Firms added to a control list: an introduction (a tightening only when framed as one).
    assert summary(events(nlp, text)) == [("control_introduced", "2024-03-29")]


def test_blocked_shipment_is_a_refused_export(nlp):
    found = events(nlp, "Ruritania has blocked a shipment of 40,000 vaccine doses bound for Japan.")
    assert [e.type for e in found] == ["permit_denied"]


def test_blocked_exports_stay_a_ban(nlp):
    found = events(nlp, "Ruritania blocked exports of vaccine doses on Tuesday.")
    assert summary(found) == [("ban_introduced", "2024-03-12")]


def test_obligation_to_obtain_is_a_requirement(nlp):
    found = events(nlp, "Starting April 1, exporters must obtain a permit for graphite shipments.")
    assert summary(found) == [("control_introduced", "2024-04-01")]


@pytest.mark.parametrize(
    "text",
    [
        "The list covers items that require a licence before they can be shipped.",
        "Each shipment needs a certificate issued by the ministry.",
        "Velmora Exports said on Thursday it had resumed shipments to West Africa.",
        "Syldavia has no plans to restrict copper exports, its minister said.",
    ],
)
def test_descriptions_are_not_actions(nlp, text):
    assert events(nlp, text) == []


def test_without_explanation_is_not_a_negation(nlp):
    text = (
        "Tallis Metals said its application to export antimony had been rejected on the 11th, "
        "without explanation."
    )
    assert summary(events(nlp, text)) == [("permit_denied", "2024-03-11")]


def test_also_actions_are_not_merged(nlp):
    text = (
        "The directorate on Tuesday extended the ban on onion exports until March next year. "
        "The notification also extended the licensing requirement for garlic exports."
    )
    assert summary(events(nlp, text)) == [
        ("control_extended", "2024-03-12"),
        ("control_extended", "2024-03-12"),
    ]


def test_dated_participle_dates_the_main_action(nlp):
    text = (
        "Borduria tightened export procedures for three chemicals in July 2019, "
        "requiring case-by-case licences for each shipment."
    )
    assert summary(events(nlp, text)) == [("control_tightened", "2019-07")]


def test_when_clause_is_the_same_action(nlp):
    text = (
        "Borduria tightened its rules in July 2023, when the trade ministry added 20 types "
        "of equipment to its export control list."
    )
    assert summary(events(nlp, text)) == [("control_tightened", "2023-07")]


def test_since_clause_date_is_its_own(nlp):
    text = (
        "The ministry has approved the first antimony export licences since it placed the "
        "metal under export controls last September."
    )
    got = summary(events(nlp, text))
    assert ("control_introduced", "2023-09") in got
    assert ("permit_issued", "2023-09") not in got


@pytest.mark.parametrize(
    ("text", "etype"),
    [
        (
            "Applications from exporters including Velmora Ltd are under examination.",
            "permit_applied",
        ),
        (
            "The government granted Tallis Mining, a unit of Orvex, a permit last year.",
            "permit_issued",
        ),
        (
            "Tokyo on Friday reinstated Borduria on its white list of trusted partners.",
            "control_lifted",
        ),
        (
            "The decision follows the revocation of similar waivers for Velmora Ltd.",
            "permit_denied",
        ),
        (
            "The export quota scheme was reintroduced in early 2022.",
            "control_introduced",
        ),
    ],
)
def test_more_wordings(nlp, text, etype):
    assert etype in [e.type for e in events(nlp, text)]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    words=st.lists(
        st.sampled_from(
            [
                "\n",
                "By",
                "Reporting",
                "by",
                "(",
                ")",
                "ORVM.SI",
                "that",
                "year",
                "No.",
                "72",
                "of",
                "2025",
                "Tbk",
                "and",
                "analysts",
                "at",
                "From",
                "July",
                "4",
                ",",
                "suppliers",
                "will",
                "need",
                "a",
                "licence",
                "blocked",
                "shipment",
                "must",
                "obtain",
                "permit",
                "also",
                "extended",
                "ban",
                "since",
                "when",
                "added",
                "list",
                "white",
                "reinstated",
                "revocation",
                "waivers",
                "Monday",
                "lift",
                ".",
                "“",
                "”",
                "\u00e9",
                "\u4e2d\u56fd",
                "\u200b",
                "PT",
                "Ltd",
                "Rare-Earth",
                "Earths",
            ]
        ),
        max_size=60,
    ),
    published=st.sampled_from(["2024-03-15", "2024-03", None, "bogus"]),
)
def test_new_paths_never_raise(nlp, words, published):
    result = extract_doc(nlp(" ".join(words)), published, nlp)
    assert isinstance(result.events, list)


def test_generic_authority_acts_for_the_last_named_one(nlp):
    text = (
        "Brazil's commerce ministry banned tin exports on Monday, and Brazil said more "
        "curbs would follow. Brazil also warned Japan. Japan's trade ministry said on "
        "Tuesday it had tightened controls on chip tools. The ministry also banned exports of "
        "graphite on Wednesday."
    )
    found = events(nlp, text)
    assert [(e.type, e.authority_country) for e in found][-1] == ("ban_introduced", "Japan")


def test_separate_announcements_stay_apart(nlp):
    text = (
        "The government will issue export permits for 20,000 tonnes of rice to Nepal. "
        "In a separate notification, the directorate permitted exports of 5,000 tonnes of rice "
        "to Bhutan."
    )
    assert [e.type for e in events(nlp, text)] == ["permit_issued", "permit_issued"]


def test_revoked_trusted_status_is_a_revocation(nlp):
    text = (
        "The department will revoke Velmora Semiconductor's validated end-user (VEU) status "
        "for its plant, effective Dec. 31, the company said on Tuesday."
    )
    found = events(nlp, text)
    assert summary(found) == [("permit_denied", "2024-12-31")]
    assert found[0].subtype == "revoked"


def test_requirement_coming_into_force_is_an_introduction(nlp):
    text = (
        "Battery makers are scrambling for supplies after Borduria's new export licensing "
        "requirement for the material came into force on March 1."
    )
    assert summary(events(nlp, text)) == [("control_introduced", "2024-03-01")]


def test_customers_and_plant_sites_are_not_parties(nlp):
    text = (
        "The bureau on Tuesday revoked export licences held by Velmora Tools and Orvex Systems "
        "to supply Tallis Semiconductor."
    )
    found = events(nlp, text)
    assert [e.type for e in found] == ["permit_denied"]
    assert "Tallis Semiconductor" not in found[0].companies
    assert {"Velmora Tools", "Orvex Systems"} <= set(found[0].companies)


def test_the_companies_refers_to_the_firms_just_named(nlp):
    text = (
        "The bureau on Friday revoked waivers held by Velmora Tools and Orvex Systems. "
        "An official said the department will grant the companies annual licences."
    )
    found = events(nlp, text)
    assert [e.type for e in found] == ["permit_denied", "permit_issued"]
    assert set(found[1].companies) == {"Velmora Tools", "Orvex Systems"}


def test_without_adjunct_does_not_negate(nlp):
    text = (
        "The ministry said on Tuesday it had approved a batch of export licences for gallium, "
        "without naming the companies."
    )
    assert summary(events(nlp, text)) == [("permit_issued", "2024-03-12")]


def test_action_inside_without_clause_is_not_stated(nlp):
    text = "The ministry extended the review without issuing any licences."
    assert "permit_issued" not in [e.type for e in events(nlp, text)]
