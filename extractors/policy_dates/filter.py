"""spaCy component `tradeline_policy_date_filter`: does a date the rules kept date an event?

The date rules (dates/facts.py `find_policy_dates`) keep every resolvable date that no rule
recognises as a dateline, name, fiscal period or statistic; on real reports they also keep the
dates of harvests, price moves, sales, careers and fighting, which GUIDELINES §5 leaves out. A
trained classifier (models/trained/policy_dates, built by `tradeline train policy_dates` from the
gold policy dates of annotated trade reports) reads each kept date's features
(policy_dates/features.py) and `keep_policy_dates` drops the dates it scores below `threshold`.
The component adds nothing to the Doc.
"""

from __future__ import annotations

from collections.abc import Sequence

from spacy.language import Language
from spacy.tokens import Doc, Span

from tradeline.extractors.learned.component import BinaryScorer
from tradeline.extractors.policy_dates.features import date_features
from tradeline.records import PolicyDateFact

NAME = "tradeline_policy_date_filter"
THRESHOLD = 0.75  # chosen on trade-dev; a change is a change of EXTRACTOR_VERSION


@Language.factory(NAME)
def make_policy_date_filter(nlp: Language, name: str) -> PolicyDateFilter:
    return PolicyDateFilter(nlp, name)


class PolicyDateFilter(BinaryScorer):
    """Scores kept dates' feature rows with the trained policy-date classifier."""

    LABEL = "POLICY"
    threshold: float = THRESHOLD


def date_span(doc: Doc, fact: PolicyDateFact) -> Span | None:
    """The words of a date fact in `doc` (None when its offsets cut a word)."""
    if fact.start_char is None or fact.end_char is None:
        return None
    return doc.char_span(fact.start_char, fact.end_char, alignment_mode="expand")


def date_rows(doc: Doc, facts: Sequence[PolicyDateFact]) -> list[tuple[PolicyDateFact, list[str]]]:
    """(fact, feature words) for each fact, in order; a fact without words gets none."""
    out = []
    for fact in facts:
        span = date_span(doc, fact)
        out.append((fact, date_features(doc, span, fact.granularity) if span is not None else []))
    return out


def keep_policy_dates(
    doc: Doc, facts: list[PolicyDateFact], date_filter: PolicyDateFilter | None
) -> list[PolicyDateFact]:
    """The dates the trained filter keeps (all of them without a filter). A date it cannot
    read (no words at its offsets) is kept: an empty row's score says nothing about it."""
    if date_filter is None or not facts:
        return facts
    rows = date_rows(doc, facts)
    scores = date_filter.scores([words for _, words in rows])
    return [
        fact
        for (fact, words), p in zip(rows, scores, strict=True)
        if not words or p >= date_filter.threshold
    ]
