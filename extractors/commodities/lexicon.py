"""The commodities data file, typed (unknown keys are errors): models/data/commodities/."""

from __future__ import annotations

from tradeline.extractors.component_data import Lexicon, Row


class CommodityEntry(Row):
    """A normalised commodity label, the terms that name it, how specific it is, the firm that
    makes it when the terms are a product's names, and whether a term is a mention of the
    commodity wherever it stands (`mention`), or names it only as what is traded ("exports of
    weapons" is arms; "used in weapons" says nothing about the trade)."""

    label: str
    terms: tuple[str, ...]
    specificity: int = 1
    maker: str | None = None
    mention: bool = True


class TradedLexicon(Lexicon):
    """The words around a traded object (traded.json): see extractors/commodities/traded.py."""

    export_nouns: tuple[str, ...]
    export_verbs: tuple[str, ...]
    trader_nouns: tuple[str, ...]
    control_nouns: tuple[str, ...]
    control_preps: tuple[str, ...]
    quantity_nouns: tuple[str, ...]
    not_commodities: tuple[str, ...]
    generic_heads: tuple[str, ...]
    strip_heads: tuple[str, ...]
    keep_participles: tuple[str, ...]
    keep_adjectives: tuple[str, ...]
    drop_modifiers: tuple[str, ...]
