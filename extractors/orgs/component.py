"""spaCy component `tradeline_orgs`: marks organisations that are not firms, and authorities.

Sets two span groups, nothing else:
- ``doc.spans["tl_nonfirm"]``: media (label ``media``) and governments, agencies, trade and
  intergovernmental bodies (label ``non_company``), from a list plus organisation head words;
- ``doc.spans["tl_authorities"]``: acting bodies, labelled with the country or bloc they act
  for (empty label when only the context can tell, e.g. "the ministry").

Countries come from two lists: the curated authorities (agencies, capitals, names as news writes
them) and a generated list of every country's names, capitals and demonyms (countries.jsonl),
so that "Namibia said" or "the Zambian government" acts for its country though no one listed
it. A generated one-word name or capital counts only where the parser's NER sees a place or
organisation there, or a proper noun it does not type ("Chad" the country, not Chad the person).
"""

from __future__ import annotations

from typing import ClassVar

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from tradeline.extractors.component_data import DataComponent, DataFile
from tradeline.extractors.orgs.lexicon import (
    AuthorityContext,
    AuthorityName,
    CountryRow,
    NonCompanyHeads,
    NonCompanyOrg,
)

NAME = "tradeline_orgs"
PLACE_ENTS = {"GPE", "LOC", "NORP", "ORG"}  # where a generated country name may stand
NONFIRM = "tl_nonfirm"
AUTHORITIES = "tl_authorities"


@Language.factory(NAME, assigns=["doc.spans"], requires=["doc.ents", "token.tag"])
def make_org_tagger(nlp: Language, name: str) -> OrgTagger:
    return OrgTagger(nlp, name)


class OrgTagger(DataComponent):
    """Finds non-firm organisations and authorities by list, head word and country adjective."""

    FILES: ClassVar[dict[str, str]] = {
        "non_company_orgs": ".jsonl",
        "non_company_heads": ".json",
        "authorities": ".jsonl",
        "authority_context": ".json",
        "countries": ".jsonl",
    }

    def initialize(
        self,
        get_examples: object = None,
        *,
        nlp: Language | None = None,
        non_company_orgs: str,
        non_company_heads: str,
        authorities: str,
        authority_context: str,
        countries: str,
    ) -> None:
        """Read the organisation lists (paths from models/pipeline.toml)."""
        self._read(
            non_company_orgs=non_company_orgs,
            non_company_heads=non_company_heads,
            authorities=authorities,
            authority_context=authority_context,
            countries=countries,
        )

    def _load(self, files: dict[str, DataFile]) -> None:
        nlp = self.nlp
        self.nonfirm = PhraseMatcher(nlp.vocab, attr="ORTH")
        by_kind: dict[str, list[str]] = {}
        for org in files["non_company_orgs"].rows(NonCompanyOrg):
            by_kind.setdefault(org.kind, []).append(org.name)
        for kind, names in by_kind.items():
            self.nonfirm.add(kind, list(nlp.tokenizer.pipe(names)))
        heads = files["non_company_heads"].parse(NonCompanyHeads)
        self.non_company_heads = set(heads.non_company)
        self.media_heads = set(heads.media)

        self.authority = PhraseMatcher(nlp.vocab, attr="ORTH")
        # Place names also match in capitals ("TOKYO (Reuters) -"); acronyms only as written.
        self.authority_folded = PhraseMatcher(nlp.vocab, attr="LOWER")
        by_country: dict[str, list[str]] = {}
        for row in files["authorities"].rows(AuthorityName):
            by_country.setdefault(row.country, []).append(row.text)
        for country, names in by_country.items():
            self.authority.add(country, list(nlp.tokenizer.pipe(names)))
            folded = [n for n in names if not n.isupper() and n[:1].isupper() and len(n) > 3]
            if folded:
                self.authority_folded.add(country, list(nlp.tokenizer.pipe(folded)))
        context = files["authority_context"].parse(AuthorityContext)
        self._load_countries(files["countries"].rows(CountryRow), by_country, context)
        self.generic = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.generic.add("generic", list(nlp.tokenizer.pipe(context.generic_authorities)))
        self.context = context  # also read by orgs/authorities.py: who acts in an event

    def _load_countries(
        self,
        rows: list[CountryRow],
        curated: dict[str, list[str]],
        context: AuthorityContext,
    ) -> None:
        """Every country's names and capitals not curated (`places`, checked against NER),
        and the demonyms, the curated ones first."""
        nlp = self.nlp
        listed = {name for names in curated.values() for name in names}
        self.places = PhraseMatcher(nlp.vocab, attr="ORTH")
        demonyms: dict[str, str] = {}
        for row in rows:
            names = [n for n in (*row.names, *row.capitals) if n not in listed]
            if names:
                self.places.add(row.country, list(nlp.tokenizer.pipe(names)))
            for demonym in row.demonyms:
                demonyms.setdefault(demonym, row.country)
        demonyms.update(context.demonyms)
        self.demonyms: dict[str, str] = demonyms
        self.demonym_words = max((len(d.split()) for d in demonyms), default=1)

    def __call__(self, doc: Doc) -> Doc:
        self._check_loaded()
        doc.spans[NONFIRM] = filter_spans(self._nonfirm(doc))
        doc.spans[AUTHORITIES] = filter_spans(self._authorities(doc))
        return doc

    def _nonfirm(self, doc: Doc) -> list[Span]:
        spans = [Span(doc, s, e, label=mid) for mid, s, e in self.nonfirm(doc)]
        for ent in doc.ents:
            if ent.label_ not in ("ORG", "PERSON", "GPE", "FAC", "WORK_OF_ART", "PRODUCT"):
                continue
            words = {t.lower_ for t in ent}
            if ent.label_ == "ORG" and self._headed_by_non_company(ent):
                spans.append(Span(doc, ent.start, ent.end, label="non_company"))
            elif words & self.media_heads and ent[-1].lower_ in self.media_heads:
                spans.append(Span(doc, ent.start, ent.end, label="media"))
        return spans

    def _headed_by_non_company(self, ent: Span) -> bool:
        """A listed word heads the name: its last word ('the Commerce Ministry'), or a word an
        'of' / 'for' / 'on' phrase follows ('Ministry of Commerce', 'Bureau of Industry and
        Security'). A listed word inside a firm's name does not ('Movement Mortgage', 'Hospital
        Corp of America', 'Acme Statistics Inc.')."""
        words = [t for t in ent if not t.is_punct and t.lower_ != "'s"]
        if not words:
            return False
        if words[-1].lower_ in self.non_company_heads:
            return True
        return any(
            t.lower_ in self.non_company_heads
            and t.i + 1 < ent.end
            and ent.doc[t.i + 1].lower_ in ("of", "for", "on")
            for t in words
        )

    def _authorities(self, doc: Doc) -> list[Span]:
        spans = []
        for mid, start, end in self.authority(doc):
            spans.append(Span(doc, start, end, label=doc.vocab.strings[mid]))
        for mid, start, end in self.authority_folded(doc):
            # "TOKYO (Reuters) -", "the Biden Administration": a name in other capitals.
            if end - start > 1 or doc[start:end].text.isupper():
                spans.append(Span(doc, start, end, label=doc.vocab.strings[mid]))
        for mid, start, end in self.places(doc):
            ent = doc[start].ent_type_
            if end - start > 1 or ent in PLACE_ENTS or (not ent and doc[start].pos_ == "PROPN"):
                spans.append(Span(doc, start, end, label=doc.vocab.strings[mid]))
        countries = {span.end: span.label_ for span in spans}  # by the token after the name
        for _, start, end in self.generic(doc):
            country = ""
            begin = start
            if start > 0:
                prev = doc[start - 1]
                demonym = self._demonym_before(doc, start)
                if demonym is not None:
                    country, begin = demonym
                elif prev.tag_ == "POS" and start - 1 in countries:
                    # "China's commerce ministry": the possessor's country, if it is one.
                    country = countries[start - 1]
            # Only lower-case or title-case generic heads; a matched name wins over a generic one.
            spans.append(Span(doc, begin, end, label=country))
        return spans

    def _demonym_before(self, doc: Doc, start: int) -> tuple[str, int] | None:
        """(country, first token) of a country adjective right before token `start` ("the
        South African government"), the longest first."""
        for n in range(min(self.demonym_words, start), 0, -1):
            words = doc[start - n : start].text
            if words in self.demonyms:
                return self.demonyms[words], start - n
        return None
