"""spaCy component `tradeline_commodities`: commodity mentions with their normalised label.

Sets ``doc.spans["tl_commodities"]``: label = normalised commodity label (GUIDELINES list plus
more general labels), ``kb_id_`` = the maker when the term is a firm's product (e.g. a chip
model), else empty. Terms with capitals match case-sensitively, others case-insensitively.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from tradeline.extractors.commodities.lexicon import CommodityEntry
from tradeline.extractors.component_data import read_rows

COMMODITIES = "tl_commodities"


@Language.factory("tradeline_commodities", default_config={"lexicon": "commodities/lexicon.jsonl"})
def make_commodity_tagger(nlp: Language, name: str, lexicon: str) -> CommodityTagger:
    return CommodityTagger(nlp, lexicon)


class CommodityTagger:
    """PhraseMatcher over the commodity lexicon; the longest match wins."""

    def __init__(self, nlp: Language, lexicon: str) -> None:
        self.exact = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.folded = PhraseMatcher(nlp.vocab, attr="LOWER")
        for row in read_rows(lexicon, CommodityEntry):
            key = f"{row.label}|{row.maker or ''}"
            cased = [t for t in row.terms if t != t.lower()]
            plain = [t for t in row.terms if t == t.lower()]
            if cased:
                self.exact.add(key, list(nlp.tokenizer.pipe(cased)))
            if plain:
                self.folded.add(key, list(nlp.tokenizer.pipe(plain)))

    def __call__(self, doc: Doc) -> Doc:
        spans = []
        for matcher in (self.exact, self.folded):
            for mid, start, end in matcher(doc):
                label, maker = doc.vocab.strings[mid].split("|", 1)
                spans.append(Span(doc, start, end, label=label, kb_id=maker))
        doc.spans[COMMODITIES] = filter_spans(spans)
        return doc
