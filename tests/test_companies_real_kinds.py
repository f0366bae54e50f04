"""Kinds of non-firms that real reports name in firm shapes (issue 12): places, people, agencies
and outlets around a firm (sentences written here). The rules alone must leave them out."""

from __future__ import annotations

import pytest

from tradeline.extractors.companies.facts import find_companies


def names(nlp, text: str) -> list[str]:
    firms = find_companies(nlp(text), nlp.get_pipe("tradeline_companies"))
    return [f.canonical for f in firms.facts]


@pytest.mark.slow
def test_a_place_before_a_speaker_is_no_firm(nlp):
    text = (
        "Separately, Orvanta Metals Inc applied earlier this month for a permit to export ore "
        "from a new pit in Kalbaro, a company official said."
    )
    assert names(nlp, text) == ["Orvanta Metals"]


@pytest.mark.slow
def test_a_firm_described_by_a_firm_noun_stays(nlp):
    text = "Velmora, a little-known trader, said it had obtained an export licence for gallium."
    assert names(nlp, text) == ["Velmora"]


@pytest.mark.slow
def test_the_city_before_a_state_based_is_a_place(nlp):
    text = (
        "The Marquette, Michigan-based company, Lundvall Mining, said on Monday it had "
        "obtained the permit."
    )
    assert names(nlp, text) == ["Lundvall Mining"]


@pytest.mark.slow
def test_a_name_before_a_place_based_in_a_list_of_firms_stays(nlp):
    text = (
        "The listed firms include Hong Kong-based Jadeport Trading Ltd, India's Aditya Dhatu "
        "Exports Pvt Ltd, Istanbul-based Kuzey Elektronik and Dubai's Sandstone Gulf Trading LLC."
    )
    assert any(n.startswith("Aditya Dhatu Exports") for n in names(nlp, text))


@pytest.mark.slow
def test_a_surname_of_a_described_person_is_no_firm(nlp):
    text = (
        "Gaurav Sharma, a metals trader in Mumbai, said prices rose after the export ban. "
        "Sharma expects more curbs on shipments."
    )
    assert names(nlp, text) == []


@pytest.mark.slow
@pytest.mark.parametrize(
    "text",
    [
        "Lithium exports rose 4% in May, according to Statistics Canada.",
        "The Oceania Football Confederation said it supported the ban.",
        "The Screen Actors Guild said the licence fee was too high.",
    ],
)
def test_agencies_and_bodies_named_by_their_head_word_are_no_firms(nlp, text):
    assert names(nlp, text) == []


@pytest.mark.slow
def test_a_romance_legal_name_is_one_firm_with_its_acronym(nlp):
    text = (
        "Chile's mining ministry has authorised Sociedad Química y Metalúrgica Andina SA to ship "
        "lithium carbonate. SQMA said the first cargo would leave in June."
    )
    facts = find_companies(nlp(text), nlp.get_pipe("tradeline_companies")).facts
    assert len(facts) == 1, [f.name for f in facts]
    assert facts[0].name.startswith("Sociedad Química y Metalúrgica")
    assert "SQMA" in facts[0].aliases


def test_initials_read_accented_words_whole_and_skip_romance_connectors():
    from tradeline.extractors.companies.names import CompanyNames

    names = CompanyNames.from_assets()
    assert names.is_acronym_of("CBMM", "Companhia Brasileira de Metalurgia e Mineração")
    assert names.is_acronym_of("SQM", "Sociedad Química y Minera")
    assert not names.is_acronym_of("SQYM", "Sociedad Química y Minera")


@pytest.mark.slow
@pytest.mark.parametrize(
    ("text", "firm"),
    [
        (
            "The ministry issued an export licence to Zentrix Hospital Supplies Ltd. on Monday.",
            "Zentrix Hospital Supplies",
        ),
        (
            "The Bureau of Industry and Security added Orvanta Statistics Inc. to the list.",
            "Orvanta Statistics",
        ),
        (
            "The ministry granted export licences to Pacific Unit Trading Co. on Monday.",
            "Pacific Unit Trading",
        ),
    ],
)
def test_a_body_word_inside_a_firms_legal_name_does_not_unmake_it(nlp, text, firm):
    """'hospital', 'statistics', 'unit' head bodies ('the Statistics Bureau', 'a hospital
    unit'), but inside a name that ends in a legal suffix they are part of a firm's name."""
    assert names(nlp, text) == [firm]


@pytest.mark.slow
def test_a_body_headed_by_a_listed_word_is_still_no_firm(nlp):
    text = "The Democratic Caucus and the Teachers Guild criticised the export ban on Monday."
    assert names(nlp, text) == []
