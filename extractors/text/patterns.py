"""Token-pattern files (JSONL of {"label", "pattern"}) compiled once per vocabulary.

The date and validity finders both read their patterns as data; compiling a spaCy Matcher is
far costlier than running it, so each (file, vocab) pair is compiled once per process.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from spacy.matcher import Matcher
from spacy.tokens import Doc

from tradeline.extractors.text.anchored_matcher import AnchoredMatcher

_MATCHERS: dict[tuple[Path, int], AnchoredMatcher] = {}


def read_patterns(
    path: Path, transform: Callable[[Any], Any] | None = None
) -> list[tuple[str, list]]:
    """(label, pattern) rows of a JSONL pattern file, each pattern passed through `transform`."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            rec = json.loads(line)
            pattern = rec["pattern"]
            rows.append((rec["label"], transform(pattern) if transform else pattern))
    return rows


def anchored_matcher_for(
    doc: Doc, path: Path, patterns: Callable[[], list[tuple[str, list]]]
) -> AnchoredMatcher:
    """The Matcher for `path` on this doc's vocab (it keeps the vocab alive, so ids stay
    unique), run only around the tokens its patterns can match (anchored_matcher.py)."""
    key = (path, id(doc.vocab))
    if key not in _MATCHERS:
        rows = patterns()
        matcher = Matcher(doc.vocab)
        for label, pattern in rows:
            matcher.add(label, [pattern])
        _MATCHERS[key] = AnchoredMatcher(matcher, [pattern for _, pattern in rows])
    return _MATCHERS[key]
