"""Training labels of the policy-date filter: which dates the rules keep are gold policy dates.

A kept date is right when a gold policy date has its resolved value and granularity and the
same words (one text inside the other, ignoring case); a gold date whose words no kept date
shares is matched by value alone, the way the scorer matches (GUIDELINES §5, one to one).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tradeline.records import PolicyDateFact


def _same_words(a: str, b: str) -> bool:
    a, b = " ".join(a.lower().split()), " ".join(b.lower().split())
    return bool(a) and bool(b) and (a in b or b in a)


def _same_value(fact: PolicyDateFact, gold: dict[str, Any]) -> bool:
    return fact.resolved == gold.get("resolved") and fact.granularity == gold.get("granularity")


def policy_labels(facts: Sequence[PolicyDateFact], gold: Sequence[dict[str, Any]]) -> list[bool]:
    """True for each kept date that a gold policy date matches, one to one, words first."""
    used: set[int] = set()
    labels = [False] * len(facts)
    for by_words in (True, False):
        for i, fact in enumerate(facts):
            if labels[i]:
                continue
            for j, g in enumerate(gold):
                if j in used or not _same_value(fact, g):
                    continue
                if by_words and not _same_words(fact.text, str(g.get("text") or "")):
                    continue
                labels[i] = True
                used.add(j)
                break
    return labels
