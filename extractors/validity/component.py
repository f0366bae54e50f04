"""spaCy component `tradeline_validity`: duration words ("one-year", "90-day", "six months").

Owns the validity data: models/data/validity/patterns.jsonl (the duration patterns) and
validity/lexicon.json (what a duration may attach to; the validity facts read it here,
`lexicon`). Sets ``doc.spans["tl_durations"]``: the longest duration matches, label = pattern
label (NUM_UNIT, LONG, ANNUAL, HALF). Which of them are validity periods is decided from the
parse around them (validity/facts.py).
"""

from __future__ import annotations

from typing import ClassVar

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from tradeline.extractors.component_data import DataComponent, DataFile
from tradeline.extractors.text.patterns import PatternRow, anchored_matcher
from tradeline.extractors.validity.lexicon import ValidityLexicon

NAME = "tradeline_validity"
DURATIONS = "tl_durations"


@Language.factory(NAME, assigns=["doc.spans"])
def make_validity_tagger(nlp: Language, name: str) -> ValidityTagger:
    return ValidityTagger(nlp, name)


class ValidityTagger(DataComponent):
    """Duration patterns run near number and unit words (text/anchored_matcher.py)."""

    FILES: ClassVar[dict[str, str]] = {"lexicon": ".json", "patterns": ".jsonl"}

    def initialize(
        self,
        get_examples: object = None,
        *,
        nlp: Language | None = None,
        lexicon: str,
        patterns: str,
    ) -> None:
        """Read the lexicon and the patterns (paths from models/pipeline.toml)."""
        self._read(lexicon=lexicon, patterns=patterns)

    def _load(self, files: dict[str, DataFile]) -> None:
        self.lexicon = files["lexicon"].parse(ValidityLexicon)
        self.patterns = [(row.label, row.pattern) for row in files["patterns"].rows(PatternRow)]
        self.matcher = anchored_matcher(self.nlp.vocab, self.patterns)

    def __call__(self, doc: Doc) -> Doc:
        self._check_loaded()
        spans = [
            Span(doc, start, end, label=doc.vocab.strings[match_id])
            for match_id, start, end in self.matcher(doc)
        ]
        doc.spans[DURATIONS] = filter_spans(spans)
        return doc
