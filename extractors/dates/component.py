"""spaCy component `tradeline_dates`: the date words of an article.

Owns the date data: models/data/dates/patterns.jsonl (token patterns, their placeholders filled
from the lexicon) and dates/lexicon.json (month and weekday names, prepositions, modifiers, and
the word lists that resolve and filter dates; the date facts read them here, `lexicon` and
`resolver`). Sets ``doc.spans["tl_dates"]``: the date words in text order, label = the pattern
label (MD, WD, REL, ...) or ENT for a DATE entity no pattern covers (dates/matches.py). Which of
them date an event, and what they resolve to, is decided per article (dates/facts.py), because
it needs the publication date.
"""

from __future__ import annotations

from typing import ClassVar

from spacy.language import Language
from spacy.tokens import Doc

from tradeline.extractors.component_data import DataComponent, DataFile
from tradeline.extractors.dates.lexicon import DateLexicon
from tradeline.extractors.dates.matches import date_spans, expand
from tradeline.extractors.dates.rules import DateResolver
from tradeline.extractors.text.patterns import PatternRow, anchored_matcher

NAME = "tradeline_dates"
DATES = "tl_dates"


@Language.factory(
    NAME,
    assigns=["doc.spans"],
    requires=["doc.ents", "token.pos", "token.dep", "token.lemma", "token.ent_type"],
)
def make_date_tagger(nlp: Language, name: str) -> DateTagger:
    return DateTagger(nlp, name)


class DateTagger(DataComponent):
    """Date patterns run near number, month and date words (text/anchored_matcher.py)."""

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
        self.lexicon = files["lexicon"].parse(DateLexicon)
        self.resolver = DateResolver(self.lexicon)
        rows = files["patterns"].rows(PatternRow)
        self.patterns = [(row.label, expand(row.pattern, self.lexicon)) for row in rows]
        self.matcher = anchored_matcher(self.nlp.vocab, self.patterns)

    def __call__(self, doc: Doc) -> Doc:
        self._check_loaded()
        doc.spans[DATES] = date_spans(doc, self.matcher, self.lexicon)
        return doc
