"""Per-doc values that spaCy recomputes on every access, computed once and kept on the doc.

`Doc.text` joins every token each time it is read, counting a word is a pass over every token,
and each `doc[i]` builds a new Token object: done per candidate or per name they made extraction
quadratic in article length (profiled). The values live in `doc.user_data`, so they
go with the doc; nothing here may be used before the parser has run or after a retokenize.
"""

from __future__ import annotations

from collections import Counter

from spacy.attrs import LOWER, ORTH
from spacy.tokens import Doc, Span

_TEXT = "tradeline.text"
_COUNTS = "tradeline.text_counts"
_LOWERS = "tradeline.lowers"
_TEXTS = "tradeline.texts"


def _strings(doc: Doc, attr: int) -> list[str]:
    """One string attribute of every token, read from the doc's array: no Token objects."""
    strings = doc.vocab.strings
    return [strings[key] for key in doc.to_array([attr]).reshape(-1).tolist()]


def token_texts(doc: Doc) -> list[str]:
    """Every token's `text`, read once per doc."""
    texts = doc.user_data.get(_TEXTS)
    if texts is None:
        texts = doc.user_data[_TEXTS] = _strings(doc, ORTH)
    return texts


def doc_text(doc: Doc) -> str:
    """`doc.text`, joined once per doc."""
    text = doc.user_data.get(_TEXT)
    if text is None:
        text = doc.user_data[_TEXT] = doc.text
    return text


def text_count(doc: Doc, text: str) -> int:
    """How many tokens of the doc are exactly `text` (a Counter built once per doc)."""
    counts = doc.user_data.get(_COUNTS)
    if counts is None:
        counts = doc.user_data[_COUNTS] = Counter(token_texts(doc))
    return counts.get(text, 0)  # a plain dict once the doc has crossed processes


def doc_lowers(doc: Doc) -> list[str]:
    """Every token's `lower_`, read once per doc (each `doc[i]` builds a Token object)."""
    lowers = doc.user_data.get(_LOWERS)
    if lowers is None:
        lowers = doc.user_data[_LOWERS] = _strings(doc, LOWER)
    return lowers


_SENT_BOUNDS = "tradeline.sent_bounds"
_SENT_INDEX = "tradeline.sent_index"


def sentence_bounds(doc: Doc) -> list[tuple[int, int]]:
    """(start, end) of every sentence, in order: `doc.sents` walks every token per call."""
    bounds = doc.user_data.get(_SENT_BOUNDS)
    if bounds is None:
        bounds = doc.user_data[_SENT_BOUNDS] = [(s.start, s.end) for s in doc.sents]
    return bounds


def sentence_number(doc: Doc, i: int) -> int:
    """The index in `sentence_bounds` of the sentence holding token `i`."""
    index = doc.user_data.get(_SENT_INDEX)
    if index is None:
        index = []
        for k, (start, end) in enumerate(sentence_bounds(doc)):
            index.extend([k] * (end - start))
        doc.user_data[_SENT_INDEX] = index
    return index[i]


def sentences(doc: Doc) -> list[Span]:
    """`list(doc.sents)`, from the bounds found once per doc."""
    return [doc[start:end] for start, end in sentence_bounds(doc)]


def sentence_of(doc: Doc, i: int) -> Span:
    """`doc[i].sent`, from the bounds found once per doc."""
    start, end = sentence_bounds(doc)[sentence_number(doc, i)]
    return doc[start:end]


_ENTS = "tradeline.entity_labels"


def entity_label(doc: Doc, start: int, end: int) -> str | None:
    """The label of the entity spanning exactly [start, end), if any: `doc.ents` builds
    every entity span on each read. Read after the pipeline (the NER and our components have
    set the entities); keys are strings so the cache pickles with the doc."""
    labels = doc.user_data.get(_ENTS)
    if labels is None:
        labels = {}
        for ent in doc.ents:
            labels.setdefault(f"{ent.start}:{ent.end}", ent.label_)
        doc.user_data[_ENTS] = labels
    return labels.get(f"{start}:{end}")
