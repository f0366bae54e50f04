"""Extraction where one article's failure stays that article's: the others are still processed.

`Extractor.extract_many` streams texts through `nlp.pipe` in batches, so an exception raised for
one document ends the whole stream. Here the stream is restarted after a failure: the articles
of the batch that failed (at most `batch_size` from the first one not yet returned) are
extracted one by one, each failure becoming that article's result, and the stream resumes after
them. Without failures this is `extract_many` itself, at its speed.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from tradeline.extractors.engine import Extractor
from tradeline.records import Extraction


def extract_isolated(
    extractor: Extractor, items: Sequence[tuple[str, str | None]]
) -> Iterator[Extraction | Exception]:
    """One result per item, in order: its Extraction, or the exception its extraction raised."""
    start = 0
    while start < len(items):
        try:
            for result in extractor.extract_many(items[start:]):
                yield result
                start += 1
            return
        except Exception:  # any failure inside nlp.pipe or our components
            end = min(len(items), start + max(1, extractor.batch_size))
            for text, published in items[start:end]:
                try:
                    yield extractor.extract(text, published)
                except Exception as exc:  # that article's own failure
                    yield exc
            start = end
