"""spaCy component `tradeline_event_types`: which event type a trigger the rules found states.

The trigger rules decide the type from one verb-object pair ("suspend" x "licence" ->
permit_denied), but articles frame the same words differently: "suspended issuing any new
licences" halts exports (ban_introduced), "put seven firms on its entity list" introduces a
control, "removed from the white list" tightens one (GUIDELINES §3 and the annotation
conventions). A trained classifier (models/trained/event_types, built by `tradeline train
event_types` from the annotated trade reports and fictional articles) reads each candidate's
rule and sentence words (events/features.py `type_features`) and gives a probability per
type; the rule's type is kept unless the classifier prefers another one clearly
(`retype`). Whether the candidate is a real action at all stays with the rules and the event
confidence. The component adds nothing to the Doc: the event facts call `retype`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from spacy.language import Language
from spacy.tokens import Doc

from tradeline.extractors.learned.component import TrainedComponent

NAME = "tradeline_event_types"
# The classifier's type replaces the rule's when it is at least this probable and at least
# this much more probable than the rule's own type (tuned on trade-dev, bench/ablate_events.py).
MIN_PROBABILITY = 0.5
MIN_MARGIN = 0.2


@Language.factory(NAME)
def make_event_typer(nlp: Language, name: str) -> EventTyper:
    return EventTyper(nlp, name)


class EventTyper(TrainedComponent):
    """Types event candidates with the trained typing classifier."""

    MODELS: ClassVar[tuple[str, ...]] = ("model",)

    def __call__(self, doc: Doc) -> Doc:
        return doc

    def scores(self, rows: Sequence[Sequence[str]]) -> list[dict[str, float]]:
        """{event type: probability} per feature row."""
        self._check_loaded()
        return self.models["model"].scores(rows)

    def retype(self, rule_types: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
        """The type of each candidate: the classifier's when it is clearly preferred, else the
        rule's."""
        return [
            choose(rule, probs) for rule, probs in zip(rule_types, self.scores(rows), strict=True)
        ]


def choose(
    rule_type: str,
    probs: dict[str, float],
    min_probability: float = MIN_PROBABILITY,
    min_margin: float = MIN_MARGIN,
) -> str:
    """The classifier's best type if it is probable enough and clearly above the rule's."""
    if not probs:
        return rule_type
    best = max(probs, key=lambda label: probs[label])
    if best == rule_type or probs[best] < min_probability:
        return rule_type
    return best if probs[best] - probs.get(rule_type, 0.0) >= min_margin else rule_type
