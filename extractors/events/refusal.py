"""Negated grants are refusals (GUIDELINES §3: an application refused is `permit_denied`).

"The State Department will not renew General License 44", "there will be no renewal of the
licence", "it is not planning to grant licences for expansion" deny a licence; "no new permits
have been approved since January 8", "not to grant any new licences" halt new licensing, an
export ban by the guidelines' convention (like "suspended issuing new licences"). The
negation that would drop any other trigger (events/facts.py `_not_an_action`) turns these
into events; a pending state ("has not yet approved") and a hedge ("could not grant") stay
non-events. Cue words: models/data/events/cues.json ("refusal").
"""

from __future__ import annotations

from collections.abc import Sequence

from spacy.tokens import Token

from tradeline.extractors.events.candidates import Candidate
from tradeline.extractors.events.lexicon import EventCues

DENIED = "refused_grant"
HALTED = "no_new_licences"
RULES = (DENIED, HALTED)


def negates(word: Token) -> bool:
    """A 'without ...' adjunct of the trigger ('rejected without explanation', 'approved ...
    without naming the companies') does not negate it; an action inside a 'without' clause
    ('without issuing licences') is caught through its governors instead."""
    return word.lower_ != "without"


def negated_here(trig: Token, cues: EventCues) -> bool:
    """The trigger itself is negated ("did not approve", "no renewal of")."""
    return any(
        ch.dep_ == "neg" or (ch.lower_ in cues.negation and negates(ch)) for ch in trig.children
    )


def negated_object(c: Candidate) -> bool:
    """The object is negated: "no export licences will be issued", "not every restriction"."""
    obj = c.obj
    before = (t for t in obj.subtree if t.i < obj.i)
    # "a no-objection certificate": a hyphenated name, not a negation
    return obj.i != c.trigger.i and any(
        t.lower_ in ("no", "not") and t.nbor(1).text != "-" for t in before
    )


def negated_governor(trig: Token, head: Token) -> bool:
    """A negated verb governs the trigger's clause: "is not planning to grant licences"."""
    return (
        head.pos_ in ("VERB", "AUX", "ADJ")
        and any(ch.dep_ == "neg" for ch in head.children)
        and head.i > trig.sent.start
        and trig.dep_ in ("xcomp", "ccomp", "csubj", "csubjpass")
    )


def is_refused_grant(
    c: Candidate, cues: EventCues, chain: Sequence[Token], dated: set[int]
) -> bool:
    """A licence grant or renewal that the sentence negates, and not as a pending state; a
    perfect ("no licences have been issued") tells a state, which is an action only with
    its own start date ("since January 8", GUIDELINES §3)."""
    cue = cues.refusal
    trig = c.trigger
    if c.rule not in cue.grant_rules or c.obj.i == trig.i:
        return False
    if any(t.lower_ in cue.pending_adverbs for t in (*trig.children, *chain[:1])):
        return False  # "has not yet approved the licence": still pending
    perfect = any(ch.dep_ == "aux" and ch.lemma_ == "have" for ch in trig.children)
    if perfect and not any(t.i in dated for t in trig.subtree):
        return False  # "has not issued any licences since the rules took effect"
    # "no new permits have been approved": the negated subject of a passive; "had been granted
    # no licence" tells a state, not a decision
    passive = c.obj.dep_ == "nsubjpass" and c.obj.head.i == trig.i
    return (
        negated_here(trig, cues)
        or (passive and negated_object(c))
        or any(negated_governor(trig, h) for h in chain[:2])
    )


def retype(c: Candidate, cues: EventCues) -> None:
    """A refusal of new or any licences halts licensing (ban_introduced); of a named or
    specific licence, it denies that licence (permit_denied)."""
    blanket = set(cues.refusal.blanket_words)
    if any(ch.lower_ in blanket for ch in c.obj.children if ch.dep_ in ("amod", "det")):
        c.type, c.rule, c.subtype = "ban_introduced", HALTED, None
    else:
        c.type, c.rule, c.subtype = "permit_denied", DENIED, None
