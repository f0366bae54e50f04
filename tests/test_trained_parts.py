"""The trained parts shipped in models/trained are the ones `tradeline train` builds from the
repo's corpus and the current rules: their training-data hashes match what the rows would be
now (a rule or gold change without a retrain fails here), and they load and score."""

from __future__ import annotations

import json

import pytest

from tests.conftest import SHARED
from tradeline.extractors.learned import corpus, train
from tradeline.extractors.learned.classifier import FeatureClassifier
from tradeline.models.assets import MODELS_DIR, Assets

MANIFEST = json.loads((MODELS_DIR / "trained" / "manifest.json").read_text(encoding="utf-8"))


DEFAULT_PARTS = [part for part in train.PARTS.values() if part.default]
MIN_DEV_ROWS = 20  # below this a dev AUC is chance (the company filter judges 4 dev firms)


def test_every_default_part_is_shipped_with_its_manifest_entry() -> None:
    assert set(MANIFEST["parts"]) == {part.name for part in DEFAULT_PARTS}
    for name, info in MANIFEST["parts"].items():
        model = FeatureClassifier.load(MODELS_DIR / "trained" / name)
        assert len(model.labels) == 2
        assert info["n_train"] > 0 and info["n_dev"] > 0
        if info["n_dev"] >= MIN_DEV_ROWS:
            assert info["dev"]["auc"] >= 0.8, (name, info["dev"])


@pytest.mark.slow
@pytest.mark.shared
@pytest.mark.skipif(not (SHARED / "corpus" / "trade-news").is_dir(), reason="needs ../shared")
def test_the_shipped_parts_were_trained_on_the_current_corpus_and_rules(nlp_model_name) -> None:
    from tradeline.extractors.pipeline import build_pipeline

    nlp = build_pipeline(nlp_model_name, trained=False)
    articles = corpus.load()
    docs = list(nlp.pipe(a.text for a in articles))
    running = Assets.at(None).definition()["pipeline"].get("trained", [])
    for part in DEFAULT_PARTS:
        if part.real and corpus.real_texts() is None:
            continue  # it learned from eval/real's tune texts, which are not on this machine
        train._join(nlp, part, MODELS_DIR / "trained", running)
        rows = train.build_rows(nlp, articles, docs, part)
        data = rows["train"] + rows["dev"]
        expected = MANIFEST["parts"][part.name]["data_hash"]
        assert train.rows_hash(data, part.config.read_bytes()) == expected, (
            f"models/trained/{part.name} is stale: run `tradeline train {part.name}`"
        )
