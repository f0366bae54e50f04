"""Which words are dates: the date patterns, filled from the lexicon, and the matches kept.

The small English model's DATE entities miss or mis-bound forms news uses daily ("the 2nd",
a bare "Thursday", "early April", "Friday's"), so date words come from a spaCy ``Matcher`` over
the patterns in models/data/dates/patterns.jsonl, whose placeholders ($MONTH, $WEEKDAY,
$SEASON, $DAYNUM, ...) the lexicon fills; matches that are words, not dates, are dropped, and DATE
entities that no pattern covers are added as a fallback.
"""

from __future__ import annotations

import re
from typing import Any

from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

from tradeline.extractors.dates.lexicon import DateLexicon
from tradeline.extractors.text.anchored_matcher import AnchoredMatcher

_REGEX = {
    "$DAYNUM": r"^(0?[1-9]|[12]\d|3[01])(st|nd|rd|th)?$",
    "$YEAR": r"^(1[89]\d\d|20\d\d)$",
    "$ORDINAL": r"^(0?[1-9]|[12]\d|3[01])(st|nd|rd|th)$",
}


def _month_tokens(lex: DateLexicon) -> list[str]:
    out = []
    for name in lex.months:
        out += [name, name + "."]
    return out


def expand(obj: Any, lex: DateLexicon) -> Any:
    """Fill the $MONTH / $WEEKDAY / $DAYNUM placeholders of a pattern from the lexicon."""
    if isinstance(obj, dict):
        return {k: expand(v, lex) for k, v in obj.items()}
    if isinstance(obj, list):
        return [expand(v, lex) for v in obj]
    if obj == "$MONTH":
        return _month_tokens(lex)
    if obj == "$SEASON":
        return list(lex.seasons)
    if obj == "$WEEKDAY":
        return [w for w in lex.weekdays if len(w) > 4]
    if isinstance(obj, str) and obj in _REGEX:
        return _REGEX[obj]
    return obj


def is_month(tok: Token, lex: DateLexicon) -> bool:
    return tok.lower_.rstrip(".") in lex.months


def _plausible(span: Span, label: str, lex: DateLexicon) -> bool:
    """Reject matches that are words, not dates: 'may' the verb, 'the 3rd round', '$2025'."""
    doc = span.doc
    for tok in span:
        if is_month(tok, lex):
            if not (tok.text[0].isupper()):
                return False
            if tok.ent_type_ in ("PERSON", "ORG", "PRODUCT", "WORK_OF_ART"):
                return False
            word = tok.lower_.rstrip(".")
            if word in lex.ambiguous_months and len(span) == 1 and tok.pos_ != "PROPN":
                prev = doc[tok.i - 1].lower_ if tok.i > 0 else ""
                if prev not in (*lex.leading_prepositions, "early", "mid", "late", "-", "of"):
                    return False
            if (
                len(word) <= 4
                and not tok.text.endswith(".")
                and tok.text.isupper()
                and len(span) == 1
            ):
                return False  # "MAR", "DEC" as acronyms
    if label in ("Y", "MY", "MDY", "DMY") or (label == "QTR" and any(t.like_num for t in span)):
        year = next((t for t in span if re.fullmatch(_REGEX["$YEAR"], t.text)), None)
        if year is not None:
            prev = doc[year.i - 1] if year.i > 0 else None
            nxt = doc[year.i + 1] if year.i + 1 < len(doc) else None
            if prev is not None and (prev.is_currency or prev.text in ("$", "#", "No.", "no.")):
                return False
            if nxt is not None and (
                nxt.lemma_.lower() in lex.units_after_year or nxt.lower_ in lex.units_after_year
            ):
                return False
            if year.ent_type_ in ("MONEY", "QUANTITY", "PERCENT"):
                return False
            after = doc[year.i + 2] if year.i + 2 < len(doc) else None
            if (
                label == "Y"
                and nxt is not None
                and nxt.text in ("-", "/", "\u2013")
                and after is not None
                and re.fullmatch(r"\d\d", after.text)
            ):
                return False  # "In 2021-22": a split fiscal or crop year, a period
            if (
                prev is not None
                and prev.text in (",", ".")
                and prev.i > 0
                and doc[prev.i - 1].like_num
                and not is_month(doc[prev.i - 1], lex)
                and label == "Y"
            ):
                return False  # "1,2025"
    if label == "ORD":
        nxt = doc[span.end] if span.end < len(doc) else None
        if (
            nxt is not None
            and nxt.pos_ in ("NOUN", "ADJ", "NUM", "PROPN")
            and not is_month(nxt, lex)
        ):
            return False
        if span[-1].dep_ == "amod":
            return False
    return True


def date_spans(doc: Doc, matcher: AnchoredMatcher, lex: DateLexicon) -> list[Span]:
    """The date words of the doc in text order: the longest plausible pattern matches, labelled
    by their pattern (MD, WD, REL, ...), then DATE entities no match covers (label ENT)."""
    spans = []
    for match_id, start, end in matcher(doc):
        label = doc.vocab.strings[match_id]
        span = Span(doc, start, end, label=label)
        if _plausible(span, label, lex):
            spans.append(span)
    spans = filter_spans(spans)
    taken = {t.i for s in spans for t in s}
    for ent in doc.ents:
        if ent.label_ == "DATE" and not any(t.i in taken for t in ent):
            spans.append(Span(doc, ent.start, ent.end, label="ENT"))
    spans.sort(key=lambda s: s.start)
    return spans
