"""Dates on unseen styles: end dates lie ahead, future weekdays, wire and press-release
datelines, 'May 23 that year', document numbers (sentences written here)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradeline.extractors.dates.facts import find_policy_dates
from tradeline.extractors.dates.lexicon import DateLexicon
from tradeline.extractors.dates.rules import DateResolver
from tradeline.models.assets import Assets

RESOLVER = DateResolver(DateLexicon.read(Assets.packaged().path("dates/lexicon.json")))
resolve_date_expression = RESOLVER.resolve_expression  # with the packaged lexicon


def dates(nlp, text: str, published: str) -> list[tuple[str, str]]:
    found = find_policy_dates(nlp(text), published, nlp.get_pipe("tradeline_dates"))
    return [(d.text, d.resolved) for d in found]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("text", "published", "expected"),
    [
        (
            "The curbs will stay in place until the end of June.",
            "2021-03",
            ("until the end of June", "2021-06"),
        ),
        (
            "The ban will last until the end of June.",
            "2021-03-05",
            ("until the end of June", "2021-06"),
        ),
        (
            "Exports were suspended until April, the ministry said.",
            "2024-11-20",
            ("until April", "2025-04"),
        ),
    ],
)
def test_end_dates_lie_ahead(nlp, text, published, expected):
    assert expected in dates(nlp, text, published)


@pytest.mark.slow
def test_weekdays_resolve_back_whatever_the_tense(nlp):
    """GUIDELINES §5: the most recent such day on or before publication unless the text says
    "next", even under a future verb."""
    friday = "2024-03-15"
    assert ("from Monday", "2024-03-11") in dates(
        nlp, "The ministry will lift the ban from Monday.", friday
    )
    assert ("starting Monday", "2024-03-11") in dates(
        nlp, "Exporters will need licences starting Monday.", friday
    )
    assert ("from next Monday", "2024-03-18") in dates(
        nlp, "The ministry will lift the ban from next Monday.", friday
    )
    assert ("on Wednesday", "2024-03-13") in dates(
        nlp, "The ministry said on Wednesday it would lift the ban.", friday
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    "text",
    [
        "SEOUL, South Korea, June 6, 2025 /PRNewswire/ -- Velmora Co. said it obtained a licence.",
        "NEW DELHI, June 6 (PTI) The directorate banned exports of onions.",
        "LIMA, June 6 (Wire) - The ministry revoked the permit.",
    ],
)
def test_datelines_are_not_policy_dates(nlp, text):
    assert dates(nlp, text, "2025-06-06") == []


@pytest.mark.slow
def test_month_that_year_takes_the_previous_year(nlp):
    text = (
        "Borduria banned palm oil exports from April 28, 2022, and lifted the ban on May 23 "
        "that year. It dropped Syldavia from the white list in August that year."
    )
    got = dates(nlp, text, "2025-01-10")
    assert ("on May 23 that year", "2022-05-23") in got
    assert ("in August that year", "2022-08") in got
    assert not any(r.startswith("2025") for _, r in got)


@pytest.mark.slow
def test_document_numbers_are_not_years(nlp):
    text = (
        "The ministry on Sunday issued Announcement No. 72 of 2025, "
        "suspending Notice No. 46 of 2024."
    )
    assert dates(nlp, text, "2025-11-10") == [("on Sunday", "2025-11-09")]


def test_resolver_weekday_back_and_end_forward():
    assert resolve_date_expression("Monday", "2024-03-15", tense="future").value == "2024-03-11"
    assert resolve_date_expression("Monday", "2024-03-15").value == "2024-03-11"
    assert resolve_date_expression("next Monday", "2024-03-15").value == "2024-03-18"
    assert resolve_date_expression("the end of June", "2021-03", tense="future").value == "2021-06"


@settings(max_examples=300, deadline=None)
@given(
    st.text(max_size=80),
    st.sampled_from(["2024-03-15", "2021-03", None, "garbage", "2024-02-29"]),
    st.sampled_from([None, "past", "future"]),
)
def test_resolver_never_raises(text, published, tense):
    res = resolve_date_expression(text, published, tense=tense)
    assert res is None or res.granularity in ("day", "month", "year")


@pytest.mark.slow
def test_day_with_relative_year(nlp):
    got = dates(nlp, "The ban was imposed on December 8 last year.", "2024-03-15")
    assert got == [("on December 8 last year", "2023-12-08")]
