"""Validity periods and add_duration, on sentences written for these tests."""

from __future__ import annotations

import re

import pytest
import spacy
from hypothesis import given, settings
from hypothesis import strategies as st

from tradeline.extractors.pipeline import add_component
from tradeline.extractors.validity.durations import add_duration
from tradeline.extractors.validity.facts import find_validity_periods
from tradeline.records import ValidityPeriodFact


@pytest.fixture(scope="module")
def nlp(nlp_model_name: str):
    """The base model with our validity component only (no line breaks: the parse these
    sentences were written on)."""
    nlp = spacy.load(nlp_model_name)
    add_component(nlp, "tradeline_validity")
    return nlp


def periods_of(nlp, doc) -> list[ValidityPeriodFact]:
    return find_validity_periods(doc, nlp.get_pipe("tradeline_validity"))


def _periods(nlp, text: str) -> list[tuple[str, str]]:
    return [(v.text, v.duration) for v in periods_of(nlp, nlp(text))]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The new cobalt permits are valid for six months.", [("valid for six months", "P6M")]),
        ("Lima agreed a 90-day pause on the copper levy.", [("90-day pause", "P90D")]),
        ("Exporters received two-year licences for lithium.", [("two-year licences", "P2Y")]),
        ("The waiver, which lasts for 18 months, covers urea.", [("lasts for 18 months", "P18M")]),
        ("The quota rule was postponed for three months.", [("postponed for three months", "P3M")]),
        ("The ministry extended the export ban by two weeks.", [("by two weeks", "P2W")]),
        ("Each firm must hold an annual licence to ship tin.", [("annual licence", "P1Y")]),
        ("Buyers can now get year-long permits from the agency.", [("year-long permits", "P1Y")]),
        ("The licences carry a validity of one year.", [("validity of one year", "P1Y")]),
        (
            "The ban will stay in force for a period of two years.",
            [("for a period of two years", "P2Y")],
        ),
        ("The two sides signed a three-year deal on graphite.", [("three-year deal", "P3Y")]),
        (
            "The general licence has a one-year validity period and needs no renewal.",
            [("one-year validity period", "P1Y")],
        ),
    ],
)
def test_validity_forms(nlp, text: str, expected: list[tuple[str, str]]) -> None:
    assert _periods(nlp, text) == expected


@pytest.mark.slow
@pytest.mark.parametrize(
    "text",
    [
        "Traders will get five months of transition time before the rule applies.",
        "Applicants must file at least 45 days before shipment.",
        "A 30-day notice period applies to all exporters.",
        "The suspension will last for the indefinite future.",
        "The ministry set licences for 2027 at 9,000 tonnes.",
        "Output rose 4% in the first nine months of the year.",
        "Tin hit a six-month high in Kuala Lumpur.",
        "The controls have been tightened for the past three years.",
        "Exports were first restricted two years ago.",
        "The three-month aluminium contract fell 1%.",
        "Shipments have been banned for years.",
    ],
)
def test_validity_exclusions(nlp, text: str) -> None:
    assert _periods(nlp, text) == []


@pytest.mark.slow
def test_validity_fact_shape_and_no_double_count(nlp) -> None:
    text = (
        "The permit has a one-year validity period. "
        "Officials said the permit has a one-year validity period."
    )
    facts = periods_of(nlp, nlp(text))
    assert len(facts) == 1
    fact = facts[0]
    assert isinstance(fact, ValidityPeriodFact)
    assert text[fact.start_char : fact.end_char] == fact.text
    assert fact.valid_from is None and fact.valid_to is None
    assert fact.evidence.startswith("The permit")


@pytest.mark.slow
def test_duration_inside_phrase_counted_once(nlp) -> None:
    text = "China has put a one-year hold on the new curbs, which were delayed for 12 months."
    assert _periods(nlp, text) == [("one-year hold", "P1Y"), ("delayed for 12 months", "P12M")]


@pytest.mark.parametrize(
    ("start", "duration", "end"),
    [
        ("2025-12-02", "P1Y", "2026-12-02"),
        ("2024-02-29", "P1Y", "2025-02-28"),  # leap day clamps
        ("2024-02-29", "P4Y", "2028-02-29"),
        ("2025-01-31", "P1M", "2025-02-28"),  # month end clamps
        ("2024-01-31", "P1M", "2024-02-29"),
        ("2025-08-31", "P6M", "2026-02-28"),
        ("2025-12-20", "P90D", "2026-03-20"),
        ("2025-12-29", "P2W", "2026-01-12"),
        ("2025-12-02", "P12M", "2026-12-02"),
        ("2025-12", "P1Y", "2026-12"),  # month precision kept
        ("2025-11", "P6M", "2026-05"),
        ("2025", "P2Y", "2027"),  # year precision kept
        ("2025", "P24M", "2027"),
        ("2025", "P6M", None),  # finer than the start
        ("2025-12", "P90D", None),
        ("2025-13-01", "P1Y", None),
        ("2025-02-30", "P1Y", None),
        ("2025-12-02", "one year", None),
        ("yesterday", "P1Y", None),
    ],
)
def test_add_duration(start: str, duration: str, end: str | None) -> None:
    assert add_duration(start, duration) == end


@given(st.text(max_size=20), st.text(max_size=12))
@settings(max_examples=300, deadline=None)
def test_add_duration_never_raises(start: str, duration: str) -> None:
    out = add_duration(start, duration)
    assert out is None or re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", out)


@pytest.mark.slow
@given(st.text(max_size=200))
@settings(max_examples=60, deadline=None)
def test_find_validity_never_raises(nlp, text: str) -> None:
    doc = nlp(text)
    for fact in periods_of(nlp, doc):
        assert re.fullmatch(r"P(\d+Y)?(\d+M)?(\d+W)?(\d+D)?", fact.duration)
        assert doc.text[fact.start_char : fact.end_char] == fact.text


@pytest.mark.slow
@given(
    st.sampled_from(["one", "two", "six", "12", "90", "a"]),
    st.sampled_from(["day", "week", "month", "year"]),
    st.sampled_from(["licence", "suspension", "ban", "pause", "exemption"]),
)
@settings(max_examples=40, deadline=None)
def test_generated_adjectival_periods(nlp, number: str, unit: str, noun: str) -> None:
    text = f"The government granted a {number}-{unit} {noun} to the smelter."
    facts = periods_of(nlp, nlp(text))
    if number == "a":
        return  # "a-year" is not English; only require no crash
    assert len(facts) == 1 and facts[0].duration.endswith(unit[0].upper())
