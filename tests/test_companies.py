"""Company recognition, exclusion, alias clustering and canonical names (sentences written here)."""

from __future__ import annotations

import pytest

from tradeline.extractors.companies.facts import find_companies
from tradeline.extractors.companies.names import CompanyNames, fix_case

NAMES = CompanyNames.from_assets()  # the packaged lexicon and gazetteer
canonical_name, strip_legal = NAMES.canonical_name, NAMES.strip_legal
is_acronym_of, is_short_form, same_firm = NAMES.is_acronym_of, NAMES.is_short_form, NAMES.same_firm

pytestmark = pytest.mark.slow


def firms(nlp, text: str) -> list:
    return find_companies(nlp(text), nlp.get_pipe("tradeline_companies")).facts


def names(nlp, text: str) -> list[str]:
    return [f.canonical for f in firms(nlp, text)]


# ---------------------------------------------------------------- recognition
def test_legal_suffix_and_head_words_make_a_firm(nlp):
    text = (
        "Exports by Hunan Orient Tungsten Co Ltd rose, "
        "while Qilu Magnetic Materials Group said it would expand."
    )
    got = names(nlp, text)
    assert "Hunan Orient Tungsten" in got
    assert "Qilu Magnetic Materials" in got  # trailing "Group" is not part of the canonical


def test_descriptor_apposition_marks_unknown_firm(nlp):
    got = names(nlp, "Battery maker Kestrel Volta and chipmaker Orvanta both applied for licences.")
    assert "Kestrel Volta" in got
    assert "Orvanta" in got


def test_list_after_companies_including(nlp):
    text = (
        "Licences went to several exporters, including Baohua Xinke and Tianrun Meiye, "
        "the ministry said."
    )
    got = names(nlp, text)
    assert "Baohua Xinke" in got and "Tianrun Meiye" in got


def test_a_legal_suffix_split_off_a_list_is_no_firm(nlp):
    text = (
        "Borduria added 12 companies, including Zenda Photonics and Orvanta, Inc., to its "
        "export control list."
    )
    got = names(nlp, text)
    assert "Zenda Photonics" in got and "Orvanta" in got
    assert not [n for n in got if n.rstrip(".").lower() in ("inc", "ltd", "co")]


def test_ticker_is_attached(nlp):
    facts = firms(nlp, "Shares of Lantern Dynamics (688123.SS) jumped 10% on the news.")
    assert [f.canonical for f in facts] == ["Lantern Dynamics"]
    assert facts[0].ticker == "688123.SS"


def test_firm_listed_with_a_known_firm(nlp):
    got = names(
        nlp, "Samsung Electronics and Hanbit Photonix will need licences for each shipment."
    )
    assert "Samsung Electronics" in got and "Hanbit Photonix" in got


def test_gazetteer_firm_gets_canonical_name(nlp):
    assert names(nlp, "Taiwan Semiconductor Manufacturing Co said demand was strong.") == ["TSMC"]


# ---------------------------------------------------------------- exclusions
def test_a_longer_name_around_a_known_firm_is_kept(nlp):
    """'Halmera Nickel Industries' is another firm than the gazetteer's 'Nickel Industries';
    a nationality in front of the known name is not part of it."""
    text = "Halmera Nickel Industries said on Thursday that it holds a new export permit for ore."
    assert names(nlp, text) == ["Halmera Nickel Industries"]
    text = "Nickel Industries said it had received an export permit on Monday."
    assert names(nlp, text) == ["Nickel Industries"]
    text = "Indonesian Nickel Industries said it had received an export permit on Monday."
    assert names(nlp, text) == ["Nickel Industries"]


def test_multi_word_datelines_are_not_firms(nlp):
    text = "KUALA LUMPUR - Malaysia's regulator renewed the licence of Ardent Rare Metals Bhd."
    assert names(nlp, text) == ["Ardent Rare Metals"]
    text = "NEW DELHI/MUMBAI - India will allow Kaveri Sugar Mills Ltd to export sugar."
    assert names(nlp, text) == ["Kaveri Sugar Mills"]


def test_an_agency_acronym_is_not_a_firm(nlp):
    """The acronym an agency is given in parentheses stays a non-company where it recurs."""
    text = (
        "The Mines and Geosciences Bureau (MGB) suspended the permit of Dinagat Blue Minerals "
        "Corp on Monday. The MGB said the order takes effect at once."
    )
    assert names(nlp, text) == ["Dinagat Blue Minerals"]
    text = "Orvex Mining Holdings (OMH) said it had applied for a permit. OMH shares rose."
    assert names(nlp, text) == ["Orvex Mining"]


def test_media_are_not_companies(nlp):
    text = (
        "Bloomberg News and the Financial Times reported the decision, citing Xinhua, "
        "while Kyodo said Tokyo was consulting Nikkei Asia editors."
    )
    assert names(nlp, text) == []


def test_governments_agencies_and_trade_bodies_are_not_companies(nlp):
    text = (
        "The Ministry of Commerce, the Bureau of Industry and Security, the European Commission, "
        "the World Trade Organization and the Semiconductor Industry Association all commented."
    )
    assert names(nlp, text) == []


def test_people_are_not_companies(nlp):
    text = "Spokesman Liang Wenbo told reporters that President Maria Okafor had approved the plan."
    assert names(nlp, text) == []


def test_unnamed_firms_are_not_companies(nlp):
    assert names(nlp, "Three Chinese magnet companies obtained permits on Monday.") == []


# ---------------------------------------------------------------- clustering
def test_short_form_is_an_alias_not_a_second_firm(nlp):
    text = (
        "Zhenhai Rare Earth Materials received a licence on Monday. "
        "Zhenhai said it would resume shipments to Europe."
    )
    facts = firms(nlp, text)
    assert len(facts) == 1
    assert facts[0].name == "Zhenhai Rare Earth Materials"
    assert "Zhenhai" in facts[0].aliases


def test_acronym_in_brackets_is_an_alias(nlp):
    text = (
        "The state-run Grain Export Trading Corp (GETC) will handle shipments. "
        "GETC said it was ready."
    )
    facts = firms(nlp, text)
    assert len(facts) == 1
    assert "GETC" in facts[0].aliases


def test_each_firm_once(nlp):
    text = "Nvidia shares rose. Nvidia said it had filed applications, and Nvidia expects approval."
    assert names(nlp, text) == ["Nvidia"]


# ---------------------------------------------------------------- canonical (pure)
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Hunan Orient Tungsten Co., Ltd.", "Hunan Orient Tungsten"),
        ("the Qilu Holdings Inc", "Qilu Holdings"),
        ("Kestrel Volta Corp", "Kestrel Volta"),
        ("SK Hynix Inc", "SK Hynix"),
    ],
)
def test_strip_legal(raw, expected):
    assert strip_legal(raw) == expected
    # the canonical form also drops trailing group words ("Holdings"), as the scorer does
    assert canonical_name(raw) == expected.removesuffix(" Holdings")


def test_fix_case_tames_shouting_keeps_acronyms():
    assert fix_case("ORVANTA TECHNOLOGY BYD") == "Orvanta Technology BYD"


def test_same_firm_variants():
    assert same_firm("Zhenhai Rare Earth", "Zhenhai Rare Earths")
    assert same_firm("Ningxia Yuansheng", "Ningxia Yunsheng")  # one-letter misspelling
    assert not same_firm("Anhui Northern Rare Earth", "Anhui Southern Rare Earth")
    assert not same_firm("Samsung Electronics", "Samsung SDI")


def test_short_forms_and_acronyms():
    assert is_short_form("Qilu Magnetic", "Qilu Magnetic Materials Group")
    assert is_short_form("Tai Ping Yang", "Shenzhen Tai Ping Yang Hi-Tech")
    assert not is_short_form("Materials Group", "Qilu Magnetic Materials Group")
    assert is_acronym_of("GETC", "Grain Export Trading Corp")
    assert not is_acronym_of("Getc", "Grain Export Trading Corp")


def test_metal_head_words_and_parser_splits(nlp):
    got = names(nlp, "Hengdian Group Kelon Magnetics said it had applied for licences.")
    assert got == ["Hengdian Group Kelon Magnetics"]
    assert names(nlp, "Jiangxi Copper said on Monday it had received an export licence.") == [
        "Jiangxi Copper"
    ]


def test_gazetteer_canonical_survives_extra_head_words(nlp):
    assert names(nlp, "Shares of Shenghe Resources Holding Co rose 3% on Friday.") == [
        "Shenghe Resources"
    ]


def test_mixed_case_names_keep_their_casing():
    assert fix_case("Hengdian Group DMEGC") == "Hengdian Group DMEGC"
