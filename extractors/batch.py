"""The `tradeline extract --input articles.jsonl --output results.jsonl` contract (GUIDELINES).

One JSON object per input line (`id`, `text`, `published`, optional `title`, `url`); one JSON
object per output line with the same `id` and the contract's fields (`Extraction.to_contract`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from tradeline.config import ModelConfig
from tradeline.extractors.engine import Extractor


class InputError(ValueError):
    """A line of the input file is not a usable article object."""


def _articles(input_path: Path) -> Iterator[tuple[str, str, str | None]]:
    with input_path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row: Any = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(
                    f"{input_path}: line {number} is not valid JSON: {exc.msg}"
                ) from exc
            if not isinstance(row, dict):
                raise InputError(f"{input_path}: line {number} is not a JSON object")
            if "id" not in row or row["id"] is None:
                raise InputError(f"{input_path}: line {number} has no 'id'")
            text = row.get("text")
            if text is not None and not isinstance(text, str):
                raise InputError(f"{input_path}: line {number}: 'text' must be a string")
            published = row.get("published")
            if published is not None and not isinstance(published, str):
                raise InputError(f"{input_path}: line {number}: 'published' must be a string")
            yield str(row["id"]), text or "", published


def run_extract(
    input_path: Path,
    output_path: Path,
    model: ModelConfig,
    *,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Extract every article of `input_path` into `output_path`; returns the number of articles.

    The input is validated in full before the model loads, so a bad line fails fast with its
    line number and no partial output is written. `model.n_process` > 1 runs `nlp.pipe` in that
    many worker processes (each loads the model); the output is the same, in input order.
    """
    input_path, output_path = Path(input_path), Path(output_path)
    articles = list(_articles(input_path))
    extractor = Extractor(model)
    output_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = output_path.with_name(output_path.name + ".part")
    n = 0
    with tmp.open("w", encoding="utf-8") as out:
        results = extractor.extract_many((text, published) for _, text, published in articles)
        for (article_id, _, _), extraction in zip(articles, results, strict=True):
            out.write(json.dumps(extraction.to_contract(article_id), ensure_ascii=False) + "\n")
            n += 1
            if progress is not None:
                progress(1)
    tmp.replace(output_path)
    return n
