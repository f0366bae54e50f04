"""Common wordings of licensing actions and their types (GUIDELINES §3 and the annotation
conventions), and hedged or background wordings that state no action. Types only: dates are
tested elsewhere. Sentences written here."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tradeline.extractors.document import extract_doc
from tradeline.extractors.events.type_model import choose
from tradeline.extractors.learned.train import type_labels

pytestmark = pytest.mark.slow

PUBLISHED = "2024-03-15"


def types(nlp, text: str) -> list[str]:
    return [e.type for e in extract_doc(nlp(text), PUBLISHED, nlp).events]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Borduria's commerce ministry put six foreign firms on its unreliable entity list "
            "on Monday.",
            ["control_introduced"],
        ),
        (
            "Ruritania placed several rare earth magnets on its export control list in April.",
            ["control_introduced"],
        ),
        (
            "The bureau added 12 additional firms to its Entity List on Tuesday.",
            ["control_tightened"],
        ),
        (
            "Gallium refining technologies have been added by Borduria to the catalogue of "
            "exports it restricts.",
            ["control_introduced"],
        ),
        (
            "The government on Monday suspended 30 arms export licences to Ruritania.",
            ["permit_denied"],
        ),
        ("The treasury revoked General License 12 on Friday.", ["permit_denied"]),
        (
            "The government suspended the issuing of every new licence to export military "
            "goods to Ruritania.",
            ["ban_introduced"],
        ),
        (
            "Borduria said on Monday it would stop exporting tin ore from January 1.",
            ["ban_introduced"],
        ),
        (
            "The administration has put a temporary hold on approving applications to export "
            "liquefied gas.",
            ["permit_denied"],
        ),
        (
            "Earlier this month, the government scrapped the minimum export price on onions.",
            ["control_lifted"],
        ),
        (
            "The commerce department renewed Orvanta's temporary general license on Monday.",
            ["permit_issued"],
        ),
        (
            "Earlier, Ruritania halted exports of palm oil, while a ban on wheat exports had "
            "been issued by Borduria.",
            ["ban_introduced", "ban_introduced"],
        ),
        (
            "The licences were revoked by the ministry on Monday, barring Orvanta from selling "
            "chips to Ruritania.",
            ["permit_denied"],
        ),
    ],
)
def test_licensing_wordings(nlp, text: str, expected: list[str]) -> None:
    assert types(nlp, text) == expected


def test_suspended_licence_is_a_suspension(nlp) -> None:
    text = "The government on Monday suspended 30 arms export licences to Ruritania."
    (event,) = extract_doc(nlp(text), PUBLISHED, nlp).events
    assert event.subtype == "suspended"


def test_replacing_a_freeze_ends_it(nlp) -> None:
    text = "Replacing a temporary freeze on exports, a quota system will start on October 16."
    assert "ban_lifted" in types(nlp, text)


@pytest.mark.parametrize(
    "text",
    [
        "The ministry sought comment on the possible step of adding the technology to its "
        "export control list.",
        "Not every restriction has been removed, officials said.",
        "A record harvest could let the government permit more sugar exports.",
        "Chipmakers' shares fell amid heightened scrutiny of chip exports.",
        "Each export licence issued before October 7 was reviewed case by case.",
    ],
)
def test_hedged_or_background_wordings_are_no_events(nlp, text: str) -> None:
    assert types(nlp, text) == []


def test_classifier_type_replaces_the_rule_only_when_clearly_preferred() -> None:
    probs = {"control_introduced": 0.2, "control_tightened": 0.7, "ban_introduced": 0.1}
    assert choose("control_introduced", probs) == "control_tightened"
    assert choose("control_introduced", probs, min_probability=0.8) == "control_introduced"
    close = {"control_introduced": 0.4, "control_tightened": 0.55}
    assert choose("control_introduced", close) == "control_introduced"
    assert choose("ban_introduced", {}) == "ban_introduced"


def _cand(sent: str, start: int, etype: str) -> SimpleNamespace:
    return SimpleNamespace(sent=SimpleNamespace(text=sent, start=start), type=etype)


def test_type_labels_follow_the_gold_of_the_sentence() -> None:
    one = "Ruritania halted tin exports."
    two = "Borduria lifted its ban on tin exports and brought in quotas."
    gold = [
        {"type": "ban_introduced", "evidence": one},
        {"type": "ban_lifted", "evidence": two},
        {"type": "control_introduced", "evidence": two},
    ]
    cands = [
        _cand(one, 0, "control_introduced"),  # the sentence's one type
        _cand(two, 10, "ban_lifted"),  # its own type
        _cand(two, 10, "control_tightened"),  # the one type no candidate proposed
        _cand("Prices rose.", 30, "ban_introduced"),  # no gold: not a typing example
    ]
    assert type_labels(cands, gold) == [
        "ban_introduced",
        "ban_lifted",
        "control_introduced",
        None,
    ]
