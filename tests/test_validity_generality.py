"""Validity periods whose measure word sits a few words up the parse (sentences written here)."""

from __future__ import annotations

import pytest

from tradeline.extractors.validity.facts import find_validity_periods
from tradeline.records import ValidityPeriodFact

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def nlp(pipeline):
    return pipeline


def periods_of(nlp, doc) -> list[ValidityPeriodFact]:
    return find_validity_periods(doc, nlp.get_pipe("tradeline_validity"))


def test_measure_word_up_the_parse(nlp):
    text = (
        "The government has extended quotas on exports of nitrogen and complex fertilisers "
        "for another six months, until May 31."
    )
    assert [(v.text, v.duration) for v in periods_of(nlp, nlp(text))] == [
        ("for another six months", "P6M")
    ]


def test_statistics_windows_stay_out(nlp):
    text = "Exports of nitrogen fertilisers fell 12% over the past six months."
    assert periods_of(nlp, nlp(text)) == []
