"""The spaCy pipeline: base model by name, our components from models/, asset hashing."""

from __future__ import annotations

import re

import pytest

from tradeline.config import ModelConfig
from tradeline.extractors.engine import EXTRACTOR_VERSION, Extractor
from tradeline.extractors.pipeline import (
    ModelNotFoundError,
    build_pipeline,
    ensure_model_installed,
)
from tradeline.models.assets import Assets

PACKAGED = Assets.packaged()


def test_unknown_model_gives_clear_error():
    with pytest.raises(ModelNotFoundError) as info:
        build_pipeline("en_no_such_model_xx")
    message = str(info.value)
    assert "en_no_such_model_xx" in message
    assert "pip install" in message or "spacy download" in message


def test_ensure_model_installed_rejects_empty_name():
    with pytest.raises(ModelNotFoundError):
        ensure_model_installed("")


def test_pipeline_definition_lists_data_files_that_exist():
    definition = PACKAGED.definition()
    components = definition["pipeline"]["components"]
    assert components, "models/pipeline.toml names no components"
    for name in components:
        for value in definition["components"].get(name, {}).values():
            assert PACKAGED.path(value).is_file()


def test_assets_hash_is_stable_and_covers_data():
    first, second = PACKAGED.hash(), PACKAGED.hash()
    assert first == second and re.fullmatch(r"[0-9a-f]{64}", first)
    files = {p.name for p in PACKAGED.files()}
    assert "pipeline.toml" in files and "gazetteer.jsonl" in files


@pytest.mark.slow
def test_components_run_after_ner_in_order(pipeline):
    nlp = pipeline
    definition = PACKAGED.definition()["pipeline"]
    ours = definition["components"] + definition["trained"]
    names = nlp.pipe_names
    assert names[-len(ours) :] == ours
    assert names.index("ner") < names.index(ours[0])
    doc = nlp(
        "Chipmaker Orvanta obtained an export licence for gallium from the ministry on Monday."
    )
    for group in ("tl_companies", "tl_commodities", "tl_triggers", "tl_authorities", "tl_nonfirm"):
        assert group in doc.spans


@pytest.mark.slow
def test_extractor_records_versions(nlp_model_name):
    extractor = Extractor(ModelConfig(name=nlp_model_name))
    assert extractor.model_name == nlp_model_name
    assert extractor.model_version
    assert extractor.assets_hash == PACKAGED.hash()
    assert extractor.extractor_version == EXTRACTOR_VERSION


@pytest.mark.slow
def test_extract_many_preserves_order(nlp_model_name):
    extractor = Extractor(ModelConfig(name=nlp_model_name, batch_size=2), all_events=True)
    texts = [
        ("India banned wheat exports on May 14.", "2024-06-14"),
        ("", None),
        ("Samsung Electronics said on Friday it had obtained a licence.", "2024-06-14"),
    ]
    out = list(extractor.extract_many(texts))
    assert [len(x.events) for x in out] == [1, 0, 1]
    assert out[2].companies[0].canonical == "Samsung Electronics"
