"""Parties or items added to or removed from a control list.

"Taiwan placed Huawei and SMIC on the list in June 2025", "the ministry removed two firms,
A and B, from the list", "will add about 300 items, including ..., to its list of dual-use
goods that need an export licence": the hand-written surface patterns need a control word
right before "list" and a short gap, which real reports rarely give. Here the parse says
which list the verb's "to"/"on"/"from" phrase names; it is a control list when its own phrase
holds a control word, or when it is definite ("the list", "the same list") and what is moved
is a firm or a party noun, so a list of bestsellers or candidates never counts. Adding
introduces a control on the party (control_introduced), removing lifts it (control_lifted);
white lists are left to the patterns (removal from them tightens). The noun of such a move
counts the same way ("announced the inclusion of two companies on its unreliable entity list",
"the removal of X from the list"): what is moved is its "of" phrase. Word lists: triggers.json
"control_lists".
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy
from spacy.attrs import LEMMA
from spacy.tokens import Doc, Token
from spacy.vocab import Vocab

from tradeline.extractors.events.lexicon import ControlLists

ADD_RULE = "add_party_to_list"
REMOVE_RULE = "remove_party_from_list"
MOVED_DEPS = ("dobj", "obj", "nsubjpass")


class ControlListMoves:
    """Finds add/remove verbs whose prepositional phrase names a control list."""

    def __init__(self, vocab: Vocab, spec: ControlLists) -> None:
        self.spec = spec
        self.add, self.remove = set(spec.add_verbs), set(spec.remove_verbs)
        self.verbs = self.add | self.remove
        self.lists = set(spec.list_nouns)
        self.qualifiers = set(spec.list_qualifiers)
        self.white = set(spec.white_words)
        self.parties = set(spec.party_nouns)
        self.definite = set(spec.definite)
        self.add_nouns, self.remove_nouns = set(spec.add_nouns), set(spec.remove_nouns)
        words = [*spec.add_verbs, *spec.remove_verbs, *spec.add_nouns, *spec.remove_nouns]
        self.ids = numpy.array([vocab.strings.add(v) for v in words], dtype="uint64")

    def __call__(self, doc: Doc) -> Iterator[tuple[Token, Token, str, str]]:
        """(verb, list noun, event type, rule id) per move onto or off a control list."""
        lemmas = doc.to_array([LEMMA]).reshape(-1)
        for i in numpy.flatnonzero(numpy.isin(lemmas, self.ids)).tolist():
            verb = doc[i]
            if verb.pos_ == "NOUN":
                if verb.lemma_ in self.add_nouns or verb.lemma_ in self.remove_nouns:
                    yield from self._noun_move(verb)
                continue
            if verb.pos_ != "VERB" or verb.lemma_ not in self.verbs:
                continue
            adding = verb.lemma_ in self.add
            preps = self.spec.add_preps if adding else self.spec.remove_preps
            target = self._list_of(verb, set(preps))
            if target is None or not self._control_list(verb, target):
                continue
            if adding:
                yield verb, target, "control_introduced", ADD_RULE
            else:
                yield verb, target, "control_lifted", REMOVE_RULE

    def _noun_move(self, noun: Token) -> Iterator[tuple[Token, Token, str, str]]:
        """The move a noun names: its list is a "to/on/from" phrase of the noun or of what it
        moves, with no verb between ("the addition of 12 firms to its export control list")."""
        if noun.head.pos_ == "VERB" and noun.head.lemma_ in self.spec.blocking_verbs:
            return  # "the court blocked the inclusion of Xiaomi on the list": no move
        adding = noun.lemma_ in self.add_nouns
        preps = set(self.spec.add_preps if adding else self.spec.remove_preps)
        moved = [
            pobj
            for prep in noun.children
            if prep.dep_ == "prep" and prep.lower_ == "of"
            for pobj in prep.children
            if pobj.dep_ == "pobj"
        ]
        if not moved:
            return
        for holder in (noun, *moved):
            for prep in holder.children:
                if prep.dep_ != "prep" or prep.lower_ not in preps:
                    continue
                for target in prep.children:
                    if target.dep_ != "pobj" or not self._names_list(target):
                        continue
                    if not self._control_list_of(target, moved):
                        continue
                    if adding:
                        yield noun, target, "control_introduced", ADD_RULE
                    else:
                        yield noun, target, "control_lifted", REMOVE_RULE
                    return

    def _names_list(self, pobj: Token) -> bool:
        """A list noun, or a name whose compound is one ("on the Entity List")."""
        if pobj.lemma_.lower() in self.lists:
            return True
        return any(
            ch.dep_ == "compound" and ch.lemma_.lower() in self.lists for ch in pobj.children
        )

    def _list_of(self, verb: Token, preps: set[str]) -> Token | None:
        """The list noun of a "to/on/from" phrase in the verb's clause: the phrase may hang
        from the verb or, in a long list of what is moved, from one of its words."""
        for tok in verb.subtree:
            if tok.pos_ != "ADP" or tok.lower_ not in preps or _clause_verb(tok) != verb.i:
                continue
            for pobj in tok.children:
                if pobj.dep_ == "pobj" and self._names_list(pobj):
                    return pobj  # "to its list", "from Annex IV", "on the Entity List"
        return None

    def _control_list(self, verb: Token, target: Token) -> bool:
        moved = [ch for ch in verb.children if ch.dep_ in MOVED_DEPS]
        if verb.dep_ == "acl" and verb.head.pos_ in ("NOUN", "PROPN"):
            moved.append(verb.head)  # "entities added to the list"
        return self._control_list_of(target, moved)

    def _control_list_of(self, target: Token, moved: list[Token]) -> bool:
        words = {t.lower_ for t in target.subtree if t.i != target.i}
        words |= {t.lemma_.lower() for t in target.subtree if t.i != target.i}
        if words & self.white:
            return False
        if words & self.qualifiers:
            return True
        own = {ch.lower_ for ch in target.children if ch.dep_ in ("det", "poss", "amod")}
        named = target.pos_ == "PROPN"  # "Annex IV"
        return (bool(own & self.definite) or named) and self._moves_party(moved)

    def _moves_party(self, moved: list[Token]) -> bool:
        """What is moved is a firm or a party noun ("two firms, A and B")."""
        for tok in moved:
            for t in [tok, *(c for c in tok.conjuncts)]:
                if t.lemma_.lower() in self.parties or t._.tl_company:
                    return True
        return False


def _clause_verb(tok: Token) -> int:
    """The index of the nearest verb above the token (-1 when there is none)."""
    for anc in tok.ancestors:
        if anc.pos_ in ("VERB", "AUX"):
            return anc.i
    return -1
