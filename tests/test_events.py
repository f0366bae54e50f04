"""Event triggers, filters, dates, arguments and merging (sentences written here)."""

from __future__ import annotations

import pytest

from tradeline.extractors.document import extract_doc
from tradeline.records import EventFact

pytestmark = pytest.mark.slow

PUBLISHED = "2024-06-14"  # a Friday


def events(nlp, text: str, published: str | None = PUBLISHED) -> list[EventFact]:
    return extract_doc(nlp(text), published, nlp).events


def one(nlp, text: str, published: str | None = PUBLISHED) -> EventFact:
    found = events(nlp, text, published)
    assert len(found) == 1, [(e.type, e.event_date) for e in found]
    return found[0]


# ---------------------------------------------------------------- every trigger family
@pytest.mark.parametrize(
    ("text", "etype", "date"),
    [
        (
            "The commerce ministry said on Tuesday it had granted export licences to Baohua Xinke "
            "for gallium shipments.",
            "permit_issued",
            "2024-06-11",
        ),
        (
            "Orvanta said on Wednesday it had applied for a licence to ship tungsten to Germany.",
            "permit_applied",
            "2024-06-12",
        ),
        (
            "The ministry rejected applications from two graphite exporters on Monday.",
            "permit_denied",
            "2024-06-10",
        ),
        (
            "Beijing will impose export controls on antimony from Sept. 15, the commerce ministry "
            "said on Thursday.",
            "control_introduced",
            "2024-09-15",
        ),
        (
            "The Commerce Department on Monday tightened restrictions on shipments of AI chips to "
            "the Middle East.",
            "control_tightened",
            "2024-06-10",
        ),
        (
            "Jakarta suspended its ban on bauxite exports for six months on Wednesday.",
            "control_suspended",
            "2024-06-12",
        ),
        (
            "The European Union lifted curbs on vaccine exports on June 1.",
            "control_lifted",
            "2024-06-01",
        ),
        (
            "The government extended its rice export restrictions, officials said on Friday.",
            "control_extended",
            "2024-06-14",
        ),
        ("Malaysia banned exports of live chickens from June 1.", "ban_introduced", "2024-06-01"),
        ("India lifted its ban on onion exports on Monday.", "ban_lifted", "2024-06-10"),
        (
            "Tokyo added 23 items of chipmaking equipment to its export control list on May 23.",
            "control_introduced",
            "2024-05-23",
        ),
    ],
)
def test_trigger_families(nlp, text, etype, date):
    event = one(nlp, text)
    assert event.type == etype
    assert event.event_date == date
    assert event.evidence == text


def test_revoked_licence_is_a_denial_with_subtype(nlp):
    event = one(nlp, "Washington revoked licences that allowed Orvanta to buy US chips on Monday.")
    assert (event.type, event.subtype) == ("permit_denied", "revoked")


def test_not_permitted_is_a_ban(nlp):
    text = (
        "The ministry said on Tuesday that exports of tungsten to the country "
        "shall not be permitted."
    )
    assert one(nlp, text).type == "ban_introduced"


# ---------------------------------------------------------------- not actions
@pytest.mark.parametrize(
    "text",
    [
        "China could suspend its controls on graphite, analysts said.",
        "The ministry has not issued any licences for germanium since the rules took effect.",
        "Officials are considering new restrictions on lithium exports.",
        "Exports of advanced lithography machines remain restricted.",
        "For years, Washington has limited sales of advanced chips to Beijing.",
        "The United States raised tariffs on Chinese steel to 25% on Tuesday.",
        "Only large producers can apply for the new permits.",
        "Under the rules, exporters must obtain licences from the ministry.",
    ],
)
def test_hedged_negated_generic_and_tariffs_are_not_events(nlp, text):
    assert events(nlp, text) == []


# ---------------------------------------------------------------- dates
def test_effective_date_wins_over_announcement(nlp):
    event = one(nlp, "Malaysia said on Monday it will stop palm oil exports from July 1.")
    assert (event.type, event.event_date, event.date_text) == (
        "ban_introduced",
        "2024-07-01",
        "from July 1",
    )
    assert event.modality == "planned"


def test_immediate_effect_is_not_a_date(nlp):
    event = one(nlp, "Vietnam will ban rice exports with immediate effect, the ministry said.")
    assert event.event_date is None
    assert event.modality == "actual"


def test_date_anchored_to_another_event_is_not_used(nlp):
    text = "Beijing has granted the first licences since the summit in Geneva at the end of March."
    event = one(nlp, text)
    assert event.type == "permit_issued"
    assert event.event_date is None


def test_also_inherits_the_announcement_date(nlp):
    text = (
        "Beijing will ban exports of antimony to the country, "
        "the commerce ministry said on Tuesday. "
        "The ministry also requires stricter end-use checks for graphite shipments."
    )
    found = events(nlp, text)
    assert [(e.type, e.event_date) for e in found] == [
        ("ban_introduced", "2024-06-11"),
        ("control_tightened", "2024-06-11"),
    ]


def test_dated_background_state_is_a_second_event(nlp):
    text = "The decision follows Seoul's reversal last month of a March ban on selling the drones."
    found = {(e.type, e.event_date) for e in events(nlp, text)}
    assert found == {("ban_lifted", "2024-05"), ("ban_introduced", "2024-03")}


# ---------------------------------------------------------------- arguments
def test_authority_is_normalised(nlp):
    event = one(
        nlp, "The Bureau of Industry and Security on Monday imposed new curbs on chip exports."
    )
    assert event.authority_country == "United States"


def test_authority_inferred_from_article(nlp):
    text = (
        "Jakarta banned nickel ore exports from January. "
        "Miners said on Monday they had received export permits for stockpiled ore."
    )
    permit = next(e for e in events(nlp, text) if e.type == "permit_issued")
    assert permit.authority_country == "Indonesia"


def test_commodities_are_labelled(nlp):
    event = one(nlp, "China announced on Monday export controls on gallium and germanium products.")
    assert event.commodity == "gallium; germanium"


def test_event_companies_are_canonical(nlp):
    event = one(
        nlp, "Samsung Electronics Co said on Friday it had obtained a licence from the ministry."
    )
    assert event.companies == ["Samsung Electronics"]


# ---------------------------------------------------------------- one event per action
def test_repeated_mentions_merge(nlp):
    text = (
        "China has issued export permits to Baohua Xinke. "
        "Baohua Xinke received the permits on Tuesday, a person familiar with the matter said. "
        "The permits were issued after months of delays."
    )
    found = events(nlp, text)
    assert [(e.type, e.event_date, e.companies) for e in found] == [
        ("permit_issued", "2024-06-11", ["Baohua Xinke"])
    ]


def test_separately_dated_actions_stay_apart(nlp):
    text = (
        "India banned wheat exports on May 14. "
        "The government lifted the ban on wheat exports on Monday."
    )
    assert [(e.type, e.event_date) for e in events(nlp, text)] == [
        ("ban_introduced", "2024-05-14"),
        ("ban_lifted", "2024-06-10"),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "The company has been on a US trade restrictions list since 2019.",
            [("control_introduced", "2019")],
        ),
        (
            "The Commerce Department removed two Chinese firms from the Entity List on Tuesday.",
            [("control_lifted", "2024-06-11")],
        ),
        (
            "The government extended the suspension of its export ban on onions until March, "
            "officials said on Monday.",
            [("control_extended", "2024-06-10")],
        ),
        ("The ban on sugar exports expired on May 31.", [("ban_lifted", "2024-05-31")]),
        (
            "The ministry refused to grant licences to three tungsten exporters on Monday.",
            [("permit_denied", "2024-06-10")],
        ),
    ],
)
def test_states_lists_lapses_and_refusals(nlp, text, expected):
    assert [(e.type, e.event_date) for e in events(nlp, text)] == expected


def test_take_effect_gives_the_effective_date(nlp):
    text = (
        "The Netherlands on Friday expanded export restrictions on lithography tools. "
        "The new rules take effect on June 20, the trade ministry said."
    )
    assert [(e.type, e.event_date) for e in events(nlp, text)] == [
        ("control_tightened", "2024-06-20")
    ]


def test_main_clause_date_does_not_date_an_after_clause(nlp):
    text = "Carmakers warned on Wednesday of shutdowns after Beijing stopped exports of chips."
    event = one(nlp, text)
    assert (event.type, event.event_date) == ("ban_introduced", None)


def test_the_new_end_of_an_extension_is_not_its_date(nlp):
    """'extended ... to the end of January 2027' names the new end; the action is dated by its
    own day, or not at all."""
    text = (
        "In a notice on Thursday, the ministry extended restrictions on exports of onions by "
        "another year, to the end of January 2027."
    )
    event = one(nlp, text)
    assert (event.type, event.event_date) == ("control_extended", "2024-06-13")
    event = one(nlp, "The ministry extended the rice export ban to March 31.")
    assert (event.type, event.event_date) == ("control_extended", None)
