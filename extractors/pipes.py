"""Our components of one pipeline, by kind: where each kind's fact assembly finds its data.

`Pipes.of(nlp)` looks the components up by name; the facts of a Doc are assembled with the word
lists of the pipeline that made it, never from a module-level table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from spacy.language import Language

from tradeline.extractors.commodities import component as commodities
from tradeline.extractors.companies import component as companies
from tradeline.extractors.companies import filter as company_filter
from tradeline.extractors.dates import attachment as date_attachment
from tradeline.extractors.dates import component as dates
from tradeline.extractors.events import component as events
from tradeline.extractors.events import confidence as event_confidence
from tradeline.extractors.events import type_model as event_types
from tradeline.extractors.orgs import component as orgs
from tradeline.extractors.validity import component as validity


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
            event_confidence=(
                cast(event_confidence.EventConfidence, nlp.get_pipe(event_confidence.NAME))
                if event_confidence.NAME in nlp.pipe_names
                else None
            ),
            date_attachment=(
                cast(date_attachment.DateAttachment, nlp.get_pipe(date_attachment.NAME))
                if date_attachment.NAME in nlp.pipe_names
                else None
            ),
            event_types=(
                cast(event_types.EventTyper, nlp.get_pipe(event_types.NAME))
                if event_types.NAME in nlp.pipe_names
                else None
            ),
            company_filter=(
                cast(company_filter.CompanyFilter, nlp.get_pipe(company_filter.NAME))
                if company_filter.NAME in nlp.pipe_names
                else None
            ),
        )
