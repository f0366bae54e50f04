"""No poison pills in extraction (issue 17, defects 3 and 8): a text over spaCy's `max_length` is
extracted in sentence-aligned pieces with offsets into the whole text; in `tradeline extract` an
article whose extraction fails gets one error record and the others are processed; a malformed
input line is one `error:` line naming it."""

from __future__ import annotations

import hashlib
import itertools
import json
import time
from pathlib import Path

import pytest
from spacy.language import Language

from tradeline.config import ModelConfig
from tradeline.extractors import engine
from tradeline.extractors.batch import run_extract
from tradeline.extractors.long_text import PIECE_CHARS, merge, pieces
from tradeline.records import CompanyFact, EventFact, Extraction, ValidityPeriodFact

FACT = (
    "The commerce ministry granted Orvanta Ltd an export licence for gallium on June 8, 2025, "
    "valid for one year."
)


def _two_megabytes() -> str:
    """2,000,000 characters: prose paragraphs and a data dump (hash lines, cheap for the model),
    with the fact sentence at the start, past the first piece, in the middle and at the end."""
    dump = "\n".join(hashlib.sha256(str(i).encode()).hexdigest() for i in range(460))
    prose = "Markets were quiet as traders waited for more data. " * 20
    blocks = [FACT]
    size = len(FACT)
    while size < 2_000_000 - len(FACT) - 200:
        block = dump if len(blocks) % 2 else prose
        if len(blocks) in (3, 100):
            block = FACT
        blocks.append(block)
        size += len(block) + 2
    text = "\n\n".join(blocks)
    return text[: 2_000_000 - len(FACT) - 2].rstrip() + "\n\n" + FACT


def test_pieces_end_at_sentence_breaks_and_cover_the_text() -> None:
    text = ("One sentence here. " * 30 + "\n\n") * 2000 + "x" * 30_000
    spans = pieces(text, 50_000)
    assert spans[0][0] == 0 and spans[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(spans))  # no gap, no overlap
    assert all(end - start <= min(50_000, PIECE_CHARS) for start, end in spans)
    assert all(text[end - 2 : end] in ("\n\n", ". ") for _, end in spans[:-3])
    assert pieces("short", 50_000) == [(0, 5)]
    assert pieces("", 10) == [(0, 0)]


def test_merge_shifts_offsets_and_joins_a_firm_across_pieces() -> None:
    firm = CompanyFact("Orvanta Ltd", "Orvanta", ["Orvanta Ltd"], None, 4, 15, "e", [(4, 15)])
    event = EventFact("permit_issued", "e", 0, 20)
    period = ValidityPeriodFact("one year", "P1Y", "e", 5, 13, event_index=0)
    first = Extraction(companies=[firm], events=[event], validity_periods=[period])
    again = CompanyFact("Orvanta", "Orvanta", ["Orvanta"], "ORV", 1, 8, "e", [(1, 8)])
    second = Extraction(
        companies=[again],
        events=[EventFact("permit_issued", "e", 0, 20)],
        validity_periods=[ValidityPeriodFact("one year", "P1Y", "e", 5, 13, event_index=0)],
    )
    merged = merge([(0, first), (1000, second)])
    assert [(e.start_char, e.end_char) for e in merged.events] == [(0, 20), (1000, 1020)]
    assert [(p.start_char, p.event_index) for p in merged.validity_periods] == [(5, 0), (1005, 1)]
    (company,) = merged.companies
    assert company.aliases == ["Orvanta Ltd", "Orvanta"] and company.ticker == "ORV"
    assert company.mentions == [(4, 15), (1001, 1008)] and company.start_char == 4
    assert first.companies[0].mentions == [(4, 15)]  # the pieces' facts are not changed


@pytest.mark.slow
def test_a_2_mb_text_is_extracted_with_offsets_into_the_whole_text(
    tmp_path: Path, nlp_model_name: str
) -> None:
    text = _two_megabytes()
    assert len(text) == 2_000_000
    rows = [
        {"id": "before", "published": "2025-06-09", "text": FACT},
        {"id": "huge", "published": "2025-06-09", "text": text},
        {"id": "after", "published": "2025-06-09", "text": "Nothing. " + FACT},
    ]
    inp, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    inp.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    started = time.monotonic()
    assert run_extract(inp, out, ModelConfig(name=nlp_model_name)) == 3
    print(f"2 MB text extracted in {time.monotonic() - started:.1f} s")
    results = {r["id"]: r for r in map(json.loads, out.read_text("utf-8").splitlines())}
    assert list(results) == ["before", "huge", "after"]
    assert not any("error" in r for r in results.values())
    huge = results["huge"]
    starts = sorted(e["start_char"] for e in huge["events"])
    expected = [i for i in range(len(text)) if text.startswith(FACT, i)]
    assert len(expected) == 4 and expected[-1] == len(text) - len(FACT)
    assert expected[1] > PIECE_CHARS  # the second one is past the first piece
    assert starts == expected
    for event in huge["events"]:
        assert text[event["start_char"] : event["end_char"]] == event["evidence"] == FACT
    for fact in huge["policy_dates"] + huge["validity_periods"]:
        assert text[fact["start_char"] : fact["end_char"]] == fact["text"]
    assert [p["duration"] for p in huge["validity_periods"]] == ["P1Y"] * 4
    assert [p["event_index"] for p in huge["validity_periods"]] == [0, 1, 2, 3]
    (firm,) = huge["companies"]
    assert [text[s:e] for s, e in firm["mentions"]] == ["Orvanta Ltd"] * 4
    assert results["before"]["events"] and results["after"]["events"]


@pytest.fixture
def failing_component(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pipeline gains a component that raises on any document containing 'POISON', the way
    a bug in one of ours would, inside `nlp.pipe`."""
    build = engine.build_pipeline

    def poisoned(*args, **kwargs) -> Language:
        nlp = build(*args, **kwargs)
        if "poison_test" not in Language.factories:
            Language.component("poison_test", func=_raise_on_poison)
        nlp.add_pipe("poison_test")
        return nlp

    monkeypatch.setattr(engine, "build_pipeline", poisoned)


def _raise_on_poison(doc):
    if "POISON" in doc.text:
        raise ValueError("this document broke a component")
    return doc


@pytest.mark.slow
def test_one_failing_article_gives_one_error_record_and_the_rest_is_processed(
    tmp_path: Path, nlp_model_name: str, failing_component: None
) -> None:
    rows = [{"id": f"a{i}", "published": "2025-06-09", "text": FACT} for i in range(7)]
    rows[3]["text"] = "POISON. " + FACT
    inp, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    inp.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    failures: list[tuple[str, str]] = []
    n = run_extract(
        inp,
        out,
        ModelConfig(name=nlp_model_name, batch_size=2),
        on_error=lambda i, reason: failures.append((i, reason)),
    )
    results = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert n == 7 and [r["id"] for r in results] == [r["id"] for r in rows]
    assert failures == [("a3", "extraction failed: ValueError: this document broke a component")]
    bad = results[3]
    assert bad["error"] == failures[0][1]
    assert bad["events"] == bad["companies"] == bad["validity_periods"] == bad["policy_dates"] == []
    for good in results[:3] + results[4:]:
        assert "error" not in good and good["events"], good["id"]


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([b'{"id": "ok", "text": "x"}', b"{not json}"], "line 2 is not valid JSON"),
        ([b'{"id": "ok", "text": "caf\xe9"}'], "line 1 is not UTF-8 text"),
        ([b'{"id": "a", "text": "x"}', b"", b'{"id": "b", "text": "\xff"}'], "line 3 is not UTF-8"),
        (
            [b'{"id": {"x": 1}, "text": "x"}'],
            "line 1: 'id' must be a string or an integer, not an object",
        ),
        ([b'{"id": ["a"], "text": "x"}'], "'id' must be a string or an integer, not a list"),
        ([b'{"id": true, "text": "x"}'], "'id' must be a string or an integer, not a boolean"),
        ([b'{"id": "", "text": "x"}'], "line 1: 'id' is empty"),
        ([b'{"id": "a", "published": "2025-13-45"}'], "'published' must be a real date"),
        ([b'{"id": "a", "published": "2025-02-30"}'], "got '2025-02-30'"),
        ([b'{"id": "a", "published": "yesterday"}'], "as YYYY-MM-DD or YYYY-MM"),
        ([b'{"id": "a", "published": 20250101}'], "'published' must be a string, not int"),
        ([b'{"id": "a", "text": 5}'], "'text' must be a string, not int"),
    ],
)
def test_a_malformed_input_line_is_one_error_line(
    cli, tmp_path: Path, lines: list[bytes], message: str
) -> None:
    inp = tmp_path / "in.jsonl"
    inp.write_bytes(b"\n".join(lines) + b"\n")
    result = cli(
        "extract", "--input", str(inp), "--output", str(tmp_path / "out.jsonl"), cwd=tmp_path
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out.jsonl").exists()


def test_valid_published_forms_and_a_bom_are_accepted(tmp_path: Path) -> None:
    from tradeline.extractors.batch_input import read_articles

    inp = tmp_path / "in.jsonl"
    inp.write_bytes(
        b'\xef\xbb\xbf{"id": 1, "published": "2024-02-29"}\n'
        b'{"id": "b", "published": "2024-06", "text": "t"}\n\n{"id": "c", "published": null}\n'
    )
    assert list(read_articles(inp)) == [
        ("1", "", "2024-02-29"),
        ("b", "t", "2024-06"),
        ("c", "", None),
    ]


def test_the_cli_names_failed_articles_and_exits_0(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The command's side of error records (run_extract's is tested above): each failure on a
    line, a count in the summary, exit 0 (the output is complete)."""
    from typer.testing import CliRunner

    from tradeline.extractors import batch
    from tradeline.flows.cli import app

    def fake_run_extract(inp, out, model, *, all_events, progress, on_error, on_start):
        on_start(2)
        out.write_text('{"id": "a"}\n{"id": "b", "error": "extraction failed: X"}\n')
        progress(2)
        on_error("b [1]", "extraction failed: ValueError: boom")
        return 2

    monkeypatch.setattr(batch, "run_extract", fake_run_extract)
    inp = tmp_path / "in.jsonl"
    inp.write_text('{"id": "a"}\n', encoding="utf-8")
    result = CliRunner().invoke(
        app, ["extract", "--input", str(inp), "--output", str(tmp_path / "out.jsonl")]
    )
    assert result.exit_code == 0, result.output
    assert "failed b [1]: extraction failed: ValueError: boom" in result.output
    assert "extracted 2 articles" in result.output and "(1 failed: error records" in result.output
