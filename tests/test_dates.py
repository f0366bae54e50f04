"""Date resolution and policy-date extraction, on sentences written for these tests."""

from __future__ import annotations

from datetime import date

import pytest
import spacy
from hypothesis import given, settings
from hypothesis import strategies as st

from tradeline.extractors.dates.facts import ResolvedDate, find_date_mentions, find_policy_dates
from tradeline.extractors.dates.lexicon import DateLexicon
from tradeline.extractors.dates.rules import DateResolver
from tradeline.extractors.pipeline import add_component
from tradeline.models.assets import Assets
from tradeline.records import PolicyDateFact

RESOLVER = DateResolver(DateLexicon.read(Assets.packaged().path("dates/lexicon.json")))
resolve_date_expression = RESOLVER.resolve_expression  # with the packaged lexicon

PUB = "2025-12-03"  # a Wednesday


@pytest.mark.parametrize(
    ("text", "published", "value", "granularity"),
    [
        # weekdays: most recent on or before publication, unless "next"
        ("on Wednesday", PUB, "2025-12-03", "day"),
        ("Tuesday", PUB, "2025-12-02", "day"),
        ("on Thursday", PUB, "2025-11-27", "day"),
        ("Sunday's", PUB, "2025-11-30", "day"),
        ("Monday\u2019s", PUB, "2025-12-01", "day"),
        ("next Friday", PUB, "2025-12-05", "day"),
        ("last Wednesday", PUB, "2025-11-26", "day"),
        # ordinal day of the publication month, else the month before
        ("On the 1st", PUB, "2025-12-01", "day"),
        ("on the 28th", PUB, "2025-11-28", "day"),
        # month and day, year inferred
        ("Nov. 14", PUB, "2025-11-14", "day"),
        ("from Dec 1", PUB, "2025-12-01", "day"),
        ("Sept 9", PUB, "2025-09-09", "day"),
        ("from Jan. 15", PUB, "2026-01-15", "day"),
        ("3 February", "2025-03-10", "2025-02-03", "day"),
        ("the 5th of March", "2025-03-10", "2025-03-05", "day"),
        # absolute dates keep their own precision
        ("March 31, 2021", PUB, "2021-03-31", "day"),
        ("from June 2023", PUB, "2023-06", "month"),
        ("in 2014", PUB, "2014", "year"),
        ("throughout 2024", PUB, "2024", "year"),
        ("2026-01-01", PUB, "2026-01-01", "day"),
        # months with modifiers and relative years
        ("in May this year", PUB, "2025-05", "month"),
        ("in June last year", PUB, "2024-06", "month"),
        ("late September", PUB, "2025-09", "month"),
        ("in early March", PUB, "2025-03", "month"),
        ("mid-July", PUB, "2025-07", "month"),
        ("at the end of August", PUB, "2025-08", "month"),
        ("in the middle of May", PUB, "2025-05", "month"),
        ("Back in February", PUB, "2025-02", "month"),
        ("starting from October", PUB, "2025-10", "month"),
        # relative months and years
        ("last month", PUB, "2025-11", "month"),
        ("Next month", PUB, "2026-01", "month"),
        ("earlier this month", PUB, "2025-12", "month"),
        ("earlier this year", PUB, "2025", "year"),
        ("last year", PUB, "2024", "year"),
        ("at the beginning of last year", PUB, "2024", "year"),
        ("by the end of the year", PUB, "2025", "year"),
        ("early 2023", PUB, "2023", "year"),
        ("yesterday", PUB, "2025-12-02", "day"),
        ("two years ago", PUB, "2023", "year"),
        # quarters resolve to their year
        ("Q2 2022", PUB, "2022", "year"),
        ("the fourth quarter of 2021", PUB, "2021", "year"),
    ],
)
def test_resolve_forms(text: str, published: str, value: str, granularity: str) -> None:
    assert resolve_date_expression(text, published) == ResolvedDate(value, granularity)


@pytest.mark.parametrize(
    ("text", "published", "value"),
    [
        ("this week", "2025-12-10", "2025-12"),  # Mon 8 - Sun 14 December
        ("last week", "2025-12-10", "2025-12"),  # Mon 1 - Sun 7 December
        ("earlier this week", "2025-10-01", "2025"),  # Mon 29 Sep - Sun 5 Oct spans two months
        ("last week", "2025-12-03", "2025-11"),  # Mon 24 - Sun 30 November
    ],
)
def test_week_expressions(text: str, published: str, value: str) -> None:
    res = resolve_date_expression(text, published)
    assert res is not None and res.value == value
    assert res.granularity == ("month" if len(value) == 7 else "year")


def test_month_only_publication() -> None:
    assert resolve_date_expression("on November 20", "2025-11") == ResolvedDate("2025-11-20", "day")
    assert resolve_date_expression("last month", "2025-11") == ResolvedDate("2025-10", "month")
    # no day to count back from: a weekday is a day of the publication month
    assert resolve_date_expression("on Monday", "2025-11") == ResolvedDate("2025-11", "month")
    assert resolve_date_expression("yesterday", "2025-11") == ResolvedDate("2025-11", "month")
    assert resolve_date_expression("last week", "2025-11") == ResolvedDate("2025", "year")


def test_no_publication_date_resolves_absolute_only() -> None:
    assert resolve_date_expression("May 4, 2022", None) == ResolvedDate("2022-05-04", "day")
    assert resolve_date_expression("in 2019", None) == ResolvedDate("2019", "year")
    assert resolve_date_expression("last month", None) is None
    assert resolve_date_expression("on Friday", None) is None


def test_future_tense_moves_undated_year_forward() -> None:
    assert resolve_date_expression("in March", "2025-12-03") == ResolvedDate("2025-03", "month")
    assert resolve_date_expression("in March", "2025-12-03", tense="future") == ResolvedDate(
        "2026-03", "month"
    )


@pytest.mark.parametrize(
    "text",
    [
        "one-year",
        "18 months",
        "a day after",
        "two weeks later",
        "recently",
        "in recent weeks",
        "for years",
        "soon",
        "now",
        "the previous year",
        "six-month",
        "in five years",
        "",
        "hello",
        "$2019",
        "the past month",
    ],
)
def test_not_dates(text: str) -> None:
    assert resolve_date_expression(text, PUB) is None


@given(st.text(max_size=80), st.sampled_from([PUB, "2024-02", "2019-02-28", None, "garbage"]))
@settings(max_examples=300, deadline=None)
def test_resolve_never_raises(text: str, published: str | None) -> None:
    res = resolve_date_expression(text, published)
    if res is not None:
        assert res.granularity in ("day", "month", "year")
        assert len(res.value) == {"day": 10, "month": 7, "year": 4}[res.granularity]


@given(
    st.sampled_from(["on ", "in ", "from ", "", "since "]),
    st.sampled_from(["Jan", "Feb.", "March", "Sept", "October", "Dec."]),
    st.integers(min_value=1, max_value=28),
    # news dates: year 1 or 9999 would push the inferred year out of range
    st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)),
)
@settings(max_examples=200, deadline=None)
def test_month_day_resolves_to_a_day_near_publication(prep, month, day, pub) -> None:
    res = resolve_date_expression(f"{prep}{month} {day}", pub.isoformat())
    assert res is not None and res.granularity == "day"
    assert res.value.endswith(f"-{day:02d}")


# --------------------------------------------------------------------------- documents


@pytest.fixture(scope="module")
def nlp(nlp_model_name: str):
    """The base model with our dates component only (no line breaks: the parse these
    sentences were written on)."""
    nlp = spacy.load(nlp_model_name)
    add_component(nlp, "tradeline_dates")
    return nlp


def policy_dates(nlp, doc, published: str) -> list[PolicyDateFact]:
    return find_policy_dates(doc, published, nlp.get_pipe("tradeline_dates"))


def date_mentions(nlp, doc, published: str) -> list[PolicyDateFact]:
    return find_date_mentions(doc, published, nlp.get_pipe("tradeline_dates"))


def _policy(nlp, text: str, published: str = PUB) -> dict[str, str]:
    return {f.text: f.resolved for f in policy_dates(nlp, nlp(text), published)}


@pytest.mark.slow
def test_policy_dates_keep_action_dates(nlp) -> None:
    text = (
        "Jakarta said on Tuesday it would halt bauxite shipments from Jan. 10, a plan first "
        "floated in late June this year. The trade ministry added cobalt to its licensing list "
        "at the end of September and approved the first applications last month."
    )
    got = _policy(nlp, text)
    assert got == {
        "on Tuesday": "2025-12-02",
        "from Jan. 10": "2026-01-10",
        "in late June this year": "2025-06",
        "at the end of September": "2025-09",
        "last month": "2025-11",
    }


@pytest.mark.slow
def test_policy_dates_offsets_and_text(nlp) -> None:
    text = "Seoul granted the waiver on the 2nd, officials said."
    doc = nlp(text)
    (fact,) = policy_dates(nlp, doc, PUB)
    assert isinstance(fact, PolicyDateFact)
    assert (fact.text, fact.resolved, fact.granularity) == ("on the 2nd", "2025-12-02", "day")
    assert text[fact.start_char : fact.end_char] == fact.text
    assert fact.evidence == text


@pytest.mark.slow
def test_dateline_and_timestamp_excluded(nlp) -> None:
    text = (
        "MANILA, Nov 30 (Reuters) - The Philippines will ban raw ore exports, the mines bureau "
        "said on Friday.\nUpdated: November 30, 2025 09:12 GMT"
    )
    assert _policy(nlp, text, "2025-11-30") == {"on Friday": "2025-11-28"}


@pytest.mark.slow
def test_statistics_and_market_dates_excluded(nlp) -> None:
    text = (
        "Cobalt imports plunged in October, customs figures showed on Monday. "
        "Refined output totalled 8,200 tonnes in the first ten months of 2025. "
        "Shares of the miner gained 6% on Tuesday, extending Friday's 2% rise. "
        "The ministry introduced the permit rule in March."
    )
    got = _policy(nlp, text)
    assert got == {"on Monday": "2025-12-01", "in March": "2025-03"}
    mentions = {f.text for f in date_mentions(nlp, nlp(text), PUB)}
    assert {"in October", "on Tuesday"} <= mentions  # still available to date events


@pytest.mark.slow
def test_durations_vague_and_named_years_excluded(nlp) -> None:
    text = (
        "Under the Mineral Resources Act 2012, licences run for two years. The curbs, in place "
        "for years, were tightened recently, a day after talks that had stalled in recent months."
    )
    assert _policy(nlp, text) == {}


@pytest.mark.slow
def test_fiscal_and_quarter_periods_excluded(nlp) -> None:
    text = (
        "The chipmaker warned the rules could cut $2 billion from its October-quarter revenue, "
        "and its fiscal 2025 profit fell 9% in the third quarter."
    )
    assert _policy(nlp, text) == {}


@pytest.mark.slow
def test_identical_pairs_listed_once_and_anaphora(nlp) -> None:
    text = (
        "The regulator met exporters on Monday. Steel output jumped in August. "
        "Officials announced new quotas that month, and met again on Monday."
    )
    facts = policy_dates(nlp, nlp(text), "2025-09-10")
    assert [(f.text, f.resolved) for f in facts] == [
        ("on Monday", "2025-09-08"),
        ("that month", "2025-08"),
    ]


@pytest.mark.slow
def test_month_of_that_year(nlp) -> None:
    text = "The agency was set up in 2021 under a decree signed in March of that year."
    assert _policy(nlp, text, "2025-06-05") == {
        "in 2021": "2021",
        "in March of that year": "2021-03",
    }


@pytest.mark.slow
def test_range_is_not_split(nlp) -> None:
    text = "Negotiators met between Nov 4 and Nov 6 to settle the licence terms."
    assert _policy(nlp, text) == {"between Nov 4 and Nov 6": "2025-11"}


@pytest.mark.slow
@given(st.text(max_size=200))
@settings(max_examples=60, deadline=None)
def test_find_dates_never_raise(nlp, text: str) -> None:
    doc = nlp(text)
    for fact in policy_dates(nlp, doc, PUB) + date_mentions(nlp, doc, "2024-02"):
        assert doc.text[fact.start_char : fact.end_char] == fact.text
        assert fact.granularity in ("day", "month", "year")


@pytest.mark.parametrize("year", [1899, 2024, 2025, 2100])
def test_common_date_shapes_read_as_dateparser_reads_them(year: int) -> None:
    """The direct reading of "june 8, 2025" / "june 2025" equals dateparser's, invalid days
    included (those go to dateparser)."""
    from tradeline.extractors.dates.rules import _common_format, _with_dateparser

    months = ["january", "february", "march", "april", "may", "june", "july", "august"]
    months += ["september", "october", "november", "december"]
    direct = 0
    for month in months:
        texts = [f"{month} {year}"] + [f"{month} {day}, {year}" for day in range(0, 33)]
        for text in texts:
            fast = _common_format(text)
            assert (fast or _with_dateparser(text)) == _with_dateparser(text), text
            direct += fast is not None
    assert direct >= 12 * 29  # every month's valid days were read directly
    assert _common_format(f"sept 5, {year}") is None  # abbreviations stay with dateparser
