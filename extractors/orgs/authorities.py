"""Who acts in an event: the authority as the article words it, and its country or bloc.

An authority named in the event sentence as an actor wins, the nearest to the trigger in the
parse first; a country named in another role counts only where no actor is named. Not actors:
destinations and places ("exports *to the US*", "a licence *for Thailand's* air force", "to
Bangladesh, *the UAE* and Sri Lanka"), datelines ("BEIJING/SEOUL, Sept 18 -"), a firm's home
("*France's* Orano", "Zurich-based"). Weaker than an actor: the object of the action ("drop
*South Korea* from the whitelist"). Otherwise, and for generic bodies ("the ministry"), the
article's main acting country is used. The destination prepositions are the orgs component's
data (authority_context.json).
"""

from __future__ import annotations

from collections import Counter

from spacy.tokens import Doc, Span, Token

from tradeline.extractors.orgs.component import AUTHORITIES
from tradeline.extractors.orgs.lexicon import AuthorityContext
from tradeline.extractors.text.datelines import is_dateline_place

FIRMS = "tl_companies"  # the companies component's span group (it runs after this one)
RECENT_CHARS = 400  # how far back a named actor still explains "the ministry"
OBJECT_PENALTY = 3  # tree steps an object of the action ("drop South Korea") counts as extra
_OBJECT_DEPS = {"dobj", "dative", "nsubjpass", "attr", "oprd"}
_LINK_DEPS = {"poss", "compound", "amod", "nmod"}
_CLAUSE_DEPS = {"acl", "relcl"}
_EXPORT_LEMMAS = {"export", "shipment", "sale", "supply", "exporter", "producer"}
HOME_WORDS = {"based", "headquartered", "registered", "listed", "born"}


class Actors:
    """The acting authorities of one article's events, read from `tl_authorities` spans."""

    def __init__(self, context: AuthorityContext) -> None:
        self.destination_preps = frozenset(context.destination_preps)
        self.applied_to = frozenset(context.applied_to)
        self._firms: tuple[Doc | None, set[int]] = (None, set())

    def _firm_tokens(self, doc: Doc) -> set[int]:
        """Tokens of the article's firms (computed once per Doc)."""
        if self._firms[0] is not doc:
            tokens = {t.i for s in doc.spans.get(FIRMS, []) for t in s}
            self._firms = (doc, tokens)
        return self._firms[1]

    def _is_destination(self, span: Span) -> bool:
        """Not an actor: a destination or place ("exports to the US", "for Thailand's air
        force", "to Bangladesh, the UAE and Sri Lanka"), a dateline ("TOKYO -"), a firm's home
        ("France's Orano", "Zurich-based")."""
        if is_dateline_place(span) or _in_dateline(span):
            return True
        doc = span.doc
        root = _first_conjunct(span.root)
        if span.end + 1 < len(doc) and doc[span.end].text == "-":
            return doc[span.end + 1].lower_ in HOME_WORDS  # "Zurich-based"
        if root.dep_ == "poss" and root.head.i in self._firm_tokens(doc):
            return True  # "France's Orano", "Britain's BAE Systems"
        if root.dep_ == "pobj" and root.head.lower_ == "to" and _lemma(root.head.head) in (
            self.applied_to
        ):
            return False  # "applied to the French authorities": the authority applied to
        if root.dep_ == "pobj":
            return root.head.lower_ in self.destination_preps
        # "a licence for Thailand's air force": a modifier of a destination; but "controls on
        # China's exports" names the exporter.
        owned = root.head
        for _ in range(3):
            if root.dep_ not in _LINK_DEPS:
                return False
            root = _first_conjunct(root.head)
            if root.dep_ == "pobj":
                exporter = owned.lemma_.lower() in _EXPORT_LEMMAS
                return root.head.lower_ in self.destination_preps and not exporter
        return False

    def _rank(self, span: Span, trigger: Token) -> int:
        """Tree distance to the trigger; an object of the action, or a name inside a clause
        that only describes something ("fighters ordered by Colombia"), counts as farther."""
        dist, path = _tree_path(span.root, trigger)
        if _first_conjunct(span.root).dep_ in _OBJECT_DEPS:
            dist += OBJECT_PENALTY
        if any(t.dep_ in _CLAUSE_DEPS for t in path):
            dist += OBJECT_PENALTY
        return dist

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

    def _place_country(self, doc: Doc, sent: Span) -> str | None:
        """Where a generic body acts from, as its own sentence says: "In The Hague, the trade
        ministry said", "TANZANIA - The agriculture ministry"."""
        for span in doc.spans.get(AUTHORITIES, []):
            if span.start < sent.start or span.end > sent.end or not span.label_:
                continue
            root = span.root
            dateline = is_dateline_place(span) or _in_dateline(span)
            if dateline or (root.dep_ == "pobj" and root.head.lower_ in ("in", "at")):
                return span.label_
        return None

    def event_authority(
        self, doc: Doc, trigger: Token, default: str | None
    ) -> tuple[str | None, str | None, bool]:
        """(authority text, country, stated_in_sentence) for the event at `trigger`."""
        sent = trigger.sent
        best: tuple[int, Span] | None = None
        for span in doc.spans.get(AUTHORITIES, []):
            if span.start < sent.start or span.end > sent.end or self._is_destination(span):
                continue
            dist = self._rank(span, trigger)
            if best is None or dist < best[0]:
                best = (dist, span)
        if best is None:
            recent = self._recent_country(doc, sent.start)
            return (recent or default), (recent or default), False
        span = best[1]
        country = (
            span.label_
            or self._place_country(doc, sent)
            or self._recent_country(doc, span.start)
            or default
        )
        text = span.text
        if text[:4].lower() == "the ":
            text = text[4:]
        return text, country, bool(span.label_)


def _tree_path(a: Token, b: Token) -> tuple[int, list[Token]]:
    """Steps from `a` up to the common ancestor and down to `b`, and the tokens on `a`'s side
    below the common ancestor (99 when they share none)."""
    up_a = [a, *a.ancestors]
    up_b = [b, *b.ancestors]
    index_b = {t.i: k for k, t in enumerate(up_b)}
    for k, t in enumerate(up_a):
        if t.i in index_b:
            return k + index_b[t.i], up_a[:k]
    return 99, []


def _lemma(tok: Token) -> str:
    return tok.lemma_.lower()


def _first_conjunct(tok: Token) -> Token:
    """The first of a coordination ("Bangladesh, the UAE and Sri Lanka" -> Bangladesh)."""
    for _ in range(10):
        if tok.dep_ != "conj" or tok.head is tok:
            break
        tok = tok.head
    return tok


def _in_dateline(span: Span) -> bool:
    """A place in capitals among the first words of a line, with only capitals and slashes
    before it ("BEIJING/SEOUL, Sept 18 -")."""
    doc = span.doc
    if not span.text.isupper() or len(span.text) <= 3:
        return False
    i = span.start - 1
    while i >= 0 and "\n" not in doc[i].text:
        if not (doc[i].text in ("/", "-", ",") or doc[i].is_upper):
            return False
        i -= 1
    return span.end < len(doc) and doc[span.end].text in (",", "/", "-", "—", "–", ":", "(")
