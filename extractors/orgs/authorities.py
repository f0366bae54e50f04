"""Who acts in an event: the authority as the article words it, and its country or bloc.

An authority named in the event sentence as an actor (not as a destination: "exports *to the
US*") wins, the nearest to the trigger in the parse first. Otherwise, and for generic bodies
("the ministry"), the article's main acting country is used. The destination prepositions are
the orgs component's data (authority_context.json).
"""

from __future__ import annotations

from collections import Counter

from spacy.tokens import Doc, Span, Token

from tradeline.extractors.orgs.component import AUTHORITIES
from tradeline.extractors.orgs.lexicon import AuthorityContext
from tradeline.extractors.text.datelines import is_dateline_place

RECENT_CHARS = 400  # how far back a named actor still explains "the ministry"


class Actors:
    """The acting authorities of one article's events, read from `tl_authorities` spans."""

    def __init__(self, context: AuthorityContext) -> None:
        self.destination_preps = frozenset(context.destination_preps)

    def _is_destination(self, span: Span) -> bool:
        """Not an actor: a destination or place ("exports to the US"), or a dateline
        ("TOKYO -")."""
        root = span.root
        if root.dep_ == "pobj" and root.head.lower_ in self.destination_preps:
            return True
        return is_dateline_place(span)

    def article_country(self, doc: Doc) -> str | None:
        """The country or bloc that acts most in the article (subjects count double)."""
        counts: Counter[str] = Counter()
        first: dict[str, int] = {}
        for span in doc.spans.get(AUTHORITIES, []):
            if not span.label_ or self._is_destination(span):
                continue
            weight = 2 if span.root.dep_ in ("nsubj", "poss") else 1
            counts[span.label_] += weight
            first.setdefault(span.label_, span.start)
        if not counts:
            return None
        return max(counts, key=lambda c: (counts[c], -first[c]))

    def _recent_country(self, doc: Doc, before: int) -> str | None:
        """The country of the last named acting authority shortly before token `before`:
        "Japan's trade ministry said ... The ministry also ..." acts for Japan, whatever the
        article's main country is."""
        limit = doc[before].idx - RECENT_CHARS if before < len(doc) else 0
        out = None
        for span in doc.spans.get(AUTHORITIES, []):
            if span.start >= before:
                break
            if not span.label_ or self._is_destination(span) or span.start_char < limit:
                continue
            if span.root.dep_ in ("nsubj", "nsubjpass", "poss", "agent", "compound", "ROOT"):
                out = span.label_
        return out

    def event_authority(
        self, doc: Doc, trigger: Token, default: str | None
    ) -> tuple[str | None, str | None, bool]:
        """(authority text, country, stated_in_sentence) for the event at `trigger`."""
        sent = trigger.sent
        best: tuple[int, Span] | None = None
        for span in doc.spans.get(AUTHORITIES, []):
            if span.start < sent.start or span.end > sent.end or self._is_destination(span):
                continue
            dist = _tree_distance(span.root, trigger)
            if best is None or dist < best[0]:
                best = (dist, span)
        if best is None:
            recent = self._recent_country(doc, sent.start)
            return (recent or default), (recent or default), False
        span = best[1]
        country = span.label_ or self._recent_country(doc, span.start) or default
        text = span.text
        if text[:4].lower() == "the ":
            text = text[4:]
        return text, country, bool(span.label_)


def _tree_distance(a: Token, b: Token) -> int:
    up_a = [a, *a.ancestors]
    up_b = [b, *b.ancestors]
    index_b = {t.i: k for k, t in enumerate(up_b)}
    for k, t in enumerate(up_a):
        if t.i in index_b:
            return k + index_b[t.i]
    return 99
