"""spaCy component `tradeline_companies`: mentions of firms.

The small English model tags many firm names as PERSON or GPE and many non-firms as ORG, so
NER alone is not enough. A mention counts as a firm when one of these holds (rules from
models/data/companies/lexicon.json and the gazetteer):

- it is in the gazetteer of major firms of sectors trade controls touch;
- a run of proper nouns ends in a legal suffix or company head word ("... Rare Earths",
  "... Technology Group", "... Co Ltd");
- it follows a descriptor ("magnet maker X", "chipmaker X");
- it is listed after "companies including / firms such as";
- it carries a ticker ("X (300748.SZ)");
- it is the possessor of a corporate noun ("X's shares") or subject of a corporate verb;
- it is coordinated with a firm ("X, Y and Z" where X is a firm);
- NER calls it ORG and it is not a government, agency, trade body, medium or person.

Sets ``doc.spans["tl_companies"]`` (label ``COMPANY``; ``kb_id_`` = gazetteer canonical when
known), ``doc.spans["tl_company_cues"]`` (the same spans, labelled with the rule that found
each: gazetteer, head, prefix, descriptor, list, ticker, possessive, subject, context, ner,
coordinated; the company filter reads them) and ``doc.spans["tl_tickers"]`` (label = ticker,
span = the company mention it follows).
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

from tradeline.extractors.commodities.component import COMMODITIES
from tradeline.extractors.companies.introductions import FirmIntroductions
from tradeline.extractors.companies.lexicon import CompanyLexicon, GazetteerEntry
from tradeline.extractors.companies.names import CompanyNames
from tradeline.extractors.companies.nonfirm import NonFirmCues, NonFirmWords
from tradeline.extractors.component_data import DataComponent, DataFile
from tradeline.extractors.orgs.component import AUTHORITIES, NONFIRM
from tradeline.extractors.orgs.lexicon import AuthorityContext, NonCompanyHeads
from tradeline.extractors.text.datelines import starts_dateline
from tradeline.extractors.text.doc_cache import doc_lowers, text_count, token_texts

NAME = "tradeline_companies"
COMPANIES = "tl_companies"
TICKERS = "tl_tickers"
CUES = "tl_company_cues"  # the same spans as tl_companies, labelled with the rule that found each
FINITE_TAGS = {"VBD", "VBZ", "VBP", "MD"}
QUOTES = {"'s", "’s", "'", "’"}
# MI308, H20, F-35: a model's code, not a firm (when a firm owns it: _owned)
COLON_LIST_MAX = 30  # tokens read on each side of a colon that may open a list of firms
LIST_GLUE = {",", "and", "&"}
PRODUCT_CODE = re.compile(r"[A-Za-z]{1,3}-?\d{1,4}[A-Za-z]{0,2}")

if not Token.has_extension("tl_company"):
    Token.set_extension("tl_company", default=False)


@Language.factory(
    NAME,
    assigns=["doc.spans", "token._.tl_company"],
    requires=["doc.ents", "doc.spans", "token.pos", "token.tag", "token.dep", "token.lemma"],
)
def make_company_tagger(nlp: Language, name: str) -> CompanyTagger:
    return CompanyTagger(nlp, name)


class CompanyTagger(DataComponent):
    """Rule-based firm recogniser on top of the pretrained NER (see module docstring); its
    lexicon and gazetteer also give canonical names (`names`)."""

    FILES: ClassVar[dict[str, str]] = {
        "gazetteer": ".jsonl",
        "lexicon": ".json",
        "non_company_heads": ".json",
        "authority_context": ".json",
    }

    def initialize(
        self,
        get_examples: object = None,
        *,
        nlp: Language | None = None,
        gazetteer: str,
        lexicon: str,
        non_company_heads: str,
        authority_context: str,
    ) -> None:
        """Read the gazetteer and word lists (paths from models/pipeline.toml)."""
        self._read(
            gazetteer=gazetteer,
            lexicon=lexicon,
            non_company_heads=non_company_heads,
            authority_context=authority_context,
        )

    def _load(self, files: dict[str, DataFile]) -> None:
        nlp = self.nlp
        rows = files["gazetteer"].rows(GazetteerEntry)
        self.gazetteer = PhraseMatcher(nlp.vocab, attr="ORTH")
        for row in rows:
            self.gazetteer.add(row.canonical, list(nlp.tokenizer.pipe(row.aliases)))
        lex = files["lexicon"].parse(CompanyLexicon)
        self.names = CompanyNames(lex, rows)
        self.legal = set(lex.legal_suffixes)
        self.legal_prefixes = set(lex.legal_prefixes)
        self.heads = {h for h in lex.head_words if " " not in h}
        self.head_bigrams = {tuple(h.split()) for h in lex.head_words if " " in h}
        self.descriptors = set(lex.company_descriptors) | set(lex.firm_introducer_nouns)
        self.firm_name_nonfirm = set(lex.firm_name_nonfirm_words)
        self.group_quantifiers = frozenset(lex.group_quantifiers)
        self.member_list_words = frozenset(lex.member_list_words)
        self.relation_nouns = frozenset(lex.relation_nouns)
        self.deal_nouns = frozenset(lex.deal_nouns)
        self.introductions = FirmIntroductions(
            descriptors=frozenset(self.descriptors - set(lex.person_descriptors)),
            plurals=frozenset(lex.company_plurals),
            apposition_nouns=frozenset(lex.firm_apposition_nouns),
            firm_verbs=frozenset(lex.firm_verbs),
            titles=frozenset(lex.person_titles),
        )
        self.descriptor_blockers = set(lex.descriptor_blockers)
        self.plurals = set(lex.company_plurals)
        self.introducers = {tuple(x.split()) for x in lex.list_introducers}
        self.poss_nouns = set(lex.possessive_corporate_nouns)
        self.corporate_verbs = set(lex.corporate_verbs)
        self.statement_verbs = set(lex.statement_verbs)
        self.titles = set(lex.person_titles)
        self.ticker_re = re.compile(lex.ticker_regex)
        self.exchanges = set(lex.exchange_prefixes)
        self.joiners = set(lex.run_joiners)
        self.credit_words = set(lex.credit_words)
        self.support_before = {tuple(x.split()) for x in lex.support_before}
        self.facility_nouns = set(lex.facility_nouns)
        heads = files["non_company_heads"].parse(NonCompanyHeads)
        self.nonfirm_heads = set(heads.non_company) | set(heads.media)
        self.demonyms = set(files["authority_context"].parse(AuthorityContext).demonyms)
        single = [d for d in lex.non_company_descriptors if " " not in d]
        self.nonfirm_cues = NonFirmCues(
            NonFirmWords(
                descriptors=frozenset(single),
                descriptor_pairs=frozenset(
                    tuple(d.split()) for d in lex.non_company_descriptors if d.count(" ") == 1
                ),
                titles=frozenset(self.titles),
                place_suffixes=frozenset(lex.place_suffixes),
                place_cues=frozenset(tuple(c.split()) for c in lex.place_cues),
                agency_heads=frozenset(heads.non_company),
                government_titles=frozenset(lex.government_titles),
                government_nouns=frozenset(lex.government_nouns),
                asset_nouns=frozenset(lex.asset_nouns),
                term_nouns=frozenset(lex.term_nouns),
                firm_words=frozenset(self.legal | self.heads),
            )
        )

    # ------------------------------------------------------------------ entry point
    def __call__(self, doc: Doc) -> Doc:
        self._check_loaded()
        blocked = _token_set(doc.spans.get(NONFIRM, []))
        blocked |= self._ticker_tokens(doc) | self._credit_tokens(doc)
        blocked |= self._defined_terms(doc) | self.nonfirm_cues(doc)
        authority = _token_set(s for s in doc.spans.get(AUTHORITIES, []) if s.label_)
        products = _token_set(doc.spans.get(COMMODITIES, []))
        persons = self._person_names(doc)
        found: list[Span] = []
        person_spans = [(e.start, e.end) for e in doc.ents if e.label_ == "PERSON"]
        for mid, start, end in self.gazetteer(doc):
            inside_person = any(
                ps <= start and end <= pe and (pe - ps) > (end - start) for ps, pe in person_spans
            )
            if (
                not (set(range(start, end)) & blocked)
                and not inside_person
                and not self._inside_nonfirm_name(doc, start)
            ):
                found.append(Span(doc, start, end, label="gazetteer", kb_id=doc.vocab.strings[mid]))
        runs = [
            r
            for r in self._runs(doc)
            if not (set(range(r[0], r[1])) & blocked) or self._legal_over_nonfirm(doc, r, blocked)
        ]
        gazetteered = _token_set(found)
        pending = []
        for start, end in runs:
            span = self._judge_run(doc, start, end, authority, persons)
            # A known firm inside a longer run: keep the longer name only for legal tails.
            if (
                span is not None
                and set(range(start, end)) & gazetteered
                and not self._only_legal_beyond(doc, span, gazetteered)
                and not self._named_before_known(doc, span, found)
            ):
                continue
            if span is not None:
                found.append(span)
            else:
                pending.append((start, end))
        found.extend(self._ner_orgs(doc, blocked | products, authority, persons))
        found.extend(self._coordinated(doc, pending, found, authority, persons))
        tidy = [
            t
            for t in (self._tidy(doc, s) for s in found)
            if t is not None
            and (t.label_ == "gazetteer" or not self._all_authority(t.start, t.end, authority))
            and not all(w.lower_ in self.legal or w.is_punct for w in t)  # ", Inc." split off
        ]
        cued = self._join_and_tails(doc, filter_spans(tidy))
        companies = [Span(doc, s.start, s.end, label="COMPANY", kb_id=s.kb_id) for s in cued]
        doc.spans[COMPANIES] = companies
        doc.spans[CUES] = cued
        for span in companies:
            for tok in span:
                tok._.tl_company = True
        doc.spans[TICKERS] = self._tickers(doc, companies)
        return doc

    # ------------------------------------------------------------------ never firms
    def _tidy(self, doc: Doc, span: Span) -> Span | None:
        """A name's own tokens only: cut at an unclosed '(' ("Export Control Joint Unit (ECJU")
        and at ' in ' ("Kapitalbank in Tashkent"), drop lower-case words in front ("trading house
        X") and line breaks or punctuation at the end; None for what is left that names no firm:
        a nationality ("Chinese") or a firm's model code ("AMD's MI308", "Nvidia's H20")."""
        start, end = span.start, span.end
        for k in range(start, end):
            tok = doc[k]
            if (tok.text == "(" and ")" not in doc[k:end].text) or (
                tok.lower_ == "in" and k > start
            ):
                end = k
                break
        for k in range(end - 2, start - 1, -1):
            if doc[k].is_lower and self.introductions.is_firm_noun(doc[k]):
                start = k + 1  # "Server maker Supermicro" opening a sentence: the NER took it
                break
        while start < end and (
            doc[start].is_space or (doc[start].is_lower and doc[start].whitespace_)
        ):
            start += 1
        while end > start and (doc[end - 1].is_space or doc[end - 1].text in ",;:-(\"'"):
            end -= 1
        if end <= start:
            return None
        text = doc[start:end].text
        if span.label_ != "gazetteer" and (
            text in self.demonyms or (PRODUCT_CODE.fullmatch(text) and self._owned(doc, start))
        ):
            return None
        if (start, end) == (span.start, span.end):
            return span
        return Span(doc, start, end, label=span.label, kb_id=span.kb_id)

    def _owned(self, doc: Doc, start: int) -> bool:
        """'AMD's MI308': a possessor that is no place makes a model code a product ("UAE's
        G42" stays a firm)."""
        if start < 2 or doc[start - 1].text not in QUOTES:
            return False
        owner = doc[start - 2]
        return owner.ent_type_ not in ("GPE", "LOC", "NORP") and owner.text not in self.demonyms

    def _inside_nonfirm_name(self, doc: Doc, start: int) -> bool:
        """'Minister of Energy and Mineral Resources', 'Ministry of Trade and Industry': a known
        firm's name inside an office's title ('Mineral Resources' is also a miner)."""
        k, through_of = start - 1, False
        while k >= max(0, start - 8):
            tok = doc[k]
            if tok.lower_ in ("of", "for"):
                through_of = True
            elif tok.lower_ not in ("and", "&") and not tok.is_title:
                return False
            elif through_of and tok.is_title and (
                tok.lower_ in self.nonfirm_heads or tok.lower_ in self.titles
            ):
                return True
            k -= 1
        return False

    def _legal_over_nonfirm(self, doc: Doc, run: tuple[int, int], blocked: set[int]) -> bool:
        """'ITC Ltd': an agency acronym (ITC) followed by a legal suffix names a firm."""
        start, end = run
        return (
            end - start >= 2
            and doc[end - 1].lower_ in self.legal
            and not any(i in blocked for i in range(start + 1, end))
        )

    def _ticker_tokens(self, doc: Doc) -> set[int]:
        """Tokens of '(WLIL.SI)', '(NYSE: MP)': a ticker is an attribute, never a firm itself."""
        out: set[int] = set()
        texts = token_texts(doc)
        for i in (i for i, text in enumerate(texts) if text == "("):
            if self._ticker_at(doc, i) is not None:
                k = i + 1
                while k < len(doc) and k < i + 7 and texts[k] != ")":
                    out.add(k)
                    k += 1
        return out

    def _credit_tokens(self, doc: Doc) -> set[int]:
        """Names in '(Reporting by X; Editing by Y)' and 'By X' bylines are people."""
        out: set[int] = set()
        for tok in (doc[i] for i, low in enumerate(doc_lowers(doc)) if low == "by"):
            prev = doc[tok.i - 1] if tok.i > 0 else None
            line_start = prev is None or "\n" in prev.text or "\n" in prev.whitespace_
            if not line_start and prev.lower_ not in self.credit_words:
                continue
            k = tok.i + 1
            while k < len(doc) and doc[k].text not in (";", ")", ".") and "\n" not in doc[k].text:
                out.add(k)
                if "\n" in doc[k].whitespace_:
                    break
                k += 1
        return out

    def _defined_terms(self, doc: Doc) -> set[int]:
        """'domestic market obligation (DMO)': an acronym defined by lower-case words is a
        term, not a firm, wherever it recurs; so is the acronym of an agency ('Mines and
        Geosciences Bureau (MGB)', 'Atomic Energy Licensing Board (AELB)')."""
        terms = set()
        texts = token_texts(doc)
        bracketed = (
            doc[i]
            for i in range(2, len(texts) - 1)
            if texts[i - 1] == "(" and texts[i + 1] == ")"
        )
        for tok in bracketed:
            if (
                tok.is_upper
                and tok.is_alpha
                and 2 <= len(tok.text) <= 6
            ):
                words = [t for t in doc[max(0, tok.i - 1 - len(tok.text)) : tok.i - 1]]
                # "Validated end-user (VEU)": lower-case words, the first may be capitalised
                lower_words = (
                    len(words) >= 2
                    and all(t.is_lower or t.is_punct for t in words[1:])
                    and any(t.is_lower for t in words[1:])
                    and not any(t.text in "()" for t in words)
                )
                if lower_words or self._agency_name_before(doc, tok.i - 1):
                    terms.add(tok.text)
        return {i for i, text in enumerate(texts) if text in terms}

    def _agency_name_before(self, doc: Doc, paren: int) -> bool:
        """The capitalised name right before `(` has a non-company head word (board, bureau,
        office, ministry ...)."""
        k = paren - 1
        while k >= max(0, paren - 10) and (
            doc[k].is_title or doc[k].is_upper or doc[k].lower_ in ("for", "and", "of", "on")
        ):
            if doc[k].lower_ in self.nonfirm_heads and doc[k].is_title:
                return True
            k -= 1
        return False

    def _join_and_tails(self, doc: Doc, spans: list[Span]) -> list[Span]:
        """'PT Sinar Mas Agro Resources and Technology Tbk': a span of only head and legal
        words right after 'X and' finishes X's name."""
        out: list[Span] = []
        for span in spans:
            prev = out[-1] if out else None
            words = [t.lower_ for t in span]
            if (
                prev is not None
                and span.start - prev.end == 1
                and doc[prev.end].lower_ in ("and", "&")
                and all(w in self.heads or w in self.legal for w in words)
                and any(w in self.legal for w in words)
            ):
                out[-1] = Span(doc, prev.start, span.end, label=prev.label, kb_id=prev.kb_id)
                continue
            out.append(span)
        return out

    # ------------------------------------------------------------------ runs of names
    def _namey(self, tok: Token) -> bool:
        if tok.is_space or tok.is_punct or tok.like_num or tok.ent_type_ in ("DATE", "TIME"):
            return False
        if tok.pos_ == "PROPN":
            return tok.text[:1].isupper() or tok.text[:1].isdigit()
        if tok.is_upper and len(tok.text) >= 2 and tok.is_alpha:
            return True
        if (
            tok.is_title
            and not _real_sent_start(tok)
            and tok.pos_ in ("NOUN", "ADJ", "VERB", "X", "NUM")
        ):
            return not tok.is_stop
        return bool(re.fullmatch(r"[A-Z][A-Za-z]*\d+[A-Za-z0-9]*|\d+[A-Z][A-Za-z0-9]*", tok.text))

    def _runs(self, doc: Doc) -> list[tuple[int, int]]:
        """Maximal sequences of name-like tokens (joined by '&', '-', 'of') within a sentence."""
        runs = []
        i, n = 0, len(doc)
        # every name-like token starts with a capital or a digit: the others are passed
        # over on their text, without building a Token
        texts = token_texts(doc)
        while i < n:
            first = texts[i][:1]
            if not (first.isupper() or first.isdigit()) or not self._namey(doc[i]):
                i += 1
                continue
            j = i + 1
            while j < n and not _real_sent_start(doc[j]):
                if self._namey(doc[j]):
                    j += 1
                elif (
                    doc[j].lower_ in self.joiners
                    and not (doc[j].lower_ == "of" and doc[i].is_sent_start and j == i + 1)
                    and j + 1 < n
                    and self._namey(doc[j + 1])
                    and not _real_sent_start(doc[j + 1])
                    and doc[j].lower_ != "'s"
                ):
                    j += 2
                else:
                    break
            k = i
            while k < j and (doc[k].lower_ in self.descriptors or doc[k].lower_ in self.plurals):
                k += 1  # "Chipmaker X", "Automakers X and Y" at a sentence start
            if k < j:
                runs.append((k, j))
            i = j
        return runs

    def _person_names(self, doc: Doc) -> set[str]:
        """Texts (and surnames) of PERSON entities; a name seen with a title is a person."""
        names = set()
        for ent in doc.ents:
            if ent.label_ == "PERSON" and len(ent) >= 1:
                titled = ent.start > 0 and doc[ent.start - 1].lower_ in self.titles
                if titled or (len(ent) >= 2 and ent[0].lower_ in self.titles):
                    names.add(ent.text)
                    names.add(ent[-1].text)
                elif len(ent) == 1:
                    names.add(ent.text)
        # Surnames of any multi-token PERSON that also appears alone elsewhere, and of a full
        # name the text describes as a person, whatever the NER took it for ("Arnaud Bertrand,
        # an independent analyst, ... Bertrand added").
        singles = {e.text for e in doc.ents if len(e) == 1}
        alone = {e.text for e in doc.ents if len(e) == 1 and e.label_ in ("PERSON", "ORG")}
        for ent in doc.ents:
            if len(ent) < 2:
                continue
            if ent.label_ == "PERSON" and ent[-1].text in alone and not self._firm_worded(ent):
                names.update((ent.text, ent[-1].text))  # "Gaurav Sharma ... Sharma expects"
            elif ent.label_ == "PERSON" and ent[-1].text in singles:
                names.add(ent[-1].text)
            elif self.introductions.titled(doc, ent.start, ent.end):
                names.update((ent.text, ent[-1].text))
        return names

    def _firm_worded(self, span: Span) -> bool:
        """A firm's head word or legal suffix in or right after the name ("Cementos del Bajío
        SAB"): the NER's PERSON guess is no person."""
        doc = span.doc
        after = doc[span.end].lower_ if span.end < len(doc) else ""
        return after in self.legal or any(t.lower_ in self.heads | self.legal for t in span)

    def _is_personlike(self, doc: Doc, start: int, end: int, persons: set[str]) -> bool:
        span = doc[start:end]
        if span.text in persons or doc[start].lower_ in self.titles:
            return True
        if start > 0 and doc[start - 1].lower_ in self.titles:
            return True
        return start > 1 and doc[start - 2].lower_ in self.titles and doc[start - 1].is_title

    def _weak_person(self, doc: Doc, start: int, end: int) -> bool:
        """A lone untitled one-word PERSON guess ("Repsol"): the small NER's guess, which a list
        of firms around it outweighs; not the surname of a full name in the article."""
        tok = doc[start]
        if end - start != 1 or tok.ent_type_ != "PERSON" or tok.ent_iob_ != "B":
            return False
        if end < len(doc) and doc[end].ent_iob_ == "I":
            return False
        if start > 0 and doc[start - 1].lower_ in self.titles:
            return False
        return tok.text not in _full_name_surnames(doc)

    def _all_authority(self, start: int, end: int, authority: set[int]) -> bool:
        return all(i in authority for i in range(start, end))

    def _judge_run(
        self, doc: Doc, start: int, end: int, authority: set[int], persons: set[str]
    ) -> Span | None:
        while start < end and (
            doc[start].lower_ in self.descriptors or doc[start].lower_ in self.plurals
        ):
            start += 1  # "Chipmaker X", "Automakers X and Y" at a sentence start
        while start + 2 < end and (doc[start].lower_, doc[start + 1].lower_) in self.support_before:
            start += 2  # "CEO of X", "Unit of X": the run took the firm cue ...
            if end < len(doc) and doc[end].text in QUOTES:
                return None  # ... unless it is "CEO of California's grid operator"
        if start >= end or starts_dateline(doc, start):
            return None
        if self._all_authority(start, end, authority):
            return None
        if (
            self._is_personlike(doc, start, end, persons)
            and not self._firm_cue_before(doc, start)
            and not (self._weak_person(doc, start, end) and self._in_company_list(doc, start))
            and not self._introduced_as_firm(doc, start, end)
        ):
            return None
        words = [t.lower_ for t in doc[start:end]]
        if set(words) & self.nonfirm_heads and not self._firm_despite_heads(doc, start, end):
            return None
        # (a) legal suffix / company head word after at least one name token.
        last = None
        for k in range(1, end - start):
            w = words[k]
            if (
                w in self.heads
                or w in self.legal
                or (k + 1 < len(words) and (w, words[k + 1]) in self.head_bigrams)
            ):
                last = (
                    k + 1 if (k + 1 < len(words) and (w, words[k + 1]) in self.head_bigrams) else k
                )
        if last is not None and not all(
            w in self.heads or w in self.legal for w in words[: last + 1]
        ):
            stop = start + last + 1
            stop = self._absorb_legal_tail(doc, stop)
            return Span(doc, start, stop, label="head")
        if doc[start].lower_ in self.legal_prefixes and end - start >= 2:
            return Span(doc, start, end, label="prefix")
        span = Span(doc, start, end, label="COMPANY")
        checks = (
            (
                "descriptor",
                lambda: self._after_descriptor(doc, start)
                or self.introductions.before(doc, start),
            ),
            ("list", lambda: self._in_company_list(doc, start)),
            ("ticker", lambda: self._has_ticker(doc, end)),
            ("possessive", lambda: self._possessive_corporate(doc, end)),
            ("subject", lambda: self._corporate_subject(doc, span)),
            ("context", lambda: self._supported_by_context(doc, start, end)),
        )
        cue = next((name for name, check in checks if check()), None)
        return None if cue is None else Span(doc, start, end, label=cue)

    def _introduced_as_firm(self, doc: Doc, start: int, end: int) -> bool:
        """An untitled name the text introduces as a firm (companies/introductions.py) or
        gives a ticker: the small NER's PERSON guess loses ("Swiss refiner Valcambi")."""
        if doc[start].lower_ in self.titles or (start > 0 and doc[start - 1].lower_ in self.titles):
            return False
        intro = self.introductions
        return (
            intro.before(doc, start)
            or self._has_ticker(doc, end)
            or intro.apposition(doc, start, end)
        )

    def _firm_despite_heads(self, doc: Doc, start: int, end: int) -> bool:
        """'Diehl Defence, the privately held maker', 'Chiltern Defence Group': agency words that
        firms' names also take ("Defence", "Union") do not outweigh a legal suffix, a closing
        company head word or the text's introduction of the name as a firm; no other agency word
        is in the name."""
        words = {t.lower_ for t in doc[start:end]}
        if not (words & self.nonfirm_heads) <= self.firm_name_nonfirm:
            return False
        if words & self.legal or doc[end - 1].lower_ in self.heads:
            return True  # "Andes Defense Supply S.A.C.", "Chiltern Defence Group"
        return self._firm_cue_before(doc, start) or self._introduced_as_firm(doc, start, end)

    def _named_before_known(self, doc: Doc, span: Span, known: list[Span]) -> bool:
        """A longer firm name that ends with a gazetteer name ("Halmera Nickel Industries" around
        "Nickel Industries"): the model tags the whole run as one ORG and the words before are
        proper names, not a descriptor, nationality or place."""
        inner = [k for k in known if span.start < k.start and k.end == span.end]
        if not inner:
            return False
        edges = (span.start, span.end)
        if not any(e.label_ == "ORG" and (e.start, e.end) == edges for e in doc.ents):
            return False
        return all(
            tok.pos_ == "PROPN"
            and tok.is_title
            and tok.ent_type_ == "ORG"
            and tok.lower_ not in self.descriptors
            and tok.lower_ not in self.nonfirm_heads
            and tok.text not in self.demonyms
            for tok in doc[span.start : inner[0].start]
        )

    def _only_legal_beyond(self, doc: Doc, span: Span, known: set[int]) -> bool:
        extra = [t for t in span if t.i not in known]
        return bool(extra) and all(
            t.lower_ in self.legal or t.lower_ in self.heads or t.is_punct for t in extra
        )

    def _absorb_legal_tail(self, doc: Doc, stop: int) -> int:
        """Take capitalised " Ltd" / ", Inc" / " Co., Ltd" tails into the name."""

        def legal(tok: Token) -> bool:
            return tok.lower_ in self.legal and tok.text[:1].isupper() and not tok.is_sent_start

        while stop < len(doc):
            tok = doc[stop]
            if legal(tok):
                stop += 1
            elif tok.text == "," and stop + 1 < len(doc) and legal(doc[stop + 1]):
                stop += 2
            else:
                break
        return stop

    # ------------------------------------------------------------------ context rules
    def _after_descriptor(self, doc: Doc, start: int) -> bool:
        if start == 0:
            return False
        prev = doc[start - 1]
        if prev.lower_ not in self.descriptors or (prev.is_title and prev.pos_ == "PROPN"):
            return False
        before = doc[start - 2].lower_ if start > 1 else ""
        return before not in self.descriptor_blockers

    def _in_company_list(self, doc: Doc, start: int) -> bool:
        """'companies, including (magnet maker) X and Y' / 'firms such as X, Y' / '..., such as
        the European firms X, Y'."""
        k = start - 1  # back over the list to a colon: the parser may start a sentence there
        while k > 0 and start - k < COLON_LIST_MAX and self._in_list_shape(doc[k]):
            k -= 1
        if k > 0 and doc[k].text == ":":
            return self._colon_list(doc, k)
        sent_start = doc[start].sent.start
        lowers = doc_lowers(doc)
        i = start - 1
        plural_after = False  # "such as the European firms X": the plural follows the introducer
        while i >= max(sent_start, start - 25):
            tok = doc[i]
            plural_after = plural_after or (tok.lower_ in self.plurals and tok.tag_ == "NNS")
            if tok.text == ":":
                return self._colon_list(doc, i)
            if tok.tag_ in FINITE_TAGS or tok.text in (".", ";"):
                return False
            for intro in self.introducers:
                k = len(intro)
                if i - k + 1 >= sent_start and tuple(lowers[i - k + 1 : i + 1]) == intro:
                    j = i - k
                    while j >= sent_start and doc[j].is_punct:
                        j -= 1
                    return plural_after or (j >= sent_start and doc[j].lower_ in self.plurals)
            i -= 1
        return False

    def _in_list_shape(self, tok: Token) -> bool:
        return self._namey(tok) or tok.lower_ in LIST_GLUE or tok.lower_ in self.joiners

    def _colon_list(self, doc: Doc, colon: int) -> bool:
        """'Three European companies also hold licences: X, Y and Z': a list of names that
        closes the sentence after a colon, whose clause counts plural firms."""
        j = colon + 1
        while j < len(doc) and j - colon <= COLON_LIST_MAX:
            tok = doc[j]
            if (
                tok.text in (".", ";")
                or "\n" in tok.text
                or (j > colon + 1 and _real_sent_start(tok))
            ):
                break
            if not self._in_list_shape(tok):
                return False
            j += 1
        else:
            if j - colon > COLON_LIST_MAX:
                return False
        k = colon - 1
        while k >= 0 and colon - k <= COLON_LIST_MAX:
            if doc[k].lower_ in self.plurals and doc[k].tag_ == "NNS":
                return True
            if doc[k].text in (".", ";", ":") or _real_sent_start(doc[k]):
                return False
            k -= 1
        return False

    def _has_ticker(self, doc: Doc, end: int) -> bool:
        return self._ticker_at(doc, end) is not None

    def _ticker_at(self, doc: Doc, end: int) -> str | None:
        """'(300748.SZ)', '(NASDAQ: NVDA)', '(6758.T)' right after a name."""
        if end >= len(doc) or doc[end].text != "(":
            return None
        inner = []
        for tok in doc[end + 1 : end + 6]:
            if tok.text == ")":
                break
            inner.append(tok.text)
        text = "".join(inner)
        if self.ticker_re.match(text):
            return text
        parts = text.split(":")
        if (
            len(parts) == 2
            and parts[0].lower() in self.exchanges
            and re.fullmatch(r"[A-Z0-9.]{1,8}", parts[1])
        ):
            return text
        return None

    def _possessive_corporate(self, doc: Doc, end: int) -> bool:
        if end + 1 >= len(doc) or doc[end].text not in QUOTES:
            return False
        for tok in doc[end + 1 : end + 5]:
            if tok.lower_ in self.poss_nouns:
                return True
            if tok.pos_ not in ("ADJ", "ADV", "PROPN", "NOUN", "NUM", "PUNCT"):
                return False
        return False

    def _corporate_subject(self, doc: Doc, span: Span) -> bool:
        if any(t.ent_type_ == "PERSON" for t in span):
            return False
        root = span.root
        return root.dep_ in ("nsubj", "nsubjpass") and root.head.lemma_ in self.corporate_verbs

    # ------------------------------------------------------------------ NER and lists
    def _ner_orgs(
        self, doc: Doc, blocked: set[int], authority: set[int], persons: set[str]
    ) -> list[Span]:
        out = []
        for ent in doc.ents:
            if ent.label_ != "ORG":
                continue
            start, end = ent.start, ent.end
            while start < end and (
                doc[start].lower_ in ("the", "a", "an")
                or doc[start].lower_ in self.descriptors
                or doc[start].lower_ in self.plurals
            ):
                start += 1
            if start < end and starts_dateline(doc, start):
                continue
            while end > start and doc[end - 1].text in QUOTES:
                end -= 1
            if end <= start or set(range(start, end)) & blocked:
                continue
            if any(t.lower_ in ("and", "or", ",", ";") for t in doc[start:end]):
                continue  # "Bosch and ZF": two names, left to the gazetteer and runs
            if self._all_authority(start, end, authority):
                continue
            span = doc[start:end]
            if span.text in persons or self._is_personlike(doc, start, end, persons):
                continue
            if {t.lower_ for t in span} & self.nonfirm_heads:
                continue
            if len(span) == 1 and (len(span.text) <= 2 or not span.text[:1].isupper()):
                continue
            if not any(t.text[:1].isupper() or t.text[:1].isdigit() for t in span):
                continue
            if len(span) == 1 and not self._single_name_supported(doc, span):
                continue
            out.append(Span(doc, start, self._absorb_legal_tail(doc, end), label="ner"))
        return out

    def _firm_cue_before(self, doc: Doc, start: int) -> bool:
        """'shares of X', 'analysts at X': only a firm fits (the NER's PERSON guess loses)."""
        before = tuple(t.lower_ for t in doc[max(0, start - 3) : start])
        cues = [c for c in self.support_before if len(before) >= len(c)]
        return any(before[-len(cue) :] == cue for cue in cues)

    def _supported_by_context(self, doc: Doc, start: int, end: int) -> bool:
        """'analysts at X', 'the X plant', 'X, a little-known trader', 'X and Y, the largest
        producers': words around a name that only firms take."""
        if self._firm_cue_before(doc, start):
            return True
        if (
            end < len(doc)
            and doc[end].lower_ in self.facility_nouns
            and start > 0
            and doc[start - 1].lower_ == "the"
            and not any(t.ent_type_ in ("GPE", "LOC", "NORP", "FAC") for t in doc[start:end])
        ):
            return True
        if all(t.ent_type_ == "LOC" for t in doc[start:end]):
            return False  # "Southeast Asia, the world's biggest producer": a region's apposition
        if self.introductions.person_described(doc, start, end):
            return False  # "X, a trader at Y": a person
        place = all(t.ent_type_ in ("GPE", "NORP") for t in doc[start:end])
        return self._described_after(doc, end) or self.introductions.apposition(
            doc, start, end, nouns_only=place  # "Indonesia, the biggest producer": a country
        )

    def _described_after(self, doc: Doc, end: int) -> bool:
        """An apposition headed by a firm noun: 'X, a little-known trader,' / 'X and Y,
        Russia's largest producers,'."""
        k = end
        while k + 1 < len(doc) and doc[k].lower_ in ("and", ",") and doc[k + 1].text[:1].isupper():
            nxt = k + 1
            while nxt < len(doc) and doc[nxt].pos_ == "PROPN":
                nxt += 1
            if nxt == k + 1 or nxt >= len(doc) or doc[nxt].text != ",":
                break
            k = nxt  # skip the coordinated names of a list
            if doc[k].text == ",":
                break
        if k >= len(doc) or doc[k].text != ",":
            return False
        for tok in doc[k + 1 : k + 8]:
            if tok.dep_ == "compound" and tok.head.i > tok.i:
                continue  # "X, a company official said": the official heads it, a person
            if tok.lower_ in self.descriptors or tok.lower_ in self.plurals:
                return tok.pos_ == "NOUN"
            if tok.text in (",", ";", ".", ")") or tok.pos_ in ("VERB", "AUX", "ADP", "CCONJ"):
                return False
        return False

    def _single_name_supported(self, doc: Doc, span: Span) -> bool:
        """A one-word ORG is a firm only if it speaks ("X said"), owns ("X's shares"), acts as
        a firm, or recurs in the article: the small model's one-word ORGs are often noise."""
        root = span.root
        if root.dep_ in ("nsubj", "nsubjpass") and root.head.lemma_ in self.statement_verbs:
            return True
        if self._supported_by_context(doc, span.start, span.end):
            return True
        if self._possessive_corporate(doc, span.end) or self._corporate_subject(doc, span):
            return True
        return text_count(doc, span.text) >= 2

    def _coordinated(
        self,
        doc: Doc,
        pending: list[tuple[int, int]],
        found: list[Span],
        authority: set[int],
        persons: set[str],
    ) -> list[Span]:
        """Runs listed next to a firm ("X, Y and Z") are firms too, unless clearly not."""
        firm_edges = {(s.start, s.end) for s in found}
        places = {e.text for e in doc.ents if e.label_ in ("GPE", "LOC", "NORP")}
        added: list[Span] = []
        changed = True
        while changed:
            changed = False
            for start, end in list(pending):
                if self._all_authority(start, end, authority) or (
                    self._is_personlike(doc, start, end, persons)
                    and not self._weak_person(doc, start, end)
                ):
                    continue
                if doc[start:end].text in places and not (
                    end - start == 1 and self._in_company_list(doc, start)
                ):
                    continue  # a one-word place guess in "firms such as X, Y and Z" is no place
                if any(_listed_together(doc, (start, end), edge) for edge in firm_edges):
                    span = Span(doc, start, end, label="coordinated")
                    added.append(span)
                    firm_edges.add((start, end))
                    pending.remove((start, end))
                    changed = True
        return added

    def _tickers(self, doc: Doc, companies: list[Span]) -> list[Span]:
        out = []
        for span in companies:
            ticker = self._ticker_at(doc, span.end)
            if ticker:
                out.append(Span(doc, span.start, span.end, label=ticker))
        return out


def _token_set(spans: Any) -> set[int]:
    return {i for s in spans for i in range(s.start, s.end)}


def _listed_together(doc: Doc, a: tuple[int, int], b: tuple[int, int]) -> bool:
    """True when only ',', 'and', 'or', '&' separate the two spans."""
    first, second = (a, b) if a[0] < b[0] else (b, a)
    if not 0 < second[0] - first[1] <= 2:
        return False  # checked before slicing: far-apart spans made this O(n) per pair
    between = [t.lower_ for t in doc[first[1] : second[0]]]
    return (
        all(w in (",", "and", "or", "&") for w in between)
        and doc[first[0]].sent == doc[second[0]].sent
    )


def _full_name_surnames(doc: Doc) -> list[str]:
    """Last words of the multi-word PERSON entities, once per doc (`doc.ents` builds every
    entity span on each read); a list, so the doc still serialises across processes."""
    key = "tradeline.full_name_surnames"
    found = doc.user_data.get(key)
    if found is None:
        found = doc.user_data[key] = sorted(
            {e[-1].text for e in doc.ents if e.label_ == "PERSON" and len(e) >= 2}
        )
    return found


def _real_sent_start(tok: Token) -> bool:
    """A sentence start the text marks (after . ! ? : or a line break), not a parser split
    inside a long firm name ("Hengdian Group DMEGC | Magnetics said ...")."""
    if not tok.is_sent_start or tok.i == 0:
        return tok.i == 0
    prev = tok.doc[tok.i - 1]
    return (
        prev.text in (".", "!", "?", ":", ";", "\u201d", '"', "'")
        or "\n" in prev.text
        or prev.is_space
    )
