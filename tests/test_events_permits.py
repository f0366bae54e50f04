"""Permit events (GUIDELINES §3) in wordings the small parser breaks or the verb-object pairs
did not list: double-object grants with glossed recipients, applications with a date before
their object, pronoun objects, reinstated licences, quotas, refusals and revocations of firms'
registrations (events/clause_link.py, triggers.json). Types of every event found, confident or
held back (the confidence model is retrained apart). Sentences written here."""

from __future__ import annotations

import pytest

from tradeline.extractors.document import extract_doc
from tradeline.extractors.events.clause_link import clause_objects

pytestmark = pytest.mark.slow

PUBLISHED = "2024-03-15"


def all_types(nlp, text: str) -> list[str]:
    result = extract_doc(nlp(text), PUBLISHED, nlp)
    return sorted(e.type for e in [*result.events, *(result.held_back_events or [])])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (  # the licence parsed as an apposition of the recipient's ticker
            "Ruritania's Energy Ministry has issued state miner Borduria Minerals (BSE: BMX) a "
            "three-year licence to export cobalt to Japan, the company said on Monday.",
            ["permit_issued"],
        ),
        (
            "The government has granted Zentrix, the trading arm of state group Ostrava "
            "Holdings, a one-time licence to ship gallium to Japan.",
            ["permit_issued"],
        ),
        (  # "for licences to ship" parsed as a clause
            "Kelvar Medical, a Pune-based maker of ventilators, said it had applied in March "
            "for licences to ship 300 ventilators to Ghana.",
            ["permit_applied"],
        ),
        (
            "The commission on Thursday reinstated the export permit of Kessler Mining, which "
            "it had suspended in June over unpaid royalties.",
            ["permit_denied", "permit_issued"],
        ),
        (
            "The mines ministry on Monday restored the bauxite export authorisations of three "
            "companies.",
            ["permit_issued"],
        ),
        (
            "The ministry suspended the export registrations of four trading houses, including "
            "Andes Gold Export, on Tuesday.",
            ["permit_denied"],
        ),
        (
            "Rome suspended arms export licences to Ruritania in July 2019 and revoked them in "
            "January 2021.",
            ["permit_denied", "permit_denied"],
        ),
        (
            "Norvik Metals had asked to be exempted from the export ban for its nickel output.",
            ["permit_applied"],
        ),
        (
            "Zentrix said on Wednesday that 12 of its pending export licence applications had "
            "been returned without action.",
            ["permit_denied"],
        ),
        (
            "Ruritania's defence ministry on Monday authorised state-owned arms maker Fabrica "
            "Nacional (FNR SA) to export 4,000 rifles to Borduria.",
            ["permit_issued"],
        ),
        (
            "The ministry allocated this year's export quota of 40,000 tonnes among 12 licensed "
            "exporters in February.",
            ["permit_issued"],
        ),
        (
            "The ministry vetoed the export licence of Calder Optics on Monday.",
            ["permit_denied"],
        ),
        (
            "Kessler Arms was cleared on Monday to export 500 rifles to Borduria.",
            ["permit_issued"],
        ),
        (
            "The trade directorate on Monday notified a general authorisation for exports of "
            "civilian drones to 40 countries.",
            ["permit_issued"],
        ),
        (
            "Washington has given Calder Optics the green light to sell its scopes to "
            "Borduria, the company said on Tuesday.",
            ["permit_issued"],
        ),
    ],
)
def test_permit_wordings(nlp, text: str, expected: list[str]) -> None:
    assert all_types(nlp, text) == expected


def test_receipt_and_application_stay_apart(nlp) -> None:
    """A ministry's count of applications and one firm's own application: two actions."""
    text = (
        "The export authority said it had received 42 licence applications this week. Among "
        "the applicants is Indus Leather, which said it had applied on Monday for certificates "
        "covering 1,800 tonnes of hides."
    )
    assert all_types(nlp, text) == ["permit_applied", "permit_applied"]


def test_pronoun_needs_a_licence_noun(nlp) -> None:
    """'revoked them' stands for licences only when licences were just named."""
    assert all_types(nlp, "The court heard the two pilots and revoked them on Monday.") == []


def test_fallback_skips_a_prepositional_object(nlp) -> None:
    """The clause-span fallback never links a preposition's object ("a statement on
    licences"): that is the verb-object templates' business."""
    doc = nlp("The ministry issued a statement on export licences on Monday.")
    verbs = [t for t in doc if t.lemma_ == "issue"]
    def rules_for(trig, obj):
        return ["rule"] if obj.lemma_ == "licence" else []

    found = list(clause_objects(doc, verbs, set(), rules_for))
    assert found == []


def test_firm_name_word_is_no_control_object(nlp) -> None:
    """'Systems' in a firm's name is no control system: the grant stays a permit event."""
    text = (
        "The Department of Defence has issued Electro Optic Systems Holdings Ltd (ASX: EOS) a "
        "two-year permit to export remote weapon stations."
    )
    assert all_types(nlp, text) == ["permit_issued"]


def test_an_applicable_exemption_is_no_application(nlp) -> None:
    """'Exemptions will apply' tells where a rule holds; no one applied for anything."""
    text = "Exemptions will apply for certain exports of goods for allied forces."
    assert all_types(nlp, text) == []
