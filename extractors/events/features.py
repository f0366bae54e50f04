"""The words the trained event classifiers read about one event the rules found.

`event_features` (event confidence, events/confidence.py) and `type_features` (event typing,
events/type_model.py); the rest of this docstring is about the first.

What the rules decided (type, rule, trigger and object words, how the date was found, whether
an authority and firms were named, how many mentions were merged) and what surrounds it (the
sentence's words, where it stands in the article). The article's relevance is not among them:
it comes from a classifier trained on the same articles, so it would look surer in training
than it is; the two scores are combined at the threshold instead. The classifier
learns from annotated articles which of these make a real action; the rules themselves stay
the candidate generator.
"""

from __future__ import annotations

from spacy.tokens import Doc, Token

from tradeline.extractors.events.candidates import Candidate
from tradeline.extractors.text.doc_cache import sentence_number

NUMBER = "#num"


def event_features(c: Candidate, doc: Doc) -> list[str]:
    """Feature words of one merged event candidate."""
    sent = c.sent
    index = sentence_number(doc, sent.start)
    out = [
        f"type={c.type}",
        f"rule={c.rule}",
        f"trig={c.trigger.lemma_.lower()}",
        f"trig_tag={c.trigger.tag_}",
        f"trig_dep={c.trigger.dep_}",
        f"obj={c.obj.lemma_.lower() if c.obj.i != c.trigger.i else '-'}",
        f"type_trig={c.type}|{c.trigger.lemma_.lower()}",
        f"date={c.date_role or 'none'}",
        f"gran={c.date.fact.granularity if c.date else 'none'}",
        f"modality={c.modality}",
        f"authority={'stated' if c.authority_stated else ('default' if c.authority else 'none')}",
        f"firms={min(len(c.companies), 2)}",
        f"commodity={'inherited' if c.commodity_inherited else min(len(c.commodities), 2)}",
        f"mentions={min(c.mentions, 3)}",
        f"sent={min(index, 5)}",
        f"separate={c.separate}",
    ]
    for tok in sent:
        if tok.is_space or tok.is_punct:
            continue
        out.append("w=" + (NUMBER if tok.like_num else (tok.lemma_ or tok.text).lower()))
    return out


NEAR = 4  # tokens either side of the trigger whose words the typing model reads apart


def type_features(c: Candidate) -> list[str]:
    """Feature words of one event candidate before typing: what the rule proposed (its type,
    rule, trigger and object words), the words next to the trigger and the sentence's words,
    in order (the classifier also reads word pairs: "new licence", "white list")."""
    trig, sent = c.trigger, c.sent
    obj = c.obj.lemma_.lower() if c.obj.i != trig.i else "-"
    out = [
        f"rtype={c.type}",
        f"rule={c.rule}",
        f"sub={c.subtype or '-'}",
        f"trig={trig.lemma_.lower()}",
        f"trig_tag={trig.tag_}",
        f"trig_dep={trig.dep_}",
        f"obj={obj}",
        f"trig_obj={trig.lemma_.lower()}|{obj}",
    ]
    doc = trig.doc
    for tok in doc[max(sent.start, trig.i - NEAR) : min(sent.end, trig.i + NEAR + 1)]:
        if not (tok.is_space or tok.is_punct or tok.i == trig.i):
            out.append(("l=" if tok.i < trig.i else "r=") + _word(tok))
    out.extend("w=" + _word(tok) for tok in sent if not (tok.is_space or tok.is_punct))
    return out


def _word(tok: Token) -> str:
    return NUMBER if tok.like_num else (tok.lemma_ or tok.text).lower()
