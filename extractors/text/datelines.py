"""Datelines: the place (and date) a wire story opens with, "TOKYO (Reuters) -", "BEIJING,
Sept 21 (Reuters) -", "KUALA LUMPUR -". A dateline's place is no firm and no acting authority,
and its date dates nothing the article tells. The three questions the kinds ask of a dateline
are answered here, with one set of marks that end a dateline's place.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from spacy.tokens import Doc, Span, Token

# What follows a dateline's place: "(Reuters)", a dash, a comma (before the date), a colon.
DATELINE_MARKS = ("(", "-", "—", "–", ",", ":")


def at_line_start(doc: Doc, i: int, *, after_space: bool = False) -> bool:
    """Token `i` opens the text or a line (`after_space`: or follows a whitespace token)."""
    if i == 0:
        return True
    prev = doc[i - 1]
    return "\n" in prev.text or (after_space and prev.is_space)


def _place_word(tok: Token) -> bool:
    """An all-capitals word of a dateline place ("LUMPUR", "DELHI/MUMBAI", "/")."""
    text = tok.text
    return text == "/" or (text.isupper() and all(c.isalpha() or c in "/.'" for c in text))


def _line_end(doc: Doc, k: int) -> bool:
    """Token `k` ends the line: the text's end or a line break."""
    return k == len(doc) or "\n" in doc[k].text or "\n" in doc[k - 1].whitespace_


def starts_dateline(doc: Doc, start: int) -> bool:
    """A name run at `start` is (in) a dateline's place: 'TOKYO (Reuters) -', 'AMSTERDAM -',
    'BEIJING:', 'KUALA LUMPUR -', 'NEW DELHI/MUMBAI -', or a line of its own ('THE HAGUE'):
    at the start of a line, one to four capitalised place words, then a dateline mark or the
    end of the line."""
    first = doc[start]
    begin = start
    while begin > 0 and begin > start - 3 and not at_line_start(doc, begin, after_space=True):
        if not _place_word(doc[begin - 1]) or not doc[begin - 1].is_alpha:
            return False  # only capitals before it on its line ("THE HAGUE")
        begin -= 1
    if not at_line_start(doc, begin, after_space=True) or not (
        first.is_upper and first.is_alpha and len(first) > 2
    ):
        return False
    k = start + 1
    while k < min(len(doc), begin + 4) and _place_word(doc[k]):
        k += 1
    return k == len(doc) or doc[k].text in DATELINE_MARKS or _line_end(doc, k)


def is_dateline_place(span: Span) -> bool:
    """An authority's name is a dateline's place ("BEIJING (Reuters) -"), not an actor: written
    in capitals at the start of a line, a dateline mark right after it."""
    doc = span.doc
    after = doc[span.end].text if span.end < len(doc) else ""
    return at_line_start(doc, span.start) and span.text.isupper() and after in DATELINE_MARKS


# A dateline's place: an upper-case city, then optional region/country words, before the date.
_PLACE_LINE_START = re.compile(
    r"\s*(?:[A-Z][A-Z.'\-]++\s*+)++(?:,\s*[A-Z][A-Za-z.'\-]*+(?:\s+[A-Z][A-Za-z.'\-]*+)*+)*+\s*,\s*"
)
# What follows the date in a dateline: the year, a wire name in brackets or slashes, a dash.
_DATELINE_TAIL = re.compile(
    r"\s*(?:,\s*\d{4}\s*)?(?:\([A-Za-z][^)]{0,39}\)|/[A-Za-z][^/]{0,39}/|[-\u2013\u2014:]|$)"
)


# Before a dateline's date: upper-case words, then an optional bracket and comma.
_CAPITAL_WORDS = re.compile(r"\s*(?:[A-Z][A-Z.'\-]*+\s*+)*+(?:\([^)]*\))?\s*,?\s*")
# The word patterns here are possessive (`*+`, `++`): a word cannot be split into shorter words
# in many ways, so an all-caps headline that fails to match fails at once (backtracking over
# the splits took seconds for 24 capitals and doubled with each one more).
# Before a dateline's date: capitalised words (place, outlet), commas, brackets, nothing else.
_CAPITALISED_LEAD = re.compile(r"\s*(?:(?:[A-Z][\w.'&\-]*+|[(),.])\s*+)*+\(?\s*")
# After it: the year, a closing bracket, an outlet in brackets, then a dash or a bar.
_BRACKETED_TAIL = re.compile(
    r"\s*(?:,\s*\d{4}\s*)?\)?\s*(?:\([^)]{1,40}\)\s*)?(?:-{1,2}\s|[\u2013\u2014|])"
)


def _line_bounds(text: str, start: int, end: int) -> tuple[str, str]:
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    return text[line_start:start], text[end:line_end]


def is_dateline_or_timestamp(
    span_start: int, span_end: int, text: str, timestamp_cues: Iterable[str]
) -> bool:
    """A date in a dateline or a timestamp, not a date of anything the article tells:
    'BEIJING, Sept 21 (Reuters) -', 'Published 03 Dec, 2024 02:21pm', a bare date line."""
    before, after = _line_bounds(text, span_start, span_end)
    if _PLACE_LINE_START.fullmatch(before) and _DATELINE_TAIL.match(after):
        return True  # "SEOUL, South Korea, June 6, 2025 /PRNewswire/ --", "DELHI, July 20 (PTI)"
    if _CAPITAL_WORDS.fullmatch(before) and re.match(
        r"\s*(?:,\s*\d{4}\s*)?(?:\([^)]{1,40}\)\s*)?(?:[-\u2013\u2014:/]|\s*$)", after
    ):
        return True
    if (
        len(before) <= 60
        and (not before.strip() or "(" in before or "," in before)
        and _CAPITALISED_LEAD.fullmatch(before)
        and _BRACKETED_TAIL.match(after)
    ):
        return True  # "Frankfurt (Germany), Aug. 11 (LaPresse) –", "July 16, 2025 | Beijing"
    if re.match(
        r"\s*(?:,\s*)?(?:at\s+)?\d{1,2}[:.]\d{2}\s*(?:[ap]\.?m\.?|gmt|utc|[a-z]{2,4}t)?",
        after,
        re.I,
    ):
        return True
    cues = "|".join(re.escape(c) for c in timestamp_cues)
    if re.fullmatch(rf"\W*(?:{cues})\s*(?:on|at)?\s*:?\s*", before, re.I):
        return True
    line = (before + text[span_start:span_end] + after).strip()
    return len(line) <= 40 and not re.search(r"\b(?:said|is|was|will|has|have)\b", line)
