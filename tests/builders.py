"""Record builders for the warehouse tests: one article with one fact of each kind, in a few
variants. Tests get them as fixtures (`make_item`, … in conftest.py); a script a test runs in a
subprocess imports them from here."""

from __future__ import annotations

from datetime import UTC, datetime

from tradeline.records import (
    Article,
    CompanyFact,
    Document,
    EventFact,
    Extraction,
    PolicyDateFact,
    ValidityPeriodFact,
)

TEXT = (
    "Nvidia Corp said on Monday it had received an export licence from the U.S. Commerce "
    "Department to ship H20 chips to China. The licence is valid for one year."
)
SENTENCE = TEXT[: TEXT.index(".") + 1]


def make_document(url: str, body: bytes | None = None) -> Document:
    return Document(
        url=url,
        final_url=url,
        canonical_url=url,
        body=body if body is not None else f"<html><body>{TEXT} {url}</body></html>".encode(),
        content_type="text/html",
        fetched_at=datetime(2024, 3, 5, 12, 30, tzinfo=UTC),
        origin="fetch",
        feed_url="https://feeds.example.com/trade.xml",
        feed_published="2024-03-05",
        feed_title="Trade news",
    )


def make_article(url: str, *, published: str | None = "2024-03-04", title: str = "Nvidia licence",
                 outlet: str = "Example News", text: str = TEXT) -> Article:
    return Article(
        article_id=Article.id_for(url),
        url=url,
        canonical_url=url,
        text=text,
        title=title,
        published=published,
        published_source="page",
        outlet=outlet,
        language="en",
    )


def make_event(
    *,
    type: str = "permit_issued",
    companies: tuple[str, ...] = ("Nvidia Corp",),
    event_date: str | None = "2024-03-04",
    authority: str | None = "U.S. Commerce Department",
    modality: str = "actual",
) -> EventFact:
    return EventFact(
        type=type,
        evidence=SENTENCE,
        start_char=0,
        end_char=len(SENTENCE),
        authority=authority,
        authority_country="US",
        companies=list(companies),
        commodity="semiconductors",
        commodity_detail="H20 chips",
        event_date=event_date,
        date_granularity="day" if event_date and len(event_date) == 10 else None,
        date_text="on Monday",
        modality=modality,  # type: ignore[arg-type]
        trigger="received",
    )


def make_extraction(**event_kw: object) -> Extraction:
    start = TEXT.index("one year")
    return Extraction(
        companies=[
            CompanyFact(
                name="Nvidia Corp",
                canonical="Nvidia Corp",
                aliases=["Nvidia", "NVIDIA"],
                ticker="NVDA",
                start_char=0,
                end_char=11,
                evidence=SENTENCE,
                mentions=[(0, 11)],
            )
        ],
        events=[make_event(**event_kw)],  # type: ignore[arg-type]
        validity_periods=[
            ValidityPeriodFact(
                text="one year",
                duration="P1Y",
                evidence=TEXT[len(SENTENCE) + 1 :],
                start_char=start,
                end_char=start + len("one year"),
                valid_from="2024-03-04",
                valid_to="2025-03-04",
                applies_to="licence",
                event_index=0,
            )
        ],
        policy_dates=[
            PolicyDateFact(
                text="on Monday",
                resolved="2024-03-04",
                granularity="day",
                evidence=SENTENCE,
                start_char=TEXT.index("on Monday"),
                end_char=TEXT.index("on Monday") + len("on Monday"),
            )
        ],
    )


def make_item(url: str, **event_kw: object) -> tuple[Document, Article, Extraction]:
    return make_document(url), make_article(url), make_extraction(**event_kw)


def start_test_run(con: object, kind: str = "ingest") -> str:
    """A run started with placeholder versions: the warehouse tests store through it."""
    from tradeline.warehouse.runs import start_run

    return start_run(
        con,  # type: ignore[arg-type]
        kind=kind,
        extractor_version="1",
        model_name="m",
        model_version="1",
        assets_hash="h",
    )


def stored_run(
    con: object, items: list, *, kind: str = "ingest", status: str | None = "completed"
) -> str:
    """Start a run, store `items` in one transaction and (unless `status` is None) finish it
    with `status`, merging the timeline as a real run does. Returns the run id."""
    from tradeline.warehouse.db import transaction
    from tradeline.warehouse.load import store_batch
    from tradeline.warehouse.runs import finish_run

    run_id = start_test_run(con, kind)
    with transaction(con):  # type: ignore[arg-type]
        store_batch(con, items, run_id)  # type: ignore[arg-type]
    if status:
        finish_run(con, run_id, status=status)  # type: ignore[arg-type]
    return run_id
