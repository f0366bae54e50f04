"""Components that own trained classifiers, the way `DataComponent` owns data files.

A trained component names its classifiers as entries (`MODELS`); models/pipeline.toml gives
each entry a folder under models/trained/. `initialize` loads them, `to_disk` / `from_disk` carry
them with the pipeline, so a pipeline saved with `nlp.to_disk` scores the same way after
`spacy.load`; `to_bytes` / `from_bytes` carry each classifier's config and weights.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import ClassVar

import srsly
from spacy.language import Language

from tradeline.extractors.learned.classifier import FeatureClassifier


class TrainedComponent:
    """Base of our components that own trained classifiers."""

    MODELS: ClassVar[tuple[str, ...]] = ()

    def __init__(self, nlp: Language, name: str) -> None:
        self.nlp = nlp
        self.name = name
        self.models: dict[str, FeatureClassifier] = {}
        self.sources: dict[str, str] = {}

    def initialize(
        self, get_examples: object = None, *, nlp: Language | None = None, **paths: str
    ) -> None:
        """Load each entry's classifier from its folder (paths from models/pipeline.toml)."""
        self._use({entry: Path(path) for entry, path in paths.items()})

    def _use(self, paths: dict[str, Path]) -> None:
        unknown = sorted(set(paths) - set(self.MODELS))
        missing = sorted(set(self.MODELS) - set(paths))
        if unknown or missing:
            raise ValueError(
                f"{self.name}: trained entries {list(self.MODELS)} expected"
                + (f"; unknown: {unknown}" if unknown else "")
                + (f"; missing: {missing}" if missing else "")
            )
        self.models = {entry: FeatureClassifier.load(path) for entry, path in paths.items()}
        self.sources = {entry: str(path) for entry, path in paths.items()}

    def _check_loaded(self) -> None:
        if not self.models:
            raise ValueError(
                f"component {self.name!r} has no trained model: build the pipeline with "
                "tradeline.extractors.pipeline.build_pipeline, or call its initialize()"
            )

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        for entry, model in self.models.items():
            model.to_disk(path / entry)

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> TrainedComponent:
        self._use({entry: Path(path) / entry for entry in self.MODELS})
        return self

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        return srsly.msgpack_dumps(
            {entry: model.to_bytes() for entry, model in self.models.items()}
        )

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> TrainedComponent:
        raw = srsly.msgpack_loads(data)
        self.models = {entry: FeatureClassifier.from_bytes(raw[entry]) for entry in self.MODELS}
        self.sources = {entry: f"<{self.name} bytes>/{entry}" for entry in self.MODELS}
        return self


class BinaryScorer(TrainedComponent):
    """A trained component that scores candidates the rules found, one yes/no label each.

    It adds nothing to the Doc: the facts that own the candidates build their feature rows,
    call `scores`, and drop those under `threshold` (the company and policy-date filters).
    """

    MODELS: ClassVar[tuple[str, ...]] = ("model",)
    LABEL: ClassVar[str] = ""
    threshold: float = 0.5

    def __call__(self, doc: object) -> object:
        return doc

    def scores(self, rows: Sequence[Sequence[str]]) -> list[float]:
        """P(`LABEL`) per candidate's feature row, in order."""
        self._check_loaded()
        if not rows:
            return []
        return [s[self.LABEL] for s in self.models["model"].scores(rows)]
