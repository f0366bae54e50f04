"""Which company names are one firm: the one rule that extraction (spelling variants within an
article), the company registry and the timeline merge share, so the `companies` view and
`timeline` agree.

A name has two forms here:
* its *spelling* (`spelling`, casefolded, whitespace collapsed): `company_key` hashes it, so
  each distinct spelling of a canonical name has one `canonical_key`;
* its *comparable* form (`comparable`, casefolded, punctuation to spaces), which `same_company`
  compares.

Two comparable names are the same firm when they are equal, or within `SIMILARITY` by
rapidfuzz's ratio with the same number of words where every word that differs is a spelling
variant (ratio ≥ `WORD_SIMILARITY`) of a word of `MIN_VARIANT_LEN`+ letters: "JL Mag
Rare-Earth" ~ "JL Mag Rare Earths", "Ningbo Yansheng" ~ "Ningbo Yunsheng", but never a short
code or a number ("Samsung SDI" / "Samsung SDS", "12" / "123").
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable

from rapidfuzz import fuzz, process

from tradeline.records import stable_key
from tradeline.union_find import UnionFind

SIMILARITY = 88  # rapidfuzz.fuzz.ratio of the comparable names, 0–100
WORD_SIMILARITY = 80  # ratio of each differing word
MIN_VARIANT_LEN = 4  # a differing word shorter than this is a code, not a spelling variant
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def spelling(name: str) -> str:
    """Case- and whitespace-insensitive form of one spelling (what `company_key` hashes)."""
    return " ".join(name.casefold().split())


def company_key(canonical: str) -> str:
    """The `canonical_key` of a canonical company name: one per spelling."""
    return stable_key("company", spelling(canonical))


def comparable(name: str) -> str:
    """Company name for comparison: casefolded, punctuation to spaces."""
    return _NON_ALNUM.sub(" ", name.casefold()).strip()


def same_company(a: str, b: str) -> bool:
    """Two comparable names (see `comparable`) name the same firm (see the module docstring)."""
    if a == b:
        return True
    if fuzz.ratio(a, b) < SIMILARITY:
        return False
    words_a, words_b = a.split(), b.split()
    if len(words_a) != len(words_b):
        return False
    for x, y in zip(words_a, words_b, strict=True):
        if x == y:
            continue
        if (
            min(len(x), len(y)) < MIN_VARIANT_LEN
            or x.isdigit()
            or y.isdigit()
            or fuzz.ratio(x, y) < WORD_SIMILARITY
        ):
            return False
    return True


def firms(names: Iterable[str]) -> list[list[str]]:
    """Group names into firms: connected components of `same_company` over their comparable
    forms, so the grouping does not depend on the order of the names. Each group keeps its
    names in input order; groups come in the order of their first name. Names with no
    comparable form (punctuation only) stay alone."""
    names = list(dict.fromkeys(names))
    forms = {name: comparable(name) for name in names}
    sets = UnionFind(forms.values())
    find = sets.find
    for a, b in _similar_pairs(sorted(set(sets.parent) - {""})):
        sets.union(a, b)
    groups: dict[str, list[str]] = {}
    for name in names:
        form = forms[name]
        groups.setdefault(find(form) if form else "\0" + name, []).append(name)
    return list(groups.values())


def _similar_pairs(forms: list[str]) -> Iterable[tuple[str, str]]:
    """Pairs of distinct forms that are the same firm. Only forms with the same number of words
    and lengths close enough for a ratio ≥ SIMILARITY are scored (the ratio cannot reach it
    when the lengths differ more), so this is not a scan of every pair."""
    by_words: dict[int, list[str]] = {}
    for form in forms:
        by_words.setdefault(len(form.split()), []).append(form)
    # ratio ≤ 100 · (1 − |la − lb| / (la + lb)), so only S · lb ≤ (200 − S) · la can reach S.
    for block in by_words.values():
        block.sort(key=lambda f: (len(f), f))
        for i, form in enumerate(block):
            end = i + 1
            while end < len(block) and (
                SIMILARITY * len(block[end]) <= (200 - SIMILARITY) * len(form)
            ):
                end += 1
            candidates = block[i + 1 : end]
            if not candidates:
                continue
            hits = process.extract(
                form, candidates, scorer=fuzz.ratio, score_cutoff=SIMILARITY, limit=None
            )
            for other, _, _ in hits:
                if same_company(form, other):
                    yield form, other


def similar_to(new: Iterable[str], forms: Iterable[str]) -> Iterable[tuple[str, str]]:
    """The pairs `_similar_pairs` finds among `forms` that involve a form of `new` (all in
    `forms` too): the links new names add to firms already grouped, scoring each new form only
    against forms of its word count and a length that can reach `SIMILARITY`."""
    by_words: dict[int, list[str]] = {}
    for form in sorted(set(forms) - {""}, key=lambda f: (len(f), f)):
        by_words.setdefault(len(form.split()), []).append(form)
    lengths = {words: [len(f) for f in block] for words, block in by_words.items()}
    for form in sorted(set(new) - {""}):
        n, words = len(form), len(form.split())
        block = by_words.get(words, [])
        # the pair can reach SIMILARITY only when S · longer ≤ (200 − S) · shorter
        lo = bisect_left(lengths.get(words, []), -(-SIMILARITY * n // (200 - SIMILARITY)))
        hi = bisect_right(lengths.get(words, []), (200 - SIMILARITY) * n // SIMILARITY)
        candidates = [other for other in block[lo:hi] if other != form]
        if not candidates:
            continue
        hits = process.extract(
            form, candidates, scorer=fuzz.ratio, score_cutoff=SIMILARITY, limit=None
        )
        for other, _, _ in hits:
            a, b = sorted((form, other), key=lambda f: (len(f), f))
            if same_company(a, b):
                yield a, b
