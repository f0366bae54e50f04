"""Open vocabularies: commodities and authorities that no list names are still found and
normalised (sentences written here)."""

from __future__ import annotations

import pytest

from tradeline.extractors.commodities.component import TRADED
from tradeline.extractors.commodities.facts import CommodityLabels
from tradeline.extractors.document import extract_doc
from tradeline.extractors.pipes import Pipes

pytestmark = pytest.mark.slow
PUBLISHED = "2024-06-14"


def traded(nlp, text: str) -> list[str]:
    doc = nlp(text)
    return [s.label_ for s in doc.spans[TRADED]]


@pytest.mark.parametrize(
    ("text", "labels"),
    [
        (
            "Kazakhstan extended a ban on exports of gasoline, diesel and jet fuel.",
            ["gasoline", "diesel", "jet fuel"],
        ),
        ("Vetland halted cobalt exports from its two mines.", ["cobalt"]),
        ("Ostrania banned the export of beef to its neighbours.", ["beef"]),
        ("The ministry granted licences to ship urea to Sri Lanka.", ["urea"]),
        ("Regulators will require licences for quantum computers above 40 qubits.",
         ["quantum computers"]),
        ("The cabinet lifted its ban on exporting eggs.", ["eggs"]),
        ("Officials approved the export of 30,000 tonnes of wheat flour.", ["wheat flour"]),
        ("The state banned exports of used hybrid cars to Russia.", ["used cars"]),
        ("The rules cover exports of dual-use goods.", ["dual-use items"]),
        ("The government banned sales of liquefied natural gas abroad.", ["LNG"]),
        ("Curbs were placed on shipments of paracetamol-based medicines.", ["paracetamol"]),
        ("The country banned exports of tungsten and antimony products.", ["tungsten", "antimony"]),
        ("Vetland banned exports of raw lithium ore.", ["lithium"]),
    ],
)
def test_objects_of_export_words_are_named(nlp, text: str, labels: list[str]) -> None:
    assert traded(nlp, text) == labels


def test_examples_replace_their_generic_parent(nlp) -> None:
    text = "Vetland banned the export of critical minerals such as lithium and graphite."
    assert traded(nlp, text) == ["lithium", "graphite"]


@pytest.mark.parametrize(
    "text",
    [
        "Electric vehicle supply chains were left scrambling.",
        "China will restrict the export of a mineral used in weapons.",
        "Exports to the United States rose 4% last year.",
        "The ministry said exports fell in May.",
    ],
)
def test_no_commodity_where_none_is_traded(nlp, text: str) -> None:
    assert traded(nlp, text) == []


def test_event_commodity_is_what_is_traded(nlp) -> None:
    text = (
        "Vetland will ban bauxite exports from June, the mines ministry said on Tuesday; "
        "bauxite is used to make aluminium."
    )
    (event,) = extract_doc(nlp(text), PUBLISHED, nlp).events
    assert event.commodity == "bauxite"


def test_open_labels_are_specific_but_do_not_split_one_commodity(nlp) -> None:
    labels = CommodityLabels(Pipes.of(nlp).commodities.specificity)
    assert labels.specific(["critical minerals"]) == []
    assert labels.specific(["gallium", "popular beef cuts"]) == ["gallium", "cut"]
    assert set(labels.specific(["beef cuts"])) & set(labels.specific(["cuts"]))


@pytest.mark.parametrize(
    ("text", "country"),
    [
        ("Namibia said on Tuesday it had banned exports of unprocessed lithium.", "Namibia"),
        ("The Zambian government banned maize exports on Monday.", "Zambia"),
        ("The South African government on Monday required permits for scrap metal exports.",
         "South Africa"),
        ("Ghana's forestry ministry banned rosewood exports on Monday.", "Ghana"),
        ("In Accra, the trade ministry said on Monday it had banned cocoa bean exports.", "Ghana"),
        ("DR Congo suspended cobalt exports on Saturday.", "DR Congo"),
    ],
)
def test_unlisted_countries_act(nlp, text: str, country: str) -> None:
    events = extract_doc(nlp(text), PUBLISHED, nlp).events
    assert events and events[0].authority_country == country, [
        (e.authority, e.authority_country) for e in events
    ]


@pytest.mark.parametrize(
    ("text", "country"),
    [
        # a destination, a firm's home and the object of the action do not act
        ("Japan on Friday dropped South Korea from its list of trusted trade partners.", "Japan"),
        ("Uzbekistan on Monday banned exports of cotton to Kazakhstan, Tajikistan and Peru.",
         "Uzbekistan"),
        ("Mongolia granted a licence on Monday for coal sold by a Zurich-based trader.",
         "Mongolia"),
    ],
)
def test_countries_in_other_roles_do_not_act(nlp, text: str, country: str) -> None:
    events = extract_doc(nlp(text), PUBLISHED, nlp).events
    assert events and events[0].authority_country == country, [
        (e.authority, e.authority_country) for e in events
    ]
