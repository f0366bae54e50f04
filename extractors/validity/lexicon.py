"""The validity data files, typed (unknown keys are errors): models/data/validity/."""

from __future__ import annotations

from tradeline.extractors.component_data import Lexicon


class ValidityLexicon(Lexicon):
    """What a duration may attach to, and what makes it a lead time or a window (lexicon.json)."""

    number_words: dict[str, int | float]
    units: dict[str, str]
    long_words: dict[str, str]
    annual_nouns: tuple[str, ...]
    attach_nouns: tuple[str, ...]
    attach_verbs: tuple[str, ...]
    by_verbs: tuple[str, ...]
    exclude_nouns: tuple[str, ...]
    exclude_before_for: tuple[str, ...]
    for_fillers: tuple[str, ...]
    trailing_words: tuple[str, ...]
    weak_verbs: tuple[str, ...]
    cover_verbs: tuple[str, ...]
    after_verbs: tuple[str, ...]
    to_verbs: tuple[str, ...]
    measure_subjects: tuple[str, ...]
