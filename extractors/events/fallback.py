"""A date for an action its own sentence leaves undated, from the sentences around it.

Reports often state an action in one sentence and date it in another: the date of the same
announcement told just before ("On Monday the ministry banned ... The rules also cover ..."),
a date told in the sentence before that no action of its own takes ("The United States moved
on January 30 to reimpose sanctions. Among the measures is the withdrawal of licences"), or
the date the action was reported or disclosed ("... has extended its cobalt suspension. In a
statement released on Saturday, the regulator said the extension ..."). GUIDELINES §3 dates
such an action by the announcement it continues, or, when that is the only date tied to it,
by its report date. The fallback sets the event's output date only (`Candidate.attached`):
merging and the event confidence keep the rules' own dates.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from spacy.tokens import Span

from tradeline.extractors.dates.lexicon import DateLexicon
from tradeline.extractors.events import dating
from tradeline.extractors.events.candidates import Candidate, DateMention
from tradeline.extractors.events.date_options import is_end_date
from tradeline.extractors.text.doc_cache import sentences

ANNOUNCEMENT_REACH = 6  # sentences back to the dated action an undated one may continue
NEAR_REACH = 2  # sentences to a free date (one no action took) or a report date


def _plain(m: DateMention, lex: DateLexicon, anchored: Sequence[str]) -> bool:
    """A date that can date an action told elsewhere: no end ("until June") and no anchor
    ("since 2020", "after the talks on Monday")."""
    words = m.fact.text.split()
    first = words[0].lower() if words else ""
    return not is_end_date(m, lex.end_words.event) and first not in anchored


TIME_MARKS = ("after", "before", "since", "until", "once")  # "days after Britain sanctioned"
# a clause that places the main action itself ("received 40 applications since the rules took
# effect", "applied before the licence was published"); "granted the licence after talks
# restarted" tells why, and the grant is still the news its neighbours date
COUNTED_FROM = ("since", "before")


def _anchored_in_time(e: Candidate) -> bool:
    """'days after Britain sanctioned Rosneft', 'had received 40 applications since the rules
    took effect', 'applied before the licence was published': the action is placed relative
    to another event (GUIDELINES §5: event-anchored offsets are no dates), so no date of a
    neighbouring action or sentence is its date."""
    trig = e.trigger
    if any(ch.dep_ == "mark" and ch.lower_ in TIME_MARKS for ch in trig.children):
        return True
    return any(
        ch.dep_ == "advcl"
        and any(g.dep_ == "mark" and g.lower_ in COUNTED_FROM for g in ch.children)
        for ch in trig.children
    )


def _report_date(m: DateMention, lex: DateLexicon) -> bool:
    """'said on Saturday', 'a statement released Friday', 'reported the news today'."""
    return dating._verb_of(m).lemma_.lower() in lex.reporting_verbs


def _earlier(
    k: int,
    events: Sequence[Candidate],
    mentions: Sequence[DateMention],
    index: dict[int, int],
    free: set[int],
    ok: set[int],
    history: set[int] = frozenset(),  # type: ignore[assignment]
) -> DateMention | None:
    """The latest date told before event `k`: of a dated action at most ANNOUNCEMENT_REACH
    sentences back, or free in one of the NEAR_REACH sentences before. The dates of actions
    told as history (`history`: "The original suspension, which took effect on Feb. 22", "The
    ban was imposed in September 2023") are taken only when no other date is there: an undated
    action continues the announcement, not the background told beside it."""
    here = index[events[k].sent.start]
    pool = [
        p.date
        for p in events[:k]
        if p.date is not None
        and id(p.date) in ok
        and 0 < here - index[p.sent.start] <= ANNOUNCEMENT_REACH
    ]
    current = [m for m in pool if id(m) not in history]

    def free_dates(reach: int) -> list[DateMention]:
        return [
            m
            for m in mentions
            if id(m) in ok
            and index[m.span.sent.start] in free
            and 0 < here - index[m.span.sent.start] <= reach
        ]

    if pool and not current:
        # only history is dated nearby ("licences that were issued in October 2023"): the
        # announcement's own date, told further back, is the one the action continues
        told = free_dates(ANNOUNCEMENT_REACH)
        if told:
            return max(told, key=lambda m: m.span.start)
    pool = current or pool
    pool += free_dates(NEAR_REACH)
    return max(pool, key=lambda m: m.span.start, default=None)


def _reported(
    k: int,
    events: Sequence[Candidate],
    mentions: Sequence[DateMention],
    index: dict[int, int],
    free: set[int],
    ok: set[int],
    lex: DateLexicon,
) -> DateMention | None:
    """The nearest report date, before or after, in a sentence no dated action holds."""
    here = index[events[k].sent.start]
    near = [
        m
        for m in mentions
        if id(m) in ok
        and index[m.span.sent.start] in free
        and 0 < abs(index[m.span.sent.start] - here) <= NEAR_REACH
        and _report_date(m, lex)
    ]
    return min(
        near, key=lambda m: (abs(index[m.span.sent.start] - here), m.span.start), default=None
    )


def fill_undated(
    events: Sequence[Candidate],
    mentions: Sequence[DateMention],
    lex: DateLexicon,
    anchored: Sequence[str],
    announced: Callable[[Candidate, DateMention], DateMention | None] = lambda c, m: None,
    published: str | None = None,
) -> None:
    """Give each undated event (see the module docstring) the latest date told before it,
    else a nearby report date. When that earlier date is a start ("will require permits
    from March 1, the ministry said on Wednesday"), the action that continues the
    announcement ("It approved permits for 37 firms", "The ministry also revoked ...") takes
    the day it was announced (`announced`: None keeps the start, as for "from the same
    date" or "The rule also tightens ...")."""
    if not events:
        return
    sents: list[Span] = sentences(events[0].trigger.doc)
    index = {s.start: n for n, s in enumerate(sents)}
    dated = {index[e.sent.start] for e in events if e.date is not None}
    free = set(range(len(sents))) - dated
    ok = {id(m) for m in mentions if _plain(m, lex, anchored)}
    ok |= {id(e.date) for e in events if e.date is not None and _plain(e.date, lex, anchored)}
    history = {
        id(e.date) for e in events if e.date is not None and dating.told_as_background(e, published)
    }
    for k, e in enumerate(events):
        if e.date is not None or e.attached is not None or dating.told_afterwards(e.trigger):
            continue
        if _anchored_in_time(e):
            continue
        earlier = _earlier(k, events, mentions, index, free, ok, history)
        if earlier is not None:
            earlier = announced(e, earlier) or earlier
        chosen = earlier or _reported(k, events, mentions, index, free, ok, lex)
        if chosen is not None:
            e.attached = (chosen,)
