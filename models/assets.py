"""Where the pipeline definition and its data files live, and one hash over all of them.

Every extraction run records `assets_hash()` so a fact can be traced to the exact patterns and
gazetteers that produced it; bump `ASSETS_VERSION` when a data file changes meaning.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

ASSETS_VERSION = "0.3.0"

MODELS_DIR = Path(__file__).resolve().parent
DATA_DIR = MODELS_DIR / "data"
PIPELINE_PATH = MODELS_DIR / "pipeline.toml"
EVENT_CUES_PATH = DATA_DIR / "event_cues.json"
COMPANY_LEXICON_PATH = DATA_DIR / "company_lexicon.json"
GAZETTEER_PATH = DATA_DIR / "companies_gazetteer.jsonl"
AUTHORITY_CONTEXT_PATH = DATA_DIR / "authority_context.json"


def data_path(name: str) -> Path:
    """A file under models/data, by the name the pipeline definition uses."""
    path = DATA_DIR / name
    if not path.is_file():
        raise FileNotFoundError(f"model data file missing: {path}")
    return path


@cache
def pipeline_definition() -> dict[str, Any]:
    """models/pipeline.toml: which of our components run, in which order, on which data."""
    return tomllib.loads(PIPELINE_PATH.read_text(encoding="utf-8"))


@cache
def load_json(name: str) -> Any:
    """A JSON data file, parsed once per process."""
    return json.loads(data_path(name).read_text(encoding="utf-8"))


@cache
def load_jsonl(name: str) -> tuple[dict[str, Any], ...]:
    """A JSON-lines data file (blank lines and `//` comments skipped), parsed once per process."""
    rows = []
    for line in data_path(name).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("//"):
            rows.append(json.loads(line))
    return tuple(rows)


def asset_files() -> list[Path]:
    """The pipeline definition plus every file under models/data, in a stable order."""
    files = [p for p in DATA_DIR.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    return [PIPELINE_PATH, *sorted(files, key=lambda p: p.relative_to(DATA_DIR).as_posix())]


def assets_hash() -> str:
    """sha256 over the relative paths and bytes of all asset files (changes with any edit)."""
    digest = hashlib.sha256()
    digest.update(ASSETS_VERSION.encode())
    for path in asset_files():
        rel = path.relative_to(MODELS_DIR).as_posix()
        digest.update(rel.encode() + b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()
