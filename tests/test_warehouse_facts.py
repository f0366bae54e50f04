"""Fact rows and keys (no database)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tradeline.identity import company_key
from tradeline.records import (
    Article,
)
from tradeline.warehouse.facts import fact_rows


def test_fact_keys_ignore_run_id_and_follow_content(make_extraction) -> None:
    article_id = Article.id_for("https://example.com/a")
    ex = make_extraction()
    first = fact_rows(article_id, "run-1", ex)
    second = fact_rows(article_id, "run-2", ex)
    for table in ("company_mentions", "events", "validity_periods", "policy_dates"):
        keys1 = [r["fact_key"] for r in getattr(first, table)]
        keys2 = [r["fact_key"] for r in getattr(second, table)]
        assert keys1 == keys2 and len(keys1) == 1, table
    changed = fact_rows(article_id, "run-1", make_extraction(type="permit_denied"))
    assert changed.events[0]["fact_key"] != first.events[0]["fact_key"]
    other_article = fact_rows(Article.id_for("https://example.com/b"), "run-1", ex)
    assert other_article.events[0]["fact_key"] != first.events[0]["fact_key"]


def test_validity_period_points_at_its_event_key(make_extraction) -> None:
    rows = fact_rows("a1", "r1", make_extraction())
    assert rows.validity_periods[0]["event_fact_key"] == rows.events[0]["fact_key"]


def test_repeated_identical_facts_get_distinct_keys(make_extraction) -> None:
    ex = make_extraction()
    ex.events.append(replace(ex.events[0]))
    rows = fact_rows("a1", "r1", ex)
    assert len({r["fact_key"] for r in rows.events}) == 2


def test_validity_pointing_past_the_events_is_refused(make_extraction) -> None:
    ex = make_extraction()
    ex.validity_periods[0].event_index = 3
    with pytest.raises(ValueError, match="points at event 3"):
        fact_rows("a1", "r1", ex)


def test_companies_merge_by_normalised_name_and_collect_aliases(make_extraction) -> None:
    assert company_key("Nvidia  Corp") == company_key("nvidia corp")
    rows = fact_rows("a1", "r1", make_extraction(companies=("NVIDIA CORP", "Huawei")))
    assert set(rows.companies) == {company_key("Nvidia Corp"), company_key("Huawei")}
    aliases = {a for k, a in rows.aliases if k == company_key("Nvidia Corp")}
    assert {"Nvidia Corp", "Nvidia", "NVIDIA", "NVIDIA CORP"} <= aliases
    assert [r["position"] for r in rows.event_companies] == [0, 1]
