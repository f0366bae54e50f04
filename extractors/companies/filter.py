"""spaCy component `tradeline_company_filter`: is a firm the rules found really a firm?

The company rules (companies/component.py) propose firms with high recall, and on real news
they also take agencies, outlets, places, people, products and headings for firms. A trained
classifier (models/trained/companies, built by `tradeline train companies` from the gold firms
of annotated trade reports) reads each candidate's features (companies/features.py) and the
company facts drop the candidates it scores below `threshold`. Gazetteer firms are not judged.
The component adds nothing to the Doc: the company facts call `scores`.
"""

from __future__ import annotations

from spacy.language import Language

from tradeline.extractors.learned.component import BinaryScorer

NAME = "tradeline_company_filter"
THRESHOLD = 0.3  # chosen on trade-dev and cross-validation on trade-train


@Language.factory(NAME)
def make_company_filter(nlp: Language, name: str) -> CompanyFilter:
    return CompanyFilter(nlp, name)


class CompanyFilter(BinaryScorer):
    """Scores firm candidates' feature rows with the trained company classifier."""

    LABEL = "FIRM"
    threshold: float = THRESHOLD
