"""What is traded: the object of an export word, found from the parse, listed or not.

The lexicon only names commodities it knows; an article about gasoline, hilsa or turbines needs
the commodity found from the sentence itself: "exports of X", "X exports", "ban on exporting X",
"licences to ship X", "exporters of X", "a ban on X", "licences for X". The object's noun phrase
becomes a short lower-case label ("used cars", "jet fuel"); a lexicon term that ends on the
phrase's head gives its normalised label instead ("non-basmati white rice" -> rice). Which words
anchor, which are looked through and which are never commodities is data
(models/data/commodities/traded.json).
"""

from __future__ import annotations

from collections.abc import Iterable

from spacy.attrs import TAG
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token

from tradeline.extractors.commodities.lexicon import TradedLexicon
from tradeline.extractors.commodities.naming import ObjectNamer

EXPORT_NOUN, EXPORT_VERB, TRADER, CONTROL = "export_noun", "export_verb", "trader", "control"
GENERIC = "generic"  # kb_id of an object named only by a kind ("manufacturing equipment")
_MODIFIER_DEPS = {"compound", "amod", "nmod"}
_MAX_DEPTH = 3


class TradedFinder:
    """Finds the traded objects of a parsed Doc (one span per object, label = its name)."""

    def __init__(
        self,
        vocab: object,
        nlp_tokenizer: object,
        lex: TradedLexicon,
        generic_labels: frozenset[str] = frozenset(),
    ) -> None:
        self.lex = lex
        self.anchors = PhraseMatcher(vocab, attr="LOWER")  # type: ignore[arg-type]
        for key, words in (
            (EXPORT_NOUN, lex.export_nouns),
            (EXPORT_VERB, lex.export_verbs),
            (TRADER, lex.trader_nouns),
            (CONTROL, lex.control_nouns),
        ):
            self.anchors.add(key, list(nlp_tokenizer.pipe(words)))  # type: ignore[attr-defined]
        self.export_words = {w.lower() for w in (*lex.export_nouns, *lex.trader_nouns)}
        self.verbs = {w.lower() for w in lex.export_verbs}
        self.quantity = set(lex.quantity_nouns)
        self.namer = ObjectNamer(lex, generic_labels)
        self.control_preps = set(lex.control_preps)
        self.controls = {w.lower() for w in lex.control_nouns}

    def __call__(self, doc: Doc, known: Iterable[Span]) -> list[Span]:
        """Spans of the objects of export words; `known` are the lexicon's commodity spans."""
        by_end: dict[int, Span] = {}
        for span in known:
            by_end.setdefault(span.end - 1, span)
        plurals: dict[str, str] | None = None
        out: dict[tuple[int, int], Span] = {}
        for match_id, start, end in self.anchors(doc):
            if end - start != 1:
                continue
            kind = doc.vocab.strings[match_id]
            for head in self._heads(doc[start], kind):
                for obj in self._expand(head):
                    for named in self.namer.name(obj, by_end):
                        label = named.label
                        if obj.tag_ == "NN" and obj.dep_ == "compound" and obj.i not in by_end:
                            if plurals is None:
                                plurals = _plural_forms(doc)
                            plural = plurals.get(obj.lemma_.lower())
                            if plural and label.endswith(obj.lower_):
                                label = label[: -len(obj.lower_)] + plural
                        key = (named.start, named.end)
                        if key not in out:
                            kind = GENERIC if named.generic else ""
                            out[key] = Span(doc, named.start, named.end, label=label, kb_id=kind)
        spans = sorted(out.values(), key=lambda s: (s.start, -s.end))
        # A word of a longer object is not an object of its own ("coal and palm oil": not palm).
        return [
            s
            for s in spans
            if not any(o.start <= s.start and s.end <= o.end and len(o) > len(s) for o in spans)
        ]

    # ------------------------------------------------------------------ where objects are
    def _heads(self, anchor: Token, kind: str) -> list[Token]:
        """Head words of what the anchor says is traded."""
        heads: list[Token] = []
        if kind in (EXPORT_NOUN, TRADER):
            if anchor.pos_ not in ("NOUN", "PROPN"):
                return []
            if anchor.dep_ == "compound" and anchor.head.lower_ not in self.controls:
                return []  # "supply chains", "export volumes": not about what is traded
            heads.extend(self._left_modifier(anchor))
            heads.extend(self._of_objects(anchor, ("of", "in")))
            if anchor.dep_ == "compound" and anchor.head.i > anchor.i:
                # "rice export ban": the words before "export" on the same head.
                heads.extend(
                    c
                    for c in anchor.head.lefts
                    if c.i < anchor.i and c.dep_ in _MODIFIER_DEPS and c.pos_ in ("NOUN", "PROPN")
                )
        elif kind == EXPORT_VERB:
            if anchor.pos_ != "VERB":
                return []
            heads.extend(c for c in anchor.children if c.dep_ in ("dobj", "nsubjpass"))
        elif kind == CONTROL:
            if anchor.pos_ not in ("NOUN", "PROPN"):
                return []
            for prep in anchor.children:
                if prep.dep_ != "prep" or prep.lower_ not in self.control_preps:
                    continue
                for obj in prep.children:
                    if obj.dep_ == "pobj" and obj.lower_ not in self.export_words:
                        heads.append(obj)
        return heads

    def _left_modifier(self, anchor: Token) -> list[Token]:
        """The nearest noun modifier before the anchor ("gasoline exports")."""
        mods = [
            c
            for c in anchor.lefts
            if c.dep_ in _MODIFIER_DEPS
            and c.pos_ in ("NOUN", "PROPN")
            and c.lower_ not in self.export_words
            and c.lower_ not in self.verbs
        ]
        return mods[-1:]

    def _of_objects(self, anchor: Token, preps: tuple[str, ...]) -> list[Token]:
        return [
            obj
            for prep in anchor.children
            if prep.dep_ == "prep" and prep.lower_ in preps
            for obj in prep.children
            if obj.dep_ == "pobj"
        ]

    def _expand(self, head: Token) -> list[Token]:
        """The head (looked through "tonnes of") and its conjuncts; where it has examples
        ("critical minerals such as lithium", "items related to gallium"), the examples."""
        head = self._through_quantity(head)
        if head is None:
            return []
        items = [head, *[c for c in head.conjuncts if c.i > head.i]]
        examples: list[Token] = []
        for item in items:
            for obj in _examples(item):
                examples.extend([obj, *[c for c in obj.conjuncts if c.i > obj.i]])
        found = examples or items
        return [t for t in (self._through_quantity(x) for x in found) if t is not None]

    def _through_quantity(self, tok: Token) -> Token | None:
        for _ in range(_MAX_DEPTH):
            if tok.lower_ not in self.quantity and not tok.like_num:
                return tok
            nxt = self._of_objects(tok, ("of",))
            if not nxt:
                return None
            tok = nxt[0]
        return None


def _examples(head: Token) -> list[Token]:
    """Objects of "such as", "including", "like", "related to" hanging on `head`."""
    out: list[Token] = []
    for child in head.children:
        preps: list[Token] = []
        if child.dep_ == "prep" and (
            child.lower_ in ("including", "like")
            or (child.lower_ == "as" and child.i > 0 and child.doc[child.i - 1].lower_ == "such")
        ):
            preps.append(child)
        elif child.dep_ == "acl" and child.lower_ in ("related", "including"):
            preps.extend(c for c in child.children if c.dep_ == "prep" and c.lower_ == "to")
            if child.lower_ == "including":
                out.extend(c for c in child.children if c.dep_ == "dobj")
        for prep in preps:
            out.extend(c for c in prep.children if c.dep_ == "pobj")
    return out


def _plural_forms(doc: Doc) -> dict[str, str]:
    """Plural nouns of the article by lemma: "lemon exports" is about lemons when the article
    says "lemons" somewhere."""
    tags = doc.to_array([TAG]).reshape(-1).tolist()
    nns = doc.vocab.strings["NNS"]
    return {doc[i].lemma_.lower(): doc[i].lower_ for i, tag in enumerate(tags) if tag == nns}
