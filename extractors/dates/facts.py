"""Dates in an article: every date mention, and the subset that dates an event (GUIDELINES §5).

Date words come from the `tradeline_dates` component, expressions from dates/candidates.py,
resolution from dates/rules.py, and the "does it date an event" decision from dates/filters.py;
every word list is the component's (`DateTagger.lexicon`). ``find_date_mentions`` keeps all
real dates (statistics periods too) for the event extractor; ``find_policy_dates`` drops
datelines, names, fiscal periods and statistics / market dates.
"""

from __future__ import annotations

from spacy.tokens import Doc, Span

from tradeline.extractors.dates.candidates import Candidate, find_candidates
from tradeline.extractors.dates.component import DateTagger
from tradeline.extractors.dates.filters import (
    governor,
    has_amount,
    is_coverage_year,
    is_fiscal,
    is_named_year,
    is_other_event,
    is_period_of,
    is_speculation_date,
    is_statistic_date,
    is_steady_market_date,
    tense_of,
)
from tradeline.extractors.dates.lexicon import DateLexicon
from tradeline.extractors.dates.rules import Anchor, ResolvedDate, normalise
from tradeline.extractors.text.datelines import is_dateline_or_timestamp
from tradeline.extractors.text.doc_cache import doc_text
from tradeline.records import PolicyDateFact

__all__ = ["ResolvedDate", "find_date_mentions", "find_policy_dates"]


def _is_weekday(span: Span, lex: DateLexicon) -> bool:
    days = lex.weekdays
    return any(t.lower_.rstrip(".") in days for t in span)


def _range_value(a: ResolvedDate, b: ResolvedDate) -> ResolvedDate | None:
    """A range is kept whole: the coarsest unit both ends share ("Jan-Aug 2023" -> 2023)."""
    if a.value[:7] == b.value[:7] and len(a.value) >= 7 and len(b.value) >= 7:
        return ResolvedDate(a.value[:7], "month")
    if a.value[:4] == b.value[:4]:
        return ResolvedDate(a.value[:4], "year")
    return None


def _resolve_candidate(
    c: Candidate, anchor: Anchor | None, dates: DateTagger
) -> ResolvedDate | None:
    lex, resolve = dates.lexicon, dates.resolver.resolve
    tense = stated = tense_of(c.span, lex)
    lead = c.text[: c.span.start_char - c.start_char].strip().lower()
    if tense == "past" and lead.startswith(lex.open_start_preps):
        tense = None  # effective dates ("from Jan 1") often lie ahead even in past-tense reports
    if _is_weekday(c.span, lex):
        if tense == "future" and not lead.startswith(lex.open_start_preps):
            tense = None  # "said on Wednesday it would ...": only "from Monday" looks ahead
        elif stated is None and lead.startswith(lex.ahead_preps):
            tense = "future"  # "licences will be needed starting Monday"
    if tense is None and lead.startswith(lex.end_words.lead):
        tense = "future"  # end dates ("until the end of June") lie ahead unless told otherwise
    if c.label == "RANGE" and c.end_span is not None:
        first = resolve(normalise(c.span.text), anchor, tense)
        second = resolve(normalise(c.end_span.text), anchor, tense)
        if (
            first
            and second
            and first.granularity == "month"
            and second.granularity == "month"
            and first.value > second.value
            and first.value[:4] == second.value[:4]
        ):
            return None
        return _range_value(first, second) if first and second else None
    if c.label == "ANAPH":
        return None
    return resolve(normalise(c.span.text), anchor, tense)


def _anaphor(c: Candidate, earlier: list[PolicyDateFact], lex: DateLexicon) -> ResolvedDate | None:
    """'that month' / 'that year': the month or year of the latest date mentioned before it.

    GUIDELINES §5 lists such month/year anaphora resolved; 'that date' stays excluded.
    """
    word = c.span[-1].lower_
    if c.label == "MANAPH":  # "November of that year"
        month = lex.months.get(c.span[0].lower_.rstrip("."))
        year = next((f.resolved[:4] for f in reversed(earlier)), None)
        return ResolvedDate(f"{year}-{month:02d}", "month") if year and month else None
    for fact in reversed(earlier):
        if word == "month" and fact.granularity in ("day", "month"):
            return ResolvedDate(fact.resolved[:7], "month")
        if word == "year":
            return ResolvedDate(fact.resolved[:4], "year")
    return None


def _with_previous_year(
    c: Candidate, anchor: Anchor | None, earlier: list[PolicyDateFact], dates: DateTagger
) -> ResolvedDate | None:
    """'on May 23 that year': the day or month in the year of the latest earlier date;
    'on December 8 last year': in the year before publication."""
    resolve = dates.resolver.resolve
    res = resolve(normalise(c.span.text), anchor, None)
    rel = c.end_span[0].lower_ if c.end_span is not None else "that"
    if rel in ("this", "last", "next"):
        own = resolve(f"{rel} year", anchor, None)
        year = own.value[:4] if own else None
    else:
        year = next((f.resolved[:4] for f in reversed(earlier)), None)
    if res is None or year is None or res.granularity == "year":
        return None
    return ResolvedDate(year + res.value[4:], res.granularity)


def _mentions(
    doc: Doc, published: str | None, dates: DateTagger
) -> list[tuple[Candidate, PolicyDateFact]]:
    """Resolved date mentions, computed once per (doc, anchor): both public finders use them."""
    key = ("tradeline.date_mentions", published)
    cached = doc.user_data.get(key)
    if cached is None:
        cached = doc.user_data[key] = _find_mentions(doc, published, dates)
    return cached


def _find_mentions(
    doc: Doc, published: str | None, dates: DateTagger
) -> list[tuple[Candidate, PolicyDateFact]]:
    lex = dates.lexicon
    anchor = Anchor.parse(published)
    out: list[tuple[Candidate, PolicyDateFact]] = []
    for c in find_candidates(doc, lex):
        start, end = c.span.start_char, c.span.end_char
        if is_dateline_or_timestamp(start, end, doc_text(doc), lex.timestamp_cues):
            continue
        if is_named_year(c.span, lex):
            continue
        if c.label in ("ANAPH", "MANAPH"):
            res = _anaphor(c, [f for _, f in out], lex)
        elif c.label == "YANAPH":
            res = _with_previous_year(c, anchor, [f for _, f in out], dates)
        else:
            res = _resolve_candidate(c, anchor, dates)
        if res is None:
            continue
        sent = c.span.sent
        out.append(
            (
                c,
                PolicyDateFact(
                    text=c.text,
                    resolved=res.value,
                    granularity=res.granularity,
                    evidence=sent.text.strip(),
                    start_char=c.start_char,
                    end_char=c.end_char,
                ),
            )
        )
    return out


def _dedupe(facts: list[PolicyDateFact]) -> list[PolicyDateFact]:
    seen: set[tuple[str, str]] = set()
    out = []
    for f in facts:
        key = (f.text, f.resolved)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def find_date_mentions(doc: Doc, published: str | None, dates: DateTagger) -> list[PolicyDateFact]:
    """All resolvable dates in the body, statistics periods included, in text order.

    Datelines, timestamps and years inside names are left out (they are not dates of anything
    the article tells); durations and vague words never resolve. Not de-duplicated, so each
    sentence sees its own mentions.
    """
    return [f for _, f in _mentions(doc, published, dates)]


def _is_policy(c: Candidate, fact: PolicyDateFact, lex: DateLexicon) -> bool:
    if is_fiscal(c.span, lex) or is_period_of(c.span, lex):
        return False
    if is_statistic_date(c.span, fact.granularity, lex) or is_other_event(c.span, lex):
        return False
    if is_speculation_date(c.span, lex) or is_steady_market_date(c.span, lex):
        return False
    if fact.granularity == "year" and is_coverage_year(c.span, lex):
        return False
    if c.label == "QTR":
        # quarters and halves are nearly always reporting periods: keep one only when it
        # dates a non-statistical verb that carries no amount itself
        gov = governor(c.span)
        return gov is not None and gov.pos_ == "VERB" and not has_amount(gov, c.span, lex)
    return not (c.label == "RANGE" and any(t.like_num for t in c.span.sent if t.i < c.span.start))


def find_policy_dates(doc: Doc, published: str | None, dates: DateTagger) -> list[PolicyDateFact]:
    """Date expressions that date an event (GUIDELINES §5), each (text, resolved) pair once."""
    lex = dates.lexicon
    return _dedupe([f for c, f in _mentions(doc, published, dates) if _is_policy(c, f, lex)])
