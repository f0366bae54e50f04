"""Licences, approvals and bans outside trade are no events (GUIDELINES §3).

"Nigeria revokes 924 mineral licences", "the revocation of mining business permits (IUP) for
four companies", "the Centre has lifted the ban on mining lithium": the trigger rules read a
licence or a ban, but what it licenses or bans is a domestic activity, the kind the guidelines
list with broadcasting, building, planning, fishing and liquor licences. The measure's own
phrase says so: an activity word modifies its noun ("mining permits") or is what it bans ("the
ban on mining"). A trade word anywhere in that phrase keeps it a trade measure ("mining export
permits", "a ban on mineral exports"). Word lists: cues.json "outside_trade".
"""

from __future__ import annotations

from spacy.tokens import Token

from tradeline.extractors.events.candidates import Candidate
from tradeline.extractors.events.lexicon import OutsideTradeCues

MODIFIER_DEPS = ("compound", "amod", "nmod", "npadvmod")
TOPIC_PREPS = ("on", "for", "of")


def is_outside_trade(c: Candidate, cues: OutsideTradeCues) -> bool:
    """Whether the candidate's measure licenses or bans a domestic activity, not trade."""
    measure = _measure(c)
    parties = set(cues.party_nouns)
    topics = [t for t in _topics(c, measure) if t.lemma_.lower() not in parties]
    words = {w for head in (measure, *topics) for t in head.subtree for w in (t.lower_, _word(t))}
    if words & set(cues.trade_words):
        return False
    activity = set(cues.activity_words)
    if any(_word(t) in activity for t in _modifiers([measure])):
        return True  # "mining permits", "mineral licences", "liquor licence"
    # what it bans or licenses is itself an activity ("the ban on mining", "on mining
    # lithium"), not goods an adjective describes ("medical masks", "drug ingredients")
    return any(
        _word(t) in activity and t.lower_.endswith("ing")
        for topic in topics
        for t in (topic, *(ch for ch in topic.children if ch.dep_ == "compound"))
    )


def _measure(c: Candidate) -> Token:
    """The licence or ban noun: the candidate's object, or what its noun trigger acts on ("the
    revocation of mining permits")."""
    if c.obj.i != c.trigger.i:
        return c.obj
    for prep in c.trigger.children:
        if prep.dep_ == "prep" and prep.lower_ == "of":
            for pobj in prep.children:
                if pobj.dep_ == "pobj":
                    return pobj
    return c.obj


def _topics(c: Candidate, measure: Token) -> list[Token]:
    """What the measure is about: the head of its "on"/"for"/"of" phrase, or of the trigger's
    when the parse hangs it there ("lifted the ban on mining lithium")."""
    holders = [measure] + ([c.trigger] if c.trigger.i < measure.i else [])
    return [
        pobj
        for holder in holders
        for prep in holder.children
        if prep.dep_ == "prep" and prep.lower_ in TOPIC_PREPS and prep.i > measure.i
        for pobj in prep.children
        if pobj.dep_ in ("pobj", "pcomp")
    ]


def _modifiers(heads: list[Token]) -> list[Token]:
    """The heads' modifiers and those of their compounds ("mining business permits")."""
    words = [ch for head in heads for ch in head.children if ch.dep_ in MODIFIER_DEPS]
    return words + [g for w in words for g in w.children if g.dep_ in MODIFIER_DEPS]


def _word(tok: Token) -> str:
    """The lemma, except of an -ing form that names an activity ("mining", not "mine")."""
    return tok.lower_ if tok.tag_ == "VBG" else tok.lemma_.lower()
