"""`run_extract` honours the `tradeline extract` contract; `extract` never raises."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tradeline.config import ModelConfig
from tradeline.extractors.batch import InputError, run_extract
from tradeline.extractors.engine import Extractor

pytestmark = pytest.mark.slow

ARTICLES = [
    {
        "id": "a1",
        "published": "2024-06-14",
        "title": None,
        "url": None,
        "text": "Beijing will impose export controls on antimony from Sept. 15, "
        "the commerce ministry "
        "said on Thursday. Chipmaker Orvanta said it had applied for a one-year licence.",
    },
    {"id": 7, "published": "2024-06", "text": "Nothing to see here."},
    {"id": "a3", "published": None, "text": ""},
]

DATE = r"^\d{4}(-\d{2}(-\d{2})?)?$"


@pytest.fixture(scope="module")
def results(tmp_path_factory, nlp_model_name):
    folder = tmp_path_factory.mktemp("contract")
    inp, out = folder / "articles.jsonl", folder / "results.jsonl"
    inp.write_text("\n".join(json.dumps(a) for a in ARTICLES) + "\n\n", encoding="utf-8")
    seen: list[int] = []
    n = run_extract(inp, out, ModelConfig(name=nlp_model_name, batch_size=2), progress=seen.append)
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    return n, seen, rows


def test_ids_preserved_in_order(results):
    n, seen, rows = results
    assert n == 3 and sum(seen) == 3
    assert [r["id"] for r in rows] == ["a1", "7", "a3"]


def test_field_shapes(results):
    import re

    _, _, rows = results
    for row in rows:
        assert set(row) >= {"id", "companies", "events", "validity_periods", "policy_dates"}
        for c in row["companies"]:
            assert isinstance(c["name"], str) and isinstance(c["canonical"], str)
            assert isinstance(c["aliases"], list)
        for e in row["events"]:
            assert isinstance(e["type"], str) and isinstance(e["evidence"], str)
            assert isinstance(e["companies"], list)
            assert e["event_date"] is None or re.match(DATE, e["event_date"])
            assert 0 <= e["start_char"] < e["end_char"]
        for v in row["validity_periods"]:
            assert v["duration"].startswith("P")
        for p in row["policy_dates"]:
            assert re.match(DATE, p["resolved"]) and p["granularity"] in ("day", "month", "year")
    first = rows[0]
    assert {e["type"] for e in first["events"]} >= {"control_introduced"}
    text = ARTICLES[0]["text"]
    for e in first["events"]:
        assert text[e["start_char"] : e["end_char"]] == e["evidence"]


def test_bad_line_names_its_number(tmp_path, nlp_model_name):
    inp = tmp_path / "bad.jsonl"
    inp.write_text('{"id": "ok", "text": "x"}\n{not json}\n', encoding="utf-8")
    with pytest.raises(InputError, match="line 2"):
        run_extract(inp, tmp_path / "out.jsonl", ModelConfig(name=nlp_model_name))
    inp.write_text('{"text": "no id"}\n', encoding="utf-8")
    with pytest.raises(InputError, match="line 1"):
        run_extract(inp, tmp_path / "out.jsonl", ModelConfig(name=nlp_model_name))
    assert not (tmp_path / "out.jsonl").exists()


@pytest.fixture(scope="module")
def extractor(nlp_model_name):
    return Extractor(ModelConfig(name=nlp_model_name))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    text=st.text(max_size=300),
    published=st.one_of(st.none(), st.sampled_from(["2024-06-14", "2024-06", "bogus"])),
)
def test_extract_never_raises(extractor, text, published):
    result = extractor.extract(text, published)
    assert isinstance(result.events, list)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    words=st.lists(
        st.sampled_from(
            [
                "China",
                "banned",
                "exports",
                "of",
                "gallium",
                "on",
                "Monday",
                "Ltd",
                "Co",
                "(",
                ")",
                "licence",
                "granted",
                "Orvanta",
                "Group",
                "said",
                ",",
                ".",
                "from",
                "Jan.",
                "1",
                "also",
                "not",
                "Reuters",
                "\n",
                "the",
                "ministry",
                "suspended",
                "controls",
                "300748.SZ",
                "’s",
                "-",
            ]
        ),
        max_size=40,
    )
)
def test_extract_never_raises_on_trade_like_noise(extractor, words):
    extractor.extract(" ".join(words), "2024-06-14")


def test_several_processes_give_the_same_output(tmp_path, nlp_model_name):
    """`n_process=2` ships docs between processes (our per-doc caches and span groups with
    them) and must write the same lines, in the same order, as one process."""
    from pathlib import Path

    from tradeline.extractors.page import parse_page

    pages = sorted((Path(__file__).resolve().parent.parent / "samples" / "articles").glob("*.html"))
    rows = [
        {"id": p.stem, "published": "2025-12-03", "text": parse_page(p.read_bytes()).text}
        for p in pages
    ]
    inp = tmp_path / "articles.jsonl"
    inp.write_text("\n".join(json.dumps(r) for r in rows + ARTICLES) + "\n", encoding="utf-8")
    outputs = []
    for n_process in (1, 2):
        out = tmp_path / f"results-{n_process}.jsonl"
        run_extract(
            inp, out, ModelConfig(name=nlp_model_name, batch_size=2, n_process=n_process)
        )
        outputs.append(out.read_text(encoding="utf-8"))
    assert outputs[0] == outputs[1]
    assert outputs[0].count('"permit_issued"') >= 2  # real facts came through, not empty rows


def test_the_contract_holds_back_doubtful_events_and_irrelevant_articles(make_extraction):
    """`events` lists what the timeline shows; the rest is in `held_back_events` with its
    confidence, and a validity period's event_index counts shown events only."""
    extraction = make_extraction()
    first = extraction.events[0]
    extraction.events = [
        replace(first, type="ban_introduced", confidence=0.1, start_char=0),
        replace(first, confidence=0.8, start_char=1),
    ]
    extraction.validity_periods[0].event_index = 1
    extraction.relevance = 0.9
    out = extraction.hold_back(0.35, 0.3).to_contract("a")
    assert [e["type"] for e in out["events"]] == ["permit_issued"]
    assert [(e["type"], e["confidence"]) for e in out["held_back_events"]] == [
        ("ban_introduced", 0.1)
    ]
    assert out["validity_periods"][0]["event_index"] == 0
    assert out["relevance"] == 0.9 and "held_back" not in out
    assert all("held_back" not in e for e in out["events"] + out["held_back_events"])

    extraction.relevance = 0.2
    out = extraction.hold_back(0.35, 0.3).to_contract("a")
    assert out["events"] == [] and len(out["held_back_events"]) == 2
    assert out["companies"] == [] and out["policy_dates"] == []
    assert out["held_back"]["companies"][0]["canonical"] == "Nvidia Corp"

    out = extraction.hold_back(0.0, 0.0).to_contract("a")  # what --all-events does
    assert len(out["events"]) == 2 and out["held_back_events"] == []


def test_a_relevant_article_shows_its_best_event_above_the_floor(make_extraction):
    """When every event of a relevant article is below the confidence threshold, the most
    confident one is shown if it reaches the floor; an irrelevant article still shows none."""
    extraction = make_extraction()
    first = extraction.events[0]
    extraction.events = [
        replace(first, type="ban_introduced", confidence=0.12, start_char=0),
        replace(first, confidence=0.25, start_char=1),
    ]
    extraction.relevance = 0.9
    out = extraction.hold_back(0.35, 0.3, 0.1).to_contract("a")
    assert [(e["type"], e["confidence"]) for e in out["events"]] == [("permit_issued", 0.25)]
    assert [e["type"] for e in out["held_back_events"]] == ["ban_introduced"]

    out = extraction.hold_back(0.35, 0.3, 0.3).to_contract("a")  # below this floor
    assert out["events"] == [] and len(out["held_back_events"]) == 2

    extraction.events[1].confidence = 0.5  # one sure event: the floor adds nothing
    out = extraction.hold_back(0.35, 0.3, 0.1).to_contract("a")
    assert [e["confidence"] for e in out["events"]] == [0.5]

    extraction.relevance = 0.2
    out = extraction.hold_back(0.35, 0.3, 0.1).to_contract("a")
    assert out["events"] == []

    extraction.events[1].confidence = 0.25
    extraction.relevance = 0.45  # relevant, but not clearly a trade report: no floor
    out = extraction.hold_back(0.35, 0.3, 0.1).to_contract("a")
    assert out["events"] == [] and len(out["held_back_events"]) == 2
