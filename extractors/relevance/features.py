"""The words the relevance classifier reads: an article's lead, as lower-case lemmas.

News says what it is about in its first paragraphs; the rest of a long page (comments,
related stories) would only dilute a bag of words, and a bag over the whole page makes
long pages look alike. Numbers collapse to one word, punctuation and spaces are dropped.
"""

from __future__ import annotations

from spacy.tokens import Doc

LEAD_TOKENS = 300  # tokens of the article's start that the classifier reads
NUMBER = "#num"


def lead_words(doc: Doc, limit: int = LEAD_TOKENS) -> list[str]:
    """Lower-case lemmas of the words among the first `limit` tokens."""
    out: list[str] = []
    for tok in doc[:limit]:
        if tok.is_space or tok.is_punct:
            continue
        out.append(NUMBER if tok.like_num else (tok.lemma_ or tok.text).lower())
    return out
