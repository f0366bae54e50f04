"""A control kept going to a new end: "will keep requiring export permits until the end of
2026", "would continue to suspend until Nov. 10 its ban".

A control verb under "keep"/"continue" usually tells a state ("continued to restrict
exports"), which is no event (GUIDELINES §3). Planned ("will keep requiring") or run to a
stated end ("until Nov. 10"), it is a decision to prolong the control: control_extended, or
control_suspended when what goes on is a suspension. Cue words: cues.json "continuation".
"""

from __future__ import annotations

from tradeline.extractors.events.candidates import Candidate
from tradeline.extractors.events.lexicon import EventCues

RULE = "continued_control"


def continued_type(c: Candidate, cues: EventCues) -> str | None:
    """The type of a control carried on to a new end, or None when the trigger is not one."""
    cue = cues.continuation
    new_type = cue.types.get(c.type)
    trig = c.trigger
    governor = trig.head
    if new_type is None or trig.dep_ != "xcomp" or governor.lemma_ not in cue.governors:
        return None
    planned = any(ch.dep_ == "aux" and ch.lower_ in cues.planned_aux for ch in governor.children)
    ends = any(
        ch.dep_ == "prep" and ch.lower_ in cue.end_preps
        for tok in (trig, governor)
        for ch in tok.children
    )
    return new_type if planned or ends else None


def retype(c: Candidate, cues: EventCues) -> bool:
    """Retype a continued control in place; True when it was one."""
    new_type = continued_type(c, cues)
    if new_type is None:
        return False
    c.type, c.rule, c.subtype = new_type, RULE, None
    return True
