"""One action told by a generic and a specific trigger takes the specific type
(events/framing.py); applications named as nouns and refused shipments (triggers.json).
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
            "The agency on March 4 issued a rule that broadens the reach of its export "
            "control list.",
            ["control_tightened"],
        ),
        (
            "The new measures, introduced from 1 March 2024, prohibit the export of drones "
            "to Ruritania.",
            ["ban_introduced"],
        ),
        (
            "The ministry will now work through the backlog of applications for export "
            "licences from arms makers.",
            ["permit_applied"],
        ),
        (
            "On Monday customs officials rejected three gallium shipments bound for Ruritania.",
            ["permit_denied"],
        ),
    ],
)
def test_framing_and_wordings(pipeline, text: str, expected: list[str]) -> None:
    assert types(pipeline, text) == expected


def test_generic_introduction_stays(pipeline) -> None:
    text = "The agency on March 4 issued new export controls on drone engines."
    assert types(pipeline, text) == ["control_introduced"]


@pytest.mark.parametrize(
    "text",
    [
        "On Monday the ministry barred local firms from dealing with Vantor Mining without a "
        "licence.",
        "In May the two firms were banned from buying parts from their suppliers without the "
        "government giving its go-ahead.",
    ],
)
def test_ban_without_licence_is_a_requirement(pipeline, text: str) -> None:
    assert types(pipeline, text) == ["control_introduced"]


def test_outright_ban_stays(pipeline) -> None:
    text = "On Monday the ministry banned exports of gallium to Ruritania."
    assert types(pipeline, text) == ["ban_introduced"]


def test_gerund_subject_is_no_event(pipeline) -> None:
    text = "The firm argues that blocking exports of chips forces Ruritania to innovate."
    assert types(pipeline, text) == []


def test_stop_answering_an_application_is_a_refusal(pipeline) -> None:
    text = (
        "On Thursday the government said it had stopped the export following a request by "
        "Vantor Pharma for permission to ship 40,000 doses to Ruritania."
    )
    assert "permit_denied" in types(pipeline, text)
    assert "ban_introduced" not in types(pipeline, text)


def test_named_firm_newly_obliged(pipeline) -> None:
    text = "Nvidia must now apply for export licences for sales of its two newest AI processors."
    assert types(pipeline, text) == ["control_introduced"]


def test_relative_clause_dated_from_outside_is_background(pipeline) -> None:
    text = (
        "Borduria will next week lift the ban it placed on exports of cooking oil, the "
        "president said on Thursday."
    )
    assert types(pipeline, text) == ["ban_lifted"]


def test_relative_clause_with_its_own_date_stays(pipeline) -> None:
    text = "Borduria will next week lift the ban it placed on cooking oil exports in April."
    assert sorted(types(pipeline, text)) == ["ban_introduced", "ban_lifted"]


def test_adverbial_between_commas(pipeline) -> None:
    text = (
        "Talks stalled after Borduria imposed, in April, requirements for export permits on "
        "seven rare earth elements."
    )
    assert types(pipeline, text) == ["control_introduced"]


def test_relative_clause_on_a_dated_object_stays(pipeline) -> None:
    text = (
        "Borduria agreed to postpone measures from September 29 that would have expanded "
        "restrictions on listed firms."
    )
    assert "control_tightened" in types(pipeline, text)


def test_application_noun_under_its_verb_is_one_event(pipeline) -> None:
    text = (
        "Vantor Mining said on Thursday it had filed an application for a permit covering "
        "its 2027 shipments of nickel ore."
    )
    assert types(pipeline, text) == ["permit_applied"]
