"""Data files are read through typed lexicons: an unknown (dead or misspelt) key fails loudly."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import spacy

from tradeline.extractors.component_data import DataError, DataFile
from tradeline.extractors.dates.lexicon import DateLexicon
from tradeline.extractors.events.lexicon import EventCues, EventTriggers
from tradeline.extractors.orgs.lexicon import AuthorityName
from tradeline.extractors.pipeline import build_pipeline
from tradeline.models.assets import MODELS_DIR

DATA = MODELS_DIR / "data"


def _with(path: str, **extra: object) -> DataFile:
    data = json.loads((DATA / path).read_text(encoding="utf-8"))
    data.update(extra)
    return DataFile(f"edited {path}", json.dumps(data).encode())


def test_packaged_lexicons_parse() -> None:
    assert DataFile.read(DATA / "dates/lexicon.json").parse(DateLexicon).months["jan"] == 1
    assert DataFile.read(DATA / "events/cues.json").parse(EventCues).adjust.firm_anaphors


def test_an_unknown_key_is_an_error_naming_file_and_key() -> None:
    with pytest.raises(DataError) as info:
        _with("dates/lexicon.json", anaphoric_month=["that month"]).parse(DateLexicon)
    message = str(info.value)
    assert "edited dates/lexicon.json" in message and "anaphoric_month" in message
    assert "Extra inputs are not permitted" in message


def test_a_misspelt_nested_key_is_an_error() -> None:
    cues = json.loads((DATA / "events/cues.json").read_text(encoding="utf-8"))
    cues["adjust"]["firm_anaphor"] = cues["adjust"].pop("firm_anaphors")
    with pytest.raises(DataError, match="firm_anaphor"):
        DataFile("cues.json", json.dumps(cues).encode()).parse(EventCues)


def test_a_missing_key_is_an_error() -> None:
    cues = json.loads((DATA / "events/cues.json").read_text(encoding="utf-8"))
    del cues["hedge_aux"]
    with pytest.raises(DataError, match="hedge_aux"):
        DataFile("cues.json", json.dumps(cues).encode()).parse(EventCues)


def test_trigger_classes_must_exist_and_be_used() -> None:
    triggers = json.loads((DATA / "events/triggers.json").read_text(encoding="utf-8"))
    triggers["rules"][0]["verbs"] = "GRANTT"
    with pytest.raises(DataError, match="GRANTT"):
        DataFile("triggers.json", json.dumps(triggers).encode()).parse(EventTriggers)
    triggers = json.loads((DATA / "events/triggers.json").read_text(encoding="utf-8"))
    triggers["object_classes"]["SPARE"] = ["spare"]
    with pytest.raises(DataError, match="SPARE"):
        DataFile("triggers.json", json.dumps(triggers).encode()).parse(EventTriggers)


def test_jsonl_rows_name_their_line() -> None:
    rows = b'{"text": "China", "country": "China", "kind": "country"}\n\n{"txt": "Beijing"}\n'
    with pytest.raises(DataError, match=r"authorities.jsonl, line 3"):
        DataFile("authorities.jsonl", rows).rows(AuthorityName)


def test_a_component_without_data_says_so() -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe("tradeline_validity")
    with pytest.raises(DataError, match=r"tradeline_validity.*has no data"):
        nlp("valid for one year")


@pytest.mark.slow
def test_a_misspelt_key_in_an_assets_folder_stops_the_build(
    tmp_path: Path, nlp_model_name: str
) -> None:
    copy = tmp_path / "models"
    shutil.copytree(MODELS_DIR, copy, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    path = copy / "data" / "validity" / "lexicon.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["atach_nouns"] = data.pop("attach_nouns")
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(DataError) as info:
        build_pipeline(nlp_model_name, copy)
    assert str(path) in str(info.value) and "atach_nouns" in str(info.value)
