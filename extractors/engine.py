"""The extraction engine the flows call: one spaCy pipeline, built once, many articles."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from tradeline.config import ModelConfig
from tradeline.extractors.document import extract_doc
from tradeline.extractors.pipeline import assets_hash, build_pipeline
from tradeline.records import Extraction

# Bump when extraction logic changes (the warehouse records it with every run).
EXTRACTOR_VERSION = "0.3.1"


class Extractor:
    """Builds the configured pipeline once; `extract` / `extract_many` turn texts into facts."""

    def __init__(self, model: ModelConfig) -> None:
        self.model = model
        self.nlp = build_pipeline(model.name, model.assets_dir)
        self.model_name = model.name
        self.model_version = str(self.nlp.meta.get("version", "unknown"))
        self.assets_hash = assets_hash(self.nlp)
        self.extractor_version = EXTRACTOR_VERSION
        self.batch_size = model.batch_size
        self.n_process = model.n_process

    def extract(self, text: str, published: str | None) -> Extraction:
        """Facts of one article text; `published` (YYYY-MM-DD or YYYY-MM) anchors relative dates."""
        return extract_doc(self.nlp(text or ""), published, self.nlp)

    def extract_many(self, items: Iterable[tuple[str, str | None]]) -> Iterator[Extraction]:
        """Facts of many articles, in input order, processed by `nlp.pipe` in batches."""
        stream = ((text or "", published) for text, published in items)
        docs = self.nlp.pipe(
            stream, as_tuples=True, batch_size=self.batch_size, n_process=self.n_process
        )
        for doc, published in docs:
            yield extract_doc(doc, published, self.nlp)
