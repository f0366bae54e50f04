"""Passive participles the small model tags as adjectives.

"In July that ban was partly reversed": en_core_web_sm tags "reversed" JJ/ADJ and keeps the
inflected word as its lemma, so no verb rule (LEMMA "reverse", POS VERB) sees the action,
although the parse gives the word a passive subject and a passive auxiliary. Such a word is a
verb whatever its tag: it is re-tagged VBN, and re-lemmatized as a verb, before the trigger
rules run. Only words whose verb lemma is a trigger verb change, so the rest of the Doc reads
as the model left it.
"""

from __future__ import annotations

from collections.abc import Collection

import numpy
from spacy.attrs import POS
from spacy.language import Language
from spacy.symbols import ADJ
from spacy.tokens import Doc, Token

PASSIVE_DEPS = frozenset({"auxpass", "nsubjpass"})
PARTICIPLE = "Aspect=Perf|Tense=Past|VerbForm=Part"


def _passive_adjective(tok: Token) -> bool:
    return (
        tok.pos_ == "ADJ"
        and tok.lower_.endswith(("ed", "en", "wn"))
        and any(ch.dep_ in PASSIVE_DEPS for ch in tok.children)
    )


def repair_passives(doc: Doc, nlp: Language, verbs: Collection[str]) -> list[Token]:
    """Re-tag as verbs the adjectives that head a passive clause and whose verb lemma is in
    `verbs`; the repaired tokens. Nothing changes without the pipeline's rule lemmatizer."""
    if "lemmatizer" not in nlp.pipe_names:
        return []
    lemmatizer = nlp.get_pipe("lemmatizer")
    if not hasattr(lemmatizer, "rule_lemmatize"):
        return []
    out = []
    for i in numpy.flatnonzero(doc.to_array([POS]).reshape(-1) == ADJ).tolist():
        tok = doc[i]
        if not _passive_adjective(tok):
            continue
        pos, tag, morph = tok.pos_, tok.tag_, tok.morph
        tok.pos_, tok.tag_ = "VERB", "VBN"
        tok.set_morph(PARTICIPLE)
        lemma = lemmatizer.rule_lemmatize(tok)[0]
        if lemma in verbs:
            tok.lemma_ = lemma
            out.append(tok)
        else:
            tok.pos_, tok.tag_, tok.morph = pos, tag, morph
    return out
