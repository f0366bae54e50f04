"""Firms another sentence puts inside an action's scope.

GUIDELINES §3 lists as an event's companies the firms it is about (licensee, applicant,
targeted firm). Reports often name the action first and its targets later, through a definite
noun that names the action again: "Nvidia must now apply for export licences ... The
requirement also covers AMD's MI200", "the fresh export curbs on microchips made by Nvidia and
AMD", "Qualcomm, the other company hit by the revocations". The firms of the event's own
sentence miss these; the parse shows them as the scope of the noun:

- the object (or "to" phrase) of a scope verb whose subject is the noun ("covers", "applies to");
- the noun's own scope preposition ("curbs on chips made by X", "restrictions against X");
- the firm a participle describes when the noun is its agent ("X, the company hit by the ban").

Such a noun joins the nearest action of its family told before it that names firms (a firm-less
one mostly restates that action and merges into it), else the nearest before it, else the first
after it; not when its own sentence states an action of that family (its sentence gave those).
Word lists: cues.json "firm_scope".
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy
from spacy.attrs import LEMMA
from spacy.tokens import Doc, Token

from tradeline.extractors.companies.facts import ArticleFirms
from tradeline.extractors.events.candidates import Candidate
from tradeline.extractors.events.lexicon import FirmScopeCues

OBJECT_DEPS = ("dobj", "obj", "attr")
SUBJECT_DEPS = ("nsubj", "nsubjpass")


def add_scope_firms(
    doc: Doc,
    cands: list[Candidate],
    firms: ArticleFirms,
    spec: FirmScopeCues,
    family: Callable[[str], int],
    party: Callable[[str], bool],
) -> None:
    """Add to each candidate the firms that other sentences put inside its scope (`family`: an
    event type's family; `party`: whether a firm may be an event's party at all)."""
    if not cands or not firms.by_token:
        return
    for noun, names in _scoped_nouns(doc, firms, spec):
        fam = family(spec.nouns[noun.lemma_])
        same = [c for c in cands if family(c.type) == fam]
        if not same or any(c.sent.start == noun.sent.start for c in same):
            continue
        before = [c for c in same if c.sent.start < noun.sent.start]
        named = [c for c in before if c.companies]  # a firm-less one mostly restates it
        target = named[-1] if named else before[-1] if before else same[0]
        for name in names:
            if name not in target.companies and party(name):
                target.companies.append(name)


def _scoped_nouns(
    doc: Doc, firms: ArticleFirms, spec: FirmScopeCues
) -> Iterator[tuple[Token, list[str]]]:
    """(definite action noun, firms in its scope) for each such noun naming some firm; only
    the tokens whose lemma is an action noun are looked at (no loop over every token)."""
    ids = numpy.array([doc.vocab.strings.add(n) for n in spec.nouns], dtype="uint64")
    lemmas = doc.to_array([LEMMA]).reshape(-1)
    definite = set(spec.determiners)
    for i in numpy.flatnonzero(numpy.isin(lemmas, ids)).tolist():
        noun = doc[i]
        if noun.pos_ != "NOUN" or not any(
            (ch.dep_ == "det" and ch.lower_ in definite) or ch.dep_ == "poss"
            for ch in noun.children
        ):
            continue
        names = _names(_scope_tokens(noun, spec), firms)
        if names:
            yield noun, names


def _scope_tokens(noun: Token, spec: FirmScopeCues) -> list[Token]:
    """The tokens that name the noun's scope (see the module docstring)."""
    verbs, preps = set(spec.verbs), set(spec.preps)
    out: list[Token] = []
    head = noun.head
    if noun.dep_ in SUBJECT_DEPS and head.lemma_ in verbs:  # "the requirement covers X"
        for ch in head.children:
            if ch.dep_ in OBJECT_DEPS or (ch.dep_ in ("prep", "dative") and ch.lower_ == "to"):
                out.extend(ch.subtree)
    for ch in noun.children:  # "the curbs on chips made by X"
        if ch.dep_ == "prep" and ch.lower_ in preps:
            out.extend(ch.subtree)
    if noun.dep_ == "pobj" and head.dep_ == "agent" and head.head.lemma_ in verbs:
        described = head.head.head  # "the company hit by the ban": the company
        if head.head.dep_ == "acl":
            out.append(described)
            if described.dep_ == "appos":  # "X, the other company hit by ...": X
                out.append(described.head)
    return out


def _names(tokens: list[Token], firms: ArticleFirms) -> list[str]:
    """The firms the tokens mention (a multi-word name through any of its words), in order."""
    out: list[str] = []
    for tok in tokens:
        for t in (tok, *(ch for ch in tok.children if ch.dep_ in ("compound", "flat"))):
            name = firms.by_token.get(t.i)
            if name and name not in out:
                out.append(name)
    return out
