"""The orgs data files, typed (unknown keys are errors): models/data/orgs/."""

from __future__ import annotations

from typing import Literal

from tradeline.extractors.component_data import Lexicon, Row


class NonCompanyOrg(Row):
    """A named organisation that is not a firm (non_company_orgs.jsonl)."""

    name: str
    kind: Literal["media", "non_company"]


class AuthorityName(Row):
    """A name of a country or of an authority, with the country or bloc it acts for
    (authorities.jsonl); `kind` says which, for people: the rules read only text and country."""

    text: str
    country: str
    kind: Literal["country", "authority"]


class NonCompanyHeads(Lexicon):
    """Head words that make an organisation name a non-firm (non_company_heads.json)."""

    non_company: tuple[str, ...]
    media: tuple[str, ...]


class AuthorityContext(Lexicon):
    """Country adjectives, generic authority heads, destination prepositions and the words
    after which 'to X' is the authority addressed (authority_context.json)."""

    demonyms: dict[str, str]
    generic_authorities: tuple[str, ...]
    destination_preps: tuple[str, ...]
    applied_to: tuple[str, ...] = ()


class CountryRow(Row):
    """A country or territory with its names, capitals and demonyms (countries.jsonl, written
    by countries_source.py from a maintained list; the curated authorities win over it)."""

    country: str
    names: tuple[str, ...]
    capitals: tuple[str, ...]
    demonyms: tuple[str, ...]
