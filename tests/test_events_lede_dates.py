"""An undated action in a report's lede takes the publication date (events/lede_dates.py);
one further down stays undated; a date the text states always wins. Sentences written here."""

from __future__ import annotations

import pytest

from tradeline.extractors.document import extract_doc

pytestmark = pytest.mark.slow


def dated(nlp, text: str, published: str) -> list[tuple[str, str | None, str | None]]:
    doc = nlp(text)
    return [(e.type, e.event_date, e.date_text) for e in extract_doc(doc, published, nlp).events]


def test_the_ledes_undated_action_takes_the_publication_date(nlp) -> None:
    text = "Ruritania has added 12 foreign firms to its export control list."
    assert dated(nlp, text, "2025-04-10") == [("control_introduced", "2025-04-10", None)]
    assert dated(nlp, text, "2025-04") == [("control_introduced", "2025-04", None)]


def test_an_undated_action_further_down_stays_undated(nlp) -> None:
    text = (
        "Ruritania's trade ministry met exporters of tin ore on Tuesday. Officials spoke about "
        "prices and shipping. The talks ran late into the evening. Exporters asked about new "
        "markets. Separately, Borduria has banned exports of tin ore."
    )
    banned = [row for row in dated(nlp, text, "2025-04-10") if row[0] == "ban_introduced"]
    assert banned == [("ban_introduced", None, None)]


def test_a_stated_date_wins_over_publication(nlp) -> None:
    text = "Ruritania added 12 foreign firms to its export control list on Monday."
    assert dated(nlp, text, "2025-04-10") == [("control_introduced", "2025-04-07", "on Monday")]


def test_a_publication_date_that_is_no_iso_date_dates_nothing(nlp) -> None:
    text = "Ruritania has added 12 foreign firms to its export control list."
    assert dated(nlp, text, "2025") == [("control_introduced", "2025", None)]
    assert dated(nlp, text, "2025-04-10T08:30:00Z")[0][1] is None
