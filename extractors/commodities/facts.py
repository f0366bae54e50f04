"""Which commodity an event is about: labels in its sentence, else the article's dominant one."""

from __future__ import annotations

from collections import Counter
from functools import cache

from spacy.tokens import Doc, Span

from tradeline.extractors.commodities.component import COMMODITIES
from tradeline.extractors.commodities.lexicon import CommodityEntry
from tradeline.extractors.component_data import read_rows

SEPARATOR = "; "


@cache
def _specificity() -> dict[str, int]:
    spec: dict[str, int] = {}
    for row in read_rows("commodities/lexicon.jsonl", CommodityEntry):
        spec[row.label] = max(spec.get(row.label, 0), row.specificity)
    return spec


def labels_in(doc: Doc, span: Span) -> list[str]:
    """Commodity labels mentioned inside `span`, in order; generic labels yield to specific ones."""
    found: list[str] = []
    for c in doc.spans.get(COMMODITIES, []):
        if c.start >= span.start and c.end <= span.end and c.label_ not in found:
            found.append(c.label_)
    return _prefer_specific(found)


def terms_in(doc: Doc, span: Span) -> list[str]:
    """The commodity words themselves, for `commodity_detail`."""
    out: list[str] = []
    for c in doc.spans.get(COMMODITIES, []):
        if c.start >= span.start and c.end <= span.end and c.text not in out:
            out.append(c.text)
    return out


def makers_in(doc: Doc, span: Span) -> list[str]:
    """Firms whose products are named inside `span` (e.g. a chip model -> its designer)."""
    out: list[str] = []
    for c in doc.spans.get(COMMODITIES, []):
        if c.start >= span.start and c.end <= span.end and c.kb_id_ and c.kb_id_ not in out:
            out.append(c.kb_id_)
    return out


def dominant(doc: Doc) -> list[str]:
    """The article's main commodity labels: specific labels mentioned at least half as often
    as the most mentioned one, in order of first mention (at most four)."""
    spans = list(doc.spans.get(COMMODITIES, []))
    labels = [c.label_ for c in spans]
    specific_labels = [label for label in labels if _specificity().get(label, 1) > 1] or labels
    if not specific_labels:
        return []
    counts: Counter[str] = Counter(specific_labels)
    top = max(counts.values())
    order = list(dict.fromkeys(specific_labels))
    return [label for label in order if counts[label] * 2 >= top][:4]


def specific(labels: list[str]) -> list[str]:
    """Only the specific labels (a generic one like "critical minerals" matches anything)."""
    spec = _specificity()
    return [label for label in labels if spec.get(label, 1) > 1]


def _prefer_specific(labels: list[str]) -> list[str]:
    spec = _specificity()
    if any(spec.get(label, 1) > 1 for label in labels):
        return [label for label in labels if spec.get(label, 1) > 1]
    return labels


def join(labels: list[str]) -> str | None:
    return SEPARATOR.join(labels) if labels else None
