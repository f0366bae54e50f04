"""A spaCy Matcher that only runs the patterns whose required words occur in the text.

A pattern can match only where every one of its mandatory tokens (no "?", "*" or "{0,n}"
operator) finds a word: a token pattern with `LOWER`, `LEMMA`, `ORTH` or `TEXT` set to a word or
an `IN` list needs one of those words in the text. Most trade-news sentences hold the words of a
few of our patterns at most, yet the Matcher pays for every pattern on every token, and the
long-gap patterns are the costly ones. This class checks the word sets first and runs a Matcher
compiled for just the patterns that can match (cached per pattern subset). The matches, and
their order, are those of one Matcher holding every pattern: dropping a pattern that cannot match
changes nothing else (tests/test_gated_matcher.py compares the two).
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import numpy
from spacy.attrs import IDS
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span
from spacy.vocab import Vocab

_ATTRS = {"LOWER": "LOWER", "LEMMA": "LEMMA", "ORTH": "ORTH", "TEXT": "ORTH"}
_MAX_CACHED = 512


def mandatory_tokens(pattern: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The token specs every match must fill: no "?", "*", "!" or "{0,n}" operator."""
    optional = ("?", "*", "!")
    return [
        token
        for token in pattern
        if str(token.get("OP", "")) not in optional
        and not str(token.get("OP", "")).startswith(("{0", "{,"))
    ]


def required_words(pattern: list[dict[str, Any]]) -> list[tuple[str, frozenset[str]]]:
    """(token attribute, words) for each mandatory token that names its words."""
    out = []
    for token in mandatory_tokens(pattern):
        for key, attr in _ATTRS.items():
            value = token.get(key)
            if isinstance(value, str):
                out.append((attr, frozenset([value])))
                break
            if isinstance(value, dict) and isinstance(value.get("IN"), list):
                out.append((attr, frozenset(value["IN"])))
                break
    return out


class GatedMatcher:
    """`add` like a Matcher; calling it on a Doc or Span returns the Matcher's (id, start, end),
    with offsets relative to the Doc or Span given.

    The words are compared as string ids from `Doc.to_array`; a caller matching many spans of
    one doc can pass that doc's `word_ids` slice for each span instead of reading tokens again.
    """

    def __init__(self, vocab: Vocab) -> None:
        self.vocab = vocab
        self._patterns: list[tuple[str, list[dict[str, Any]]]] = []
        self._required: list[list[tuple[int, frozenset[int]]]] = []
        self._attrs: list[str] = []
        self._matchers: OrderedDict[tuple[int, ...], Matcher] = OrderedDict()
        self._by_word: dict[tuple[int, int], list[int]] = {}  # (attr column, word id) -> patterns
        self._unconstrained: set[int] = set()  # patterns that name no required word

    def __len__(self) -> int:
        return len(self._patterns)

    def add(self, key: str, patterns: list[list[dict[str, Any]]]) -> None:
        for pattern in patterns:
            self._patterns.append((key, pattern))
            required = []
            for attr, words in required_words(pattern):
                if attr not in self._attrs:
                    self._attrs.append(attr)
                ids = frozenset(self.vocab.strings.add(word) for word in words)
                required.append((self._attrs.index(attr), ids))
            self._required.append(required)
            index = len(self._required) - 1
            if not required:
                self._unconstrained.add(index)
            for col, ids in required[:1]:  # one required group must be present: its words
                for word in ids:
                    self._by_word.setdefault((col, word), []).append(index)
        self._matchers.clear()

    def word_ids(self, doclike: Doc | Span) -> numpy.ndarray:
        """One row per token: the ids of the attributes the patterns name words for."""
        attrs = [IDS[attr] for attr in self._attrs or ["ORTH"]]
        if len(doclike) == 0:
            return numpy.zeros((0, len(attrs)), dtype="uint64")
        return doclike.to_array(attrs).reshape(len(doclike), -1)

    def __call__(
        self, doclike: Doc | Span, word_ids: numpy.ndarray | None = None
    ) -> list[tuple[int, int, int]]:
        ids = self.word_ids(doclike) if word_ids is None else word_ids
        present = [set(ids[:, col].tolist()) for col in range(len(self._attrs))]
        # Only patterns with at least one required word present can match: look those up
        # through the word index instead of testing every pattern.
        candidates = sorted(
            {index for col, words in enumerate(present) for w in words
             for index in self._by_word.get((col, w), ())}
            | self._unconstrained
        )
        possible = tuple(
            index
            for index in candidates
            if all(not wanted.isdisjoint(present[col]) for col, wanted in self._required[index])
        )
        if not possible:
            return []
        return self._matcher(possible)(doclike)

    def _matcher(self, subset: tuple[int, ...]) -> Matcher:
        matcher = self._matchers.get(subset)
        if matcher is None:
            matcher = Matcher(self.vocab)
            for index in subset:
                key, pattern = self._patterns[index]
                matcher.add(key, [pattern])
            self._matchers[subset] = matcher
            if len(self._matchers) > _MAX_CACHED:
                self._matchers.popitem(last=False)
        else:
            self._matchers.move_to_end(subset)
        return matcher
