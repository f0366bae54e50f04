"""Components that own data files, the way spaCy's `SpanRuler` owns its patterns.

A component names its data files as entries (`FILES`: entry -> file suffix); models/pipeline.toml
gives each entry a file. `initialize` reads them, `to_disk` / `from_disk` and `to_bytes` /
`from_bytes` carry their bytes with the pipeline, so a pipeline saved with `nlp.to_disk` loads
with `spacy.load` and finds the same facts. The bytes are kept as read and parsed by the
component (`_load`) into typed lexicons: pydantic models that reject unknown keys, so a dead or
misspelt key fails loudly, naming its file.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Self, TypeVar

import srsly
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from spacy.language import Language

M = TypeVar("M", bound=BaseModel)


class DataError(ValueError):
    """A data file that is missing, not JSON, or does not match its schema."""


class Lexicon(BaseModel):
    """The schema of a JSON data file (or a section of one): every key is declared."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    doc: str = Field("", alias="_doc")  # what the file is for; read by people, not by rules

    @classmethod
    def read(cls, path: str | Path) -> Self:
        """The JSON file at `path` as this lexicon (code that has no pipeline: tests, tools)."""
        return DataFile.read(path).parse(cls)


class Row(BaseModel):
    """The schema of one line of a JSON-lines data file."""

    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass(frozen=True)
class DataFile:
    """One data file's bytes and where they were read from (named in errors)."""

    source: str
    raw: bytes

    @classmethod
    def read(cls, path: str | Path) -> DataFile:
        path = Path(path)
        if not path.is_file():
            raise DataError(f"data file missing: {path}")
        return cls(str(path), path.read_bytes())

    def parse(self, model: type[M]) -> M:
        """The JSON file as `model`."""
        try:
            return model.model_validate_json(self.raw)
        except ValidationError as exc:
            raise DataError(f"{self.source}: {exc}") from None

    def rows(self, model: type[M]) -> list[M]:
        """The JSON-lines file as `model` rows (blank lines and `//` comments skipped)."""
        out = []
        for number, line in enumerate(self.raw.decode("utf-8").splitlines(), start=1):
            line = line.strip()
            if not line or line.startswith("//"):
                continue
            try:
                out.append(model.model_validate_json(line))
            except ValidationError as exc:
                raise DataError(f"{self.source}, line {number}: {exc}") from None
        return out

    def json(self) -> Any:
        """The parsed JSON value, untyped (token patterns are spaCy's own schema)."""
        return json.loads(self.raw)


class DataComponent:
    """Base of our data-owning components: keeps the files, serialises them, reloads them."""

    FILES: ClassVar[dict[str, str]] = {}  # entry -> suffix of the file it is saved as

    def __init__(self, nlp: Language, name: str) -> None:
        self.nlp = nlp
        self.name = name
        self._files: dict[str, DataFile] = {}

    def _read(self, **paths: str | Path) -> None:
        """Load the entries from files (`initialize`)."""
        self._use({entry: DataFile.read(path) for entry, path in paths.items()})

    def _use(self, files: Mapping[str, DataFile]) -> None:
        unknown = sorted(set(files) - set(self.FILES))
        missing = sorted(set(self.FILES) - set(files))
        if unknown or missing:
            raise DataError(
                f"{self.name}: data entries {sorted(self.FILES)} expected"
                + (f"; unknown: {unknown}" if unknown else "")
                + (f"; missing: {missing}" if missing else "")
            )
        self._load(dict(files))
        self._files = dict(files)

    def _load(self, files: dict[str, DataFile]) -> None:
        """Parse the files and build the matchers (each component)."""
        raise NotImplementedError

    @property
    def sources(self) -> dict[str, str]:
        """Where each data entry was read from (a file of the assets folder, or of a saved
        pipeline)."""
        return {entry: file.source for entry, file in self._files.items()}

    def _check_loaded(self) -> None:
        if not self._files:
            raise DataError(
                f"component {self.name!r} has no data: build the pipeline with "
                "tradeline.extractors.pipeline.build_pipeline, or call its initialize()"
            )

    # ------------------------------------------------------------------ serialisation
    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        for entry, file in self._files.items():
            (path / f"{entry}{self.FILES[entry]}").write_bytes(file.raw)

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> DataComponent:
        path = Path(path)
        self._use({e: DataFile.read(path / f"{e}{suffix}") for e, suffix in self.FILES.items()})
        return self

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        return srsly.msgpack_dumps({entry: file.raw for entry, file in self._files.items()})

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> DataComponent:
        raw = srsly.msgpack_loads(data)
        self._use({entry: DataFile(f"<{self.name} bytes>/{entry}", raw[entry]) for entry in raw})
        return self
