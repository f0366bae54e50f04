"""Run a spaCy Matcher only on the stretches of a doc where its patterns can match.

The date patterns test a dozen regular expressions on every token of every article, although
about half the tokens are nowhere near a number, month or date word. Every pattern has a
mandatory token that names its words or a regular expression over the token text; a match
contains such an "anchor" token and is at most `max_len` tokens long, so it lies within
`max_len` tokens of an anchor. The Matcher runs on those windows (merged where they touch) and
returns what it returns on the whole doc, in the same order (tests/test_anchored_matcher.py).
Patterns with an unbounded operator or without an anchor make it fall back to the whole doc.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from spacy.attrs import ORTH
from spacy.matcher import Matcher
from spacy.tokens import Doc

from tradeline.extractors.text.gated_matcher import mandatory_tokens

AnchorTest = Callable[[str], bool]

# Words too common to be worth anchoring on when a pattern offers anything rarer.
_COMMON = {"the", "of", "a", "an", ",", "-", "to", "and", "this", "last", "next", "that", "same"}
_MEMO_LIMIT = 200_000


def max_length(pattern: list[dict[str, Any]]) -> int | None:
    """Most tokens the pattern can span; None when an operator is unbounded."""
    total = 0
    for token in pattern:
        op = str(token.get("OP", ""))
        if op in ("", "!", "?"):
            total += 1
        elif op.startswith("{"):
            bounds = op.strip("{}").split(",")
            upper = bounds[-1].strip()
            if not upper:
                return None
            total += int(upper)
        else:  # "*", "+"
            return None
    return total


def _token_tests(token: dict[str, Any]) -> list[tuple[int, AnchorTest]]:
    """(rank, test on the token text) for each constraint that depends on the text alone;
    rank 0 is a set of uncommon words, 1 a regular expression, 2 common words."""
    tests: list[tuple[int, AnchorTest]] = []
    for key in ("LOWER", "ORTH", "TEXT"):
        value = token.get(key)
        fold: Callable[[str], str] = str.lower if key == "LOWER" else str
        if isinstance(value, str):
            value = {"IN": [value]}
        if not isinstance(value, dict):
            continue
        if isinstance(value.get("IN"), list):
            words = frozenset(value["IN"])
            rank = 2 if words & _COMMON else 0
            tests.append((rank, lambda text, w=words, f=fold: f(text) in w))
        elif isinstance(value.get("REGEX"), str):
            rx = re.compile(value["REGEX"])
            tests.append((1, lambda text, r=rx, f=fold: r.search(f(text)) is not None))
    return tests


def anchor_test(pattern: list[dict[str, Any]]) -> AnchorTest | None:
    """A test every match of `pattern` passes on at least one of its tokens, or None."""
    candidates = [test for token in mandatory_tokens(pattern) for test in _token_tests(token)]
    if not candidates:
        return None
    return min(candidates, key=lambda c: c[0])[1]


class AnchoredMatcher:
    """Calls `matcher` on the windows around anchor tokens; see the module docstring."""

    def __init__(self, matcher: Matcher, patterns: list[list[dict[str, Any]]]) -> None:
        self.matcher = matcher
        lengths = [max_length(p) for p in patterns]
        tests = [anchor_test(p) for p in patterns]
        self.enabled = bool(patterns) and None not in lengths and None not in tests
        self.max_len = max((n for n in lengths if n is not None), default=0)
        self._tests = [t for t in tests if t is not None]
        self._memo: dict[int, bool] = {}

    def _is_anchor(self, doc: Doc, orth: int) -> bool:
        known = self._memo.get(orth)
        if known is None:
            if len(self._memo) > _MEMO_LIMIT:
                self._memo.clear()
            text = doc.vocab.strings[orth]
            known = self._memo[orth] = any(test(text) for test in self._tests)
        return known

    def windows(self, doc: Doc) -> list[tuple[int, int]]:
        """Merged [start, end) token ranges that hold every possible match."""
        reach = self.max_len
        out: list[tuple[int, int]] = []
        memo = self._memo
        for i, orth in enumerate(doc.to_array([ORTH]).ravel().tolist()):
            known = memo.get(orth)  # the memo read inline: this loop sees every token
            if not (known if known is not None else self._is_anchor(doc, orth)):
                continue
            start, end = max(0, i - reach + 1), min(len(doc), i + reach)
            if out and start <= out[-1][1]:
                out[-1] = (out[-1][0], max(out[-1][1], end))
            else:
                out.append((start, end))
        return out

    def __call__(self, doc: Doc) -> list[tuple[int, int, int]]:
        if len(self.matcher) == 0:
            return []  # an emptied pattern file: nothing to match (and no spaCy warning)
        if not self.enabled:
            return self.matcher(doc)
        matches: list[tuple[int, int, int]] = []
        for start, end in self.windows(doc):
            found = self.matcher(doc[start:end])
            matches.extend((mid, start + s, start + e) for mid, s, e in found)
        return matches
