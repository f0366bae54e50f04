"""Validity periods whose measure word sits a few words up the parse (sentences written here)."""

from __future__ import annotations

import pytest

from tradeline.extractors.validity.facts import find_validity_periods
from tradeline.records import ValidityPeriodFact

pytestmark = pytest.mark.slow


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


def _durations(nlp, text: str) -> list[str]:
    doc = nlp(text)
    return [v.duration for v in periods_of(nlp, doc)]


@pytest.mark.parametrize(
    ("text", "durations"),
    [
        ("The suspension of the two permits will last six months.", ["P6M"]),
        ("Member states may license old contracts, with such licences limited to six months.",
         ["P6M"]),
        ("Each licence will cover one shipment and expire after 90 days.", ["P90D"]),
        ("Ostrania has extended its ban on scrap exports for a further year until December.",
         ["P1Y"]),
        ("The regulator suspended the packers' export certification for 90 days after "
         "inspectors found pests.", ["P90D"]),
        ("The implementing regulation will remain in force for three months.", ["P3M"]),
        ("Firms can get a bulk licence covering three years' worth of supplies.", ["P3Y"]),
        ("The Commission required authorisations for exports of masks for six weeks.", ["P6W"]),
        ("Analysts called the nine-day closure of the export registry an eternity.", ["P9D"]),
    ],
)
def test_durations_a_measure_lasts(nlp, text: str, durations: list[str]) -> None:
    assert _durations(nlp, text) == durations


@pytest.mark.parametrize(
    "text",
    [
        "Exporters must keep records for three years.",
        "Japan ended a trade row that had run on for four years.",
        "Contracts signed before the announcement get a 30-day grace period.",
        "Officials said a 22-day ban on hilsa fishing would begin in October.",
        "The ministry hopes to shorten processing to about a week.",
    ],
)
def test_durations_of_other_things_stay_out(nlp, text: str) -> None:
    assert _durations(nlp, text) == []


def test_a_repeated_phrase_counts_once(nlp) -> None:
    text = (
        "Ostrania suspends licence rule for 90 days. "
        "The agency said it would suspend for 90 days the licence requirement on turbines."
    )
    assert _durations(nlp, text) == ["P90D"]
