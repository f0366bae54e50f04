"""The hand-walked dependency templates give exactly what spaCy's DependencyMatcher gives.

The DependencyMatcher patterns below are the specification each template implements; both run
over the bundled sample articles and sentences written here, and must agree match for match,
in the same order.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from spacy.matcher import DependencyMatcher

from tradeline.extractors.events.dep_templates import (
    NODES,
    DepTemplates,
    DepVocab,
    company_object,
    lemma_object,
)
from tradeline.extractors.page import parse_page

pytestmark = pytest.mark.slow

SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "articles"
VERBS = ["apply", "issue", "grant", "impose", "ban", "lift", "require", "seek", "suspend", "extend"]
NOUNS = ["suspension", "lifting", "extension", "approval", "ban"]
OBJECTS = ["licence", "license", "permit", "export", "control", "ban", "restriction", "curb"]
DEPS = ["dobj", "nsubjpass", "attr", "obj"]
PREPS = ["for", "on", "of", "to"]
NOUN_PREPS = ["of", "on"]
SENTENCES = [
    "The ministry granted export licences to three firms on Monday.",
    "Three firms applied for export permits in March.",
    "The ban on gallium shipments that Beijing imposed in 2023 remains in force.",
    "Licences issued to the companies last week are valid for one year.",
    "Beijing imposed a ban on exports of gallium, and later lifted the ban.",
    "The rules require exporters to seek a permit for each shipment.",
    "The suspension of the licence requirement was extended until May.",
    "Washington suspended the curbs, which it had imposed in April, pending a review.",
    "Officials granted Acme Corp a licence; Acme Corp sought approval of the permit.",
]


def _spec(template: str, trig: dict, obj: dict) -> list[dict]:
    """The DependencyMatcher pattern of one template (node names as in NODES)."""

    def node(left: str, right: str, attrs: dict) -> dict:
        return {"LEFT_ID": left, "REL_OP": ">", "RIGHT_ID": right, "RIGHT_ATTRS": attrs}

    root = {"RIGHT_ID": "trig", "RIGHT_ATTRS": trig}
    if template == "alone":
        return [root]
    if template == "obj":
        return [root, node("trig", "obj", {"DEP": {"IN": DEPS}, **obj})]
    if template == "prep":
        prep = {"DEP": {"IN": ["prep", "agent"]}, "LOWER": {"IN": PREPS}}
        return [root, node("trig", "prep", prep), node("prep", "obj", {"DEP": "pobj", **obj})]
    if template == "noun":
        prep = {"DEP": "prep", "LOWER": {"IN": NOUN_PREPS}}
        return [root, node("trig", "prep", prep), node("prep", "obj", {"DEP": "pobj", **obj})]
    if template == "of":
        return [
            root,
            node("trig", "dobj", {"DEP": {"IN": ["dobj", "nsubjpass"]}}),
            node("dobj", "prep", {"DEP": "prep", "LOWER": "of"}),
            node("prep", "obj", {"DEP": "pobj", **obj}),
        ]
    if template == "clause":
        trig_clause = {**trig, "DEP": {"IN": ["acl", "relcl"]}}
        return [
            {"RIGHT_ID": "obj", "RIGHT_ATTRS": obj},
            {"LEFT_ID": "obj", "REL_OP": ">>", "RIGHT_ID": "trig", "RIGHT_ATTRS": trig_clause},
        ]
    assert template == "xcomp"
    return [
        root,
        node("trig", "inner", {"DEP": {"IN": ["xcomp", "ccomp"]}, "POS": "VERB"}),
        node("inner", "obj", {"DEP": {"IN": ["dobj", "pobj"]}, **obj}),
    ]


@pytest.fixture(scope="module")
def docs(pipeline) -> list:
    nlp = pipeline
    texts = [
        parse_page(p.read_bytes(), url=f"file:///{p.name}").text for p in SAMPLES.glob("*.html")
    ]
    return list(nlp.pipe(texts + SENTENCES))


def test_templates_match_dependency_matcher_exactly(docs: list) -> None:
    vocab = DepVocab(frozenset(DEPS), frozenset(PREPS), frozenset(NOUN_PREPS))
    ours = DepTemplates(vocab)
    spacy_matcher = DependencyMatcher(docs[0].vocab)
    cases = [
        ("verb", "VERB", VERBS, {"LEMMA": {"IN": OBJECTS}}, lemma_object(OBJECTS)),
        ("firm", "VERB", VERBS, {"_": {"tl_company": True}}, company_object),
        ("noun", "NOUN", NOUNS, {"LEMMA": {"IN": OBJECTS}}, lemma_object(OBJECTS)),
    ]
    for name, pos, lemmas, obj_attrs, obj_test in cases:
        trig = {"LEMMA": {"IN": lemmas}, "POS": pos}
        shapes = ["noun"] if pos == "NOUN" else ["alone", "obj", "prep", "of", "clause", "xcomp"]
        for shape in shapes:
            key = f"{name}#{shape}"
            ours.add(key, shape, lemmas, pos, obj_test)
            spacy_matcher.add(key, [_spec(shape, trig, obj_attrs)])
    total = 0
    for doc in docs:
        expected = [(doc.vocab.strings[mid], tuple(ids)) for mid, ids in spacy_matcher(doc)]
        got = [(key, ids) for key, _, ids in ours(doc)]
        assert got == expected, doc.text[:80]
        total += len(got)
    assert total > 20  # the texts exercise the templates, not just empty results
    shapes_seen = {key.split("#")[1] for doc in docs for key, _, _ in ours(doc)}
    assert {"obj", "prep", "clause", "noun", "alone"} <= shapes_seen


def test_node_names_follow_the_pattern_order() -> None:
    assert NODES["clause"] == ("obj", "trig")
    assert all("trig" in names for names in NODES.values())
