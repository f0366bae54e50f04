"""An event candidate (a trigger that may state an action, with its arguments) and the date
mentions it can take: shared by the event facts (facts.py) and their corrections (adjust.py)."""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Span, Token

from tradeline.extractors.text.doc_cache import sentence_of
from tradeline.records import PolicyDateFact


@dataclass
class DateMention:
    """A date expression of the article, located on tokens."""

    fact: PolicyDateFact
    span: Span

    @property
    def value(self) -> str:
        return self.fact.resolved


@dataclass
class Candidate:
    """One trigger that states an action, with its arguments."""

    trigger: Token
    obj: Token
    type: str
    rule: str
    date: DateMention | None = None
    date_role: str | None = None  # effective | direct | inherited
    authority: str | None = None
    authority_country: str | None = None
    authority_stated: bool = False
    companies: list[str] = field(default_factory=list)
    commodities: list[str] = field(default_factory=list)
    commodity_terms: list[str] = field(default_factory=list)
    commodity_inherited: bool = False
    modality: str = "actual"
    subtype: str | None = None
    absorbed: bool = False
    separate: bool = False  # "The ministry also ...": a further action, never merged
    mentions: int = 1  # how many candidates were merged into this one
    # the trained date attachment's choice (dates/attachment.py), when it differs from `date`:
    # the event's date in the output; the rules' `date` stays for merging and confidence
    attached: tuple[DateMention | None] | None = None
    # (trigger index, its sentence): `sent` is read many times per candidate, and a sentence
    # Span costs a slice; keyed by the trigger, so a moved trigger gets its own sentence
    _sent: tuple[int, Span] | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def output_date(self) -> DateMention | None:
        return self.attached[0] if self.attached is not None else self.date

    @property
    def sent(self) -> Span:
        i = self.trigger.i
        if self._sent is None or self._sent[0] != i:
            self._sent = (i, sentence_of(self.trigger.doc, i))
        return self._sent[1]
