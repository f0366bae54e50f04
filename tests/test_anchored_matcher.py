"""AnchoredMatcher returns what the Matcher returns on the whole doc, in the same order."""

from __future__ import annotations

from pathlib import Path

import pytest
from spacy.matcher import Matcher

from tradeline.extractors.page import parse_page
from tradeline.extractors.text.anchored_matcher import AnchoredMatcher, anchor_test, max_length

pytestmark = pytest.mark.slow

SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "articles"
SENTENCES = [
    "On June 8, 2025 the ministry issued a licence valid for one year.",
    "The 2nd of April, the third quarter of 2024, Q3 2025, mid-March and the end of last year.",
    "Three weeks ago, on Friday's close, a 90-day pause began; it ends next month.",
    "Exports fell 12% in the first eight months, the yearlong ban on 2024-05-01 said.",
    "No dates here at all, only words about permits and firms.",
    "2025",
]


def test_max_length_and_anchor_tests() -> None:
    assert max_length([{"LOWER": "a"}, {"OP": "{0,4}"}, {"LOWER": "b", "OP": "?"}]) == 6
    assert max_length([{"LOWER": "a"}, {"POS": "PROPN", "OP": "+"}]) is None
    test = anchor_test([{"LOWER": "the", "OP": "?"}, {"TEXT": {"REGEX": r"^\d{4}$"}}])
    assert test is not None and test("2025") and not test("the")
    words = anchor_test([{"LOWER": "the"}, {"LOWER": {"IN": ["june", "july"]}}])
    assert words is not None and words("June") and not words("the")  # the rarer token anchors
    assert anchor_test([{"POS": "NOUN"}]) is None


@pytest.fixture(scope="module")
def docs(pipeline) -> list:
    nlp = pipeline
    pages = sorted(SAMPLES.glob("*.html"))
    texts = [parse_page(p.read_bytes(), url=f"file:///{p.name}").text for p in pages]
    return list(nlp.pipe(texts + SENTENCES))


@pytest.mark.parametrize("component", ["tradeline_dates", "tradeline_validity"])
def test_same_matches_as_the_whole_doc(docs: list, pipeline, component: str) -> None:
    path = component
    rows = pipeline.get_pipe(component).patterns
    full = Matcher(docs[0].vocab)
    for label, pattern in rows:
        full.add(label, [pattern])
    anchored = AnchoredMatcher(full, [p for _, p in rows])
    assert anchored.enabled, path  # the shipped patterns are bounded and anchored
    total = 0
    for doc in docs:
        expected = full(doc)
        assert anchored(doc) == expected, doc.text[:60]
        total += len(expected)
    assert total > 10
    covered = sum(end - start for doc in docs for start, end in anchored.windows(doc))
    assert covered < sum(len(doc) for doc in docs)  # windows skip some of the text


def test_falls_back_to_the_whole_doc_for_unbounded_patterns(docs: list) -> None:
    pattern = [{"LOWER": "licence"}, {"OP": "*"}, {"LOWER": "year"}]
    full = Matcher(docs[0].vocab)
    full.add("X", [pattern])
    anchored = AnchoredMatcher(full, [pattern])
    assert not anchored.enabled
    assert all(anchored(doc) == full(doc) for doc in docs)


def test_windows_reach_max_len_tokens_each_way_from_an_anchor() -> None:
    import spacy

    nlp = spacy.blank("en")
    doc = nlp(" ".join(["word"] * 20 + ["2025"] + ["word"] * 20))
    pattern = [{"LOWER": "in", "OP": "?"}, {"OP": "{0,3}"}, {"TEXT": {"REGEX": r"^\d{4}$"}}]
    full = Matcher(nlp.vocab)
    full.add("Y", [pattern])
    anchored = AnchoredMatcher(full, [pattern])
    assert anchored.max_len == 5
    assert anchored.windows(doc) == [(16, 25)]  # a match ending or starting at token 20
    assert anchored(doc) == full(doc) and len(full(doc)) == 4
