"""Firms an event's sentence names in another role than licensee, applicant or target.

GUIDELINES §3 lists as an event's companies the firms it is about. A sentence often names
others beside them, in shapes the parse shows:

- an owner, parent or partner glossing the party: "RWM Italia, the Sardinian unit of
  Rheinmetall", "JV Inkai, Kazatomprom's joint venture with Cameco", "Avonmere's parent,
  Chiltern" (Avonmere): a firm inside another firm's apposition, or the possessor of a relation
  noun;
- a counterparty of a deal: "to fulfil a contract with Mitsubishi Materials";
- a source: "analysts at Mandiri Sekuritas", "a filing with the National Stock Exchange";
- a firm that only describes another through a noun before its name: "Huawei supplier SMIC",
  "Nvidia rival AMD" (the event is about SMIC, AMD).

The word lists are the companies lexicon's (relation and deal nouns, person titles).
"""

from __future__ import annotations

from spacy.tokens import Token

from tradeline.extractors.companies.component import CompanyTagger
from tradeline.extractors.companies.facts import ArticleFirms

SOURCE_PREPS = ("at", "from")  # "analysts at X", "economists from X"
DEAL_PREPS = ("with", "between")  # "a contract with X", "a venture between X and Y"


def is_bystander(tok: Token, name: str, firms: ArticleFirms, companies: CompanyTagger) -> bool:
    """The firm mention `tok` (of firm `name`) glosses another firm, is a deal's counterparty
    or a source (see the module docstring)."""
    word = _head_word(tok)
    relations = companies.relation_nouns
    head = word.head
    if word.dep_ == "poss" and head.lower_ in relations:
        return True  # "Avonmere's parent, Chiltern", "Kazatomprom's joint venture"
    if word.dep_ in ("compound", "poss") and head.pos_ == "NOUN" and head.dep_ == "compound":
        described = firms.by_token.get(head.head.i)
        if described and described != name:
            return True  # "Huawei supplier SMIC", "Nvidia rival AMD": SMIC, AMD
    if word.dep_ == "pobj" and head.head.i != head.i:
        noun = head.head
        if head.lower_ in SOURCE_PREPS and {noun.lower_, noun.lemma_} & companies.titles:
            return True  # "analysts at X"
        if head.lower_ in DEAL_PREPS and noun.lower_ in companies.deal_nouns:
            return True  # "a contract with X"
    for anc in word.ancestors:  # "X, the unit of Y": Y glosses X
        if anc.dep_ == "appos" and anc.lower_ in relations:
            owner = firms.by_token.get(anc.head.i)
            if owner and owner != name:
                return True
        if anc.pos_ in ("VERB", "AUX"):
            break
    return False


def _head_word(tok: Token) -> Token:
    """The head word of the multi-word name `tok` is part of."""
    while tok.dep_ in ("compound", "flat") and tok.head.i != tok.i and tok.head.pos_ == "PROPN":
        tok = tok.head
    return tok
