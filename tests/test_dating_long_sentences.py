"""A 'sentence' of hundreds of tokens (a list or table the parser cannot split) is dated near
each trigger only: the same dates as trying every date against every trigger, with far fewer
parse-path comparisons (trying them all made dating such a text quadratic)."""

from __future__ import annotations

import pytest

from tradeline.extractors.document import extract_doc
from tradeline.extractors.events import dating, facts


def _long_sentence(n: int) -> str:
    parts = [
        f"the ministry issued export licences to Zentrix{i} Metals Ltd on {1 + i % 28} March "
        f"2024 and banned exports of gallium from {1 + (i * 3) % 28} April 2024"
        for i in range(n)
    ]
    return "Officials said " + " and ".join(parts) + "."


@pytest.mark.slow
def test_a_long_sentence_is_dated_near_each_trigger_with_the_same_dates(
    nlp, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = nlp(_long_sentence(30))
    assert len(list(doc.sents)) == 1 and len(doc) > dating.LONG_SENTENCE

    calls = {"n": 0}
    real_path = facts._path

    def counted(a, b):
        calls["n"] += 1
        return real_path(a, b)

    monkeypatch.setattr(facts, "_path", counted)
    windowed = [(e.type, e.event_date) for e in extract_doc(doc, "2024-05-01", nlp).events]
    windowed_calls = calls["n"]

    calls["n"] = 0
    monkeypatch.setattr(dating, "LONG_SENTENCE", 10**9)  # every date against every trigger
    everything = [(e.type, e.event_date) for e in extract_doc(doc, "2024-05-01", nlp).events]

    assert windowed == everything
    assert len(windowed) >= 30 and all(date for _, date in windowed)
    assert windowed_calls * 2 < calls["n"]
