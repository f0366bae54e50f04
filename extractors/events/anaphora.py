"""Control verbs whose object is a pronoun: "Egypt banned sugar exports in 2023 ... before
lifting it in April 2024", "introduced controls in 2022, expanded them in 2023", "It was last
extended in December 2024".

The verb-object rules need a control or ban noun as the object, so these actions were lost.
The pronoun's antecedent is taken to be the nearest control or ban word before it, in its own
sentence or the one before (a trade report names the measure just before it tells what became
of it); whether that word is a ban or a control decides the type (GUIDELINES §3: typing
follows the article's framing). Word lists: triggers.json "control_anaphora".
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy
from spacy.attrs import LEMMA
from spacy.tokens import Doc, Token
from spacy.vocab import Vocab

from tradeline.extractors.events.lexicon import ControlAnaphora

RULE = "anaphoric_control"
OBJECT_DEPS = ("dobj", "obj")
PASSIVE_DEPS = ("nsubjpass",)


def _pronoun_object(verb: Token, pronouns: set[str]) -> Token | None:
    """The verb's pronoun object, or its pronoun subject when it is passive ("it was lifted")."""
    for ch in verb.children:
        if ch.lower_ in pronouns and ch.dep_ in (*OBJECT_DEPS, *PASSIVE_DEPS):
            return ch
        if ch.dep_ in OBJECT_DEPS:  # "lifting most of it", "removed some of them"
            for prep in ch.children:
                if prep.dep_ == "prep" and prep.lower_ == "of":
                    inner = [p for p in prep.children if p.lower_ in pronouns]
                    if inner:
                        return inner[0]
    return None


def _antecedent(
    pronoun: Token, spec: ControlAnaphora, usable: Callable[[Token], bool]
) -> tuple[Token, bool] | None:
    """The nearest control or ban word before the pronoun (True: a ban word); a generic one
    ("the measure") only when no specific one is in reach. `usable`: a weak noun is
    qualified by a trade-control word near it."""
    doc = pronoun.doc
    sent = pronoun.sent
    start = sent.start
    for _ in range(spec.lookback):
        if start == 0:
            break
        start = doc[start - 1].sent.start
    bans, controls = set(spec.ban_antecedents), set(spec.control_antecedents)
    generic = set(spec.generic_antecedents)
    window = [t for t in reversed(doc[start : pronoun.i]) if t.pos_ in ("NOUN", "VERB")]
    # The nearest specific word first: "banned exports ..., extending the measure ... before
    # lifting it" lifts the ban.
    for tok in window:
        if tok.lemma_ in bans:
            return tok, True
        if tok.lemma_ in controls and usable(tok):
            return tok, False
    for tok in window:
        if tok.lemma_ in generic and usable(tok):
            return tok, False
    return None


class AnaphoricControls:
    """Finds control verbs acting on a pronoun, looking only at the tokens whose lemma is one
    of the verbs (found on the doc's lemma ids, no loop over every token)."""

    def __init__(self, vocab: Vocab, spec: ControlAnaphora) -> None:
        self.spec = spec
        self.pronouns = set(spec.pronouns)
        self.ids = numpy.array([vocab.strings.add(v) for v in spec.verbs], dtype="uint64")

    def __call__(
        self, doc: Doc, usable: Callable[[Token], bool]
    ) -> Iterator[tuple[Token, Token, str]]:
        """(verb, pronoun, event type) for each control verb acting on a pronoun whose
        antecedent is a control or ban word (`usable`: a generic noun is qualified)."""
        lemmas = doc.to_array([LEMMA]).reshape(-1)
        for i in numpy.flatnonzero(numpy.isin(lemmas, self.ids)).tolist():
            verb = doc[i]
            if verb.pos_ != "VERB":
                continue
            pronoun = _pronoun_object(verb, self.pronouns)
            found = None if pronoun is None else _antecedent(pronoun, self.spec, usable)
            if pronoun is None or found is None:
                continue
            ban_type, control_type = self.spec.verbs[verb.lemma_]
            yield verb, pronoun, ban_type if found[1] else control_type
