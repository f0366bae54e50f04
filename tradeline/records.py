"""Small typed records that cross package boundaries.

The fetchers and archive readers produce `Document`s, the page parser turns them into
`Article`s, the extractors produce an `Extraction` per article, and the warehouse maps all of
them to tables. Keeping them in one place lets each package import nothing of the others.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Literal

Granularity = Literal["day", "month", "year"]
Modality = Literal["actual", "planned", "possible"]

EVENT_TYPES: tuple[str, ...] = (
    "permit_issued",
    "permit_applied",
    "permit_denied",
    "control_introduced",
    "control_tightened",
    "control_suspended",
    "control_lifted",
    "control_extended",
    "ban_introduced",
    "ban_lifted",
)


def stable_key(*parts: object) -> str:
    """A short deterministic key from content, so identities survive re-runs."""
    text = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass(slots=True)
class FeedEntry:
    """One item of a polled feed: where the article lives and what the feed says of it."""

    url: str
    title: str | None = None
    published: str | None = None  # ISO date (YYYY-MM-DD) from the feed entry, if any
    feed_url: str | None = None
    # An entry owed since an earlier run whose page is archived already: go on from it.
    document_id: str | None = None


@dataclass(slots=True)
class FeedResult:
    """A polled feed: its entries, the validators for the next conditional GET, and problems."""

    url: str
    status: int | None
    not_modified: bool = False
    entries: list[FeedEntry] = field(default_factory=list)
    etag: str | None = None
    last_modified: str | None = None
    title: str | None = None
    bozo_reason: str | None = None  # feedparser's complaint, when the feed was ill-formed
    error: str | None = None  # set when nothing usable came back


@dataclass(slots=True)
class Document:
    """Raw bytes of a page as fetched or imported; the archive keeps these for re-extraction."""

    url: str
    final_url: str
    canonical_url: str
    body: bytes
    status: int | None = 200
    content_type: str | None = None
    fetched_at: datetime | None = None
    etag: str | None = None
    last_modified: str | None = None
    origin: str = "fetch"  # fetch | file | warc | jsonl | html-folder
    feed_url: str | None = None
    feed_published: str | None = None  # fallback publication date from the feed entry
    feed_title: str | None = None

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(self.body).hexdigest()

    @property
    def document_id(self) -> str:
        return stable_key("document", self.canonical_url, self.content_hash)


@dataclass(slots=True)
class Article:
    """Body text and metadata of one article, as the page parser found them."""

    article_id: str
    url: str
    canonical_url: str
    text: str
    title: str | None = None
    author: str | None = None
    published: str | None = None  # YYYY-MM-DD or YYYY-MM
    published_source: str | None = None  # page | feed | given | none
    outlet: str | None = None
    language: str | None = None
    document_id: str | None = None

    @staticmethod
    def id_for(canonical_url: str) -> str:
        return stable_key("article", canonical_url)


@dataclass(slots=True)
class CompanyFact:
    """A firm named in an article, with every surface form it took there."""

    name: str
    canonical: str
    aliases: list[str] = field(default_factory=list)
    ticker: str | None = None
    start_char: int | None = None  # first mention
    end_char: int | None = None
    evidence: str | None = None  # sentence of the first mention
    mentions: list[tuple[int, int]] = field(default_factory=list)


@dataclass(slots=True)
class EventFact:
    """A permit, licence, control or ban action stated in an article."""

    type: str
    evidence: str
    start_char: int  # offsets of the evidence sentence in the article text
    end_char: int
    authority: str | None = None
    authority_country: str | None = None
    companies: list[str] = field(default_factory=list)  # canonical company names
    commodity: str | None = None
    commodity_detail: str | None = None
    event_date: str | None = None  # YYYY-MM-DD | YYYY-MM | YYYY
    date_granularity: Granularity | None = None
    date_text: str | None = None
    modality: Modality = "actual"
    subtype: str | None = None
    trigger: str | None = None


@dataclass(slots=True)
class ValidityPeriodFact:
    """An explicit duration attached to a licence, permit, control, suspension, ban or deal."""

    text: str
    duration: str  # ISO 8601, e.g. P1Y, P6M
    evidence: str
    start_char: int  # offsets of `text` in the article
    end_char: int
    valid_from: str | None = None
    valid_to: str | None = None
    applies_to: str | None = None
    event_index: int | None = None  # index into Extraction.events, when attached


@dataclass(slots=True)
class PolicyDateFact:
    """A date expression in the body that dates an event, resolved at its own granularity."""

    text: str
    resolved: str  # YYYY-MM-DD | YYYY-MM | YYYY
    granularity: Granularity
    evidence: str
    start_char: int  # offsets of `text` in the article
    end_char: int


@dataclass(slots=True)
class Extraction:
    """Everything the extractors found in one article."""

    companies: list[CompanyFact] = field(default_factory=list)
    events: list[EventFact] = field(default_factory=list)
    validity_periods: list[ValidityPeriodFact] = field(default_factory=list)
    policy_dates: list[PolicyDateFact] = field(default_factory=list)
    skipped_reason: str | None = None  # e.g. "language:de" when not run through the extractors

    @property
    def n_facts(self) -> int:
        return (
            len(self.companies)
            + len(self.events)
            + len(self.validity_periods)
            + len(self.policy_dates)
        )

    def to_contract(self, article_id: str) -> dict[str, Any]:
        """The JSON object of the `tradeline extract` contract (see the eval guidelines)."""
        return {
            "id": article_id,
            "companies": [asdict(c) for c in self.companies],
            "events": [asdict(e) for e in self.events],
            "validity_periods": [asdict(v) for v in self.validity_periods],
            "policy_dates": [asdict(p) for p in self.policy_dates],
        }


@dataclass(slots=True)
class IngestError:
    """A failure contained to one item, recorded in the warehouse with its reason."""

    url: str
    stage: str  # feed | fetch | parse | extract | store | import
    reason: str
    source_url: str | None = None
    at: datetime | None = None
