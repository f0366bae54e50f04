"""Validity periods: explicit durations attached to a licence, permit, control, ban, deal or pause.

GUIDELINES §4 counts "one-year validity period", "valid for six months", "delayed for 12 months",
"annual licence", "run for a year", "year-long permits" and not lead times ("four months of
transition time", "30 days before"), open ends ("indefinitely"), coverage years ("for 2026") or
statistics windows ("the first eight months"). A spaCy ``Matcher`` finds duration words
(models/data/validity/patterns.jsonl, the `tradeline_validity` component); each is kept only
when it is

* adjectival to a measure noun ("a 90-day pause", "year-long permits"), or
* the object of "for" (or "by" after extend/delay) whose governor is a measure verb or noun
  ("valid for", "suspended ... for", "licences run for").

Word lists are in models/data/validity/lexicon.json, read through the component
(`ValidityTagger.lexicon`). ``durations.add_duration`` turns a start date and a duration into
an end date at the start's own precision.
"""

from __future__ import annotations

import re

from spacy.tokens import Doc, Span, Token

from tradeline.extractors.text.doc_cache import doc_text
from tradeline.extractors.validity.component import DURATIONS, ValidityTagger
from tradeline.extractors.validity.lexicon import ValidityLexicon
from tradeline.records import ValidityPeriodFact

_MAX_FILLERS = 5


# --------------------------------------------------------------------------- durations


def _iso(number: float, unit: str, lex: ValidityLexicon) -> str | None:
    code = lex.units.get(unit)
    if code is None or number <= 0:
        return None
    if code == "10Y":
        number, code = number * 10, "Y"
    if number != int(number):
        if code == "Y" and number * 12 == int(number * 12):
            return f"P{int(number * 12)}M"
        return None
    return f"P{int(number)}{code}"


def duration_of(span: Span, lex: ValidityLexicon) -> str | None:
    """ISO 8601 duration of a matched duration phrase ('one-year' -> P1Y, '90-day' -> P90D)."""
    words = [t.lower_ for t in span if t.text != "-"]
    if span.label_ == "LONG":
        return lex.long_words.get(
            "".join(w for w in words) if len(words) == 1 else words[0] + "-long"
        )
    if span.label_ == "ANNUAL":
        return "P1Y"
    if span.label_ == "HALF":
        return "P6M"
    flat = "-".join(words)
    m = re.fullmatch(r"([a-z]+|\d{1,3})-+([a-z]+?)(?:-long)?", flat.replace("-long", "") + "")
    if not m:
        return None
    num_txt, unit = m.group(1), m.group(2)
    if num_txt.isdigit():
        number: float = int(num_txt)
    else:
        val = lex.number_words.get(num_txt)
        if val is None:
            return None
        number = val
    return _iso(number, unit, lex)


# --------------------------------------------------------------------------- attachment


def _lemma(tok: Token) -> str:
    return tok.lemma_.lower()


def _is_attach(tok: Token, lex: ValidityLexicon) -> bool:
    return (
        _lemma(tok) in lex.attach_verbs
        or _lemma(tok) in lex.attach_nouns
        or (tok.lower_ in lex.attach_nouns)
    )


def _left_preposition(
    doc: Doc, span: Span, lex: ValidityLexicon
) -> tuple[Token | None, list[Token]]:
    """The 'for'/'by'/'of'/'to'/'after' before the duration, skipping fillers ('for another',
    'for up to a')."""
    fillers = set(lex.for_fillers)
    skipped: list[Token] = []
    i = span.start - 1
    while i >= span.sent.start and len(skipped) <= _MAX_FILLERS:
        tok = doc[i]
        up_to = tok.lower_ == "to" and i > span.sent.start and doc[i - 1].lower_ == "up"
        if tok.lower_ in ("for", "by", "of", "to", "after") and not up_to:
            return tok, skipped
        if tok.lower_ in fillers:
            skipped.append(tok)
            i -= 1
            continue
        break
    return None, skipped


def _governor_words(prep: Token, limit: int = 6) -> list[Token]:
    """The preposition's head and its nearest ancestors, then the words just before it in the
    sentence (parse fallback)."""
    out = [prep.head]
    # "required authorisations ... for six weeks": what the verb acts on.
    out.extend(c for c in prep.head.children if c.dep_ in ("dobj", "nsubjpass"))
    # "extended quotas on exports of X for six months", "renewed licences to ship chips to
    # centres it operates for G42 for another two years"
    out.extend(list(prep.head.ancestors)[:5])
    sent_start = prep.sent.start
    for i in range(prep.i - 1, max(sent_start, prep.i - limit) - 1, -1):
        out.append(prep.doc[i])
    return out


def _for_phrase(doc: Doc, span: Span, lex: ValidityLexicon) -> tuple[Token, Token] | None:
    """(preposition, governor) when the duration is 'for/by ... N units' on a measure word."""
    prep, skipped = _left_preposition(doc, span, lex)
    if prep is None:
        return None
    if {t.lower_ for t in skipped} & set(lex.exclude_before_for):
        return None
    if (
        prep.lower_ == "of"
        and prep.i > span.sent.start
        and doc[prep.i - 1].lower_ in ("period", "term")
    ):
        outer = Span(doc, prep.i - 1, span.end)  # "for a period of two years"
        found, more = _left_preposition(doc, outer, lex)
        if found is not None and found.lower_ == "for":
            prep, skipped = found, skipped + more
    if prep.lower_ == "of":
        before = doc[prep.i - 1] if prep.i > span.sent.start else None
        if before is not None and before.lower_ in ("validity", "period", "term"):
            owner = [t for t in doc[max(span.sent.start, before.i - 3) : before.i + 1]]
            if any(t.lower_ == "validity" for t in owner) or before.lower_ == "validity":
                return prep, before
        return None
    if prep.lower_ == "by":
        head = prep.head
        return (prep, head) if _lemma(head) in lex.by_verbs else None
    if prep.lower_ in ("to", "after"):
        # "licences limited to six months", "each licence will expire after 90 days"
        verbs = lex.to_verbs if prep.lower_ == "to" else lex.after_verbs
        return (prep, prep.head) if _lemma(prep.head) in verbs else None
    for word in _governor_words(prep):
        if word.pos_ in ("VERB", "AUX", "ADJ", "NOUN", "PROPN") and _is_attach(word, lex):
            if _lemma(word) in lex.exclude_nouns:
                return None
            if _lemma(word) in lex.weak_verbs and not _said_of_measure(word, lex):
                continue  # "exporters must keep records for three years"
            return prep, word
    return None



def _owner(verb: Token) -> list[Token]:
    """What a verb says something of: its subject or object, or the noun a participle or
    relative clause hangs on ("a licence covering ...", "a row that had run ...")."""
    out = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass", "dobj")]
    if verb.dep_ in ("acl", "relcl") or any(
        c.dep_ in ("nsubj", "nsubjpass") and c.tag_ == "WDT" for c in verb.children
    ):
        out.append(verb.head)
    return out


def _said_of_measure(verb: Token, lex: ValidityLexicon) -> bool:
    """A weak verb ("remain", "keep", "run") whose subject or object is a licence, ban,
    control, deal or rule (or a pronoun standing for one)."""
    nouns = set(lex.attach_nouns) | set(lex.measure_subjects)
    return any(
        _lemma(o) in nouns or o.lower_ in nouns for o in _owner(verb) if o.tag_ != "WDT"
    )


def _covered(span: Span, lex: ValidityLexicon) -> Token | None:
    """The verb when the duration is what a measure lasts or covers, without 'for': "the
    suspension will last six months", "a licence covering three years' worth of supplies"."""
    tok = span.root
    for _ in range(3):
        if tok.dep_ not in ("npadvmod", "dobj", "poss", "nmod", "compound"):
            return None
        tok = tok.head
        if tok.pos_ == "VERB":
            break
    if tok.pos_ != "VERB" or _lemma(tok) not in lex.cover_verbs:
        return None
    return tok if _said_of_measure(tok, lex) else None


def _noun_phrase_after(doc: Doc, span: Span) -> list[Token]:
    """Modifier nouns and the head noun right after an adjectival duration."""
    out: list[Token] = []
    i = span.end
    while i < len(doc) and len(out) < 4 and i < span.sent.end:
        tok = doc[i]
        if tok.pos_ not in ("NOUN", "PROPN", "ADJ", "VERB") or tok.is_punct:
            break
        out.append(tok)
        if tok.dep_ not in ("compound", "amod", "nmod") and tok.pos_ in ("NOUN", "PROPN"):
            break
        i += 1
    return out


def _adjectival(doc: Doc, span: Span, lex: ValidityLexicon) -> list[Token] | None:
    hyphenated = any(t.text == "-" or "-" in t.text for t in span) or span.label_ in (
        "LONG",
        "ANNUAL",
    )
    np = _noun_phrase_after(doc, span)
    if not np:
        return None
    if not hyphenated and not (np[0].pos_ == "NOUN" and span[-1].lower_ in lex.units):
        return None
    lemmas = {_lemma(t) for t in np} | {t.lower_ for t in np}
    if lemmas & set(lex.exclude_nouns):
        return None
    nouns = set(lex.annual_nouns) if span.label_ == "ANNUAL" else set(lex.attach_nouns)
    if not lemmas & nouns:
        return None
    # "a 22-day ban on hilsa fishing": a ban on an activity at home, not on trade.
    for prep in np[-1].children:
        for obj in prep.children if prep.dep_ == "prep" else ():
            if obj.dep_ == "pobj" and {_lemma(obj), obj.lower_} & set(lex.exclude_nouns):
                return None
    return np


def _plain_text(doc: Doc, start: int, end: int) -> str:
    return doc_text(doc)[start:end]


def find_validity_periods(doc: Doc, validity: ValidityTagger) -> list[ValidityPeriodFact]:
    """Explicit durations of licences, permits, controls, suspensions, bans, deals (GUIDELINES §4).

    Each distinct (text, duration) once; valid_from / valid_to are left for the assembler.
    """
    lex = validity.lexicon
    out: list[ValidityPeriodFact] = []
    seen: set[tuple[str, str]] = set()
    for span in doc.spans.get(DURATIONS, []):
        duration = duration_of(span, lex)
        if duration is None:
            continue
        nxt = doc[span.end] if span.end < len(doc) else None
        start_char, end_char, applies = span.start_char, span.end_char, None
        phrase = None if span.label_ == "ANNUAL" else _for_phrase(doc, span, lex)
        # "two years ago", "30 days before shipment" are offsets; but "suspended ... for 90 days
        # after inspectors found larvae" is the suspension's length.
        offset = (
            nxt is not None
            and nxt.lower_ in lex.trailing_words
            and span.label_ != "ANNUAL"
            and (phrase is None or phrase[0].lower_ != "for" or nxt.lower_ in ("ago", "old", "of"))
        )
        if offset:
            continue
        covered = _covered(span, lex) if phrase is None else None
        key_start = start_char
        if phrase is not None:
            prep, gov = phrase
            applies = gov.text
            first = gov if 0 <= prep.i - gov.i <= 1 else prep
            start_char = min(first.idx, prep.idx)
            key_start = prep.idx  # "suspend for 90 days" repeats "for 90 days"
        elif covered is not None:
            applies = covered.text
            start_char = key_start = covered.idx
        else:
            np = _adjectival(doc, span, lex)
            if np is None:
                continue
            end_char = np[-1].idx + len(np[-1].text)
            applies = np[-1].text
        text = _plain_text(doc, start_char, end_char)
        key = (_plain_text(doc, key_start, end_char).lower(), duration)
        if key in seen:
            continue
        seen.add(key)
        out.append(
            ValidityPeriodFact(
                text=text,
                duration=duration,
                evidence=span.sent.text.strip(),
                start_char=start_char,
                end_char=end_char,
                applies_to=applies,
            )
        )
    return out
