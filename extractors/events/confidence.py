"""spaCy component `tradeline_event_confidence`: how sure we are that an event the rules found
is a real action of that type.

The rules propose events with high recall and some noise (a lockdown read as a control, an
analyst's guess read as a ban). A trained classifier (models/trained/events, built by
`tradeline train events` from annotated trade reports and from near-miss news) reads each
event's features (events/features.py) and gives it a `confidence`; events below the
configured threshold are held back from the timeline (records.Extraction.held_back_events),
not lost. The component adds nothing to the Doc: the event facts call `confidence`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from spacy.language import Language
from spacy.tokens import Doc

from tradeline.extractors.learned.component import TrainedComponent

NAME = "tradeline_event_confidence"
LABEL = "REAL"


@Language.factory(NAME)
def make_event_confidence(nlp: Language, name: str) -> EventConfidence:
    return EventConfidence(nlp, name)


class EventConfidence(TrainedComponent):
    """Scores event feature rows with the trained event classifier."""

    MODELS: ClassVar[tuple[str, ...]] = ("model",)

    def __call__(self, doc: Doc) -> Doc:
        return doc

    def confidence(self, rows: Sequence[Sequence[str]]) -> list[float]:
        """P(real event of that type) per feature row."""
        self._check_loaded()
        return [round(s[LABEL], 4) for s in self.models["model"].scores(rows)]
