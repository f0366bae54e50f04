"""Control and ban wordings (GUIDELINES §3): pronoun objects, moves onto and off control
lists, lifted halts and reopenings, continued controls, requirements lifted, states in place
since a date. Types of every event found (held-back ones too: the confidence model is
retrained apart). Sentences written here."""

from __future__ import annotations

import pytest

from tradeline.extractors.document import extract_doc

pytestmark = pytest.mark.slow

PUBLISHED = "2024-06-14"


def types(nlp, text: str) -> list[str]:
    return [e.type for e in extract_doc(nlp(text), PUBLISHED, nlp).events]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a pronoun object takes its antecedent's kind
        (
            "Ruritania banned nickel ore exports in March 2022 and lifted it in April 2023.",
            "ban_lifted",
        ),
        (
            "Borduria introduced controls on gallium in 2021 and expanded them in October 2023.",
            "control_tightened",
        ),
        # moves onto and off control lists
        (
            "The ministry placed two trading firms, Zenda Components Ltd and Strelsau Optics "
            "Ltd, on the list on Monday.",
            "control_introduced",
        ),
        (
            "The ministry removed three trading firms from its export control list on Tuesday.",
            "control_lifted",
        ),
        (
            "Borduria will add about 40 items, including flight controllers, machine tool "
            "parts and some sensors, to its list of dual-use goods that need an export "
            "licence from Aug. 1.",
            "control_introduced",
        ),
        # the move told by its noun
        (
            "The ministry announced on Thursday the inclusion of two trading firms on its "
            "unreliable entity list.",
            "control_introduced",
        ),
        (
            "Officials confirmed the removal of Zenda Components Ltd from the export control "
            "list on Friday.",
            "control_lifted",
        ),
        # a control named in what a step "includes", a list of restricted goods updated
        (
            "Borduria launched a series of countermeasures on Friday, including export controls "
            "on seven rare earth elements.",
            "control_introduced",
        ),
        (
            "On Friday the ministry updated the list of technology exports that are banned or "
            "restricted.",
            "control_introduced",
        ),
        # halts lifted, registries reopened
        ("Borduria lifted the halt on fertiliser exports on Friday.", "ban_lifted"),
        (
            "The agriculture ministry reopened the export registry for maize on Wednesday.",
            "ban_lifted",
        ),
        # requirements lifted, kept, suspended, imposed
        (
            "Ruritania will stop requiring export licences for drones from July 1.",
            "control_lifted",
        ),
        (
            "The trade ministry will keep requiring export permits for scrap metal until the "
            "end of 2027.",
            "control_extended",
        ),
        (
            "The government put the ban on hold in May to let contracted cargoes sail.",
            "control_suspended",
        ),
        (
            "Borduria will require exporters of tin ore and tin concentrate to hold a permit "
            "from the trade board from August 1.",
            "control_introduced",
        ),
        (
            "The Directorate General of Foreign Trade amended the export policy for onions "
            "from 'prohibited' to 'free' on Monday.",
            "ban_lifted",
        ),
        # licensing halted and resumed
        (
            "Borduria stopped issuing the inspection certificates needed to ship fertiliser "
            "on Friday.",
            "ban_introduced",
        ),
        (
            "The government immediately suspended all new export licences to Ruritania.",
            "ban_introduced",
        ),
        (
            "The ministry resumed issuing export certificates for pork on Monday, ending a "
            "three-week suspension.",
            "ban_lifted",
        ),
        # the antecedent in the sentence before
        (
            "Ruritania introduced export quotas on fertiliser in 2019. In 2022 the government "
            "extended them until 2028.",
            "control_extended",
        ),
    ],
)
def test_control_wordings(nlp, text: str, expected: str) -> None:
    assert expected in types(nlp, text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "The ministry lifted a ban on cobalt exports that had been in place since 2019.",
            {"ban_lifted", "ban_introduced"},
        ),
        (
            "The ministry lifted the ban on exports of cashew nuts that it imposed in 2022.",
            {"ban_lifted", "ban_introduced"},
        ),
    ],
)
def test_lift_and_its_introduction(nlp, text: str, expected: set[str]) -> None:
    """A lifting that names when the measure began tells both actions."""
    assert expected <= set(types(nlp, text))


@pytest.mark.parametrize(
    "text",
    [
        "A business magazine added the founder to its list of the richest people.",
        "The city council placed the old library on its list of heritage buildings.",
        "The magazine announced the inclusion of the founder on its list of the richest people.",
        "The court blocked the inclusion of Zenda Components on the entity list on Monday.",
        "The ministry continued to restrict exports of rice last year.",
    ],
)
def test_not_control_actions(nlp, text: str) -> None:
    """Lists that are no control lists, and a control carried on with no new end."""
    assert not {"control_introduced", "control_lifted", "control_extended"} & set(
        types(nlp, text)
    )


def test_fronted_participle_dates_its_own_action(nlp) -> None:
    """"Imposed in December 2023, the ban will be suspended": December dates the imposition,
    not the suspension."""
    text = (
        "Imposed in December 2023, the ban on gallium exports will now be suspended until "
        "Nov. 27, 2025, the ministry said."
    )
    events = extract_doc(nlp(text), PUBLISHED, nlp).events
    suspended = [e for e in events if e.type == "control_suspended"]
    assert len(suspended) == 1
    assert suspended[0].event_date != "2023-12"


@pytest.mark.parametrize(
    "text",
    [
        "Natural flake graphite will also be banned from export unless there is permission.",
        "Firms are barred from selling the parts without a licence from the ministry.",
    ],
)
def test_a_ban_with_a_licence_exception_is_a_control(nlp, text: str) -> None:
    """A ban that a licence lifts makes trade need a licence (control_introduced)."""
    found = types(nlp, text)
    assert "control_introduced" in found and "ban_introduced" not in found


@pytest.mark.parametrize(
    "text",
    [
        "Nigeria revoked 924 mineral licences over unpaid fees on Monday.",
        "The government announced the revocation of mining business permits for four firms.",
        "The Centre has lifted the ban on mining lithium and five other minerals.",
        "The city council suspended the liquor licence of a nightclub on Friday.",
    ],
)
def test_measures_outside_trade_are_no_events(nlp, text: str) -> None:
    """GUIDELINES §3: mining, liquor and other domestic licences and bans are not trade."""
    assert types(nlp, text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The ministry suspended the mining export permits of two firms.", "permit_denied"),
        ("The Centre has lifted the ban on lithium exports.", "ban_lifted"),
        ("The EU introduced a licence requirement for medical masks.", "control_introduced"),
        ("India imposed a ban on drug ingredients to China.", "ban_introduced"),
        ("Canada suspended permits for firearms to Israel.", "permit_denied"),
    ],
)
def test_a_trade_word_keeps_the_measure(nlp, text: str, expected: str) -> None:
    assert expected in types(nlp, text)
