"""Which commodity an event is about: labels in its sentence, else the article's dominant one.

Generic labels ("critical minerals") yield to specific ones; how specific a label is comes from
the commodities component's lexicon (`CommodityTagger.specificity`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from spacy.tokens import Doc, Span

from tradeline.extractors.commodities.component import COMMODITIES

SEPARATOR = "; "


class CommodityLabels:
    """Commodity labels of spans and articles, given each label's specificity."""

    def __init__(self, specificity: Mapping[str, int]) -> None:
        self.specificity = specificity

    def labels_in(self, doc: Doc, span: Span) -> list[str]:
        """Commodity labels mentioned inside `span`, in order; generic labels yield to specific
        ones."""
        found: list[str] = []
        for c in doc.spans.get(COMMODITIES, []):
            if c.start >= span.start and c.end <= span.end and c.label_ not in found:
                found.append(c.label_)
        return self._prefer_specific(found)

    def dominant(self, doc: Doc) -> list[str]:
        """The article's main commodity labels: specific labels mentioned at least half as
        often as the most mentioned one, in order of first mention (at most four)."""
        spans = list(doc.spans.get(COMMODITIES, []))
        labels = [c.label_ for c in spans]
        spec = self.specificity
        specific_labels = [label for label in labels if spec.get(label, 1) > 1] or labels
        if not specific_labels:
            return []
        counts: Counter[str] = Counter(specific_labels)
        top = max(counts.values())
        order = list(dict.fromkeys(specific_labels))
        return [label for label in order if counts[label] * 2 >= top][:4]

    def specific(self, labels: list[str]) -> list[str]:
        """Only the specific labels (a generic one like "critical minerals" matches anything)."""
        spec = self.specificity
        return [label for label in labels if spec.get(label, 1) > 1]

    def _prefer_specific(self, labels: list[str]) -> list[str]:
        spec = self.specificity
        if any(spec.get(label, 1) > 1 for label in labels):
            return [label for label in labels if spec.get(label, 1) > 1]
        return labels


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


def join(labels: list[str]) -> str | None:
    return SEPARATOR.join(labels) if labels else None
