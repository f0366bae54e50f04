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

# The best-event floor shows a low-confidence event only in an article at least this relevant:
# clearly a trade report. Real non-trade news that passes the relevance gate (a travel ban, a
# domestic mining permit, a lifted mining ban: 0.37-0.51 in eval/real's near-miss pages) showed
# its one best guess; real trade reports score 0.62 and up there, and 0.41 and up on trade-dev
# (bench/false_events.py --sets real-nearmiss). A change is a change of EXTRACTOR_VERSION.
FLOOR_MIN_RELEVANCE = 0.55

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
    confidence: float | None = None  # P(a real action of this type), from the trained scorer
    held_back: bool = False  # not shown in the timeline (Extraction.hold_back)


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
    """Everything the extractors found in one article.

    Every event is kept in `events`; `hold_back` marks those the timeline does not show: below
    the confidence threshold, or all of an article below the relevance threshold (`relevant`
    False). The warehouse stores both kinds, and a re-extraction with other thresholds can
    change the decision.
    """

    companies: list[CompanyFact] = field(default_factory=list)
    events: list[EventFact] = field(default_factory=list)
    validity_periods: list[ValidityPeriodFact] = field(default_factory=list)
    policy_dates: list[PolicyDateFact] = field(default_factory=list)
    skipped_reason: str | None = None  # e.g. "language:de" when not run through the extractors
    relevance: float | None = None  # P(the article reports trade permits/controls)
    relevant: bool = True  # relevance at or above the threshold (or no relevance model)

    @property
    def n_facts(self) -> int:
        return (
            len(self.companies)
            + len(self.events)
            + len(self.validity_periods)
            + len(self.policy_dates)
        )

    @property
    def shown_events(self) -> list[EventFact]:
        return [e for e in self.events if not e.held_back]

    @property
    def held_back_events(self) -> list[EventFact]:
        return [e for e in self.events if e.held_back]

    def hold_back(
        self, relevance_threshold: float, confidence_threshold: float, best_event_floor: float = 1.0
    ) -> Extraction:
        """Mark the events the timeline does not show, by the two thresholds (in place).

        A relevant article whose every event is below `confidence_threshold` keeps its most
        confident event (the first of equals) when it reaches `best_event_floor` and the article
        is clearly a trade report (`FLOOR_MIN_RELEVANCE`)."""
        self.relevant = self.relevance is None or self.relevance >= relevance_threshold
        for event in self.events:
            sure = event.confidence is None or event.confidence >= confidence_threshold
            event.held_back = not (self.relevant and sure)
        clear = self.relevance is None or self.relevance >= FLOOR_MIN_RELEVANCE
        if self.relevant and clear and self.events and all(e.held_back for e in self.events):
            best = max(self.events, key=lambda e: e.confidence or 0.0)
            if (best.confidence or 0.0) >= best_event_floor:
                best.held_back = False
        return self

    def to_contract(self, article_id: str) -> dict[str, Any]:
        """The JSON object of the `tradeline extract` contract (see the eval guidelines).

        `events` are the shown events, `held_back_events` the rest (each with its
        `confidence`); a validity period's `event_index` counts shown events only. An article
        below the relevance threshold lists no companies, validity periods or policy dates
        either: what was found is under `held_back`."""
        kept = [i for i, e in enumerate(self.events) if not e.held_back]
        shown = {i: k for k, i in enumerate(kept)}

        def event(e: EventFact) -> dict[str, Any]:
            row = asdict(e)
            del row["held_back"]
            return row

        def period(v: ValidityPeriodFact) -> dict[str, Any]:
            row = asdict(v)
            row["event_index"] = shown.get(v.event_index) if v.event_index is not None else None
            return row

        facts = {
            "companies": [asdict(c) for c in self.companies],
            "validity_periods": [period(v) for v in self.validity_periods],
            "policy_dates": [asdict(p) for p in self.policy_dates],
        }
        out: dict[str, Any] = {"id": article_id, "relevance": self.relevance}
        if self.relevant:
            out.update(facts)
        else:
            out.update({k: [] for k in facts}, held_back=facts)
        out["events"] = [event(e) for e in self.shown_events]
        out["held_back_events"] = [event(e) for e in self.held_back_events]
        return out


@dataclass(slots=True)
class IngestError:
    """A failure contained to one item, recorded in the warehouse with its reason."""

    url: str
    stage: str  # feed | fetch | parse | extract | store | import
    reason: str
    source_url: str | None = None
    at: datetime | None = None
