"""Find date expressions in a parsed article.

The small English model's DATE entities miss or mis-bound forms news uses daily ("the 2nd",
a bare "Thursday", "early April", "Friday's"), so candidates come from a spaCy ``Matcher``
over the patterns in models/data/dates/patterns.jsonl; DATE entities that no pattern covers
are added as a fallback. Each candidate is widened to its leading preposition ("on Thursday",
"starting from August") because that is how the expression is quoted, and "from X to Y" ranges
are kept whole rather than split.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

from tradeline.extractors.dates.rules import lexicon
from tradeline.extractors.text.doc_cache import doc_text
from tradeline.extractors.text.patterns import anchored_matcher_for, read_patterns
from tradeline.models.assets import data_path


@cache
def patterns_path() -> Path:
    """dates/patterns.jsonl of the assets folder in use (models/assets.py: `--assets`); cached,
    and cleared with the other tables when the folder changes, so no file check per doc."""
    return data_path("dates/patterns.jsonl")

_REGEX = {
    "$DAYNUM": r"^(0?[1-9]|[12]\d|3[01])(st|nd|rd|th)?$",
    "$YEAR": r"^(1[89]\d\d|20\d\d)$",
    "$ORDINAL": r"^(0?[1-9]|[12]\d|3[01])(st|nd|rd|th)$",
}
_YEAR_RELS = ("this", "last", "next")
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


def _month_tokens() -> list[str]:
    out = []
    for name in lexicon().months:
        out += [name, name + "."]
    return out


def _expand(obj):
    """Fill the $MONTH / $WEEKDAY / $DAYNUM placeholders of a pattern from the lexicon."""
    if isinstance(obj, dict):
        return {k: _expand(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_expand(v) for v in obj]
    if obj == "$MONTH":
        return _month_tokens()
    if obj == "$WEEKDAY":
        return [w for w in lexicon().weekdays if len(w) > 4]
    if isinstance(obj, str) and obj in _REGEX:
        return _REGEX[obj]
    return obj


@cache
def _patterns() -> list[tuple[str, list]]:
    return read_patterns(patterns_path(), _expand)


def _is_month(tok: Token) -> bool:
    return tok.lower_.rstrip(".") in lexicon().months


def _plausible(span: Span, label: str) -> bool:
    """Reject matches that are words, not dates: 'may' the verb, 'the 3rd round', '$2025'."""
    lex = lexicon()
    doc = span.doc
    for tok in span:
        if _is_month(tok):
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
                nxt.lemma_.lower() in lex.units_after_year
                or nxt.lower_ in lex.units_after_year
            ):
                return False
            if year.ent_type_ in ("MONEY", "QUANTITY", "PERCENT"):
                return False
            if (
                prev is not None
                and prev.text in (",", ".")
                and prev.i > 0
                and doc[prev.i - 1].like_num
                and not _is_month(doc[prev.i - 1])
                and label == "Y"
            ):
                return False  # "1,2025"
    if label == "ORD":
        nxt = doc[span.end] if span.end < len(doc) else None
        if nxt is not None and nxt.pos_ in ("NOUN", "ADJ", "NUM", "PROPN") and not _is_month(nxt):
            return False
        if span[-1].dep_ == "amod":
            return False
    return True


def _widen(doc: Doc, span: Span) -> int:
    """Start offset including a leading preposition ("on", "starting from", "back in")."""
    preps = sorted(lexicon().text_prepositions, key=lambda p: -len(p.split()))
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


def find_candidates(doc: Doc) -> list[Candidate]:
    """Every date-like expression in the doc, longest match first, ranges merged."""
    matches = anchored_matcher_for(doc, patterns_path(), _patterns)(doc)
    spans = []
    for match_id, start, end in matches:
        label = doc.vocab.strings[match_id]
        span = Span(doc, start, end, label=label)
        if _plausible(span, label):
            spans.append(span)
    spans = filter_spans(spans)
    taken = {t.i for s in spans for t in s}
    for ent in doc.ents:
        if ent.label_ == "DATE" and not any(t.i in taken for t in ent):
            spans.append(Span(doc, ent.start, ent.end, label="ENT"))
    spans.sort(key=lambda s: s.start)

    cands: list[Candidate] = []
    i = 0
    while i < len(spans):
        span = spans[i]
        start = _widen(doc, span)
        nxt = spans[i + 1] if i + 1 < len(spans) else None
        if nxt is not None and span.label_ != "ENT" and nxt.label_ != "ENT":
            between = doc_text(doc)[span.end_char : nxt.start_char]
            lead = doc[span.start - 1].lower_ if span.start > 0 else ""
            if (
                _RANGE_JOIN.match(between)
                and (lead in ("from", "between") or between.strip() in ("-", "\u2013", "\u2014"))
                and (between.strip().lower() != "and" or lead == "between")
            ):
                if lead == "between":
                    start = doc[span.start - 1].idx
                cands.append(Candidate(span, start, nxt.end_char, "RANGE", end_span=nxt))
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
