"""Language of an article body, so non-English pages can skip the English extractors.

py3langid (trafilatura's own choice) on a bounded prefix: the classifier is linear in the
input, and a few thousand characters are as decisive as a whole page. Too little text, or a
low-confidence guess, gives None rather than a wrong language.
"""

from __future__ import annotations

import re
from functools import cache

PREFIX_CHARS = 3000
MIN_LETTERS = 20
MIN_CONFIDENCE = 0.5


@cache
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language ("en", "de" ...), or None when it can't tell."""
    if not isinstance(text, str):
        return None
    sample = text[:PREFIX_CHARS]
    if len(re.findall(r"[^\W\d_]", sample)) < MIN_LETTERS:
        return None
    try:
        lang, conf = _identifier().classify(sample)
    except Exception:  # a classifier failure must not stop ingestion
        return None
    if not lang or lang == "und" or conf < MIN_CONFIDENCE:
        return None
    return str(lang)
