"""A folder holding a pipeline definition (pipeline.toml) and its data files (data/), and one
hash over all of them.

The packaged folder is this package (models/); `--assets DIR` / `[model] assets_dir` name an
edited copy. `extractors.pipeline.build_pipeline` reads the folder once, hands each component its
files and records `Assets.hash()` in the pipeline's meta, so every run can trace a fact to the
exact patterns and gazetteers that produced it. Nothing here is process-wide: two pipelines built
from two folders in one process each keep their own data. Bump `ASSETS_VERSION` when a data file
changes meaning.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ASSETS_VERSION = "0.3.0"

MODELS_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Assets:
    """One assets folder: `root`/pipeline.toml and `root`/data/."""

    root: Path

    @classmethod
    def at(cls, path: str | Path | None = None) -> Assets:
        """The folder at `path` (None: the packaged models/), holding pipeline.toml and data/."""
        root = MODELS_DIR if path is None else Path(path).expanduser().resolve()
        if not (root / "pipeline.toml").is_file() or not (root / "data").is_dir():
            raise FileNotFoundError(f"assets folder {root} needs pipeline.toml and data/")
        return cls(root)

    @classmethod
    def packaged(cls) -> Assets:
        """The pipeline definition and data shipped with tradeline (models/)."""
        return cls.at(None)

    def definition(self) -> dict[str, Any]:
        """pipeline.toml: which of our components run, in which order, on which data files."""
        return tomllib.loads((self.root / "pipeline.toml").read_text(encoding="utf-8"))

    def path(self, name: str) -> Path:
        """A data file by the name the pipeline definition uses (relative to data/)."""
        path = self.root / "data" / name
        if not path.is_file():
            raise FileNotFoundError(f"model data file missing: {path}")
        return path

    def trained(self, name: str) -> Path:
        """A trained model folder (relative to this folder, e.g. "trained/relevance")."""
        path = self.root / name
        if not (path / "config.cfg").is_file():
            raise FileNotFoundError(
                f"trained model missing: {path} (build it with `tradeline train`)"
            )
        return path

    def trained_hash(self) -> str | None:
        """The combined training-data hash of trained/manifest.json (None without one)."""
        manifest = self.root / "trained" / "manifest.json"
        if not manifest.is_file():
            return None
        return str(json.loads(manifest.read_text(encoding="utf-8")).get("hash"))

    def files(self) -> list[Path]:
        """The pipeline definition plus every file under data/, in a stable order."""
        data = self.root / "data"
        found = [p for p in data.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
        return [
            self.root / "pipeline.toml",
            *sorted(found, key=lambda p: p.relative_to(data).as_posix()),
        ]

    def hash(self) -> str:
        """sha256 over the relative paths and bytes of all asset files (changes with any edit)."""
        digest = hashlib.sha256()
        digest.update(ASSETS_VERSION.encode())
        for path in self.files():
            rel = path.relative_to(self.root).as_posix()
            digest.update(rel.encode() + b"\0")
            digest.update(path.read_bytes())
            digest.update(b"\0")
        return digest.hexdigest()
