"""spaCy component `tradeline_commodities`: commodity mentions with their normalised label.

Sets ``doc.spans["tl_commodities"]``: label = normalised commodity label (GUIDELINES list plus
more general labels), ``kb_id_`` = the maker when the term is a firm's product (e.g. a chip
model), else empty. Terms with capitals match case-sensitively, others case-insensitively;
terms marked `"mention": false` ("weapons") are no mention here and only name traded objects.
Sets ``doc.spans["tl_traded"]``: the objects of export words, listed or not (traded.py), label =
the lexicon's label when a term ends on the object's head, else the object's own short name;
``kb_id_`` = "generic" when only a kind of goods names it ("manufacturing equipment").
"""

from __future__ import annotations

from typing import ClassVar

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from tradeline.extractors.commodities.lexicon import CommodityEntry, TradedLexicon
from tradeline.extractors.commodities.traded import TradedFinder
from tradeline.extractors.component_data import DataComponent, DataFile

NAME = "tradeline_commodities"
COMMODITIES = "tl_commodities"
TRADED = "tl_traded"


@Language.factory(NAME, assigns=["doc.spans"], requires=["token.dep", "doc.ents"])
def make_commodity_tagger(nlp: Language, name: str) -> CommodityTagger:
    return CommodityTagger(nlp, name)


class CommodityTagger(DataComponent):
    """PhraseMatcher over the commodity lexicon (the longest match wins), then the objects of
    export words."""

    FILES: ClassVar[dict[str, str]] = {"lexicon": ".jsonl", "traded": ".json"}

    def initialize(
        self,
        get_examples: object = None,
        *,
        nlp: Language | None = None,
        lexicon: str,
        traded: str,
    ) -> None:
        """Read the commodity lexicon and the traded-object words (paths from
        models/pipeline.toml)."""
        self._read(lexicon=lexicon, traded=traded)

    def _load(self, files: dict[str, DataFile]) -> None:
        nlp = self.nlp
        self.exact = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.folded = PhraseMatcher(nlp.vocab, attr="LOWER")
        # How specific each label is (the events' facts prefer specific labels).
        self.specificity: dict[str, int] = {}
        for row in files["lexicon"].rows(CommodityEntry):
            key = f"{row.label}|{row.maker or ''}|{'mention' if row.mention else 'traded'}"
            cased = [t for t in row.terms if t != t.lower()]
            plain = [t for t in row.terms if t == t.lower()]
            if cased:
                self.exact.add(key, list(nlp.tokenizer.pipe(cased)))
            if plain:
                self.folded.add(key, list(nlp.tokenizer.pipe(plain)))
            self.specificity[row.label] = max(self.specificity.get(row.label, 0), row.specificity)
        generic = frozenset(label for label, spec in self.specificity.items() if spec <= 1)
        lex = files["traded"].parse(TradedLexicon)
        self.traded = TradedFinder(nlp.vocab, nlp.tokenizer, lex, generic)

    def __call__(self, doc: Doc) -> Doc:
        self._check_loaded()
        spans, names = [], []
        for matcher in (self.exact, self.folded):
            for mid, start, end in matcher(doc):
                label, maker, use = doc.vocab.strings[mid].split("|", 2)
                span = Span(doc, start, end, label=label, kb_id=maker)
                names.append(span)
                if use == "mention":
                    spans.append(span)
        doc.spans[COMMODITIES] = filter_spans(spans)
        # Terms that name a commodity only as what is traded ("weapons") name objects too.
        doc.spans[TRADED] = self.traded(doc, filter_spans(names))
        return doc
