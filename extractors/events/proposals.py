"""spaCy component `tradeline_event_proposals`: a learned backoff for events the trigger rules
miss.

The trigger rules (verb/noun classes x object classes, token patterns) are precise but miss
about a third of real events: reporters word licensing actions in ways no list foresees. A
trained sentence classifier (models/trained/event_proposals, built by `tradeline train
event_proposals` from the gold events' sentences of the annotated trade reports and fictional
articles, with every other sentence, near-miss news and general news as negatives) gives each
sentence a probability per event type. In a sentence where the rules found no event, a type at
least `threshold` probable (and above the "no event" label) becomes an event candidate with the
rule `learned_proposal`, anchored on the sentence's main verb; the event facts then treat it
like any rule candidate: hedged or negated clauses are dropped, dates are assigned by the dating
code, and the event confidence scores it. The component adds nothing to the Doc: the event
facts call `propose`. It is off (not in models/pipeline.toml's `[pipeline] trained`): on
trade-dev it finds none of the few events the rules miss in sentences without a rule event
(bench/ablate_proposals.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import ClassVar

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from tradeline.extractors.learned.component import TrainedComponent

NAME = "tradeline_event_proposals"
RULE = "learned_proposal"
NONE = "NONE"  # the label of a sentence that states no event
# A type becomes a proposal at this probability (bench/ablate_proposals.py: 0.3 and 0.5 tie the
# rules on trade-dev; 0.5 adds fewer on trade-train and synth).
THRESHOLD = 0.5
NUMBER = "#num"
MIN_WORDS = 5  # shorter "sentences" (bylines, captions) state no action


@Language.factory(NAME)
def make_event_proposer(nlp: Language, name: str) -> EventProposer:
    return EventProposer(nlp, name)


def sentence_words(sent: Span) -> list[str]:
    """Feature words of one sentence: its lemmas (numbers folded) and its entity labels; the
    classifier also reads word pairs."""
    out = [
        NUMBER if tok.like_num else (tok.lemma_ or tok.text).lower()
        for tok in sent
        if not (tok.is_space or tok.is_punct)
    ]
    out.extend(f"ent={ent.label_}" for ent in sent.ents)
    return out


def anchor(sent: Span) -> Token:
    """The token a proposed event hangs on: the sentence's main verb, or the verb a reporting
    verb introduces ("The ministry said it had ...")."""
    root = sent.root
    for child in root.children:
        if child.dep_ == "ccomp" and child.pos_ in ("VERB", "AUX"):
            return child
    return root


class EventProposer(TrainedComponent):
    """Proposes event types for sentences with the trained sentence classifier."""

    MODELS: ClassVar[tuple[str, ...]] = ("model",)

    def __init__(self, nlp: Language, name: str, threshold: float | None = None) -> None:
        super().__init__(nlp, name)
        self.threshold = THRESHOLD if threshold is None else threshold

    def __call__(self, doc: Doc) -> Doc:
        return doc

    def scores(self, sents: Sequence[Span]) -> list[dict[str, float]]:
        """{label: probability} per sentence."""
        self._check_loaded()
        return self.models["model"].scores([sentence_words(s) for s in sents])

    def propose(self, sents: Iterable[Span]) -> list[tuple[Span, str, float]]:
        """(sentence, event type, probability) for each sentence whose best type is probable
        enough and more probable than no event."""
        kept = [s for s in sents if sum(not (t.is_punct or t.is_space) for t in s) >= MIN_WORDS]
        out = []
        for sent, probs in zip(kept, self.scores(kept), strict=True):
            best = choose(probs, self.threshold)
            if best is not None:
                out.append((sent, best, round(probs[best], 4)))
        return out


def choose(probs: dict[str, float], threshold: float) -> str | None:
    """The most probable event type when it reaches `threshold` and beats NONE, else None."""
    types = {label: p for label, p in probs.items() if label != NONE}
    if not types:
        return None
    best = max(types, key=lambda label: types[label])
    if types[best] < threshold or types[best] <= probs.get(NONE, 0.0):
        return None
    return best
