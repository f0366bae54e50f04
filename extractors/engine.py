"""The extraction engine the flows call: one spaCy pipeline, built once, many articles."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from tradeline.config import ModelConfig
from tradeline.extractors import long_text
from tradeline.extractors.document import extract_doc
from tradeline.extractors.model_info import EXTRACTOR_VERSION
from tradeline.extractors.pipeline import assets_hash, build_pipeline, trained_hash
from tradeline.records import Extraction

__all__ = ["EXTRACTOR_VERSION", "Extractor"]


class Extractor:
    """Builds the configured pipeline once; `extract` / `extract_many` turn texts into facts.

    Every extraction is sorted by the configured thresholds (`Extraction.hold_back`):
    `all_events=True` shows every event of every article (their scores are still given)."""

    def __init__(self, model: ModelConfig, *, all_events: bool = False) -> None:
        self.model = model
        self.nlp = build_pipeline(model.name, model.assets_dir)
        self.model_name = model.name
        self.model_version = str(self.nlp.meta.get("version", "unknown"))
        self.assets_hash = assets_hash(self.nlp)
        self.trained_hash = trained_hash(self.nlp)
        self.relevance_threshold = 0.0 if all_events else model.relevance_threshold
        self.confidence_threshold = 0.0 if all_events else model.confidence_threshold
        self.best_event_floor = model.best_event_floor
        self.extractor_version = EXTRACTOR_VERSION
        self.batch_size = model.batch_size
        self.n_process = model.n_process

    def extract(self, text: str, published: str | None) -> Extraction:
        """Facts of one article text; `published` (YYYY-MM-DD or YYYY-MM) anchors relative dates.
        A text over the pipeline's `max_length` is extracted in pieces (`long_text.py`)."""
        text = text or ""
        return self._sorted(
            long_text.merge(
                [
                    (start, extract_doc(self.nlp(text[start:end]), published, self.nlp))
                    for start, end in long_text.pieces(text, self.nlp.max_length)
                ]
            )
        )

    def extract_many(self, items: Iterable[tuple[str, str | None]]) -> Iterator[Extraction]:
        """Facts of many articles, in input order, processed by `nlp.pipe` in batches; each
        text goes through as one piece, or as several when it is over `nlp.max_length`."""

        def stream() -> Iterator[tuple[str, tuple[int, bool, str | None]]]:
            for text, published in items:
                text = text or ""
                spans = long_text.pieces(text, self.nlp.max_length)
                for k, (start, end) in enumerate(spans):
                    yield text[start:end], (start, k == len(spans) - 1, published)

        docs = self.nlp.pipe(
            stream(), as_tuples=True, batch_size=self.batch_size, n_process=self.n_process
        )
        parts: list[tuple[int, Extraction]] = []
        for doc, (start, last, published) in docs:
            parts.append((start, extract_doc(doc, published, self.nlp)))
            if last:
                yield self._sorted(long_text.merge(parts))
                parts = []

    def _sorted(self, extraction: Extraction) -> Extraction:
        return extraction.hold_back(
            self.relevance_threshold, self.confidence_threshold, self.best_event_floor
        )
