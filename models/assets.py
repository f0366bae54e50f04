"""Where the pipeline definition and its data files live, and one hash over all of them.

Every extraction run records `assets_hash()` so a fact can be traced to the exact patterns and
gazetteers that produced it; bump `ASSETS_VERSION` when a data file changes meaning.

`use_assets_dir(path)` points the whole process at another copy of this folder (a researcher's
edited patterns, `[model] assets_dir`): one folder at a time, and a switch drops every cached
table built from the old one, here and in `extractors.*`, so pipelines built afterwards read
only the new files. Pipelines built before the switch keep what they loaded.
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
EVENT_CUES_PATH = DATA_DIR / "events" / "cues.json"
COMPANY_LEXICON_PATH = DATA_DIR / "companies" / "lexicon.json"
GAZETTEER_PATH = DATA_DIR / "companies" / "gazetteer.jsonl"
AUTHORITY_CONTEXT_PATH = DATA_DIR / "orgs" / "authority_context.json"


_current_dir: Path = MODELS_DIR  # folder holding pipeline.toml and data/ (see use_assets_dir)


def assets_dir() -> Path:
    """The folder the pipeline definition and data files are read from now."""
    return _current_dir


def use_assets_dir(path: str | Path | None) -> Path:
    """Read pipeline.toml and data/ from `path` (None: the packaged models/); returns it."""
    global _current_dir
    target = MODELS_DIR if path is None else Path(path).expanduser().resolve()
    if not (target / "pipeline.toml").is_file() or not (target / "data").is_dir():
        raise FileNotFoundError(f"assets folder {target} needs pipeline.toml and data/")
    if target != _current_dir:
        _current_dir = target
        _clear_derived_caches()
    return target


def _clear_derived_caches() -> None:
    """Drop functools caches here and in extractors.* (tables built from the data files)."""
    import sys

    for name, module in list(sys.modules.items()):
        if module is None or not (name == __name__ or name.startswith("tradeline.extractors.")):
            continue
        for value in list(vars(module).values()):
            clear = getattr(value, "cache_clear", None)
            if callable(clear) and getattr(value, "__module__", None) == name:
                clear()


def data_path(name: str) -> Path:
    """A file under models/data, by the name the pipeline definition uses."""
    path = _current_dir / "data" / name
    if not path.is_file():
        raise FileNotFoundError(f"model data file missing: {path}")
    return path


@cache
def pipeline_definition() -> dict[str, Any]:
    """models/pipeline.toml: which of our components run, in which order, on which data."""
    return tomllib.loads((_current_dir / "pipeline.toml").read_text(encoding="utf-8"))


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
    data = _current_dir / "data"
    files = [p for p in data.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    return [
        _current_dir / "pipeline.toml",
        *sorted(files, key=lambda p: p.relative_to(data).as_posix()),
    ]


def assets_hash() -> str:
    """sha256 over the relative paths and bytes of all asset files (changes with any edit)."""
    digest = hashlib.sha256()
    digest.update(ASSETS_VERSION.encode())
    for path in asset_files():
        rel = path.relative_to(_current_dir).as_posix()
        digest.update(rel.encode() + b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()
