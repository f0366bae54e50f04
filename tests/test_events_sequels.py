"""Separately dated actions told on one trigger (events/sequels.py), an action in force at once
against one dated later (facts.EventFinder._immediate_and_later), differently numbered
licences (facts._object_id), an undated action's announcement date told past background
(events/fallback.py) and passive participles the small model tags as adjectives
(events/participles.py), verbs tagged as nouns before their object (events/verb_noun_swaps.py).
Sentences written here."""

from __future__ import annotations

import pytest
from spacy.tokens import Doc

from tradeline.extractors.document import extract_doc
from tradeline.extractors.events.participles import repair_passives
from tradeline.extractors.events.verb_noun_swaps import repair_swaps

pytestmark = pytest.mark.slow

PUBLISHED = "2024-07-01"


def events(nlp, text: str, published: str = PUBLISHED) -> list[tuple[str, str | None]]:
    return [(e.type, e.event_date) for e in extract_doc(nlp(text), published, nlp).events]


def test_followed_by_dates_a_further_approval(nlp) -> None:
    text = (
        "The ministry approved exports of gallium in early March, followed by germanium in "
        "late April."
    )
    assert sorted(events(nlp, text)) == [("permit_issued", "2024-03"), ("permit_issued", "2024-04")]


def test_a_follower_country_is_a_further_action(nlp) -> None:
    text = (
        "Ruritania restricted exports of drones in April 2024, and Borduria followed later "
        "that year."
    )
    assert sorted(events(nlp, text)) == [
        ("control_introduced", "2024"),
        ("control_introduced", "2024-04"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        # a preposition: the talks' date, not a second control
        "The ministry imposed export controls on gallium in June, following talks with Japan "
        "in May.",
        # a relative clause with an object of its own: the review's date
        "The ministry imposed export controls on gallium in June, which followed a review in May.",
    ],
)
def test_following_another_event_adds_none(nlp, text: str) -> None:
    assert events(nlp, text) == [("control_introduced", "2024-06")]


def test_immediate_ban_and_a_later_decision_are_two(nlp) -> None:
    text = (
        "Miners and the investment board have agreed to ban exports of nickel ore with "
        "immediate effect. The abrupt step brings forward an earlier decision to end such "
        "shipments in January 2026."
    )
    assert events(nlp, text, "2025-10-31") == [
        ("ban_introduced", None),
        ("ban_introduced", "2026-01"),
    ]


def test_restated_ban_still_merges(nlp) -> None:
    text = (
        "Ruritania will ban exports of bauxite from January 2026, the president said. The ban "
        "aims to lift domestic refining."
    )
    assert events(nlp, text, "2025-10-31") == [("ban_introduced", "2026-01")]


def _passive_doc(nlp, pos: str) -> Doc:
    """'that ban was partly reversed' with the participle tagged `pos`, as the model may."""
    words = ["that", "ban", "was", "partly", "reversed", "."]
    return Doc(
        nlp.vocab,
        words=words,
        pos=["DET", "NOUN", "AUX", "ADV", pos, "PUNCT"],
        tags=["DT", "NN", "VBD", "RB", "JJ" if pos == "ADJ" else "VBN", "."],
        deps=["det", "nsubjpass", "auxpass", "advmod", "ROOT", "punct"],
        heads=[1, 4, 4, 4, 4, 4],
        lemmas=["that", "ban", "be", "partly", "reversed", "."],
    )


def test_passive_adjective_becomes_a_verb(nlp) -> None:
    doc = _passive_doc(nlp, "ADJ")
    repaired = repair_passives(doc, nlp, {"reverse"})
    assert [t.i for t in repaired] == [4]
    assert (doc[4].pos_, doc[4].tag_, doc[4].lemma_) == ("VERB", "VBN", "reverse")


def test_other_adjectives_stay(nlp) -> None:
    doc = _passive_doc(nlp, "ADJ")
    assert repair_passives(doc, nlp, {"lift"}) == []  # not a trigger verb: left as tagged
    assert (doc[4].pos_, doc[4].tag_, doc[4].lemma_) == ("ADJ", "JJ", "reversed")


def test_differently_numbered_licences_are_two_actions(nlp) -> None:
    text = (
        "On Monday the Treasury revoked General License 12. Officials said there will be no "
        "renewal of General License {}."
    )
    assert events(nlp, text.format(15), "2024-03-05") == [
        ("permit_denied", "2024-03-04"),
        ("permit_denied", "2024-03-04"),
    ]
    assert events(nlp, text.format(12), "2024-03-05") == [("permit_denied", "2024-03-04")]


def test_undated_action_skips_a_background_date_for_the_announcement(nlp) -> None:
    text = (
        "The United States moved on January 30, 2024 to reimpose sanctions on Ruritania. Among "
        "the steps is a review of trade rules. The State Department listed the licences that "
        "were issued in October 2023. In particular, the Treasury revoked General License 12, "
        "which covered dealings with Ruritanian gold mines."
    )
    assert events(nlp, text, "2024-02-06") == [
        ("permit_issued", "2023-10"),
        ("permit_denied", "2024-01-30"),
    ]


def test_verb_tagged_as_noun_before_its_object(nlp) -> None:
    doc = nlp("The agency issued guidance that tightens controls on exports of drones.")
    assert (doc[5].tag_, doc[6].tag_) == ("VBZ", "NNS")  # re-tagged by the events component
    text = "The agency on Monday issued guidance that tightens controls on exports of drones."
    assert ("control_tightened", "2024-07-01") in events(nlp, text)


def test_swap_needs_a_trigger_verb_and_object() -> None:
    from spacy.vocab import Vocab

    words = ["guidance", "that", "tightens", "controls", "and", "apples", "grows"]
    doc = Doc(
        Vocab(),
        words=words,
        tags=["NN", "WDT", "NNS", "VBZ", "CC", "NNS", "VBZ"],
        lemmas=["guidance", "that", "tighten", "control", "and", "apple", "grow"],
    )
    pairs = repair_swaps(doc, {"tighten", "grow"}, {"control"})
    assert [(v.i, o.i) for v, o in pairs] == [(2, 3)]
    assert [t.tag_ for t in doc] == ["NN", "WDT", "VBZ", "NNS", "CC", "NNS", "VBZ"]
