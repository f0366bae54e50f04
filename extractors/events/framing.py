"""One action told by two triggers keeps the more specific type.

"BIS issued a rule that broadens the Entity List" and "the new measures, introduced from
22 June, prohibit exports" tell one action each: the generic trigger ("issued a rule",
"measures introduced") carries the date and the specific one says what the action does
(tightens, bans). The event rules keep the generic trigger and drop the other as an
elaboration or a restatement (events/facts.py); the article's framing is the specific
trigger's type (GUIDELINES §3: typing follows the article's own framing), so the kept
trigger takes it.

Also a framing convention: a ban "without a licence" is a licence requirement.
"""

from __future__ import annotations

from tradeline.extractors.events.candidates import Candidate
from tradeline.extractors.events.lexicon import EventCues

GENERIC = "control_introduced"


def tells_same_action(kept: Candidate, dropped: Candidate) -> bool:
    """The dropped trigger describes the kept trigger's object: it lies inside that object
    ("a rule that broadens ...") or has it as its subject ("the measures ... prohibit")."""
    obj = kept.obj
    if obj.i == kept.trigger.i or kept.sent.start != dropped.sent.start:
        return False
    inside = obj.left_edge.i <= dropped.trigger.i <= obj.right_edge.i
    subject = any(
        ch.i == obj.i and ch.dep_ in ("nsubj", "nsubjpass") for ch in dropped.trigger.children
    )
    return inside or subject


def take_specific_type(kept: Candidate, dropped: Candidate, family: dict[str, int]) -> None:
    """A generic introduction takes the type of a more specific trigger of the same family
    that tells the same action."""
    if kept.type != GENERIC or dropped.type == GENERIC:
        return
    if family.get(kept.type, -1) != family.get(dropped.type, -2):
        return
    if tells_same_action(kept, dropped):
        kept.type, kept.subtype = dropped.type, dropped.subtype


def absorb_specific(group: list[Candidate], family: dict[str, int]) -> None:
    """In one sentence, an undated specific trigger that tells a generic trigger's action is
    that action ("the new measures, introduced from 1 March, prohibit ..."): the generic one
    takes its type and it adds no second event."""
    for kept in group:
        if kept.absorbed or kept.type != GENERIC:
            continue
        for other in group:
            if other is kept or other.absorbed or other.date is not None:
                continue
            take_specific_type(kept, other, family)
            if kept.type != GENERIC:
                other.absorbed = True
                break


def is_licence_condition(c: Candidate, cues: EventCues) -> bool:
    """A ban "without a licence" ("barred from dealing with it without a licence", "banned
    from buying parts without the government's go-ahead", "banned from export unless there is
    permission") makes trade need a licence: the
    guidelines type it `control_introduced`, not an outright ban."""
    cue = cues.framing
    if c.type != "ban_introduced":
        return False
    doc = c.trigger.doc
    marks = [t for t in c.trigger.subtree if t.lower_ in cue.condition_marks and t.i > c.trigger.i]
    # "unless there is permission": the mark heads nothing, its clause is its head's
    phrases = [
        m.head if m.dep_ == "mark" else m
        for m in marks
        if not (m.dep_ == "mark" and m.head.i == c.trigger.i)  # the whole clause: no exception
    ]
    texts = [doc[p.left_edge.i : p.right_edge.i + 1].text.lower() for p in phrases]
    return any(w in text for text in texts for w in cue.licence_words)
