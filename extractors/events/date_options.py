"""The dates an event candidate could take, and the words a trained scorer reads about each.

The rules (events/facts.py, events/dating.py) pick one date per action: its own clause's
effective date, the nearest date in the parse, a date inherited from the same announcement, a
stand-alone "takes effect" date. Real reports tie dates to actions in more ways than those
rules know ("said on Tuesday" vs "from September 15", "since Aug 1", "The rules also ban ...").
Here every candidate gets its options: the dates of its own sentence, of the sentences before
and after, the date the rules gave it, the date of the action told just before, and no date.
Each option is described by feature words (its preposition, granularity, place in the parse,
whether the rule picked it, whether it is a report date ...); the trained date attachment
(dates/attachment.py) scores them and the best one wins.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from spacy.tokens import Span, Token

from tradeline.extractors.dates.lexicon import DateLexicon
from tradeline.extractors.events import dating
from tradeline.extractors.events.candidates import Candidate, DateMention
from tradeline.extractors.text.doc_cache import sentences

NONE = "none"
LEDE_REACH = 6  # sentences after the first that may still take the lede's date


class DateRules(Protocol):
    """What the options need from the event rules (EventFinder)."""

    def _date_blocked(
        self,
        path_up: list[Token],
        trigger: Token,
        obj: Token,
        m: DateMention,
        rule: str,
        path_down: list[Token] | None = None,
    ) -> bool: ...

    def _is_effective(self, m: DateMention) -> bool: ...

    def _continues_announcement(self, c: Candidate) -> bool: ...


@dataclass
class DateOption:
    """One date a candidate could take (None: no date), and where it was found."""

    mention: DateMention | None
    sources: list[str] = field(default_factory=list)


def _path(a: Token, b: Token) -> tuple[list[Token], list[Token]] | None:
    up_a = [a, *a.ancestors]
    chain_b = [b, *b.ancestors]
    pos_b = {t.i: k for k, t in enumerate(chain_b)}
    for k, t in enumerate(up_a):
        if t.i in pos_b:
            return up_a[: k + 1], chain_b[: pos_b[t.i]]
    return None


HEDGES = ("at", "least", "the", "latest", "very")  # "until at least the end of the year"
# a time of day between an end word and its date: "until 12:01 a.m. EST, February 13, 2024"
CLOCK_WORDS = ("a.m.", "p.m.", "am", "pm", "midnight", "noon", "local", "time", ",")
CLOCK_ZONES = ("est", "edt", "gmt", "utc", "cet", "cest", "bst", "jst", "ist")
ZONE_NAMES = ("eastern", "pacific", "central", "mountain", "atlantic", "standard", "daylight")
# a zone abbreviation ('PST', 'CDT', 'ET') or an offset ('GMT+8', 'UTC-5')
_ZONE = re.compile(r"[A-Z]{1,4}T|(?:GMT|UTC)[+-]\d{1,2}(?::?\d{2})?")


def _hedge_or_clock(token: Token) -> bool:
    word = token.lower_
    return (
        word in HEDGES
        or word in CLOCK_WORDS
        or word in CLOCK_ZONES
        or word in ZONE_NAMES
        or _ZONE.fullmatch(token.text) is not None
        or re.fullmatch(r"\d{1,2}[:.]\d{2}", word) is not None
    )


def hedged_end(m: DateMention, end_words: Sequence[str]) -> bool:
    """'until at least the end of the year', 'until 12:01 a.m. PST, February 13': an end word
    before a hedge or a time of day that opens the date."""
    k = m.span.start - 1
    while k > m.span.sent.start and _hedge_or_clock(m.span.doc[k]):
        k -= 1
    return k < m.span.start - 1 and m.span.doc[k].lower_ in end_words


def is_end_date(m: DateMention, end_words: Sequence[str]) -> bool:
    """'until June', 'through 2023', 'by 2027', 'extended ... to October 2023': the end of a
    period never dates the action (dates/lexicon.json end_words.event)."""
    first = m.fact.text.split()[0].lower() if m.fact.text.split() else ""
    before = m.span.doc[m.span.start - 1].lower_ if m.span.start > m.span.sent.start else ""
    return (
        first in end_words
        or before in end_words
        or "to" in (first, before)
        or hedged_end(m, end_words)
    )


def options_for(
    k: int,
    cands: Sequence[Candidate],
    mentions: Sequence[DateMention],
    sents: list[Span],
    end_words: Sequence[str] = (),
) -> list[DateOption]:
    """The options of candidate `k`: own sentence, one sentence before and after, the rule's
    date, the date of the previous candidate, and none; never an end date."""
    c = cands[k]
    mentions = [m for m in mentions if m is c.date or not is_end_date(m, end_words)]
    index = {s.start: n for n, s in enumerate(sents)}
    here = index.get(c.sent.start, 0)
    found: dict[int, DateOption] = {}

    def add(m: DateMention, source: str) -> None:
        option = found.setdefault(id(m), DateOption(m))
        if source not in option.sources:
            option.sources.append(source)

    for m in mentions:
        where = index.get(m.span.sent.start)
        if where == here:
            add(m, "own")
        elif where == here - 1:
            add(m, "prev")
        elif where == here + 1:
            add(m, "next")
        elif where == here - 2:
            add(m, "prev2")
        elif where == 0 and here <= LEDE_REACH:
            add(m, "lede")  # the announcement the first sentence dates
    if c.date is not None:
        add(c.date, "rule")
    before = [p for p in cands[:k] if p.date is not None and p.sent.start <= c.sent.start]
    if before:
        add(before[-1].date, "prev_event")  # type: ignore[arg-type]
    return [DateOption(None, [NONE]), *found.values()]


def _bucket(n: int, edges: Sequence[int]) -> str:
    for edge in edges:
        if n <= edge:
            return str(edge)
    return f">{edges[-1]}"


def _tense(trigger: Token) -> str:
    aux = {ch.lower_ for ch in trigger.children if ch.dep_ in ("aux", "auxpass")}
    if aux & {"will", "shall", "'ll", "would"}:
        return "future"
    if aux & {"had", "'d"}:
        return "pluperfect"
    if aux & {"has", "have", "'ve"}:
        return "perfect"
    if trigger.tag_ == "VBD" or aux & {"was", "were"}:
        return "past"
    if trigger.pos_ == "NOUN":
        return "noun"
    return "present"


def _kind(m: DateMention, lex: DateLexicon) -> str:
    words = [t.lower_.rstrip(".") for t in m.span]
    if any(w in lex.weekdays for w in words):
        return "weekday"
    if any(t.like_num and len(t.text) == 4 for t in m.span):
        return "year_given"
    if any(w in lex.months for w in words):
        return "month_name"
    return "relative"


def _lead(m: DateMention, lex: DateLexicon) -> str:
    """The preposition the date is quoted with ("on", "from", "since", "as of"), or "bare"."""
    text = m.fact.text.lower()
    for prep in sorted(lex.leading_prepositions, key=len, reverse=True):
        if text.startswith(prep + " "):
            return prep
    return "bare"


def _versus(value: str, other: str | None) -> str:
    if other is None:
        return "alone"
    if value == other:
        return "same"
    if value.startswith(other) or other.startswith(value):
        return "nested"
    return "later" if value > other else "earlier"


def _vs_published(value: str, published: str | None) -> str:
    if not published:
        return "unknown"
    n = min(len(value), len(published))
    a, b = value[:n], published[:n]
    if a == b:
        return "same"
    if a > b:
        return "after"
    return "year_before" if value[:4] < published[:4] else "before"


def option_features(
    c: Candidate,
    option: DateOption,
    rules: DateRules,
    lex: DateLexicon,
    published: str | None,
    n_own: int,
) -> list[str]:
    """Feature words of one (candidate, date option) pair."""
    rule_role = c.date_role or "none"
    base = [
        f"type={c.type}",
        f"rule_role={rule_role}",
        f"tense={_tense(c.trigger)}",
        f"n_own={min(n_own, 3)}",
    ]
    if rules._continues_announcement(c):
        base.append("continues")
    m = option.mention
    if m is None:
        return [
            *base,
            "opt=none",
            f"none|rule={rule_role}",
            f"none|n_own={min(n_own, 3)}",
            f"none|type={c.type}",
        ]
    lead = _lead(m, lex)
    sent = m.span.sent
    prev_word = m.span.doc[m.span.start - 1].lower_ if m.span.start > sent.start else "<s>"
    out = [
        *base,
        "opt=date",
        f"gran={m.fact.granularity}",
        f"kind={_kind(m, lex)}",
        f"lead={lead}",
        f"prev={prev_word}",
        f"pub={_vs_published(m.value, published)}",
    ]
    out += [f"src={s}" for s in option.sources]
    picked = c.date is not None and c.date is m
    out.append(f"picked={picked}")
    out.append(f"vs_rule={_versus(m.value, c.date.value if c.date else None)}")
    if rules._is_effective(m):
        out.append("effective")
    if dating.takes_effect(m, lex.effect):
        out.append("takes_effect")
    verb = dating._verb_of(m)
    report = verb.lemma_.lower() in lex.reporting_verbs
    out.append(f"gov={verb.lemma_.lower()}")
    if report:
        out.append("report_date")
    own = "own" in option.sources
    if own:
        path = _path(m.span.root, c.trigger)
        if path is None:
            out.append("path=none")
        else:
            up, down = path
            out.append(f"path={_bucket(len(up) + len(down), (1, 2, 3, 5, 8))}")
            out.append(f"down={_bucket(len(down), (0, 1, 2, 4))}")
            if rules._date_blocked(up, c.trigger, c.obj, m, c.rule, down):
                out.append("blocked")
            if verb.i == c.trigger.i:
                out.append("gov_is_trigger")
        gap = m.span.start - c.trigger.i
        out.append(f"side={'after' if gap > 0 else 'before'}")
        out.append(f"gap={_bucket(abs(gap), (2, 5, 10, 20))}")
    where = "|".join(option.sources)
    effective = "effective" in out or "takes_effect" in out
    kind = _kind(m, lex)
    tense = _tense(c.trigger)
    out += [
        f"src={where}|lead={lead}",
        f"src={where}|picked={picked}",
        f"src={where}|effective={effective}",
        f"src={where}|report={report}",
        f"src={where}|kind={kind}",
        f"src={where}|tense={tense}",
        f"src={where}|rule_role={rule_role}",
        f"src={where}|type={c.type}",
        f"type={c.type}|lead={lead}",
        f"lead={lead}|report={report}",
        f"lead={lead}|tense={tense}",
        f"lead={lead}|gran={m.fact.granularity}",
        f"kind={kind}|pub={_vs_published(m.value, published)}",
        f"rule_role={rule_role}|picked={picked}",
        f"effective={effective}|tense={tense}",
    ]
    if "continues" in base:
        out.append(f"continues|src={where}")
    if own:
        out.append(f"blocked={'blocked' in out}|lead={lead}")
    return out


def candidate_rows(
    cands: Sequence[Candidate],
    mentions: Sequence[DateMention],
    rules: DateRules,
    lex: DateLexicon,
    published: str | None,
) -> list[tuple[list[DateOption], list[list[str]]]]:
    """For each candidate, its options and their feature words."""
    if not cands:
        return []
    sents = sentences(cands[0].trigger.doc)
    out = []
    for k, c in enumerate(cands):
        options = options_for(k, cands, mentions, sents, lex.end_words.event)
        n_own = sum(1 for o in options if "own" in o.sources)
        rows = [option_features(c, o, rules, lex, published, n_own) for o in options]
        out.append((options, rows))
    return out
