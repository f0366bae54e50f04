"""spaCy component `tradeline_relevance`: how likely an article reports trade permits or
export controls at all.

Most articles in real feeds are about something else (tariffs, lockdowns, sports bans, drug
approvals) while using the same words ("ban", "licence", "restrictions"). A trained classifier
(models/trained/relevance: a bag of words over the article's lead, trained by `tradeline
train` on annotated trade reports and on near-miss and general news) scores each article; the
score is kept in `doc.user_data` (it crosses `nlp.pipe` worker processes with the doc) and read
with `relevance(doc)`. Below the configured threshold an article yields no events, companies or
dates in the timeline (records.Extraction.held_back).
"""

from __future__ import annotations

from typing import ClassVar

from spacy.language import Language
from spacy.tokens import Doc

from tradeline.extractors.learned.component import TrainedComponent
from tradeline.extractors.relevance.features import lead_words

NAME = "tradeline_relevance"
LABEL = "TRADE"
_KEY = "tradeline.relevance"


@Language.factory(NAME, assigns=["doc.user_data"], requires=["token.lemma"])
def make_relevance_scorer(nlp: Language, name: str) -> RelevanceScorer:
    return RelevanceScorer(nlp, name)


class RelevanceScorer(TrainedComponent):
    """Scores each doc's lead with the trained relevance classifier."""

    MODELS: ClassVar[tuple[str, ...]] = ("model",)

    def __call__(self, doc: Doc) -> Doc:
        self._check_loaded()
        doc.user_data[_KEY] = self.models["model"].scores([lead_words(doc)])[0][LABEL]
        return doc

    def pipe(self, docs, batch_size: int = 128):  # type: ignore[no-untyped-def]
        """Score docs in batches (one classifier call per batch)."""
        self._check_loaded()
        batch: list[Doc] = []
        for doc in docs:
            batch.append(doc)
            if len(batch) >= batch_size:
                yield from self._score(batch)
                batch = []
        yield from self._score(batch)

    def _score(self, docs: list[Doc]) -> list[Doc]:
        scores = self.models["model"].scores([lead_words(d) for d in docs])
        for doc, score in zip(docs, scores, strict=True):
            doc.user_data[_KEY] = score[LABEL]
        return docs


def relevance(doc: Doc) -> float | None:
    """The doc's relevance score, or None when no relevance component ran."""
    value = doc.user_data.get(_KEY)
    return None if value is None else float(value)
