"""spaCy component `tradeline_company_filter`: is a firm the rules found really a firm?

The company rules (companies/component.py) propose firms with high recall, and on real news
they also take agencies, outlets, places, people, products and headings for firms. A trained
classifier (models/trained/companies, built by `tradeline train companies` from the gold firms
of annotated trade reports) reads each candidate's features (companies/features.py) and the
company facts drop the candidates it scores below `threshold`. Gazetteer firms are not judged.
The component adds nothing to the Doc: the company facts call `scores`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from spacy.language import Language
from spacy.tokens import Doc

from tradeline.extractors.learned.component import TrainedComponent

NAME = "tradeline_company_filter"
LABEL = "FIRM"
THRESHOLD = 0.3  # chosen on trade-dev and cross-validation on trade-train


@Language.factory(NAME)
def make_company_filter(nlp: Language, name: str) -> CompanyFilter:
    return CompanyFilter(nlp, name)


class CompanyFilter(TrainedComponent):
    """Scores firm candidates' feature rows with the trained company classifier."""

    MODELS: ClassVar[tuple[str, ...]] = ("model",)
    threshold: float = THRESHOLD

    def __call__(self, doc: Doc) -> Doc:
        return doc

    def scores(self, rows: Sequence[Sequence[str]]) -> list[float]:
        """P(a firm) per candidate's feature row."""
        self._check_loaded()
        if not rows:
            return []
        return [s[LABEL] for s in self.models["model"].scores(rows)]
