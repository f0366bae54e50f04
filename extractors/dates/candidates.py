"""Date expressions of a parsed article, from the date words `tradeline_dates` marked.

Each expression is widened to its leading preposition ("on Thursday", "starting from August")
because that is how it is quoted; "from X until Y" is a start and an end date (two expressions,
GUIDELINES §5), while "between X and Y" and "Jan-Aug" ranges are kept whole;
"May 23 that year" and "December 8 last year" are kept as one expression too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Doc, Span

from tradeline.extractors.dates.component import DATES
from tradeline.extractors.dates.lexicon import DateLexicon
from tradeline.extractors.text.doc_cache import doc_text

_YEAR_RELS = ("this", "last", "next")
_DAY_LABELS = ("MD", "DM", "MDY", "DMY", "ISO")
_SPLIT_JOINS = ("to", "through", "until", "till")
_RANGE_JOIN = re.compile(r"^\s*(?:to|through|until|till|and|-|\u2013|\u2014)\s*$", re.I)


@dataclass
class Candidate:
    """A date expression: its tokens, the quoted text (with preposition) and its kind."""

    span: Span  # the date words themselves
    start_char: int  # of the quoted text, preposition included
    end_char: int
    label: str  # pattern label (MD, WD, REL, ...) or ENT / RANGE
    end_span: Span | None = None  # second half of a range

    @property
    def text(self) -> str:
        return doc_text(self.span.doc)[self.start_char : self.end_char]


def _has_year(span: Span) -> bool:
    return any(t.like_num and len(t.text) == 4 for t in span)


def _has_day(span: Span) -> bool:
    return span.label_ in _DAY_LABELS


def _widen(doc: Doc, span: Span, lex: DateLexicon) -> int:
    """Start offset including a leading preposition ("on", "starting from", "back in")."""
    preps = sorted(lex.text_prepositions, key=lambda p: -len(p.split()))
    for prep in preps:
        words = prep.split()
        i = span.start - len(words)
        if i < 0:
            continue
        if [t.lower_ for t in doc[i : span.start]] == words:
            if span.sent.start > i:
                continue
            return doc[i].idx
    return span.start_char


def find_candidates(doc: Doc, lex: DateLexicon) -> list[Candidate]:
    """Every date-like expression in the doc, longest match first, ranges merged."""
    spans = list(doc.spans.get(DATES, []))
    cands: list[Candidate] = []
    i = 0
    while i < len(spans):
        span = spans[i]
        start = _widen(doc, span, lex)
        nxt = spans[i + 1] if i + 1 < len(spans) else None
        if nxt is not None and span.label_ != "ENT" and nxt.label_ != "ENT":
            between = doc_text(doc)[span.end_char : nxt.start_char]
            lead = doc[span.start - 1].lower_ if span.start > 0 else ""
            if (
                _RANGE_JOIN.match(between)
                and (lead in ("from", "between") or between.strip() in ("-", "\u2013", "\u2014"))
                and (between.strip().lower() != "and" or lead == "between")
            ):
                if (
                    lead == "from"
                    and between.strip().lower() in _SPLIT_JOINS
                    and (_has_year(span) or not _has_year(nxt))  # "from May to July 2023": whole
                    # "over the period from January to August": a period, kept whole
                    and (between.strip().lower() != "to" or _has_day(span) or _has_day(nxt))
                ):
                    # "from June 1 until Nov. 30": a start and an end date (GUIDELINES §5)
                    join = span.end_char + len(between) - len(between.lstrip())
                    cands.append(Candidate(span, start, span.end_char, span.label_))
                    cands.append(Candidate(nxt, join, nxt.end_char, nxt.label_))
                    i += 2
                    continue
                if lead == "between":
                    start = doc[span.start - 1].idx
                cands.append(Candidate(span, start, nxt.end_char, "RANGE", end_span=nxt))
                i += 2
                continue
        if (
            nxt is not None
            and span.label_ == "WD"
            and nxt.label_ in _DAY_LABELS
            and doc_text(doc)[span.end_char : nxt.start_char].strip() in ("", ",")
        ):
            # "On Saturday, September 28": one day, read from its month and day
            cands.append(Candidate(nxt, start, nxt.end_char, nxt.label_))
            i += 2
            continue
        if (
            nxt is not None
            and (
                nxt.label_ == "ANAPH"
                or (nxt.label_ == "REL" and len(nxt) == 2 and nxt[0].lower_ in _YEAR_RELS)
            )
            and span.label_ in ("MD", "DM", "M", "ORD")
            and nxt[-1].lower_ == "year"
            and not doc_text(doc)[span.end_char : nxt.start_char].strip(" ,")
            and not any(t.like_num and len(t.text) == 4 for t in span)
        ):
            # "on May 23 that year" (the previous mention's year), "December 8 last year"
            cands.append(Candidate(span, start, nxt.end_char, "YANAPH", end_span=nxt))
            i += 2
            continue
        cands.append(Candidate(span, start, span.end_char, span.label_))
        i += 1
    return cands
