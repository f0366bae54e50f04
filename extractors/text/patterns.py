"""Token-pattern files (JSONL of {"label", "pattern"}) and the Matcher compiled from them.

The date and validity components keep their patterns as data; compiling a spaCy Matcher is far
costlier than running it, so each component compiles its own once, when it loads its data, and
runs it only around the tokens its patterns can match (anchored_matcher.py).
"""

from __future__ import annotations

from typing import Any

from spacy.matcher import Matcher
from spacy.vocab import Vocab

from tradeline.extractors.component_data import Row
from tradeline.extractors.text.anchored_matcher import AnchoredMatcher

Patterns = list[tuple[str, list[dict[str, Any]]]]  # (label, token pattern), in file order


class PatternRow(Row):
    """One line of a pattern file: a spaCy token pattern and the label its matches get."""

    label: str
    pattern: list[dict[str, Any]]


def anchored_matcher(vocab: Vocab, patterns: Patterns) -> AnchoredMatcher:
    """One Matcher holding every pattern, run only near the tokens the patterns can match."""
    matcher = Matcher(vocab)
    for label, pattern in patterns:
        matcher.add(label, [pattern])
    return AnchoredMatcher(matcher, [pattern for _, pattern in patterns])
