"""Trigger/object dependency templates, matched by walking the parse from each trigger word.

The event lexicon compiles into a handful of fixed shapes ("grant -dobj-> licence",
"ban -prep-> on -pobj-> exports", "controls <-relcl- imposed", ...). spaCy's DependencyMatcher
ran them by testing ~370 node patterns on every token of every article, which cost more than the
parser itself; here each shape is a few lines that start from the tokens whose lemma is a
trigger and look only at their children or heads. Results come back in DependencyMatcher's
order (rule insertion order, then token positions), which the caller's tie-breaking relies on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from spacy.attrs import LEMMA
from spacy.tokens import Doc, Token

ObjectTest = Callable[[Token], bool]

# Node names per template, in pattern order (the caller reads "trig" and "obj" by name).
NODES: dict[str, tuple[str, ...]] = {
    "alone": ("trig",),
    "obj": ("trig", "obj"),
    "prep": ("trig", "prep", "obj"),
    "of": ("trig", "dobj", "prep", "obj"),
    "clause": ("obj", "trig"),
    "xcomp": ("trig", "inner", "obj"),
    "noun": ("trig", "prep", "obj"),
    "recipient": ("trig", "recipient", "obj"),
}


@dataclass(frozen=True)
class DepTemplate:
    """One rule in one shape: `key` is "<rule id>#<template>"; `order` its insertion index."""

    order: int
    key: str
    template: str
    lemmas: frozenset[str]
    pos: str
    is_object: ObjectTest


@dataclass(frozen=True)
class DepVocab:
    """The fixed word lists the shapes use (from events/triggers.json)."""

    object_deps: frozenset[str]
    prep_objects: frozenset[str]
    noun_preps: frozenset[str]


def lemma_object(lemmas: list[str]) -> ObjectTest:
    """An object named by its lemma ("licence", "ban", ...)."""
    wanted = frozenset(lemmas)
    return lambda tok: tok.lemma_ in wanted


def company_object(tok: Token) -> bool:
    """An object that the companies component marked as a firm."""
    return tok._.tl_company is True


class DepTemplates:
    """All rules' shapes, indexed by trigger lemma; `__call__` mirrors DependencyMatcher."""

    def __init__(self, vocab: DepVocab) -> None:
        self.vocab = vocab
        self.templates: list[DepTemplate] = []
        self.by_lemma: dict[str, list[DepTemplate]] = {}

    def __len__(self) -> int:
        return len(self.templates)

    def add(self, key: str, template: str, lemmas: list[str], pos: str, obj: ObjectTest) -> None:
        entry = DepTemplate(len(self.templates), key, template, frozenset(lemmas), pos, obj)
        self.templates.append(entry)
        for lemma in entry.lemmas:
            self.by_lemma.setdefault(lemma, []).append(entry)

    def __call__(self, doc: Doc) -> list[tuple[str, tuple[str, ...], tuple[int, ...]]]:
        """(key, node names, token ids) for every match, in DependencyMatcher's order."""
        found: list[tuple[int, tuple[int, ...], str, str]] = []
        by_lemma = self.by_lemma
        strings = doc.vocab.strings
        # only tokens whose lemma starts a template: looked up on the lemma array, so no
        # Token object is built for the others
        lemmas = doc.to_array([LEMMA]).reshape(-1).tolist()
        for i, key in enumerate(lemmas):
            entries = by_lemma.get(strings[key])
            if not entries:
                continue
            tok = doc[i]
            pos = tok.pos_
            for entry in entries:
                if entry.pos != pos:
                    continue
                for ids in self._walk(entry, tok):
                    found.append((entry.order, ids, entry.key, entry.template))
        found.sort(key=lambda row: (row[0], row[1]))
        return [(key, NODES[template], ids) for _, ids, key, template in found]

    def _walk(self, entry: DepTemplate, trig: Token) -> Iterator[tuple[int, ...]]:
        vocab, is_object, shape = self.vocab, entry.is_object, entry.template
        if shape == "alone":
            yield (trig.i,)
        elif shape == "obj":
            for child in trig.children:
                if child.dep_ in vocab.object_deps and is_object(child):
                    yield (trig.i, child.i)
        elif shape in ("prep", "noun"):
            if shape == "prep":
                prep_deps, prep_words = ("prep", "agent"), vocab.prep_objects
            else:
                prep_deps, prep_words = ("prep",), vocab.noun_preps
            for prep in trig.children:
                if prep.dep_ not in prep_deps or prep.lower_ not in prep_words:
                    continue
                for obj in prep.children:
                    if obj.dep_ == "pobj" and is_object(obj):
                        yield (trig.i, prep.i, obj.i)
        elif shape == "of":
            for dobj in trig.children:
                if dobj.dep_ not in ("dobj", "nsubjpass"):
                    continue
                for prep in dobj.children:
                    if prep.dep_ != "prep" or prep.lower_ != "of":
                        continue
                    for obj in prep.children:
                        if obj.dep_ == "pobj" and is_object(obj):
                            yield (trig.i, dobj.i, prep.i, obj.i)
        elif shape == "clause":
            if trig.dep_ in ("acl", "relcl"):
                for head in trig.ancestors:
                    if is_object(head):
                        yield (head.i, trig.i)
                misplaced = _misattached_object(trig, is_object)
                if misplaced is not None:
                    yield (misplaced.i, trig.i)
            elif trig.dep_ == "advcl" and trig.tag_ == "VBN" and trig.i < trig.head.i:
                # "Imposed on Feb. 22, the suspension had been designed to ...": a fronted
                # participle tells what was done to its main clause's subject
                for subj in trig.head.children:
                    if subj.dep_ in ("nsubj", "nsubjpass") and is_object(subj):
                        yield (subj.i, trig.i)
        elif shape == "xcomp":
            for inner in trig.children:
                if inner.dep_ not in ("xcomp", "ccomp") or inner.pos_ != "VERB":
                    continue
                for obj in inner.children:
                    if obj.dep_ in ("dobj", "pobj") and is_object(obj):
                        yield (trig.i, inner.i, obj.i)
        elif shape == "recipient":
            # "authorised <firm> to export", "<firm> was cleared to export": the verb's object
            # (or its passive subject), then its infinitive
            for inner in trig.children:
                if inner.dep_ not in ("xcomp", "advcl") or inner.tag_ != "VB":
                    continue
                if not is_object(inner) or not any(c.lower_ == "to" for c in inner.children):
                    continue
                for rec in trig.children:
                    role = rec.dep_ in ("dobj", "dative", "nsubjpass")
                    if role and rec.pos_ in ("NOUN", "PROPN") and rec.i < inner.i:
                        yield (trig.i, rec.i, inner.i)
        else:
            raise ValueError(f"unknown dependency template {shape!r}")


def _misattached_object(trig: Token, is_object: ObjectTest) -> Token | None:
    """'lifted the ban on exports of palm kernels that it imposed in 2023': the small model
    hangs "on exports" from the verb, so the clause's noun is no longer below "ban". The
    verb's object right before that phrase is the noun the clause describes."""
    cur = trig.head
    while cur.dep_ == "pobj" and cur.head.dep_ == "prep":
        prep = cur.head
        verb = prep.head
        if verb.pos_ == "VERB":
            for dobj in verb.children:
                if dobj.dep_ == "dobj" and dobj.right_edge.i + 1 == prep.i and is_object(dobj):
                    return dobj
            return None
        cur = verb
    return None
