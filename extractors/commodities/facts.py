"""Which commodity an event is about: what its sentence says is traded, else the commodities
its sentence names, else the article's dominant ones.

The objects of export words (`tl_traded`: "exports of gasoline") say what an action is about;
other mentions in the sentence ("bauxite is used to make aluminium") only stand in when no
object is found. Generic labels ("critical minerals") yield to specific ones; how specific a
listed label is comes from the commodities component's lexicon
(`CommodityTagger.specificity`); a label the lexicon does not know is the name of a traded
object, and specific.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from spacy.tokens import Doc, Span

from tradeline.extractors.commodities.component import COMMODITIES, TRADED
from tradeline.extractors.commodities.traded import GENERIC

SEPARATOR = "; "
OPEN_SPECIFICITY = 2  # a traded object's own name ("gasoline") is as specific as a listed metal
TRADED_WEIGHT = 2  # an object of an export word counts double towards the article's commodity


class CommodityLabels:
    """Commodity labels of spans and articles, given each label's specificity."""

    def __init__(self, specificity: Mapping[str, int]) -> None:
        self.specificity = specificity

    def labels_in(self, doc: Doc, span: Span) -> list[str]:
        """Commodity labels mentioned inside `span`, in order; generic labels yield to specific
        ones."""
        traded = [
            c for c in doc.spans.get(TRADED, []) if span.start <= c.start and c.end <= span.end
        ]
        named = _labels(c for c in traded if c.kb_id_ != GENERIC)
        if named:
            return self._prefer_specific(named)
        if traded:
            # "equipment of this kind": the article's own commodity, if it has one.
            return self.dominant(doc) or self._prefer_specific(_labels(traded))
        listed = _labels(
            c for c in doc.spans.get(COMMODITIES, []) if span.start <= c.start and c.end <= span.end
        )
        return self._prefer_specific(listed)

    def dominant(self, doc: Doc) -> list[str]:
        """The article's main commodity labels: specific labels mentioned at least half as
        often as the most mentioned one (traded objects count double), in order of first
        mention (at most four)."""
        mentions = sorted(
            [
                (c.start, c.label_, TRADED_WEIGHT)
                for c in doc.spans.get(TRADED, [])
                if c.kb_id_ != GENERIC
            ]
            + [(c.start, c.label_, 1) for c in doc.spans.get(COMMODITIES, [])]
        )
        specific = [m for m in mentions if self._spec(m[1]) > 1] or mentions
        if not specific:
            return []
        counts: Counter[str] = Counter()
        for _, label, weight in specific:
            counts[label] += weight
        top = max(counts.values())
        order = list(dict.fromkeys(label for _, label, _ in specific))
        return [label for label in order if counts[label] * 2 >= top][:4]

    def specific(self, labels: list[str]) -> list[str]:
        """The keys that tell two mentions' commodities apart: two mentions whose keys share
        none are different actions. A generic listed label ("critical minerals") has no key,
        it matches anything; a specific listed label is its own key; a traded object's own
        name is keyed by its head word, so one commodity worded two ways ("beef cuts", "cuts")
        stays one."""
        spec = self.specificity
        keys = []
        for label in labels:
            if label in spec:
                if spec[label] > 1:
                    keys.append(label)
            else:
                keys.append(_head_key(label))
        return keys

    def _spec(self, label: str) -> int:
        return self.specificity.get(label, OPEN_SPECIFICITY)

    def _prefer_specific(self, labels: list[str]) -> list[str]:
        if any(self._spec(label) > 1 for label in labels):
            return [label for label in labels if self._spec(label) > 1]
        return labels


def _head_key(label: str) -> str:
    """An open label's head word, singular: "popular beef cuts" -> "cut"."""
    head = label.split()[-1].lower() if label.split() else label
    return head[:-1] if head.endswith("s") and not head.endswith("ss") else head


def _labels(spans: Iterable[Span]) -> list[str]:
    return list(dict.fromkeys(c.label_ for c in spans))


def terms_in(doc: Doc, span: Span) -> list[str]:
    """The commodity words themselves, for `commodity_detail`: the traded objects' words, else
    the listed terms."""
    for group in (TRADED, COMMODITIES):
        out: list[str] = []
        for c in doc.spans.get(group, []):
            if c.start >= span.start and c.end <= span.end and c.text not in out:
                out.append(c.text)
        if out:
            return out
    return []


def makers_in(doc: Doc, span: Span) -> list[str]:
    """Firms whose products are named inside `span` (e.g. a chip model -> its designer)."""
    out: list[str] = []
    for c in doc.spans.get(COMMODITIES, []):
        if c.start >= span.start and c.end <= span.end and c.kb_id_ and c.kb_id_ not in out:
            out.append(c.kb_id_)
    return out


def join(labels: list[str]) -> str | None:
    return SEPARATOR.join(labels) if labels else None
