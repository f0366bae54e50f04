"""spaCy component `tradeline_orgs`: marks organisations that are not firms, and authorities.

Sets two span groups, nothing else:
- ``doc.spans["tl_nonfirm"]``: media (label ``media``) and governments, agencies, trade and
  intergovernmental bodies (label ``non_company``), from a list plus organisation head words;
- ``doc.spans["tl_authorities"]``: acting bodies, labelled with the country or bloc they act
  for (empty label when only the context can tell, e.g. "the ministry").
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
    NonCompanyHeads,
    NonCompanyOrg,
)

NAME = "tradeline_orgs"
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
    ) -> None:
        """Read the organisation lists (paths from models/pipeline.toml)."""
        self._read(
            non_company_orgs=non_company_orgs,
            non_company_heads=non_company_heads,
            authorities=authorities,
            authority_context=authority_context,
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
        self.demonyms: dict[str, str] = context.demonyms
        self.generic = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.generic.add("generic", list(nlp.tokenizer.pipe(context.generic_authorities)))
        self.context = context  # also read by orgs/authorities.py: who acts in an event

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
            if ent.label_ == "ORG" and words & self.non_company_heads:
                spans.append(Span(doc, ent.start, ent.end, label="non_company"))
            elif words & self.media_heads and ent[-1].lower_ in self.media_heads:
                spans.append(Span(doc, ent.start, ent.end, label="media"))
        return spans

    def _authorities(self, doc: Doc) -> list[Span]:
        spans = []
        for mid, start, end in self.authority(doc):
            spans.append(Span(doc, start, end, label=doc.vocab.strings[mid]))
        for mid, start, end in self.authority_folded(doc):
            if doc[start:end].text.isupper():
                spans.append(Span(doc, start, end, label=doc.vocab.strings[mid]))
        for _, start, end in self.generic(doc):
            country = ""
            begin = start
            if start > 0:
                prev = doc[start - 1]
                if prev.text in self.demonyms:
                    country, begin = self.demonyms[prev.text], start - 1
                elif prev.tag_ == "POS" and start > 1:
                    # "China's commerce ministry": the possessor's country, if it is one.
                    for mid, _s, e in self.authority(doc[max(0, start - 6) : start - 1]):
                        if max(0, start - 6) + e == start - 1:
                            country = doc.vocab.strings[mid]
            # Only lower-case or title-case generic heads; a matched name wins over a generic one.
            spans.append(Span(doc, begin, end, label=country))
        return spans
