"""Firms the text introduces with a firm noun, over the small NER's PERSON guess, and the
people and adjectives that must stay no firm (sentences written here)."""

from __future__ import annotations

import pytest

from tradeline.extractors.companies.facts import find_companies


def names(nlp, text: str) -> list[str]:
    doc = nlp(text)
    return [f.name for f in find_companies(doc, nlp.get_pipe("tradeline_companies")).facts]


LEAD = "The rules took effect in May. "


@pytest.mark.parametrize(
    "text, firm",
    [
        ("Swiss refiner Valcambi said it had stopped buying ore.", "Valcambi"),
        ("Server maker Orvix said its distributor had applied on Wednesday.", "Orvix"),
        ("Recycler Metales del Pacífico said it applied in August.", "Metales del Pacífico"),
        ("Canada issued permits allowing Cameco (TSX: CCO) to ship uranium.", "Cameco"),
        ("Brisbane-based Skyborne Tactical said it had applied.", "Skyborne Tactical"),
        (LEAD + "Telcar Cocoa, one of the largest exporters, said it had applied.", "Telcar Cocoa"),
        (LEAD + "IHI, which makes parts for engines, said it had applied.", "IHI"),
        (
            LEAD + "Diehl Defence, the privately held maker of air-defence systems, has applied.",
            "Diehl Defence",
        ),
    ],
)
def test_a_firm_noun_introduces_a_firm(nlp, text, firm):
    assert firm in names(nlp, text)  # the name alone, without its descriptor


@pytest.mark.parametrize(
    "text, person",
    [
        ("Marta Lindqvist, a trader at a Geneva house, said the ban would bite.", "Lindqvist"),
        ("The soft-spoken but firm Tegnell often comes across as unfazed.", "Tegnell"),
        ("The trader has Fury, which makes enemies attack whoever is nearest.", "Fury"),
        ("The cost was high, estimates Evan Sparks, CEO of Determined AI.", "Sparks"),
    ],
)
def test_people_adjectives_and_things_stay_no_firm(nlp, text, person):
    assert not any(person in name for name in names(nlp, text))


def test_a_firm_officer_names_the_firm(nlp):
    text = "Mark Lindell, the CEO of Tarvik Minerals, said the permit was a relief."
    assert any("Tarvik" in n for n in names(nlp, text))
    assert not any("Lindell" in n for n in names(nlp, text))


def test_a_firm_officer_of_a_place_s_firm_names_no_place(nlp):
    text = "The CEO of California's grid operator said the plants shut down."
    assert "California" not in names(nlp, text)
