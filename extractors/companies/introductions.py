"""How a text introduces an unknown name as a firm, strongly enough to outweigh the small
NER's PERSON or GPE guess ("Cameco", "Metales del Pacífico", "Katco").

Reporters introduce a firm the reader may not know with a firm noun: in front ("Swiss refiner
X", "Recycler X said", "state-owned arms maker X", "Brisbane-based X"), as its apposition
("X, a recycler based in León", "X, one of the largest exporters", "X, the uranium trading arm
of Y", "X, an Odesa-based producer") or as a relative clause with a firm's verb ("X, which
makes parts for engines"). Words people also take ("trader", "investor", "partner") are no
such cue: "Marta Lindqvist, a trader" is a person. The word lists are the companies lexicon's.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

DASHES = ("-", "—", "–")
PLACE_PARTICIPLES = ("based", "headquartered")
RELATIVES = ("which", "that")
APPOSITION_WORDS = 8  # words of an apposition read up to its head noun


@dataclass(frozen=True)
class FirmIntroductions:
    """The firm nouns and verbs that introduce a name as a firm."""

    descriptors: frozenset[str]  # firm nouns no person takes: refiner, miner, recycler ...
    plurals: frozenset[str]  # exporters, producers ...: "one of the largest exporters"
    apposition_nouns: frozenset[str]  # venture, arm, business ...: "X, the joint venture of"
    firm_verbs: frozenset[str]  # make, produce ...: "X, which makes parts"
    titles: frozenset[str]  # person titles: "X, a trade economist" stays a person

    def is_firm_noun(self, tok: Token) -> bool:
        """A firm descriptor: a listed one or an '-maker' compound ("gunmaker")."""
        low = tok.lower_
        return low in self.descriptors or (low.endswith("maker") and len(low) > 6)

    def before(self, doc: Doc, start: int) -> bool:
        """'refiner X', 'arms maker X', 'Recycler X' opening a sentence, 'Brisbane-based X'."""
        if start == 0:
            return False
        prev = doc[start - 1]
        if prev.lower_ in PLACE_PARTICIPLES and start >= 3 and doc[start - 2].text in DASHES:
            return doc[start - 3].text[:1].isupper()
        if not self.is_firm_noun(prev) or prev.pos_ not in ("NOUN", "PROPN"):
            return False  # "the soft-spoken but firm Tegnell": an adjective
        if prev.is_lower:
            return True
        return prev.i == 0 or prev.is_sent_start or doc[prev.i - 1].is_space

    def apposition(self, doc: Doc, start: int, end: int, *, nouns_only: bool = False) -> bool:
        """'X, a recycler based in ...', 'X, one of the largest exporters', 'X, Y's joint
        venture', 'X, which makes parts': the name's apposition or relative clause is a firm's."""
        if end >= len(doc) or doc[end].text != ",":
            return False
        span = doc[start:end]
        children = _later_children(span)
        if any(c.dep_ == "appos" and self._person_apposition(c) for c in children):
            return False  # "Evan Sparks, CEO of Determined AI, ..."
        for child in children:
            if child.dep_ == "appos" and self._firm_apposition(child, nouns_only):
                return True
            if child.dep_ == "relcl" and child.lemma_ in self.firm_verbs and _subject(span):
                # "IHI, which makes parts ..., said": not "the trader has Fury, which makes ..."
                return any(c.dep_ == "nsubj" and c.lower_ in RELATIVES for c in child.children)
        return False

    def person_described(self, doc: Doc, start: int, end: int) -> bool:
        """'X, CEO of Y', 'X, a trader at Y': the name's apposition is a person's."""
        if end >= len(doc) or doc[end].text != ",":
            return False
        children = _later_children(doc[start:end])
        return any(c.dep_ == "appos" and self._person_apposition(c) for c in children)

    def titled(self, doc: Doc, start: int, end: int) -> bool:
        """'X, an independent analyst,' / 'X, the group's chief executive,': the apposition is
        headed by a person's title, so the name is a person's (not 'X, with two aliases')."""
        if end >= len(doc) or doc[end].text != ",":
            return False
        children = _later_children(doc[start:end])
        return any(c.dep_ == "appos" and c.lower_ in self.titles for c in children)

    def _person_apposition(self, head: Token) -> bool:
        """'X, CEO of Y', 'X, an analyst at Y', 'X, a trader with Y': a person."""
        if head.lower_ in self.apposition_nouns:
            return False  # "X, Y's joint venture with Z": a firm
        return head.lower_ in self.titles or any(
            c.dep_ == "prep" and c.lower_ in ("at", "with", "for") for c in head.children
        )

    def _firm_apposition(self, head: Token, nouns_only: bool = False) -> bool:
        """A firm noun heads the apposition; with `nouns_only`, a noun only a firm takes
        ("venture", "subsidiary"), not a descriptor a country takes too ("producer")."""
        if nouns_only:
            return head.lower_ in self.apposition_nouns
        if head.lower_ == "one":  # "one of the largest exporters"
            return any(
                c.dep_ == "prep"
                and c.lower_ == "of"
                and any(p.lower_ in self.plurals for p in c.children if p.dep_ == "pobj")
                for c in head.children
            )
        words = [t for t in head.doc[max(head.left_edge.i, head.i - APPOSITION_WORDS) : head.i + 1]]
        if self.is_firm_noun(head) or head.lower_ in self.apposition_nouns:
            return True
        # "a Pune start-up": the head is the last part of a hyphenated descriptor
        joined = "".join(t.lower_ for t in words[-3:])
        return joined in self.descriptors or joined in self.apposition_nouns


def _subject(span: Span) -> bool:
    """The name is a clause's subject (the parse may split it: any of its words)."""
    return any(t.dep_ in ("nsubj", "nsubjpass") for t in span)


def _later_children(span: Span) -> list[Token]:
    """Dependents after the name of its root and last word (the parse may split a name)."""
    heads = {span.root.i: span.root, span[-1].i: span[-1]}
    return [c for tok in heads.values() for c in tok.children if c.i > span.end]
