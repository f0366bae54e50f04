"""Data files read through typed lexicons: pydantic models that reject unknown keys, so a dead
or misspelt key fails loudly, naming its file."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

M = TypeVar("M", bound=BaseModel)


class DataError(ValueError):
    """A data file that is missing, not JSON, or does not match its schema."""


class Lexicon(BaseModel):
    """The schema of a JSON data file (or a section of one): every key is declared."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    doc: str = Field("", alias="_doc")  # what the file is for; read by people, not by rules


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



def read_lexicon(name: str, model: type[M]) -> M:
    """A JSON data file of the assets folder in use, as `model`."""
    from tradeline.models.assets import data_path

    return DataFile.read(data_path(name)).parse(model)


def read_rows(name: str, model: type[M]) -> tuple[M, ...]:
    """A JSON-lines data file of the assets folder in use, as `model` rows."""
    from tradeline.models.assets import data_path

    return tuple(DataFile.read(data_path(name)).rows(model))
