"""Property tests that fill the gaps of test_extract_contract/test_dates/test_companies*: the
whole extraction on arbitrary Unicode (plain and mixed with trade-news words) returns facts of
the documented shapes — types, offsets inside the text, date formats that match their
granularity, ISO durations — and a contract object that serialises to JSON."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tradeline.config import ModelConfig
from tradeline.extractors.companies.names import CompanyNames
from tradeline.records import EVENT_TYPES, Extraction

NAMES = CompanyNames.from_assets()  # the packaged lexicon and gazetteer
canonical_form, canonical_name = NAMES.canonical_form, NAMES.canonical_name
fold_key = NAMES.fold_key

pytestmark = pytest.mark.slow  # loads the spaCy pipeline

DATE_BY_GRANULARITY = {
    "day": re.compile(r"\d{4}-\d{2}-\d{2}"),
    "month": re.compile(r"\d{4}-\d{2}"),
    "year": re.compile(r"\d{4}"),
}
ISO_DURATION = re.compile(r"P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?")
_PHRASE = (
    "China Commerce Ministry issued export licences permits for gallium to Acme Metals Ltd on "
    "3 March 2025 . valid for six months , banned suspended lifted extended until 2026 the "
    "U.S. Department BIS added Entity List \n ( ) « » 中国 出口 許可 — Müller GmbH ' \" 12 %"
)
WORDS = _PHRASE.split(" ")

TEMPLATE = (
    "{country} issued export licences for {goods} to {firm} Ltd on {date}. The licences are "
    "valid for {n} months.{noise} {country} banned exports of {goods} from {date}."
)
sentences = st.builds(
    TEMPLATE.format,
    country=st.sampled_from(["China", "Japan", "The Commerce Ministry", "U.S."])
    | st.text(max_size=12),
    goods=st.sampled_from(["gallium", "rare earths", "rice"]) | st.text(max_size=10),
    firm=st.text(max_size=20) | st.sampled_from(["Acme Metals", "Müller", "中国稀土"]),
    date=st.sampled_from(["3 March 2025", "March 2025", "Jan. 1", "2025", "Monday"])
    | st.text(max_size=12),
    n=st.integers(min_value=-1, max_value=10_000),
    noise=st.text(max_size=30),
)
texts = st.one_of(
    st.text(max_size=250),
    st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=6)), max_size=60).map(" ".join),
    sentences,
)
published = st.one_of(st.none(), st.sampled_from(["2025-03-04", "2025-03", "2025", "bogus"]))


@pytest.fixture(scope="module")
def extractor(nlp_model_name):
    from tradeline.flows.steps import get_extractor

    return get_extractor(ModelConfig(name=nlp_model_name))


def _in_text(text: str, start: int | None, end: int | None) -> None:
    assert start is not None and end is not None
    assert 0 <= start <= end <= len(text), (start, end, len(text))


def check_shapes(text: str, result: Extraction) -> None:
    """The documented shape of every fact (tradeline/records.py)."""
    assert result.skipped_reason is None
    for c in result.companies:
        assert isinstance(c.name, str) and c.name.strip()
        assert isinstance(c.canonical, str) and c.canonical.strip()
        assert all(isinstance(a, str) for a in c.aliases)
        if c.start_char is not None:
            _in_text(text, c.start_char, c.end_char)
        for start, end in c.mentions:
            _in_text(text, start, end)
    for e in result.events:
        assert e.type in EVENT_TYPES
        assert e.modality in ("actual", "planned", "possible")
        assert isinstance(e.evidence, str) and e.evidence.strip()
        _in_text(text, e.start_char, e.end_char)
        assert all(isinstance(c, str) and c for c in e.companies)
        if e.event_date is not None:
            assert e.date_granularity in DATE_BY_GRANULARITY
            assert DATE_BY_GRANULARITY[e.date_granularity].fullmatch(e.event_date), e
    for v in result.validity_periods:
        assert ISO_DURATION.fullmatch(v.duration), v.duration
        _in_text(text, v.start_char, v.end_char)
        assert v.event_index is None or 0 <= v.event_index < len(result.events)
        for value in (v.valid_from, v.valid_to):
            assert value is None or re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", value), value
    for p in result.policy_dates:
        assert DATE_BY_GRANULARITY[p.granularity].fullmatch(p.resolved), p
        _in_text(text, p.start_char, p.end_char)
    contract = result.to_contract("x")
    assert {"id", "companies", "events", "validity_periods", "policy_dates"} <= set(contract)
    assert set(contract) - {"held_back"} == {
        "id", "companies", "events", "validity_periods", "policy_dates", "relevance",
        "held_back_events",
    }
    json.dumps(contract, ensure_ascii=False)


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=texts, published=published)
def test_extraction_returns_documented_shapes(extractor, text: str, published) -> None:
    check_shapes(text, extractor.extract(text, published))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_company_normaliser_is_idempotent_on_its_key(name: str) -> None:
    key = fold_key(name)
    assert isinstance(key, str)
    assert fold_key(canonical_form(name)) == fold_key(canonical_form(canonical_form(name)))
    assert isinstance(canonical_name(name), str)
