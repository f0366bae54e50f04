"""The `tradeline extract --input articles.jsonl --output results.jsonl` contract (GUIDELINES).

One JSON object per input line (`id`, `text`, `published`, optional `title`, `url`); one JSON
object per output line with the same `id` and the contract's fields (`Extraction.to_contract`).

Two kinds of bad record, two rules. A line that is not a valid article object (`batch_input.py`)
stops the job before the model loads, naming the line, and nothing is written: the file is
wrong and is fixed first. An article whose extraction fails gets one error record in its place,
`{"id": …, "companies": [], "events": [], "validity_periods": [], "policy_dates": [],
"error": "…"}` (the contract's fields, empty, plus `error`; extra fields are allowed), and every
other article is processed (`isolated.py`). Texts of any length are extracted
(`long_text.py`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tradeline.config import ModelConfig
from tradeline.extractors.batch_input import InputError, read_articles
from tradeline.extractors.engine import Extractor
from tradeline.extractors.isolated import extract_isolated
from tradeline.records import Extraction

__all__ = ["InputError", "error_record", "run_extract"]


def error_record(article_id: str, exc: BaseException) -> dict[str, Any]:
    """The output line of an article whose extraction failed: empty facts and the reason."""
    detail = " ".join(str(exc).split())[:300]
    reason = f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
    return {**Extraction().to_contract(article_id), "error": f"extraction failed: {reason}"}


def run_extract(
    input_path: Path,
    output_path: Path,
    model: ModelConfig,
    *,
    all_events: bool = False,
    progress: Callable[[int], None] | None = None,
    on_error: Callable[[str, str], None] | None = None,
    on_start: Callable[[int], None] | None = None,
) -> int:
    """Extract every article of `input_path` into `output_path`; returns the number of articles.

    The input is validated in full before the model loads, so a bad line fails fast with its
    line number (InputError) and no partial output is written; then `on_start(n_articles)`
    is called. An article whose extraction
    fails is written as an error record (`error_record`), reported to `on_error(id, reason)`,
    and the others are processed. `model.n_process` > 1 runs `nlp.pipe` in that many
    worker processes (each loads the model); the output is the same, in input order.
    `all_events` puts every event in `events`, whatever its relevance and confidence.
    """
    input_path, output_path = Path(input_path), Path(output_path)
    articles = list(read_articles(input_path))
    if on_start is not None:
        on_start(len(articles))
    extractor = Extractor(model, all_events=all_events)
    output_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = output_path.with_name(output_path.name + ".part")
    n = 0
    with tmp.open("w", encoding="utf-8") as out:
        results = extract_isolated(extractor, [(text, pub) for _, text, pub in articles])
        for (article_id, _, _), result in zip(articles, results, strict=True):
            if isinstance(result, Exception):
                row = error_record(article_id, result)
                if on_error is not None:
                    on_error(article_id, row["error"])
            else:
                row = result.to_contract(article_id)
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            n += 1
            if progress is not None:
                progress(1)
    tmp.replace(output_path)
    return n
