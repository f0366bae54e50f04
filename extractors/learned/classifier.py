"""A trained spaCy text classifier over feature words.

Each trained part of tradeline is a spaCy pipeline of one `textcat` (or `textcat_multilabel`)
whose "documents" are lists of feature words that our rules compute: the words of an article's
lead, or the type, trigger and cue words of an event candidate. The bag-of-words model
(`spacy.TextCatBOW`) over such words is a logistic regression on hashed features: small (a few
hundred kB), fast (a dot product per row) and trainable on a few hundred examples with
`spacy train` (configs in models/training/).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import spacy
import srsly
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import load_model_from_config
from thinc.api import Config

EMPTY = "<empty>"  # the one word of a row without features (a Doc needs a token)


class FeatureClassifier:
    """Scores rows of feature words with a trained spaCy pipeline (one textcat)."""

    def __init__(self, nlp: Language) -> None:
        self.nlp = nlp
        pipes = [name for name in nlp.pipe_names if name.startswith("textcat")]
        if len(pipes) != 1:
            raise ValueError(f"a trained classifier has one textcat pipe, found {nlp.pipe_names}")
        self.labels: tuple[str, ...] = tuple(nlp.get_pipe(pipes[0]).labels)

    @classmethod
    def load(cls, path: str | Path) -> FeatureClassifier:
        path = Path(path)
        if not (path / "config.cfg").is_file():
            raise FileNotFoundError(f"no trained classifier in {path} (config.cfg missing)")
        return cls(spacy.load(path))

    def doc(self, words: Sequence[str]) -> Doc:
        return Doc(self.nlp.vocab, words=list(words) or [EMPTY])

    def scores(self, rows: Sequence[Sequence[str]]) -> list[dict[str, float]]:
        """One {label: probability} per row of feature words, in order."""
        if not rows:
            return []
        return [dict(d.cats) for d in self.nlp.pipe(self.doc(r) for r in rows)]

    def to_disk(self, path: str | Path) -> None:
        self.nlp.to_disk(path)

    def to_bytes(self) -> bytes:
        return srsly.msgpack_dumps({"config": self.nlp.config.to_str(), "nlp": self.nlp.to_bytes()})

    @classmethod
    def from_bytes(cls, data: bytes) -> FeatureClassifier:
        raw = srsly.msgpack_loads(data)
        nlp = load_model_from_config(Config().from_str(raw["config"]), auto_fill=False)
        return cls(nlp.from_bytes(raw["nlp"]))
