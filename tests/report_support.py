"""Helpers of the report tests (and bench/report_scale.py): a warehouse of made-up entries, and
the Plotly figure read back out of a report's HTML."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from tests.builders import make_article, make_document, make_extraction

COMMODITIES = ("semiconductors", "rare earths", "nickel ore", "rice", "gallium", "graphite")
TYPES = ("permit_issued", "permit_applied", "control_introduced", "ban_introduced",
         "control_lifted", "permit_denied")


def synthetic_items(n: int, *, outlet: str = "Example News") -> Iterable[tuple]:
    """`n` articles, each one real event of its own (a company, a type, a commodity and a
    date of their own), some dated only to the month."""
    for i in range(n):
        url = f"https://news.example.com/{i}"
        year, month, day = 2020 + (i // 7) % 6, 1 + (i // 3) % 12, 1 + (i * 7) % 28
        event_date = f"{year}-{month:02d}" + ("" if i % 5 == 0 else f"-{day:02d}")
        extraction = make_extraction(
            type=TYPES[i % len(TYPES)], companies=(f"Company {i:05d} Ltd",),
            event_date=event_date,
        )
        event = extraction.events[0]
        extraction.events[0] = replace(
            event, commodity=COMMODITIES[i % len(COMMODITIES)],
            date_granularity="day" if len(event_date) == 10 else "month",
            evidence=event.evidence + f" (report {i})",
        )
        if event.type != "permit_issued":
            extraction.validity_periods = []
        article = make_article(url, outlet=outlet, published=f"{year}-12-31")
        yield make_document(url), article, extraction


def synthetic_warehouse(path: Path, n: int, *, outlet: str = "Example News",
                        batch: int = 500) -> Path:
    """A warehouse of `n` timeline entries, stored as one completed ingest run."""
    from tradeline.warehouse.db import connect, transaction
    from tradeline.warehouse.load import store_batch
    from tradeline.warehouse.runs import finish_run, start_run

    items = list(synthetic_items(n, outlet=outlet))
    with connect(path) as con:
        run_id = start_run(con, kind="ingest", extractor_version="test-1", model_name="m",
                           model_version="1", assets_hash="h")
        for start in range(0, n, batch):
            with transaction(con):
                store_batch(con, items[start : start + batch], run_id)
        finish_run(con, run_id, status="completed")
    return path


def figure_in(html: str) -> dict[str, Any]:
    """The `data` and `layout` the page passes to `Plotly.newPlot("timeline", …)`."""
    call = html.index("Plotly.newPlot(")
    rest = html[html.index('"timeline",', call) + len('"timeline",') :]
    decoder = json.JSONDecoder()
    data, used = decoder.raw_decode(rest.lstrip())
    rest = rest.lstrip()[used:].lstrip().removeprefix(",").lstrip()
    layout, _ = decoder.raw_decode(rest)
    return {"data": data, "layout": layout}
