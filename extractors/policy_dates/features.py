"""The words the policy-date filter reads about one date the rules kept as a policy date.

GUIDELINES §5 lists a date when it dates an event: a government or regulatory action, a
negotiation, a meeting, a company disclosure, a report. The date rules (dates/facts.py) drop
datelines, names, fiscal periods and the statistics they recognise; what they still keep wrongly
dates something else: a harvest, a price move, sales, a biography, hostilities ("a record harvest
is expected this year", "who earlier this year worked at ..."). What the date dates shows in the
word it attaches to, that word's subject and object, the words around the date, and whether the
sentence states a trade action (an event trigger) or an amount. The classifier
(policy_dates/filter.py) learns from annotated articles which of these make a policy date.
"""

from __future__ import annotations

from spacy.tokens import Doc, Span, Token

from tradeline.extractors.dates.filters import governor
from tradeline.extractors.events.component import TRIGGERS
from tradeline.extractors.text.doc_cache import entity_label

WINDOW = 6  # words read on each side of the date
AMOUNT_WORDS = {"%", "percent", "per", "$", "€", "£", "¥", "tonnes", "tons", "billion", "million"}


def _date_word(tok: Token) -> str:
    """A date's own word, with its numbers and names folded ("in March 2024" -> in <month> #)."""
    if tok.like_num or any(c.isdigit() for c in tok.text):
        return "#"
    if tok.ent_type_ == "DATE" and tok.is_title:
        return "<name>"
    return tok.lower_


def _lemma(tok: Token) -> str:
    return tok.lemma_.lower() if tok.lemma_ else tok.lower_


def _around(doc: Doc, span: Span) -> list[str]:
    """Content-word lemmas within `WINDOW` words of the date, in its sentence."""
    sent = span.sent
    out = []
    for tok in doc[max(sent.start, span.start - WINDOW) : min(sent.end, span.end + WINDOW)]:
        if span.start <= tok.i < span.end or tok.is_stop or not tok.is_alpha:
            continue
        if tok.pos_ in ("NOUN", "VERB", "ADJ", "PROPN"):
            out.append(f"w={_lemma(tok)}" if tok.pos_ != "PROPN" else f"w=<{tok.ent_type_ or 'P'}>")
    return out


def _arguments(gov: Token) -> list[str]:
    """The governing word's subject and object: who or what the date's event is about."""
    out = []
    for child in gov.children:
        if child.dep_ in ("nsubj", "nsubjpass", "dobj", "attr"):
            label = child.ent_type_ or ""
            out.append(f"{child.dep_}={_lemma(child)}" if not label else f"{child.dep_}=<{label}>")
    return out


def date_features(doc: Doc, span: Span, granularity: str) -> list[str]:
    """Feature words of one date (`span`: its words in `doc`; `granularity`: day, month, year)."""
    out = [f"gran={granularity}"]
    words = [_date_word(t) for t in span]
    out.extend(f"d={w}" for w in words)
    out.append("dshape=" + "_".join(words[:4]))
    before = doc[span.start - 1] if span.start > 0 else None
    out.append(f"b1={before.lower_ if before is not None else '<s>'}")
    gov = governor(span)
    if gov is None:
        out.append("gov=<root>")
    else:
        out.append(f"gov={_lemma(gov)}")
        out.append(f"gov_pos={gov.pos_}")
        out.append(f"gov_tag={gov.tag_}")
        out.extend(_arguments(gov))
        if gov.pos_ != "VERB" and gov.head is not gov:
            out.append(f"gov2={_lemma(gov.head)}")
    out.extend(_around(doc, span))
    sent = span.sent
    triggers = [t for t in doc.spans.get(TRIGGERS, []) if sent.start <= t.start < sent.end]
    out.append(f"triggers={min(len(triggers), 2)}")
    out.extend(f"trig={t.label_}" for t in triggers[:3])
    if any(
        t.text.lower() in AMOUNT_WORDS or t.like_num
        for t in sent
        if not span.start <= t.i < span.end
    ):
        out.append("amount")
    if sent.start <= 2:
        out.append("first_sentence")
    quotes = sum(t.text in ('"', "“", "”") for t in doc[sent.start : span.start])
    if quotes % 2:
        out.append("in_quote")
    label = entity_label(doc, span.start, span.end)
    out.append(f"ent={label or 'none'}")
    return out
