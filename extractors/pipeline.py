"""Builds the spaCy pipeline: the configured base model plus our components from models/.

The base model is a setting (`tradeline.config.ModelConfig.name`), never hard-coded here; our
components and their data files come from models/pipeline.toml.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import spacy
from spacy.language import Language
from spacy.util import get_installed_models, is_package

# Importing these modules registers the factories with spaCy.
from tradeline.extractors.commodities import component as _commodities  # noqa: F401
from tradeline.extractors.companies import component as _companies  # noqa: F401
from tradeline.extractors.events import component as _events  # noqa: F401
from tradeline.extractors.orgs import component as _orgs  # noqa: F401
from tradeline.extractors.text import line_breaks as _line_breaks  # noqa: F401
from tradeline.models.assets import pipeline_definition


class ModelNotFoundError(Exception):
    """The configured spaCy pipeline is not installed in this environment."""

    def __init__(self, model_name: str, detail: str | None = None) -> None:
        self.model_name = model_name
        installed = ", ".join(sorted(get_installed_models())) or "none"
        message = (
            f"spaCy model '{model_name}' is not installed (installed pipelines: {installed}). "
            f"Install it into this environment, e.g. `pip install {model_name}` or "
            f"`python -m spacy download {model_name}`, or set [model] name in tradeline.toml."
        )
        if detail:
            message += f" ({detail})"
        super().__init__(message)


def ensure_model_installed(model_name: str) -> None:
    """Fail fast with ModelNotFoundError when `model_name` is not an installed pipeline."""
    if not model_name or not isinstance(model_name, str):
        raise ModelNotFoundError(str(model_name), "empty model name")
    if is_package(model_name) or model_name in get_installed_models():
        return
    from pathlib import Path

    if Path(model_name).is_dir() and (Path(model_name) / "config.cfg").is_file():
        return
    raise ModelNotFoundError(model_name)


def build_pipeline(model_name: str) -> Language:
    """Load the base model by name and add our registered components in the defined order."""
    ensure_model_installed(model_name)
    try:
        nlp = spacy.load(model_name)
    except OSError as exc:
        raise ModelNotFoundError(model_name, str(exc).splitlines()[0]) from exc
    definition: dict[str, Any] = pipeline_definition()
    first = "parser" if "parser" in nlp.pipe_names else None
    for name in definition["pipeline"].get("before_parser", []):
        if name not in nlp.pipe_names:
            nlp.add_pipe(name, before=first) if first else nlp.add_pipe(name, first=True)
    after = definition["pipeline"].get("after", "ner")
    previous = after if after in nlp.pipe_names else None
    for name in definition["pipeline"]["components"]:
        config = dict(definition.get("components", {}).get(name, {}))
        if name in nlp.pipe_names:
            continue
        if previous is None:
            nlp.add_pipe(name, config=config)
        else:
            nlp.add_pipe(name, config=config, after=previous)
        previous = name
    return nlp


@cache
def cached_pipeline(model_name: str) -> Language:
    """One pipeline per model name per process (tests, notebooks, repeated CLI calls)."""
    return build_pipeline(model_name)
