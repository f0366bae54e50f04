"""What a traded object is called: its noun phrase, cut to a short lower-case label.

Analysts filter by these labels, so they are written the way the annotators write them: the
head noun with the modifiers that name a kind ("used cars", "jet fuel", "dual-use items"), not
those that only qualify it ("other", "advanced", "Chinese", "25,000 tonnes of"). A lexicon term
that ends on the head gives its normalised label ("non-basmati white rice" -> rice). A head
that only says what form the thing takes ("lithium ore", "tungsten and antimony products")
gives way to the noun before it, one label per coordinated noun. The word lists are data
(models/data/commodities/traded.json).
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Span, Token

from tradeline.extractors.commodities.lexicon import TradedLexicon

# Entities that are never a commodity (a country, a person, a date, an amount).
NOT_GOODS = {
    "GPE", "NORP", "PERSON", "DATE", "TIME", "MONEY", "PERCENT", "CARDINAL", "ORDINAL",
    "QUANTITY", "LOC", "FAC", "EVENT", "LAW", "WORK_OF_ART", "LANGUAGE",
}  # fmt: skip
_WORD_POS = {"NOUN", "PROPN", "ADJ", "VERB"}
_COORD = {"and", "or", ",", "&", "/"}
BASE_WORDS = {"based", "containing", "derived"}


@dataclass(frozen=True)
class Named:
    """One traded object: token range and label."""

    start: int
    end: int
    label: str
    generic: bool = False  # "manufacturing equipment": a kind of goods, not a named commodity


class ObjectNamer:
    """Labels for the noun phrase headed by a traded object's head word."""

    def __init__(self, lex: TradedLexicon, generic_labels: frozenset[str] = frozenset()) -> None:
        self.generic_labels = generic_labels  # listed labels of specificity 1
        self.not_goods = set(lex.not_commodities)
        self.generic = set(lex.generic_heads)
        self.drop = set(lex.drop_modifiers)
        self.strip = set(lex.strip_heads)
        self.participles = set(lex.keep_participles)
        self.adjectives = set(lex.keep_adjectives)

    def name(self, head: Token, by_end: dict[int, Span]) -> list[Named]:
        """The objects the phrase headed by `head` names (none when it is no commodity);
        `by_end`: the lexicon's spans by their last token."""
        if not any(c.isalnum() for c in head.text):
            return []
        known = by_end.get(head.i)
        if known is None and not self._could_be_goods(head):
            return []
        left = head.left_edge.i
        units = _units(head.doc[left : head.i + 1])
        if not units or units[-1][-1].i != head.i:
            return []
        head_unit, mods = units[-1], units[:-1]
        coordinated = any(u[0].lower_ in _COORD for u in mods)
        kept = [u for u in mods if self._keep(u, by_end)]
        base = self._base_of(mods, by_end)
        if base is not None:
            return [base]  # "paracetamol-based medicines"
        if known is not None:
            return self._known(known, head, kept, by_end)
        if head.lower_ in self.strip:
            inner = self._before_strip_head(mods, head_unit, coordinated, by_end)
            if inner:
                return [self._named(unit, by_end) for unit in inner]
        if coordinated:
            # "raw and wet-blue hides": only the words after the last "and" stay with the head.
            last = max(k for k, u in enumerate(mods) if u[0].lower_ in _COORD)
            kept = [u for u in kept if mods.index(u) > last]
        if head.lower_ in self.generic and not kept:
            return []
        words = [*kept, head_unit]
        return [Named(words[0][0].i, head.i + 1, _text(words), head.lower_ in self.generic)]

    def _known(
        self, known: Span, head: Token, kept: list[list[Token]], by_end: dict[int, Span]
    ) -> list[Named]:
        """A listed term ends on the head: its label, made specific by a listed term right
        before it ("rare earth minerals" -> rare earths) or joined by one ("cobalt manganese")."""
        start = min(known.start, kept[0][0].i if kept else head.i)
        before = by_end.get(known.start - 1)
        if before is None or before.label_ == known.label_:
            return [Named(start, head.i + 1, known.label_)]
        if known.label_ in self.generic_labels:
            return [Named(start, head.i + 1, before.label_)]
        if before.label_ in self.generic_labels:
            return [Named(start, head.i + 1, known.label_)]
        return [
            Named(before.start, before.end, before.label_),
            Named(known.start, head.i + 1, known.label_),
        ]

    def _base_of(self, mods: list[list[Token]], by_end: dict[int, Span]) -> Named | None:
        """The X of an "X-based" or "X-containing" modifier: what the goods are made of."""
        for unit in mods:
            if len(unit) >= 3 and unit[-1].lower_ in BASE_WORDS and unit[-2].text == "-":
                first = unit[-3]
                if first.pos_ in ("NOUN", "PROPN") and first.ent_type_ not in NOT_GOODS:
                    return self._named([first], by_end)
        return None

    def _could_be_goods(self, head: Token) -> bool:
        if head.pos_ not in ("NOUN", "PROPN") or head.like_num or head.is_stop:
            return False
        if head.pos_ == "PROPN" and not head.text.isupper():
            return False  # a name ("SK hynix")
        return head.lower_ not in self.not_goods and not _named_entity(head)

    def _keep(self, unit: list[Token], by_end: dict[int, Span]) -> bool:
        """A modifier that names a kind of goods ("jet", "used", "dual-use", a listed term)."""
        last = unit[-1]
        if last.i in by_end:
            return True
        text = "".join(t.text_with_ws for t in unit).strip().lower()
        if last.pos_ not in _WORD_POS or text in self.drop or last.lower_ in self.drop:
            return False
        if any(t.like_num or (t.ent_type_ in NOT_GOODS) for t in unit):
            return False
        if any(ch.isdigit() for ch in text) and not unit[0].text[:1].isupper():
            return False  # "9mm", "34-qubit"
        if last.pos_ == "VERB":
            return text in self.participles
        if last.pos_ == "ADJ" and len(unit) == 1:
            return text in self.adjectives  # "live cattle", not "popular beef cuts"
        return True

    def _before_strip_head(
        self,
        mods: list[list[Token]],
        head_unit: list[Token],
        coordinated: bool,
        by_end: dict[int, Span],
    ) -> list[list[Token]]:
        """The words that "ore", "products", "fuel" give way to (all of a coordination)."""
        words = [u for u in mods if u[0].lower_ not in _COORD and self._keep(u, by_end)]
        if not words or words[-1][-1].i != head_unit[0].i - 1:
            return []
        last = words[-1][-1]
        if last.pos_ not in ("NOUN", "PROPN") and last.i not in by_end:
            return []
        return words if coordinated else [words[-1]]

    def _named(self, unit: list[Token], by_end: dict[int, Span]) -> Named:
        known = by_end.get(unit[-1].i)
        label = known.label_ if known is not None else _text([unit])
        start = known.start if known is not None else unit[0].i
        return Named(start, unit[-1].i + 1, label)


def _units(span: Span) -> list[list[Token]]:
    """Words of a phrase, hyphenated compounds as one ("night-vision", "F-35")."""
    units: list[list[Token]] = []
    for tok in span:
        joined = units and (
            (tok.text == "-" and not units[-1][-1].whitespace_)
            or (units[-1][-1].text == "-" and not units[-1][-1].whitespace_)
        )
        if joined:
            units[-1].append(tok)
        else:
            units.append([tok])
    return [u for u in units if u[-1].text != "-" or len(u) > 1]


def _text(units: list[list[Token]]) -> str:
    return " ".join("".join(_case(t) for t in u) for u in units).strip(" -")


def _case(tok: Token) -> str:
    """Lower case, except acronyms and model names ("LNG", "F-35")."""
    text = tok.text
    if any(c.isupper() for c in text[1:]) or (
        text[:1].isupper() and any(c.isdigit() for c in text)
    ):
        return text
    return text.lower()


def _named_entity(tok: Token) -> bool:
    """Inside a country, person, date or amount, or a firm's name of several words."""
    if tok.ent_type_ in NOT_GOODS:
        return True
    if tok.ent_type_ != "ORG":
        return False
    ent = next((e for e in tok.doc.ents if e.start <= tok.i < e.end), None)
    return ent is not None and (len(ent) > 1 or tok.text.istitle())
