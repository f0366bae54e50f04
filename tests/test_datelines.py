"""Datelines, one helper for every kind: a dateline's place is no firm and no actor, and its
date dates nothing the article tells."""

from __future__ import annotations

import spacy

from tradeline.extractors.text.datelines import (
    is_dateline_or_timestamp,
    is_dateline_place,
    starts_dateline,
)

NLP = spacy.blank("en")


def test_a_name_run_that_opens_a_dateline() -> None:
    doc = NLP("KUALA LUMPUR (Reuters) - Malaysia said on Monday.\nTOKYO - Japan said.")
    assert starts_dateline(doc, 0)
    tokyo = next(t.i for t in doc if t.text == "TOKYO")
    assert starts_dateline(doc, tokyo)
    assert not starts_dateline(doc, next(t.i for t in doc if t.text == "Malaysia"))
    assert not starts_dateline(NLP("US - China talks"), 0)  # two letters: not a place


def test_an_authority_name_as_a_dateline_place() -> None:
    doc = NLP("BEIJING (Reuters) - China's commerce ministry said.")
    assert is_dateline_place(doc[0:1])
    assert not is_dateline_place(doc[4:5])  # "China": not in capitals, not at a line start


def test_dates_in_datelines_and_timestamps() -> None:
    text = "BEIJING, Sept 21 (Reuters) - The ministry acted on Sept 21.\nPublished 03 Dec, 2024"
    first = text.index("Sept 21")
    assert is_dateline_or_timestamp(first, first + 7, text, ["published"])
    later = text.rindex("Sept 21")
    assert not is_dateline_or_timestamp(later, later + 7, text, ["published"])
    stamp = text.index("03 Dec")
    assert is_dateline_or_timestamp(stamp, len(text), text, ["published"])


def test_an_all_caps_headline_is_no_dateline_and_is_decided_at_once() -> None:
    """The word patterns cannot split a word many ways: before, 24 capitals before a failing
    character took seconds and each one more doubled it, so one headline stalled a whole
    extract job. The alarm turns such a stall into a failure instead of a hung test run."""
    import signal

    from tradeline.extractors.text.datelines import is_dateline_or_timestamp

    headlines = [
        "US COMMERCE DEPARTMENT ADDS CHINESE CHIPMAKERS TO ENTITY LIST, EFFECTIVE MONDAY",
        "CHINA BANS GALLIUM EXPORTS FROM AUG. 1, COMMERCE MINISTRY SAID ON MONDAY",
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ" * 3 + " said on MONDAY",
    ]

    def stalled(signum: int, frame: object) -> None:
        raise TimeoutError("the dateline check backtracked")

    previous = signal.signal(signal.SIGALRM, stalled)
    signal.alarm(60)
    try:
        for text in headlines:
            start = text.rindex("MONDAY")
            assert not is_dateline_or_timestamp(start, start + 6, text, ["published"])
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
