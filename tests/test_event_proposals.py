"""The learned event proposer (extractors/events/proposals.py): a backoff that proposes events in
sentences where the trigger rules found none, dated by the dating code like any candidate.

The classifier here is a tiny one trained in the test on sentences written for it, so the
assertions are about the mechanism (where proposals are made, how they are dated and dropped),
not about the shipped model."""

from __future__ import annotations

import pytest
import spacy
from spacy.training import Example
from spacy.util import fix_random_seed

from tradeline.extractors.document import extract_doc
from tradeline.extractors.events import proposals
from tradeline.extractors.events.proposals import NONE, RULE, anchor, choose, sentence_words
from tradeline.extractors.learned.classifier import FeatureClassifier
from tradeline.extractors.learned.train import PARTS, proposal_rows

PUBLISHED = "2024-03-15"
MISSED = "Ruritania's trade office stopped handing out shipment paperwork for cobalt on 3 March."


def test_choose_needs_the_threshold_and_more_than_no_event() -> None:
    probs = {"ban_introduced": 0.7, "permit_granted": 0.2, NONE: 0.4}
    assert choose(probs, 0.5) == "ban_introduced"
    assert choose(probs, 0.8) is None
    assert choose({"ban_introduced": 0.6, NONE: 0.9}, 0.5) is None
    assert choose({NONE: 0.9}, 0.5) is None


def test_sentence_words_fold_numbers_and_add_entity_labels(nlp) -> None:
    doc = nlp("Ruritania banned 40 tonnes of tin exports.")
    words = sentence_words(next(doc.sents))
    assert "#num" in words and "40" not in words
    assert "." not in words
    assert any(w.startswith("ent=") for w in words)


def test_anchor_is_the_verb_a_reporting_verb_introduces(nlp) -> None:
    doc = nlp("The ministry said it had stopped the shipments.")
    assert anchor(next(doc.sents)).lemma_ == "stop"


def test_the_part_is_registered_and_not_trained_by_default() -> None:
    part = PARTS["event_proposals"]
    assert part.rows is proposal_rows
    assert part.config.is_file()
    assert part.default is False
    # the event confidence reads proposals when the pipeline runs the proposer: trained after it
    assert (proposals.NAME, "event_proposals") in PARTS["events"].needs
    order = list(PARTS)
    assert order.index("event_proposals") < order.index("events")


def _tiny_model() -> FeatureClassifier:
    """A multi-label classifier that learned 'handing out paperwork' states a ban."""
    blank = spacy.blank("en")
    textcat = blank.add_pipe("textcat_multilabel")
    for label in ("ban_introduced", "permit_granted", NONE):
        textcat.add_label(label)
    positive = ["stop", "hand", "out", "shipment", "paperwork", "for", "cobalt"]
    negatives = [s.split() for s in ("price rise in march", "the team win the match", "rain")]
    rows = [(positive, "ban_introduced")] + [(n, NONE) for n in negatives]
    examples = []
    for words, label in rows:
        doc = spacy.tokens.Doc(blank.vocab, words=words)
        cats = {t: float(t == label) for t in textcat.labels}
        examples.append(Example.from_dict(doc, {"cats": cats}))
    fix_random_seed(0)
    optimizer = blank.initialize(lambda: examples)
    for _ in range(40):
        blank.update(examples, sgd=optimizer)
    return FeatureClassifier(blank)


@pytest.fixture(scope="module")
def with_proposer(nlp_model_name: str):
    from tradeline.extractors.pipeline import build_pipeline

    nlp = build_pipeline(nlp_model_name)
    pipe = nlp.add_pipe(proposals.NAME)
    pipe.models = {"model": _tiny_model()}
    return nlp


def events(nlp, text: str):
    return extract_doc(nlp(text), PUBLISHED, nlp).events


def test_a_sentence_the_rules_miss_gets_a_dated_proposal(nlp, with_proposer) -> None:
    assert events(nlp, MISSED) == []  # the rules alone find nothing
    found = events(with_proposer, MISSED)
    assert [(e.type, e.event_date, e.trigger) for e in found] == [
        ("ban_introduced", "2024-03-03", "stopped")
    ]


def test_a_hedged_sentence_gets_no_proposal(with_proposer) -> None:
    hedged = MISSED.replace("stopped", "could stop").replace(" on 3 March", "")
    sents = list(with_proposer(hedged).sents)
    assert [etype for _, etype, _ in with_proposer.get_pipe(proposals.NAME).propose(sents)] == [
        "ban_introduced"
    ]  # the classifier proposes it; the rules' hedge check drops it
    assert events(with_proposer, hedged) == []


def test_a_sentence_with_a_rule_event_gets_no_second_event(nlp, with_proposer) -> None:
    text = "Ruritania banned cobalt exports on 3 March."
    rule = [(e.type, e.event_date) for e in events(nlp, text)]
    assert rule == [("ban_introduced", "2024-03-03")]
    assert [(e.type, e.event_date) for e in events(with_proposer, text)] == rule


def test_proposals_carry_their_rule_into_the_confidence_features(with_proposer) -> None:
    from tradeline.extractors.companies.facts import find_companies
    from tradeline.extractors.dates.facts import find_date_mentions
    from tradeline.extractors.events.facts import EventFinder
    from tradeline.extractors.pipes import Pipes

    doc = with_proposer(MISSED)
    pipes = Pipes.of(with_proposer)
    firms = find_companies(doc, pipes.companies)
    dates = find_date_mentions(doc, PUBLISHED, pipes.dates)
    merged = EventFinder(pipes).merged(doc, PUBLISHED, firms, dates)
    assert [c.rule for c in merged] == [RULE]
