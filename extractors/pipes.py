"""Our components of one pipeline, by kind: where each kind's fact assembly finds its data.

`Pipes.of(nlp)` looks the components up by name; the facts of a Doc are assembled with the word
lists of the pipeline that made it, never from a module-level table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar, cast

from spacy.language import Language

from tradeline.extractors.commodities import component as commodities
from tradeline.extractors.companies import component as companies
from tradeline.extractors.companies import filter as company_filter
from tradeline.extractors.dates import attachment as date_attachment
from tradeline.extractors.dates import component as dates
from tradeline.extractors.events import component as events
from tradeline.extractors.events import confidence as event_confidence
from tradeline.extractors.events import proposals as event_proposals
from tradeline.extractors.events import type_model as event_types
from tradeline.extractors.orgs import component as orgs
from tradeline.extractors.policy_dates import filter as policy_date_filter
from tradeline.extractors.validity import component as validity

T = TypeVar("T")


@dataclass(frozen=True)
class Pipes:
    """The data-owning components of one pipeline."""

    orgs: orgs.OrgTagger
    commodities: commodities.CommodityTagger
    companies: companies.CompanyTagger
    events: events.EventTagger
    dates: dates.DateTagger
    validity: validity.ValidityTagger
    event_confidence: event_confidence.EventConfidence | None = None  # trained, optional
    date_attachment: date_attachment.DateAttachment | None = None  # trained, optional
    event_types: event_types.EventTyper | None = None  # trained, optional
    company_filter: company_filter.CompanyFilter | None = None  # trained, optional
    event_proposals: event_proposals.EventProposer | None = None  # trained, optional
    policy_date_filter: policy_date_filter.PolicyDateFilter | None = None  # trained, optional

    @classmethod
    def of(cls, nlp: Language) -> Pipes:
        """The components of `nlp` (built by extractors.pipeline.build_pipeline)."""
        return cls(
            orgs=cast(orgs.OrgTagger, nlp.get_pipe(orgs.NAME)),
            commodities=cast(commodities.CommodityTagger, nlp.get_pipe(commodities.NAME)),
            companies=cast(companies.CompanyTagger, nlp.get_pipe(companies.NAME)),
            events=cast(events.EventTagger, nlp.get_pipe(events.NAME)),
            dates=cast(dates.DateTagger, nlp.get_pipe(dates.NAME)),
            validity=cast(validity.ValidityTagger, nlp.get_pipe(validity.NAME)),
            event_confidence=_optional(
                nlp, event_confidence.NAME, event_confidence.EventConfidence
            ),
            date_attachment=_optional(nlp, date_attachment.NAME, date_attachment.DateAttachment),
            event_types=_optional(nlp, event_types.NAME, event_types.EventTyper),
            company_filter=_optional(nlp, company_filter.NAME, company_filter.CompanyFilter),
            event_proposals=_optional(nlp, event_proposals.NAME, event_proposals.EventProposer),
            policy_date_filter=_optional(
                nlp, policy_date_filter.NAME, policy_date_filter.PolicyDateFilter
            ),
        )


def _optional(nlp: Language, name: str, kind: type[T]) -> T | None:
    """A trained component the pipeline may leave out: the pipe, or None."""
    return cast(kind, nlp.get_pipe(name)) if name in nlp.pipe_names else None
