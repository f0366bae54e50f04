"""spaCy component `tradeline_date_attachment`: which date an event takes.

The rules give each action one date (events/facts.py, events/dating.py). A trained classifier
(models/trained/dates, built by `tradeline train dates` from the gold event dates of annotated
trade reports and fictional training articles) scores each (action, date option) pair from the
feature words of events/date_options.py; the option it scores highest becomes the action's
date. The component adds nothing to the Doc: the event facts call `best`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from spacy.language import Language
from spacy.tokens import Doc

from tradeline.extractors.learned.component import TrainedComponent

NAME = "tradeline_date_attachment"
LABEL = "ATTACH"


@Language.factory(NAME)
def make_date_attachment(nlp: Language, name: str) -> DateAttachment:
    return DateAttachment(nlp, name)


class DateAttachment(TrainedComponent):
    """Scores (event, date option) feature rows with the trained attachment classifier."""

    MODELS: ClassVar[tuple[str, ...]] = ("model",)

    def __call__(self, doc: Doc) -> Doc:
        return doc

    def scores(self, rows: Sequence[Sequence[str]]) -> list[float]:
        """P(this option is the event's date) per feature row."""
        self._check_loaded()
        return [s[LABEL] for s in self.models["model"].scores(rows)]

    def best(self, rows: Sequence[Sequence[str]]) -> int:
        """Index of the highest-scoring option (the first on ties)."""
        values = self.scores(rows)
        return max(range(len(values)), key=lambda k: (values[k], -k))
