"""A verb and its object the small model tags the other way round.

"guidance that tightens controls on exports": en_core_web_sm reads "tightens" as a plural noun
(NNS) and "controls" as a verb (VBZ), so the rule "tighten" x "control" never sees a verb. When
a word tagged NNS whose lemma is a trigger verb stands right before a word tagged VBZ whose
lemma is a trigger object, the pair is a verb and its object: both are re-tagged (VBZ, NNS)
before the trigger rules run. Pairs of other words keep the model's tags.
"""

from __future__ import annotations

from collections.abc import Collection

import numpy
from spacy.attrs import TAG
from spacy.tokens import Doc, Token


def repair_swaps(
    doc: Doc, verbs: Collection[str], objects: Collection[str]
) -> list[tuple[Token, Token]]:
    """Re-tag the (verb, object) pairs described above; the repaired pairs."""
    if len(doc) < 2:
        return []
    tags = doc.to_array([TAG]).reshape(-1)
    nns, vbz = doc.vocab.strings["NNS"], doc.vocab.strings["VBZ"]
    hits = numpy.flatnonzero((tags[:-1] == nns) & (tags[1:] == vbz)).tolist()
    out = []
    for i in hits:
        verb, obj = doc[i], doc[i + 1]
        if verb.lemma_ not in verbs or obj.lemma_ not in objects:
            continue
        verb.tag_, verb.pos_ = "VBZ", "VERB"
        obj.tag_, obj.pos_ = "NNS", "NOUN"
        out.append((verb, obj))
    return out
