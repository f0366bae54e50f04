"""Companies on unseen styles: canonical names across articles, tickers, credits, defined
acronyms, legal tails after 'and', context that only firms take (sentences written here)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradeline.extractors.companies.facts import find_companies
from tradeline.extractors.companies.names import CompanyNames
from tradeline.models.assets import Assets

GAZETTEER_PATH = Assets.packaged().path("companies/gazetteer.jsonl")
NAMES = CompanyNames.from_assets()  # the packaged lexicon and gazetteer
canonical_form, canonical_name = NAMES.canonical_form, NAMES.canonical_name
fold_key = NAMES.fold_key
gazetteer_canonical, gazetteer_fuzzy = NAMES.gazetteer_canonical, NAMES.gazetteer_fuzzy
same_firm = NAMES.same_firm


# ---------------------------------------------------------------- canonical (pure, fast)
@pytest.mark.parametrize(
    "variants",
    [
        [
            "Qinling Mag Rare Earths",
            "Qinling Mag Rare-Earth Co Ltd",
            "QINLING MAG RARE-EARTH CO., LTD.",
        ],
        [
            "Dongfang Hi-Tech Magnet Co",
            "Dongfang High Tech Magnet",
            "Dongfang High-Tech Magnet Ltd",
        ],
        ["PT Borneo Alumina Prima Tbk", "Borneo Alumina Prima"],
        ["Kestrel Volta (Group) Holdings Ltd", "Kestrel Volta Group", "Kestrel Volta"],
        ["Arvelo Semiconductors Inc", "Arvelo Semiconductor Corp"],
    ],
)
def test_one_canonical_across_articles(variants):
    """The warehouse merges canonicals case-insensitively: all spellings must agree."""
    keys = {canonical_name(v).casefold() for v in variants}
    assert len(keys) == 1, {v: canonical_name(v) for v in variants}


def test_canonical_form_keeps_distinctive_words_and_case():
    assert canonical_form("Zhuzhou Smelter Group") == "Zhuzhou Smelter"
    assert canonical_form("Nickel Asia Corp") == "Nickel Asia"
    assert canonical_form("Group") == "Group"  # never empty
    assert fold_key("Foo-Bar Metal Industries Ltd") == fold_key("Foo Bar Metal Industries")


def test_gazetteer_fuzzy_matches_spelling_variants_only():
    assert gazetteer_canonical("Lynas Rare Earth Ltd") == "Lynas Rare Earths"
    assert gazetteer_fuzzy("Tokyo Electron Limited") == "Tokyo Electron"
    assert gazetteer_fuzzy("Samsung SDS") is None  # one letter from "Samsung SDI": another firm
    assert gazetteer_fuzzy("Glencor") is None  # too short to guess


def test_gazetteer_is_broad_across_sectors():
    """General knowledge of the sectors trade controls touch, not a list of test answers."""
    rows = [json.loads(line) for line in GAZETTEER_PATH.read_text().splitlines() if line.strip()]
    sectors: dict[str, int] = {}
    for row in rows:
        sectors[row["sector"]] = sectors.get(row["sector"], 0) + 1
    for sector in (
        "semiconductors",
        "chipmaking equipment",
        "autos",
        "batteries",
        "mining",
        "rare earths",
        "agriculture",
        "finance",
        "exchange",
        "vaccines",
    ):
        assert sectors.get(sector, 0) >= 4, (sector, sectors.get(sector))
    assert len(rows) >= 300
    canon = [r["canonical"] for r in rows]
    assert len(canon) == len(set(canon))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60), st.text(max_size=60))
def test_normaliser_never_raises(a, b):
    assert isinstance(canonical_form(a), str)
    assert isinstance(canonical_name(a), str)
    assert isinstance(fold_key(a), str)
    gazetteer_fuzzy(a)
    assert isinstance(same_firm(a, b), bool)


# ---------------------------------------------------------------- in text (spaCy)

def names(nlp, text: str) -> list[str]:
    firms = find_companies(nlp(text), nlp.get_pipe("tradeline_companies"))
    return [f.canonical for f in firms.facts]


@pytest.mark.slow
def test_tickers_are_attributes_not_firms(nlp):
    text = (
        "The ministry granted permits to Orvanta Metals (ORVM.SI), Pelago Mas (PLGM.JK) "
        "and Tenzing Cobalt (603111.SS) on Monday."
    )
    facts = find_companies(nlp(text), nlp.get_pipe("tradeline_companies")).facts
    got = [f.canonical for f in facts]
    assert not any("." in g for g in got), got
    assert {"Orvanta Metals", "Tenzing Cobalt"} <= set(got)
    assert {f.ticker for f in facts if f.canonical == "Orvanta Metals"} == {"ORVM.SI"}


@pytest.mark.slow
def test_credit_lines_and_bylines_are_people(nlp):
    text = (
        "By Marta Velasco\nThe ministry revoked the permit of Kestrel Volta Corp.\n"
        "(Reporting by Anand Rahul Mehta; Editing by Susan Brightwater)"
    )
    assert names(nlp, text) == ["Kestrel Volta"]


@pytest.mark.slow
def test_acronym_defined_by_lower_case_words_is_a_term(nlp):
    text = (
        "Exporters must meet the domestic supply quota (DSQ) before shipping. "
        "Under the DSQ rules, Halvard Agro Ltd sold half its output at home, "
        "and the DSQ was later relaxed."
    )
    assert names(nlp, text) == ["Halvard Agro"]


@pytest.mark.slow
def test_legal_tail_after_and_finishes_the_name(nlp):
    text = "Permits went to PT Surya Nusantara Resources and Technology Tbk (SNRT.JK) last week."
    got = names(nlp, text)
    assert len(got) == 1 and got[0].startswith("Surya Nusantara Resources and Technology"), got


@pytest.mark.slow
@pytest.mark.parametrize(
    ("text", "firm"),
    [
        ("Analysts at Brevik said more curbs were likely.", "Brevik"),
        ("The doses were filled at the Sorvex plant near Milan.", "Sorvex"),
        ("Tallor Agri, a little-known trader, was fined.", "Tallor Agri"),
        ("Ostrava and Belzinka, Russia's largest producers, declined to comment.", "Belzinka"),
        ("Shares of Valtronix rose 4% on Tuesday.", "Valtronix"),
        ("Economists at Marlowe said exports would slow.", "Marlowe"),
    ],
)
def test_context_that_only_firms_take(nlp, text, firm):
    assert firm in names(nlp, text)


@pytest.mark.slow
def test_agency_acronym_with_legal_suffix_is_a_firm(nlp):
    # "ITC" alone is the US International Trade Commission; "ITC Ltd" is a firm.
    assert "ITC" in names(nlp, "Exporters including ITC Ltd applied for licences.")


@pytest.mark.slow
def test_name_list_at_the_end_of_the_text(nlp):
    # found by hypothesis: an apposition scan ran past the last token
    assert isinstance(names(nlp, "PT , July"), list)
    assert isinstance(names(nlp, "Orvex Metals and Velmora"), list)


@pytest.mark.slow
def test_names_after_a_colon_that_counts_firms(nlp):
    text = (
        "Three European companies also hold licences for operating there: "
        "Sarvolo, Brenta and Dumont et Ferrand."
    )
    got = names(nlp, text)
    assert {"Sarvolo", "Brenta"} <= set(got), got
    assert any(g.startswith("Dumont et Ferrand") for g in got), got


@pytest.mark.slow
def test_a_colon_without_counted_firms_opens_no_list(nlp):
    text = "The ministry said in a statement: Washington will decide on Marlow Bay soon."
    assert "Washington" not in names(nlp, text)


@pytest.mark.slow
def test_plural_after_the_introducer(nlp):
    text = (
        "The rule spares oil companies with operations there, such as the European firms "
        "Shell, Vantoro and Keldar."
    )
    got = names(nlp, text)
    assert {"Vantoro", "Keldar"} <= set(got), got


@pytest.mark.slow
def test_bracketed_legal_name_glosses_the_name_before_it(nlp):
    text = (
        "The licence covered dealings with Orvalen (Compania Minera del Orvalen Sur CA), "
        "a state-run miner. Banks may wind down transactions with Orvalen until March."
    )
    firms = find_companies(nlp(text), nlp.get_pipe("tradeline_companies"))
    assert [f.canonical for f in firms.facts] == ["Orvalen"]
    assert firms.facts[0].aliases == ["Compania Minera del Orvalen Sur CA"]
    assert len(firms.facts[0].mentions) == 3


@pytest.mark.slow
def test_a_region_described_as_a_producer_is_no_firm(nlp):
    text = (
        "Prices rose in the most populous nation of Southeast Asia, the world's biggest "
        "producer of palm oil, before Halvard Agro Ltd cut output."
    )
    assert "Southeast Asia" not in names(nlp, text)


@pytest.mark.slow
def test_every_mention_of_a_recognised_name_counts(nlp):
    text = (
        "Velmora Tools shipped gallium wafers to Ostland. Shares of Velmora Tools fell 3%, "
        "and Velmora Tools said sales would slow."
    )
    facts = find_companies(nlp(text), nlp.get_pipe("tradeline_companies")).facts
    assert [(f.canonical, len(f.mentions)) for f in facts] == [("Velmora Tools", 3)]
