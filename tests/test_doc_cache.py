"""The per-doc caches give what spaCy gives, computed once (sentences written here)."""

from __future__ import annotations

import pickle

import pytest

from tradeline.extractors.text.doc_cache import (
    sentence_bounds,
    sentence_number,
    sentence_of,
    sentences,
)

pytestmark = pytest.mark.slow

TEXT = (
    "China issued export licences to two firms on Tuesday.\n\n"
    "The ministry said the permits are valid for a year. Exports resumed. "
    "Analysts expect more approvals in January."
)


def test_sentences_match_spacy(pipeline):
    doc = pipeline(TEXT)
    assert [(s.start, s.end) for s in doc.sents] == sentence_bounds(doc)
    assert [s.text for s in sentences(doc)] == [s.text for s in doc.sents]
    assert len(sentence_bounds(doc)) >= 4
    for tok in doc:
        assert sentence_of(doc, tok.i) == tok.sent
        start, end = sentence_bounds(doc)[sentence_number(doc, tok.i)]
        assert start <= tok.i < end


def test_cached_bounds_cross_processes_with_the_doc(pipeline):
    doc = pipeline(TEXT)
    bounds = sentence_bounds(doc)
    copy = pickle.loads(pickle.dumps(doc))
    assert sentence_bounds(copy) == bounds
    assert sentence_of(copy, len(copy) - 1).text == list(doc.sents)[-1].text
