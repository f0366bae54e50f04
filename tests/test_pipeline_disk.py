"""A pipeline saved with `nlp.to_disk` loads with `spacy.load` and extracts the same facts: the
components carry their data files, spaCy finds our factories through the `spacy_factories`
entry points, and the assets hash travels in the pipeline's meta."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import spacy
from spacy.language import Language

from tradeline.config import ModelConfig
from tradeline.extractors.document import extract_doc
from tradeline.extractors.engine import Extractor
from tradeline.extractors.page import parse_page
from tradeline.extractors.pipeline import assets_hash

pytestmark = pytest.mark.slow

SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "articles"
SENTENCES = [
    "Chipmaker Orvanta obtained an export licence for gallium from the ministry on Monday.",
    "The ministry granted Acme Corp an export licence on June 8, 2025, valid for one year.",
    "Beijing imposed a ban on exports of gallium in July, and lifted the ban on Dec. 3.",
]
OURS = [
    "tradeline_orgs",
    "tradeline_commodities",
    "tradeline_companies",
    "tradeline_events",
    "tradeline_dates",
    "tradeline_validity",
    "tradeline_relevance",
    "tradeline_event_confidence",
    "tradeline_company_filter",
]


def _texts() -> list[str]:
    pages = sorted(SAMPLES.glob("*.html"))
    return [parse_page(p.read_bytes(), url=f"file:///{p.name}").text for p in pages] + SENTENCES


def _facts(nlp: Language) -> list[dict]:
    return [
        extract_doc(nlp(text), "2025-12-03", nlp).to_contract(str(k))
        for k, text in enumerate(_texts())
    ]


@pytest.fixture(scope="module")
def saved(pipeline: Language, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pinned") / "pipeline"
    pipeline.to_disk(path)
    return path


def test_spacy_load_extracts_the_same_facts(pipeline: Language, saved: Path) -> None:
    loaded = spacy.load(saved)
    assert loaded.pipe_names == pipeline.pipe_names
    assert _facts(loaded) == _facts(pipeline)
    assert assets_hash(loaded) == assets_hash(pipeline)
    for name in OURS:  # the data now comes from the saved folder
        sources = loaded.get_pipe(name).sources
        assert sources and all(Path(s).is_relative_to(saved) for s in sources.values()), name
    # the data files are in the component's folder, byte for byte
    dates = saved / "tradeline_dates"
    assert sorted(p.name for p in dates.iterdir()) == ["lexicon.json", "patterns.jsonl"]


def test_a_saved_pipeline_is_a_model_name(pipeline: Language, saved: Path) -> None:
    extractor = Extractor(ModelConfig(name=str(saved)), all_events=True)
    assert extractor.nlp.pipe_names == pipeline.pipe_names
    assert extractor.assets_hash == assets_hash(pipeline)
    text = SENTENCES[1]
    assert extractor.extract(text, "2025-12-03") == extract_doc(
        pipeline(text), "2025-12-03", pipeline
    ).hold_back(0.0, 0.0)


def test_to_bytes_round_trip(pipeline: Language) -> None:
    copy = spacy.util.load_model_from_config(pipeline.config, auto_fill=False)
    copy.from_bytes(pipeline.to_bytes())
    assert _facts(copy)[-3:] == _facts(pipeline)[-3:]


def test_spacy_finds_our_factories_without_importing_tradeline(saved: Path) -> None:
    code = (
        "import json, sys, spacy\n"
        f"nlp = spacy.load({str(saved)!r})\n"
        "print(json.dumps([nlp.pipe_names, sorted(m for m in sys.modules if m.startswith("
        "'tradeline.extractors.') and m.endswith('.component'))]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=saved
    )
    names, modules = json.loads(out.stdout.splitlines()[-1])
    assert names[-len(OURS) :] == OURS
    assert "tradeline.extractors.dates.component" in modules  # loaded through the entry point
