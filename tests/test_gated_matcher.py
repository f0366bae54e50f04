"""GatedMatcher returns exactly what one spaCy Matcher with every pattern returns, in order."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from spacy.matcher import Matcher

from tradeline.extractors.page import parse_page
from tradeline.extractors.text.gated_matcher import GatedMatcher, required_words

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent
SENTENCES = [
    "Export licences for the chips shall not be permitted under the new rules.",
    "The ministry added three firms to its export control list on Monday.",
    "Applications from Acme Corp are still under review, officials said.",
    "The curbs took effect on June 1 and the ban came into force a week later.",
    "Washington put the chipmaker on the entity list and later removed it from the list.",
    "The suspension was made permanent; the licence was granted to Acme Corp a year ago.",
]


def test_required_words_skip_optional_and_negated_tokens() -> None:
    pattern = [
        {"LEMMA": {"IN": ["grant", "issue"]}},
        {"LOWER": "the", "OP": "?"},
        {"LOWER": {"NOT_IN": ["."]}, "OP": "{0,4}"},
        {"LOWER": "not", "OP": "!"},
        {"POS": "PROPN", "OP": "+"},
        {"ORTH": "licence", "OP": "{1,2}"},
    ]
    assert required_words(pattern) == [
        ("LEMMA", frozenset({"grant", "issue"})),
        ("ORTH", frozenset({"licence"})),
    ]


@pytest.fixture(scope="module")
def docs(pipeline) -> list:
    nlp = pipeline
    pages = sorted((REPO / "samples" / "articles").glob("*.html"))
    texts = [parse_page(p.read_bytes(), url=f"file:///{p.name}").text for p in pages]
    return list(nlp.pipe(texts + SENTENCES))


def _pattern_sets(pipeline) -> list[tuple[str, list]]:
    """The event component's own surface and extra patterns: real, long-gap patterns."""
    events = pipeline.get_pipe("tradeline_events")
    rows = [json.loads(line) for line in (REPO / "models/data/events/patterns.jsonl").open()]
    surface = [(key, pattern) for key, pattern in events.surface._patterns]
    return [("extra", [(row["id"], row["pattern"]) for row in rows]), ("surface", surface)]


def test_same_matches_in_the_same_order_as_one_matcher(docs: list, pipeline) -> None:
    for name, patterns in _pattern_sets(pipeline):
        full, gated = Matcher(docs[0].vocab), GatedMatcher(docs[0].vocab)
        for key, pattern in patterns:
            full.add(key, [pattern])
            gated.add(key, [pattern])
        total = 0
        for doc in docs:
            ids = gated.word_ids(doc)
            for part in [doc, *doc.sents]:
                expected = full(part)
                assert gated(part) == expected, (name, part.text[:60])
                if part is not doc:  # a span with its slice of the doc's word ids
                    assert gated(part, ids[part.start : part.end]) == expected
                total += len(expected)
        assert total > 5, name  # the texts exercise the patterns


def test_empty_text_has_no_matches(pipeline) -> None:
    nlp = pipeline
    gated = GatedMatcher(nlp.vocab)
    gated.add("X", [[{"LOWER": "licence"}]])
    doc = nlp("")
    assert gated(doc) == [] and gated.word_ids(doc).shape == (0, 1)
