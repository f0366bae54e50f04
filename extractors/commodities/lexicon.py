"""The commodities data file, typed (unknown keys are errors): models/data/commodities/."""

from __future__ import annotations

from tradeline.extractors.component_data import Row


class CommodityEntry(Row):
    """A normalised commodity label, the terms that name it, how specific it is, and the firm
    that makes it when the terms are a product's names."""

    label: str
    terms: tuple[str, ...]
    specificity: int = 1
    maker: str | None = None
