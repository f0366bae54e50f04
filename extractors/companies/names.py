"""Company name normalisation and alias matching.

A firm's canonical name must be the same across articles: the gazetteer's name when the firm is
known, else the first full surface form with legal suffixes stripped and shouting caps tamed.
Within one article, short forms ("JL Mag" for "JL Mag Rare Earths", "Zhong Ke San Huan" for
"Beijing Zhong Ke San Huan High-Tech") and spelling variants are clustered with rapidfuzz.
"""

from __future__ import annotations

import re
from functools import cache

from rapidfuzz import fuzz, process

from tradeline.extractors.companies.lexicon import CompanyLexicon, GazetteerEntry
from tradeline.extractors.component_data import read_lexicon, read_rows

_WORD = re.compile(r"[a-z0-9]+")
FUZZY_MIN = 80.0  # one differing word, e.g. "Earth"/"Earths", a one-letter misspelling
GAZETTEER_FUZZY_MIN = 92.0  # whole folded names: a letter or two apart ("Glencor" / "Glencore")
_PAREN = re.compile(r"\s*\([^)]*\)")
_INNER_HYPHEN = re.compile(r"(?<=[^\W\d_])-(?=[^\W\d_])")


@cache
def _lexicon() -> CompanyLexicon:
    return read_lexicon("companies/lexicon.json", CompanyLexicon)


@cache
def _gazetteer() -> tuple[GazetteerEntry, ...]:
    return read_rows("companies/gazetteer.jsonl", GazetteerEntry)


@cache
def _strip_words() -> frozenset[str]:
    words = set(_lexicon().strip_for_canonical)
    return frozenset(words | {w.rstrip(".") for w in words})


@cache
def _head_words() -> frozenset[str]:
    lex = _lexicon()
    return frozenset(lex.head_words) | _strip_words() | {"group", "holdings", "holding"}


@cache
def gazetteer_index() -> dict[str, str]:
    """name key of every gazetteer alias (and canonical) -> canonical name."""
    index = {}
    for row in _gazetteer():
        for alias in [row.canonical, *row.aliases]:
            index.setdefault(name_key(alias), row.canonical)
    return index


@cache
def gazetteer_sectors() -> dict[str, str]:
    return {row.canonical: row.sector for row in _gazetteer()}


def tokens(name: str) -> list[str]:
    """Lower-case word tokens of a name ("Hi-Tech" -> ["hi", "tech"])."""
    return _WORD.findall(name.casefold().replace("’", "'").replace("'s", ""))


def key_tokens(name: str) -> list[str]:
    """Tokens without a leading "the" and trailing legal suffixes ("Co", "Ltd", "Inc"...)."""
    toks = tokens(name)
    strip = _strip_words()
    while toks and toks[0] == "the":
        toks.pop(0)
    while len(toks) > 1 and toks[-1] in strip:
        toks.pop()
    return toks


def name_key(name: str) -> str:
    return " ".join(key_tokens(name))


def strip_legal(name: str) -> str:
    """Drop a leading "the", trailing legal suffixes and stray punctuation, keep the rest as is."""
    parts = name.replace("\u00a0", " ").split()
    strip = _strip_words()
    while parts and parts[0].lower() == "the":
        parts.pop(0)
    while len(parts) > 1 and parts[-1].lower().strip(",.") in strip:
        parts.pop()
    text = " ".join(parts).strip(" ,.;:")
    return text or name.strip()


def fix_case(name: str) -> str:
    """Title-case a shouted name's words longer than four letters ("NAURA TECHNOLOGY GROUP");
    keep acronyms, and any name that is not shouted throughout."""
    alpha = [w for w in name.split() if any(ch.isalpha() for ch in w)]
    if len(alpha) < 2 or not all(w.isupper() for w in alpha):
        return name
    words = []
    for word in name.split():
        if word.isupper() and len(word.strip(".,-&")) > 4 and word.isalpha():
            words.append(word.capitalize())
        else:
            words.append(word)
    return " ".join(words)


def canonical_name(name: str, known: str | None = None) -> str:
    """Gazetteer canonical when known, else the canonical form of the surface name."""
    if known:
        return known
    return gazetteer_canonical(name) or canonical_form(name)


@cache
def _folds() -> dict[str, str]:
    return {k: v for k, v in _lexicon().canonical_folds.items() if not k.startswith("_")}


@cache
def _tail_words() -> frozenset[str]:
    return frozenset(_lexicon().canonical_tail_words) | _strip_words()


def _fold_word(word: str) -> str:
    """Fold one word by the lexicon's spelling folds, keeping its capitalisation."""
    folded = _folds().get(word.casefold())
    if folded is None:
        return word
    if word.isupper() and len(word) > 1:
        return folded.upper()
    return folded.capitalize() if word[:1].isupper() else folded


def canonical_form(name: str) -> str:
    """One spelling per firm across articles, for firms the gazetteer does not know.

    "JL Mag Rare-Earth Co Ltd", "JL Mag Rare Earths" -> "JL Mag Rare Earth": bracketed words,
    legal prefixes and suffixes and trailing group words dropped, hyphens between letters
    made spaces, plural/singular and other spelling variants folded (models/data lexicon).
    The warehouse then merges names that differ only in case.
    """
    text = _PAREN.sub(" ", name.replace("\u00a0", " "))
    parts = strip_legal(text).split()
    prefixes = {p.rstrip(".") for p in _lexicon().legal_prefixes}
    while len(parts) > 1 and parts[0].casefold().rstrip(".") in prefixes:
        parts.pop(0)
    words = [w for part in parts for w in _INNER_HYPHEN.split(part) if w]
    tail = _tail_words()
    while len(words) > 1 and words[-1].casefold().strip(",.") in tail:
        words.pop()
    out = " ".join(_fold_word(w) for w in words).strip(" ,.;:")
    return fix_case(out) if out else fix_case(strip_legal(name))


def fold_key(name: str) -> str:
    """Lower-case key of `canonical_form` (what two spellings of one firm share)."""
    return " ".join(tokens(canonical_form(name)))


@cache
def _gazetteer_folded() -> dict[str, str]:
    index: dict[str, str] = {}
    for row in _gazetteer():
        for alias in [row.canonical, *row.aliases]:
            key = fold_key(alias)
            if key:
                index.setdefault(key, row.canonical)
    return index


@cache
def _gazetteer_by_shape() -> dict[tuple[str, int], list[str]]:
    """Folded gazetteer keys grouped by (first word, word count), in index order: the fuzzy
    match's candidates, grouped once instead of filtered per name."""
    groups: dict[tuple[str, int], list[str]] = {}
    for key in _gazetteer_folded():
        words = key.split()
        groups.setdefault((words[0], len(words)), []).append(key)
    return groups


def gazetteer_fuzzy(name: str) -> str | None:
    """The gazetteer firm whose folded name equals, or is a letter or two from, this one's
    ("Lynas Rare Earth Ltd" -> "Lynas Rare Earths"); same first word and word count only."""
    key = fold_key(name)
    if not key:
        return None
    index = _gazetteer_folded()
    if key in index:
        return index[key]
    if len(key) < 8:
        return None
    words = key.split()
    choices = _gazetteer_by_shape().get((words[0], len(words)), [])
    best = process.extractOne(key, choices, scorer=fuzz.ratio, score_cutoff=GAZETTEER_FUZZY_MIN)
    return index[best[0]] if best else None


def gazetteer_canonical(name: str) -> str | None:
    """The gazetteer name of `name`, also when the text adds head words or legal forms
    ("Shenghe Resources Holding Co" -> "Shenghe Resources")."""
    toks = key_tokens(name)
    heads = _head_words()
    index = gazetteer_index()
    while toks:
        hit = index.get(" ".join(toks))
        if hit:
            return hit
        if len(toks) < 2 or toks[-1] not in heads:
            break
        toks = toks[:-1]
    return gazetteer_fuzzy(name)


def distinctive(toks: list[str]) -> bool:
    """At least one token that is not a generic company head word or legal suffix."""
    heads = _head_words()
    return any(t not in heads for t in toks)


def is_short_form(short: str, full: str) -> bool:
    """`short` is the first token(s) or a distinctive run of tokens of `full`."""
    s, f = key_tokens(short), key_tokens(full)
    if not s or len(s) >= len(f):
        return False
    if f[: len(s)] == s:
        return distinctive(s)
    if len(s) >= 2 and distinctive(s):
        return any(f[i : i + len(s)] == s for i in range(1, len(f) - len(s) + 1))
    return False


def is_acronym_of(short: str, full: str) -> bool:
    """An all-capitals short form made of the initials of the full name ("ABC" for "Alpha Beta
    Chemicals Co")."""
    word = short.strip()
    if not (word.isupper() and word.isalpha() and 2 <= len(word) <= 8):
        return False
    words = [t for t in tokens(full) if t not in ("of", "and", "the", "for", "de")]
    initials = "".join(t[0] for t in words)
    stripped = "".join(t[0] for t in key_tokens(full) if t not in ("of", "and", "the", "for", "de"))
    return len(words) >= 2 and word.lower() in (initials, stripped)


def same_firm(a: str, b: str) -> bool:
    """Two surface forms name the same firm within one article."""
    ka, kb = key_tokens(a), key_tokens(b)
    if not ka or not kb:
        return False
    if ka == kb or is_acronym_of(a, b) or is_acronym_of(b, a):
        return True
    ga, gb = gazetteer_index().get(" ".join(ka)), gazetteer_index().get(" ".join(kb))
    if ga and gb:
        return ga == gb
    if is_short_form(a, b) or is_short_form(b, a):
        return True
    if ka[0] != kb[0] or len(ka) != len(kb) or len(ka) < 2:
        return False
    differing = [(x, y) for x, y in zip(ka, kb, strict=True) if x != y]
    return len(differing) == 1 and fuzz.ratio(*differing[0]) >= FUZZY_MIN
