"""Texts longer than the spaCy pipeline takes: cut into sentence-aligned pieces, facts merged back.

spaCy refuses a text over `nlp.max_length` characters (error E088; 1,000,000 by default), as
memory grows with a document's length. A page that long is rare but real (a 1.7 MB HTML page, a
data dump in a JSONL), and it must never fail a batch. So a text over the limit is cut into
pieces of at most `PIECE_CHARS` characters (measured: a 2,000,000-character text peaks at
1.3 GB with 10,000-character pieces, 5.8 GB with 100,000), each ending at a
paragraph break, else a line break, else a sentence end, else a space (else, in a text with no
space at all, at the limit itself). Each piece is extracted on its own; `merge` shifts the
facts' character offsets back into the whole text and joins a firm's mentions across pieces.

A fact whose sentence would straddle a cut cannot occur: cuts fall between sentences. What is
lost is context across pieces (a firm named in piece 1 and only pronouns in piece 2), which no
article of ordinary length is affected by: texts within the limit are one piece, as before.
"""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Any, TypeVar

from tradeline.records import CompanyFact, Extraction

PIECE_CHARS = 10_000  # a piece's length at most, so a batch of pieces stays small
_BREAKS = ("\n\n", "\n", ". ", "? ", "! ", "; ", " ")

T = TypeVar("T")


def pieces(text: str, max_length: int) -> list[tuple[int, int]]:
    """(start, end) of the pieces of `text`: the whole text when it is within `max_length`,
    else sentence-aligned pieces of at most min(max_length, PIECE_CHARS) characters."""
    if len(text) <= max_length:
        return [(0, len(text))]
    size = max(1, min(max_length, PIECE_CHARS))
    spans: list[tuple[int, int]] = []
    start = 0
    while len(text) - start > size:
        end = _cut(text, start, start + size)
        spans.append((start, end))
        start = end
    spans.append((start, len(text)))
    return spans


def _cut(text: str, start: int, limit: int) -> int:
    """The best place to end a piece in text[start:limit]: after the last break of the most
    preferred kind found in its second half."""
    floor = start + (limit - start) // 2
    for mark in _BREAKS:
        at = text.rfind(mark, floor, limit)
        if at != -1:
            return at + len(mark)
    return limit


def merge(parts: list[tuple[int, Extraction]]) -> Extraction:
    """One Extraction from the (offset, facts) of each piece, offsets into the whole text."""
    if len(parts) == 1 and parts[0][0] == 0:
        return parts[0][1]
    merged = Extraction(relevance=parts[0][1].relevance)  # the lead is in the first piece
    firms: dict[str, CompanyFact] = {}
    for offset, part in parts:
        base = len(merged.events)
        merged.events += [_shift(e, offset) for e in part.events]
        merged.policy_dates += [_shift(p, offset) for p in part.policy_dates]
        for period in part.validity_periods:
            moved = _shift(period, offset)
            if moved.event_index is not None:
                moved.event_index += base
            merged.validity_periods.append(moved)
        for firm in (_shift(c, offset) for c in part.companies):
            known = firms.get(firm.canonical)
            if known is None:
                firms[firm.canonical] = firm
                merged.companies.append(firm)
                continue
            known.aliases += [a for a in firm.aliases if a not in known.aliases]
            known.mentions += firm.mentions
            known.ticker = known.ticker or firm.ticker
        if merged.skipped_reason is None:
            merged.skipped_reason = part.skipped_reason
    return merged


def _shift(fact: T, offset: int) -> T:
    """A copy of a fact with every character offset (`*_char`, `mentions`) moved by `offset`."""
    changes: dict[str, Any] = {}
    for f in fields(fact):  # type: ignore[arg-type]
        value = getattr(fact, f.name)
        if f.name.endswith("_char") and isinstance(value, int):
            changes[f.name] = value + offset
        elif f.name == "mentions" and isinstance(value, list):
            changes[f.name] = [(s + offset, e + offset) for s, e in value]
        elif isinstance(value, list):
            changes[f.name] = list(value)  # merged lists must not alias the piece's
    return replace(fact, **changes)  # type: ignore[type-var]
