"""Which firms an event carries: a counted group named in a following sentence, and firms the
sentence names in another role (owner, counterparty, source). Sentences written here."""

from __future__ import annotations

import pytest

from tradeline.extractors.document import extract_doc


def event_firms(nlp, text: str) -> list[list[str]]:
    ex = extract_doc(nlp(text), "2025-06-04", nlp)
    return [e.companies for e in ex.events]


def test_counted_group_takes_the_members_listed_next(nlp):
    text = (
        "The mines ministry on Monday restored the bauxite export permits of three companies "
        "it had suspended in May. The companies are Boffa Mining Partners, Kindia Alumina "
        "Holdings and Sangaredi Bauxite Export, which shipped ore last year."
    )
    firms = event_firms(nlp, text)
    assert firms and len(firms[0]) == 3


def test_counted_group_ignores_firms_not_listed_as_members(nlp):
    text = (
        "The ministry suspended the export permits of three exporters on Monday. "
        "Analysts at Citigroup said the move was expected."
    )
    assert all("Citigroup" not in f for f in event_firms(nlp, text))


@pytest.mark.parametrize(
    "text, party, other",
    [
        (
            "Recycler Metales del Pacífico said it applied in August for an exemption to fulfil "
            "a long-term contract with Japan's Mitsubishi Materials.",
            "Metales del Pacífico",
            "Mitsubishi Materials",
        ),
        (
            "Last week, the ministry suspended for 30 days the export licence of JV Inkai, "
            "Kazatomprom's joint venture with Canada's Cameco Corp. (TSX: CCO).",
            "JV Inkai",
            "Cameco",
        ),
        (
            "Nvidia said on Monday it had received licences to ship H20 chips to China, "
            "analysts at Mandiri Sekuritas said.",
            "Nvidia",
            "Mandiri Sekuritas",
        ),
    ],
)
def test_owners_counterparties_and_sources_are_no_party(nlp, text, party, other):
    firms = event_firms(nlp, text)
    assert firms and party in firms[0]
    assert not any(other in name for f in firms for name in f)


def test_a_group_named_in_its_own_sentence_takes_no_later_group(nlp):
    text = (
        "The trade ministry has issued palm oil export permits to 37 companies, including "
        "Wilmar International and Musim Mas. Several smaller refiners, including PT Lautan "
        "Sawit Nusantara, have applied for permits but were rejected on Monday."
    )
    issued = [f for f in event_firms(nlp, text) if any("Wilmar" in n for n in f)]
    assert issued and not any("Lautan" in n for n in issued[0])


def test_a_definite_action_noun_later_puts_its_firm_in_the_scope(nlp):
    text = (
        "Orbis Photonics must now apply for export licences from the U.S. government for sales "
        "of two infrared sensors, the company said on Monday. The requirement also covers "
        "Kestrel Devices' thermal cores, though Kestrel Devices said its sales would not suffer."
    )
    firms = event_firms(nlp, text)
    assert len(firms) == 1
    assert firms[0] == ["Orbis Photonics", "Kestrel Devices"]


def test_a_scope_noun_of_another_family_adds_no_firm(nlp):
    text = (
        "The trade ministry granted Orbis Photonics an export licence for infrared sensors on "
        "Monday. The curbs on sensors made by Kestrel Devices stay in place."
    )
    firms = event_firms(nlp, text)
    assert firms and firms[0] == ["Orbis Photonics"]


def test_a_pronoun_subject_stands_for_the_firm_just_told(nlp):
    text = (
        "Halden Minerals reported higher sales this quarter. It said on Monday it had applied "
        "for an export permit for heavy rare earths."
    )
    assert event_firms(nlp, text) == [["Halden Minerals"]]


def test_a_pronoun_after_an_agency_subject_names_no_firm(nlp):
    text = (
        "Halden Minerals reported higher sales on Friday. The ministry said on Monday it had "
        "revoked the export permits of two traders."
    )
    firms = event_firms(nlp, text)
    assert firms and all("Halden Minerals" not in f for f in firms)


def test_the_miner_refers_to_the_one_firm_named(nlp):
    text = (
        "Shares of Halden Minerals fell on Monday. The miner said the government had renewed "
        "its export licence for three years on Friday."
    )
    assert event_firms(nlp, text) == [["Halden Minerals"]]


def test_a_counted_group_told_again_as_the_companies_takes_the_names(nlp):
    text = (
        "The commerce ministry suspended the export licences of three Korean firms on Monday. "
        "The companies, Daewon Precision, Hanul Materials and Seorin Chemical, said they were "
        "seeking clarification."
    )
    firms = event_firms(nlp, text)
    assert firms and firms[0] == ["Daewon Precision", "Hanul Materials", "Seorin Chemical"]


def test_a_firm_noun_that_describes_a_country_is_no_anaphor(nlp):
    text = (
        "Halden Minerals applied on Monday for a permit to export ore from a new pit. "
        "Chile is the second-largest supplier of the ore after Peru, which banned ore exports "
        "in January 2020."
    )
    ex = extract_doc(nlp(text), "2025-06-04", nlp)
    bans = [e for e in ex.events if e.type == "ban_introduced"]
    assert bans and all(e.companies == [] for e in bans)


def test_a_firm_acted_on_in_another_actors_clause_is_no_party(nlp):
    text = (
        "Corvel Energy was authorised by the US Treasury on Monday to resume oil exports, even "
        "as the administration keeps its sanctions on trade with Petrolera Andina SA."
    )
    firms = event_firms(nlp, text)
    assert firms and firms[0] == ["Corvel Energy"]


def test_the_subject_of_a_subordinate_clause_stays_a_party(nlp):
    text = (
        "The commerce ministry renewed the export licences on Tuesday so that Corvel Energy "
        "can keep shipping ore."
    )
    assert event_firms(nlp, text) == [["Corvel Energy"]]


@pytest.mark.parametrize(
    "text, party, other",
    [
        (
            "Orbis Photonics supplier Kestrel Devices was added to the entity list on Friday.",
            "Kestrel Devices",
            "Orbis Photonics",
        ),
        (
            "US regulators on Monday barred Orbis Photonics rival Kestrel Devices from exporting "
            "sensors to China.",
            "Kestrel Devices",
            "Orbis Photonics",
        ),
    ],
)
def test_a_firm_that_describes_the_named_one_is_no_party(nlp, text, party, other):
    assert event_firms(nlp, text) == [[party]]


def test_the_company_is_the_firm_the_sentence_before_is_about(nlp):
    text = (
        "Beijing approved export licences for Orbis Photonics and Kestrel Devices on Monday. "
        "Halden Minerals posted a higher profit on Tuesday. The company said the ministry had "
        "granted its export licence on Wednesday."
    )
    firms = event_firms(nlp, text)
    assert firms == [["Orbis Photonics", "Kestrel Devices"], ["Halden Minerals"]]


def test_firms_of_the_control_told_again_with_its_start_join_it(nlp):
    text = (
        "The trade ministry on Monday announced new export controls on gallium. From August 1, "
        "Halden Minerals and Orbis Photonics will need a licence to ship the metal."
    )
    assert event_firms(nlp, text) == [["Halden Minerals", "Orbis Photonics"]]
