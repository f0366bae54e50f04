"""The extraction engine the flows call: one spaCy pipeline, loaded once, many articles."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from tradeline.extractors.document import extract_doc
from tradeline.extractors.pipeline import build_pipeline
from tradeline.models.assets import assets_hash
from tradeline.records import Extraction

# Bump when extraction logic changes (the warehouse records it with every run).
EXTRACTOR_VERSION = "0.3.1"


class Extractor:
    """Loads the configured pipeline once; `extract` / `extract_many` turn texts into facts."""

    def __init__(self, model_name: str, *, batch_size: int = 32, n_process: int = 1) -> None:
        self.nlp = build_pipeline(model_name)
        self.model_name = model_name
        meta = self.nlp.meta
        self.model_version = str(meta.get("version", "unknown"))
        self.assets_hash = assets_hash()
        self.extractor_version = EXTRACTOR_VERSION
        self.batch_size = batch_size
        self.n_process = n_process

    def extract(self, text: str, published: str | None) -> Extraction:
        """Facts of one article text; `published` (YYYY-MM-DD or YYYY-MM) anchors relative dates."""
        return extract_doc(self.nlp(text or ""), published)

    def extract_many(self, items: Iterable[tuple[str, str | None]]) -> Iterator[Extraction]:
        """Facts of many articles, in input order, processed by `nlp.pipe` in batches."""
        stream = ((text or "", published) for text, published in items)
        docs = self.nlp.pipe(
            stream, as_tuples=True, batch_size=self.batch_size, n_process=self.n_process
        )
        for doc, published in docs:
            yield extract_doc(doc, published)
