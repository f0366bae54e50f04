"""spaCy component `tradeline_commodities`: commodity mentions with their normalised label.

Sets ``doc.spans["tl_commodities"]``: label = normalised commodity label (GUIDELINES list plus
more general labels), ``kb_id_`` = the maker when the term is a firm's product (e.g. a chip
model), else empty. Terms with capitals match case-sensitively, others case-insensitively.
"""

from __future__ import annotations

from typing import ClassVar

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from tradeline.extractors.commodities.lexicon import CommodityEntry
from tradeline.extractors.component_data import DataComponent, DataFile

NAME = "tradeline_commodities"
COMMODITIES = "tl_commodities"


@Language.factory(NAME, assigns=["doc.spans"])
def make_commodity_tagger(nlp: Language, name: str) -> CommodityTagger:
    return CommodityTagger(nlp, name)


class CommodityTagger(DataComponent):
    """PhraseMatcher over the commodity lexicon; the longest match wins."""

    FILES: ClassVar[dict[str, str]] = {"lexicon": ".jsonl"}

    def initialize(
        self, get_examples: object = None, *, nlp: Language | None = None, lexicon: str
    ) -> None:
        """Read the commodity lexicon (path from models/pipeline.toml)."""
        self._read(lexicon=lexicon)

    def _load(self, files: dict[str, DataFile]) -> None:
        nlp = self.nlp
        self.exact = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.folded = PhraseMatcher(nlp.vocab, attr="LOWER")
        # How specific each label is (the events' facts prefer specific labels).
        self.specificity: dict[str, int] = {}
        for row in files["lexicon"].rows(CommodityEntry):
            key = f"{row.label}|{row.maker or ''}"
            cased = [t for t in row.terms if t != t.lower()]
            plain = [t for t in row.terms if t == t.lower()]
            if cased:
                self.exact.add(key, list(nlp.tokenizer.pipe(cased)))
            if plain:
                self.folded.add(key, list(nlp.tokenizer.pipe(plain)))
            self.specificity[row.label] = max(self.specificity.get(row.label, 0), row.specificity)

    def __call__(self, doc: Doc) -> Doc:
        self._check_loaded()
        spans = []
        for matcher in (self.exact, self.folded):
            for mid, start, end in matcher(doc):
                label, maker = doc.vocab.strings[mid].split("|", 1)
                spans.append(Span(doc, start, end, label=label, kb_id=maker))
        doc.spans[COMMODITIES] = filter_spans(spans)
        return doc
