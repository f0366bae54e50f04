"""The companies data files, typed (unknown keys are errors): models/data/companies/."""

from __future__ import annotations

from tradeline.extractors.component_data import Lexicon, Row


class GazetteerEntry(Row):
    """A known firm: its canonical name, the aliases it is written as, its sector."""

    canonical: str
    aliases: tuple[str, ...]
    sector: str = ""


class CompanyLexicon(Lexicon):
    """Word lists of the company recogniser and the canonicaliser (lexicon.json)."""

    legal_suffixes: tuple[str, ...]
    legal_prefixes: tuple[str, ...]
    strip_for_canonical: tuple[str, ...]
    head_words: tuple[str, ...]
    company_descriptors: tuple[str, ...]
    descriptor_blockers: tuple[str, ...]
    company_plurals: tuple[str, ...]
    list_introducers: tuple[str, ...]
    possessive_corporate_nouns: tuple[str, ...]
    corporate_verbs: tuple[str, ...]
    person_titles: tuple[str, ...]
    ticker_regex: str
    exchange_prefixes: tuple[str, ...]
    run_joiners: tuple[str, ...]
    statement_verbs: tuple[str, ...]
    canonical_folds: dict[str, str]  # word -> folded spelling ("_doc" explains them)
    canonical_tail_words: tuple[str, ...]
    credit_words: tuple[str, ...]
    support_before: tuple[str, ...]
    facility_nouns: tuple[str, ...]
    non_company_descriptors: tuple[str, ...]  # "regulator X", "X, the newspaper" (or two words)
    place_suffixes: tuple[str, ...]  # "X-based": X is a place
    place_cues: tuple[str, ...]  # "based in X": X is a place
    government_titles: tuple[str, ...]  # "the Trade minister": an office, not a firm
    government_nouns: tuple[str, ...]  # "Jokowi's administration": a person or a country
    asset_nouns: tuple[str, ...]  # "Lukoil's NORSI oil refinery": a site's name
    term_nouns: tuple[str, ...]  # "the VEU program", "the SCOMET list": a programme's name
    # firm introductions (companies/introductions.py)
    firm_introducer_nouns: tuple[str, ...]  # "recycler X": descriptors beyond company_descriptors
    person_descriptors: tuple[str, ...]  # "trader X": descriptors people take too (no PERSON veto)
    firm_apposition_nouns: tuple[str, ...]  # "X, the joint venture of ...": firm nouns after X
    firm_verbs: tuple[str, ...]  # "X, which makes parts": a firm's verbs in a relative clause
    firm_name_nonfirm_words: tuple[str, ...]  # "Diehl Defence": agency words firms' names take
    # events' counted unnamed firms named later (events/firm_lists.py)
    group_quantifiers: tuple[str, ...]  # "several Chinese firms": a group like "three firms"
    member_list_words: tuple[str, ...]  # "The firms include A, B": the group's members follow
    # firms an event's sentence names in another role (events/firm_roles.py)
    relation_nouns: tuple[str, ...]  # "X, the unit of Y", "Y's parent": an owner or partner
    deal_nouns: tuple[str, ...]  # "a contract with Y": a counterparty
