"""Builds the spaCy pipeline: the configured base model plus our components, with the data
files of one assets folder (the packaged models/, or `assets_dir`).

The base model is a setting (`tradeline.config.ModelConfig.name`), never hard-coded here.
models/pipeline.toml says where our components run and names each one's data files; each
component reads its files in `initialize` and carries them with the pipeline (`to_disk` /
`from_disk`), and the assets hash is kept in `nlp.meta["tradeline"]`. So a pipeline saved with
`nlp.to_disk` and loaded with `spacy.load` (our factories are registered through the
`spacy_factories` entry points) extracts the same facts and reports the same hash, and two
pipelines built from two folders in one process each keep their own data.
"""

from __future__ import annotations

from pathlib import Path

import spacy
from spacy.language import Language
from spacy.util import get_installed_models, is_package

# Importing these modules registers the factories with spaCy.
from tradeline.extractors.commodities import component as _commodities  # noqa: F401
from tradeline.extractors.companies import component as _companies  # noqa: F401
from tradeline.extractors.companies import filter as _company_filter  # noqa: F401
from tradeline.extractors.component_data import DataComponent
from tradeline.extractors.dates import attachment as _date_attachment  # noqa: F401
from tradeline.extractors.dates import component as _dates  # noqa: F401
from tradeline.extractors.events import component as _events  # noqa: F401
from tradeline.extractors.events import confidence as _event_confidence  # noqa: F401
from tradeline.extractors.events import proposals as _event_proposals  # noqa: F401
from tradeline.extractors.events import type_model as _event_types  # noqa: F401
from tradeline.extractors.orgs import component as _orgs  # noqa: F401
from tradeline.extractors.policy_dates import filter as _policy_date_filter  # noqa: F401
from tradeline.extractors.relevance import component as _relevance  # noqa: F401
from tradeline.extractors.text import line_breaks as _line_breaks  # noqa: F401
from tradeline.extractors.validity import component as _validity  # noqa: F401
from tradeline.models.assets import Assets

META_KEY = "tradeline"  # nlp.meta[META_KEY]["assets_hash"]: the data the components hold


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
    if Path(model_name).is_dir() and (Path(model_name) / "config.cfg").is_file():
        return
    raise ModelNotFoundError(model_name)


def build_pipeline(
    model_name: str, assets_dir: str | Path | None = None, *, trained: bool = True
) -> Language:
    """Load the base model by name and add our components in the defined order, each with its
    data files from `assets_dir` (None: the packaged models/). A saved tradeline pipeline
    (`nlp.to_disk`) already holds its components and their data; it is used as it is.

    `trained=False` leaves out the trained components (`[pipeline] trained`): the rule
    pipeline that `tradeline train` computes their features with."""
    ensure_model_installed(model_name)
    assets = Assets.at(assets_dir)
    definition = assets.definition()
    try:
        nlp = spacy.load(model_name)
    except OSError as exc:
        raise ModelNotFoundError(model_name, str(exc).splitlines()[0]) from exc
    first = "parser" if "parser" in nlp.pipe_names else None
    for name in definition["pipeline"].get("before_parser", []):
        if name not in nlp.pipe_names:
            nlp.add_pipe(name, before=first) if first else nlp.add_pipe(name, first=True)
    after = definition["pipeline"].get("after", "ner")
    previous = after if after in nlp.pipe_names else None
    added = False
    names = list(definition["pipeline"]["components"])
    if trained:
        names += definition["pipeline"].get("trained", [])
    for name in names:
        if name in nlp.pipe_names:
            continue
        add_component(nlp, name, assets, after=previous)
        previous, added = name, True
    if added or META_KEY not in nlp.meta:
        nlp.meta[META_KEY] = {
            "assets_hash": assets.hash(),
            "trained_hash": assets.trained_hash() if trained else None,
        }
    return nlp


def add_component(
    nlp: Language, name: str, assets: Assets | None = None, *, after: str | None = None
) -> DataComponent:
    """Add our component `name` to `nlp` (after the pipe `after`, else last) and read its data
    files from `assets` (None: the packaged models/), as models/pipeline.toml names them.

    The files are recorded in `nlp.config["initialize"]["components"]`, where spaCy keeps what
    a component's `initialize` reads."""
    assets = assets or Assets.packaged()
    definition = assets.definition()
    entries = definition.get("components", {}).get(name, {})
    if name in definition["pipeline"].get("trained", []):
        paths = {entry: str(assets.trained(folder)) for entry, folder in entries.items()}
    else:
        paths = {entry: str(assets.path(file)) for entry, file in entries.items()}
    pipe = nlp.add_pipe(name, after=after) if after else nlp.add_pipe(name)
    pipe.initialize(lambda: [], nlp=nlp, **paths)
    nlp.config["initialize"].setdefault("components", {})[name] = paths
    return pipe


def assets_hash(nlp: Language) -> str:
    """The hash of the assets folder `nlp`'s components were built from."""
    return str(nlp.meta[META_KEY]["assets_hash"])


def trained_hash(nlp: Language) -> str | None:
    """The training-data hash of `nlp`'s trained components (models/trained/manifest.json), or
    None for a pipeline built without them."""
    value = nlp.meta[META_KEY].get("trained_hash")
    return None if value is None else str(value)
