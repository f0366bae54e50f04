"""Negated licence grants (events/refusal.py): a refused or unrenewed licence is permit_denied,
a halt of every new licence is ban_introduced; pending, hedged and state wordings add no event.
Types only; sentences written here."""

from __future__ import annotations

import pytest

from tradeline.extractors.document import extract_doc

pytestmark = pytest.mark.slow

PUBLISHED = "2024-03-15"


def types(nlp, text: str) -> list[str]:
    return [e.type for e in extract_doc(nlp(text), PUBLISHED, nlp).events]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "The treasury said on Monday that it will not renew General License 12 when it "
            "expires in April.",
            ["permit_denied"],
        ),
        (
            "According to the ministry, there will be no renewal of the export licence held by "
            "Vantor Mining.",
            ["permit_denied"],
        ),
        (
            "Since February 2, no new permits for arms exports to Ruritania have been approved "
            "by the government.",
            ["ban_introduced"],
        ),
        (
            "The bureau said it is not planning to grant licences for capacity expansion at "
            "the plants.",
            ["permit_denied"],
        ),
    ],
)
def test_refusals(pipeline, text: str, expected: list[str]) -> None:
    assert types(pipeline, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "The ministry has not yet approved the export licence Vantor Mining applied for.",
        "Officials could not grant the licence before the deadline, the firm said.",
        "Vantor Mining complained that it had been granted no licence.",
    ],
)
def test_no_refusal(pipeline, text: str) -> None:
    assert not [t for t in types(pipeline, text) if t in ("permit_denied", "ban_introduced")]


def test_denial_noun(pipeline) -> None:
    text = "On Monday the ministry confirmed the denial of export licences to Vantor Mining."
    assert types(pipeline, text) == ["permit_denied"]
