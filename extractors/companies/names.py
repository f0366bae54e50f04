"""Company name normalisation and alias matching.

A firm's canonical name must be the same across articles: the gazetteer's name when the firm is
known, else the first full surface form with legal suffixes stripped and shouting caps tamed.
Within one article, short forms ("JL Mag" for "JL Mag Rare Earths", "Zhong Ke San Huan" for
"Beijing Zhong Ke San Huan High-Tech") and spelling variants are clustered with rapidfuzz.
`CompanyNames` holds the rules with the word lists and gazetteer they read (the companies
component's data, `CompanyTagger.names`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cached_property

from rapidfuzz import fuzz, process

from tradeline.extractors.companies.lexicon import CompanyLexicon, GazetteerEntry
from tradeline.extractors.component_data import DataFile
from tradeline.identity import same_company
from tradeline.models.assets import Assets

_WORD = re.compile(r"[a-z0-9]+")
_LETTERS = re.compile(r"[^\W_]+")  # words of any script, for initials
GAZETTEER_FUZZY_MIN = 92.0  # whole folded names: a letter or two apart ("Glencor" / "Glencore")
_PAREN = re.compile(r"\s*\([^)]*\)")
_INNER_HYPHEN = re.compile(r"(?<=[^\W\d_])-(?=[^\W\d_])")


def tokens(name: str) -> list[str]:
    """Lower-case word tokens of a name ("Hi-Tech" -> ["hi", "tech"])."""
    return _WORD.findall(name.casefold().replace("’", "'").replace("'s", ""))


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


class CompanyNames:
    """Canonical names and same-firm tests, from the company lexicon and the gazetteer."""

    def __init__(self, lexicon: CompanyLexicon, gazetteer: Iterable[GazetteerEntry]) -> None:
        self.lexicon = lexicon
        self.gazetteer = tuple(gazetteer)
        words = set(lexicon.strip_for_canonical)
        self._strip = frozenset(words | {w.rstrip(".") for w in words})
        self._heads = frozenset(lexicon.head_words) | self._strip | {"group", "holdings", "holding"}
        self._folds = {k: v for k, v in lexicon.canonical_folds.items() if not k.startswith("_")}
        self._tail = frozenset(lexicon.canonical_tail_words) | self._strip
        self._prefixes = {p.rstrip(".") for p in lexicon.legal_prefixes}
        # name key of every gazetteer alias (and canonical) -> canonical name
        self.index: dict[str, str] = {}
        for row in self.gazetteer:
            for alias in [row.canonical, *row.aliases]:
                self.index.setdefault(self.name_key(alias), row.canonical)
        self.sectors = {row.canonical: row.sector for row in self.gazetteer}

    @classmethod
    def from_assets(cls, assets: Assets | None = None) -> CompanyNames:
        """The rules with the lexicon and gazetteer of an assets folder (None: the packaged
        models/), as pipeline.toml names them: for code that has no pipeline."""
        assets = assets or Assets.packaged()
        files = assets.definition()["components"]["tradeline_companies"]
        lexicon = CompanyLexicon.read(assets.path(files["lexicon"]))
        return cls(lexicon, DataFile.read(assets.path(files["gazetteer"])).rows(GazetteerEntry))

    # ------------------------------------------------------------------ keys
    def key_tokens(self, name: str) -> list[str]:
        """Tokens without a leading "the" and trailing legal suffixes ("Co", "Ltd", "Inc"...)."""
        toks = tokens(name)
        while toks and toks[0] == "the":
            toks.pop(0)
        while len(toks) > 1 and toks[-1] in self._strip:
            toks.pop()
        return toks

    def name_key(self, name: str) -> str:
        return " ".join(self.key_tokens(name))

    def strip_legal(self, name: str) -> str:
        """Drop a leading "the", trailing legal suffixes and stray punctuation, keep the rest."""
        parts = name.replace("\u00a0", " ").split()
        while parts and parts[0].lower() == "the":
            parts.pop(0)
        while len(parts) > 1 and parts[-1].lower().strip(",.") in self._strip:
            parts.pop()
        text = " ".join(parts).strip(" ,.;:")
        return text or name.strip()

    # ------------------------------------------------------------------ canonical names
    def canonical_name(self, name: str, known: str | None = None) -> str:
        """Gazetteer canonical when known, else the canonical form of the surface name."""
        if known:
            return known
        return self.gazetteer_canonical(name) or self.canonical_form(name)

    def _fold_word(self, word: str) -> str:
        """Fold one word by the lexicon's spelling folds, keeping its capitalisation."""
        folded = self._folds.get(word.casefold())
        if folded is None:
            return word
        if word.isupper() and len(word) > 1:
            return folded.upper()
        return folded.capitalize() if word[:1].isupper() else folded

    def canonical_form(self, name: str) -> str:
        """One spelling per firm across articles, for firms the gazetteer does not know.

        "JL Mag Rare-Earth Co Ltd", "JL Mag Rare Earths" -> "JL Mag Rare Earth": bracketed
        words, legal prefixes and suffixes and trailing group words dropped, hyphens between
        letters made spaces, plural/singular and other spelling variants folded (models/data
        lexicon). The warehouse then merges names that differ only in case.
        """
        text = _PAREN.sub(" ", name.replace("\u00a0", " "))
        parts = self.strip_legal(text).split()
        while len(parts) > 1 and parts[0].casefold().rstrip(".") in self._prefixes:
            parts.pop(0)
        words = [w for part in parts for w in _INNER_HYPHEN.split(part) if w]
        while len(words) > 1 and words[-1].casefold().strip(",.") in self._tail:
            words.pop()
        out = " ".join(self._fold_word(w) for w in words).strip(" ,.;:")
        return fix_case(out) if out else fix_case(self.strip_legal(name))

    def fold_key(self, name: str) -> str:
        """Lower-case key of `canonical_form` (what two spellings of one firm share)."""
        return " ".join(tokens(self.canonical_form(name)))

    # ------------------------------------------------------------------ gazetteer
    @cached_property
    def _folded(self) -> dict[str, str]:
        index: dict[str, str] = {}
        for row in self.gazetteer:
            for alias in [row.canonical, *row.aliases]:
                key = self.fold_key(alias)
                if key:
                    index.setdefault(key, row.canonical)
        return index

    @cached_property
    def _by_shape(self) -> dict[tuple[str, int], list[str]]:
        """Folded gazetteer keys grouped by (first word, word count), in index order: the fuzzy
        match's candidates, grouped once instead of filtered per name."""
        groups: dict[tuple[str, int], list[str]] = {}
        for key in self._folded:
            words = key.split()
            groups.setdefault((words[0], len(words)), []).append(key)
        return groups

    def gazetteer_fuzzy(self, name: str) -> str | None:
        """The gazetteer firm whose folded name equals, or is a letter or two from, this one's
        ("Lynas Rare Earth Ltd" -> "Lynas Rare Earths"); same first word and word count only."""
        key = self.fold_key(name)
        if not key:
            return None
        index = self._folded
        if key in index:
            return index[key]
        if len(key) < 8:
            return None
        words = key.split()
        choices = self._by_shape.get((words[0], len(words)), [])
        best = process.extractOne(key, choices, scorer=fuzz.ratio, score_cutoff=GAZETTEER_FUZZY_MIN)
        return index[best[0]] if best else None

    def gazetteer_canonical(self, name: str) -> str | None:
        """The gazetteer name of `name`, also when the text adds head words or legal forms
        ("Shenghe Resources Holding Co" -> "Shenghe Resources")."""
        toks = self.key_tokens(name)
        while toks:
            hit = self.index.get(" ".join(toks))
            if hit:
                return hit
            if len(toks) < 2 or toks[-1] not in self._heads:
                break
            toks = toks[:-1]
        return self.gazetteer_fuzzy(name)

    # ------------------------------------------------------------------ same firm
    def distinctive(self, toks: list[str]) -> bool:
        """At least one token that is not a generic company head word or legal suffix."""
        return any(t not in self._heads for t in toks)

    def is_short_form(self, short: str, full: str) -> bool:
        """`short` is the first token(s) or a distinctive run of tokens of `full`."""
        s, f = self.key_tokens(short), self.key_tokens(full)
        if not s or len(s) >= len(f):
            return False
        if f[: len(s)] == s:
            return self.distinctive(s)
        if len(s) >= 2 and self.distinctive(s):
            return any(f[i : i + len(s)] == s for i in range(1, len(f) - len(s) + 1))
        return False

    def is_acronym_of(self, short: str, full: str) -> bool:
        """An all-capitals short form made of the initials of the full name ("ABC" for "Alpha
        Beta Chemicals Co")."""
        word = short.strip()
        if not (word.isupper() and word.isalpha() and 2 <= len(word) <= 8):
            return False
        # connectors of English and Romance legal names ("Sociedad Química y Minera" -> SQM)
        skip = {"of", "and", "the", "for", "de", "del", "da", "do", "dos", "das", "des", "du"}
        skip |= {"y", "e", "et"}
        # whole words, accented letters included ("Química" is one word, initial q)
        words = [t for t in _LETTERS.findall(full.casefold()) if t not in skip]
        initials = "".join(t[0] for t in words)
        while len(words) > 2 and words[-1] in self._strip:
            words.pop()  # "... Andina SA" -> "SQMA"
        bare = "".join(t[0] for t in words)
        stripped = "".join(t[0] for t in self.key_tokens(full) if t not in skip)
        return len(words) >= 2 and word.lower() in (initials, bare, stripped)

    def same_firm(self, a: str, b: str) -> bool:
        """Two surface forms name the same firm within one article."""
        ka, kb = self.key_tokens(a), self.key_tokens(b)
        if not ka or not kb:
            return False
        if ka == kb or self.is_acronym_of(a, b) or self.is_acronym_of(b, a):
            return True
        ga, gb = self.index.get(" ".join(ka)), self.index.get(" ".join(kb))
        if ga and gb:
            return ga == gb
        if self.is_short_form(a, b) or self.is_short_form(b, a):
            return True
        if ka[0] != kb[0] or len(ka) != len(kb) or len(ka) < 2:
            return False
        # Spelling variants: the one identity rule the registry and the timeline merge use.
        return same_company(" ".join(ka), " ".join(kb))
