"""Further actions told on one trigger: "Japan approved photoresist exports in early August,
followed by hydrogen fluoride in late August, then polyimide in September".

One trigger takes one date (facts.EventFinder._assign_dates), so the approvals of late August
and September were lost, folded into the first. GUIDELINES §3 annotates separately dated
actions separately. A date of the trigger's sentence that no candidate took, hung (in the
parse) on a sequel verb ("followed", cues.json sequel_verbs) that the trigger governs, dates a
further action of the same kind: a copy of the candidate with that date. "following talks in
May" (a preposition), "which followed a US move in May" (a relative clause, its own subject)
and "followed a decision" (an object of its own) tell another event's date, not a sequel.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import replace

from spacy.tokens import Token

from tradeline.extractors.events.candidates import Candidate, DateMention

SEQUEL_DEPS = ("advcl", "conj")
SEQUEL_TAGS = ("VBN", "VBD")


def _sequel_verb(tok: Token, verbs: Collection[str]) -> bool:
    return (
        tok.lemma_ in verbs
        and tok.tag_ in SEQUEL_TAGS
        and tok.dep_ in SEQUEL_DEPS
        and not any(ch.dep_ in ("dobj", "mark") for ch in tok.children)
    )


def sequel_dates(
    c: Candidate, dates: list[DateMention], verbs: Collection[str], end_words: Collection[str]
) -> list[DateMention]:
    """The dates of `dates` (unused ones of the trigger's sentence) that date a sequel of `c`:
    on their way up the parse to the trigger they pass a sequel verb."""
    out = []
    for m in dates:
        words = m.fact.text.lower().split()
        if not words or words[0] in end_words:
            continue  # "until September": an end, not a further action
        tok, sequel = m.span.root, False
        while tok.i != c.trigger.i and tok.head.i != tok.i:
            tok = tok.head
            sequel = sequel or (tok.i != c.trigger.i and _sequel_verb(tok, verbs))
        if tok.i == c.trigger.i and sequel:
            out.append(m)
    return out


def add_sequels(
    group: list[Candidate],
    dates: list[DateMention],
    verbs: Collection[str],
    end_words: Collection[str],
    blocks: Callable[[Candidate, DateMention], bool],
) -> list[Candidate]:
    """Copies of the dated candidates of one sentence (`group`), one per sequel date; the
    copies keep the trigger, so merging tells them apart by date (`is_sequel_pair`). A
    candidate that took a sequel's date takes its own clause's date instead, when one is free
    and not blocked for it (`blocks`: facts.EventFinder._blocks)."""
    used = {id(c.date) for c in group if c.date is not None}
    out: list[Candidate] = []
    for c in group:
        if c.absorbed or c.date is None:
            continue
        mine = [m for m in dates if m is c.date or id(m) not in used]
        found = sequel_dates(c, mine, verbs, end_words)
        if not found:
            continue
        if any(m is c.date for m in found):
            own = next(
                (m for m in mine if not any(m is f for f in found) and not blocks(c, m)), None
            )
            if own is not None:
                c.date, c.date_role = own, "direct"
                used.add(id(own))
            found = [m for m in found if m is not c.date]
        for m in found:
            out.append(replace(c, date=m, date_role="direct"))
            used.add(id(m))
    return out


def is_sequel_pair(a: Candidate, b: Candidate) -> bool:
    """Two dated actions on one trigger word: a candidate and its sequel, never one action."""
    return (
        a.trigger.i == b.trigger.i
        and a.date is not None
        and b.date is not None
        and a.date is not b.date
    )
