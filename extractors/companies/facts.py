"""Company facts of one article: mentions clustered into firms, each listed once.

Reads the `tradeline_companies` annotations, clusters surface forms that name the same firm
(companies/names.py, with the component's lexicon and gazetteer), then finds the remaining
short forms of each firm in the text ("JL Mag" after "JL Mag Rare Earths"), which the
recogniser alone may miss. A trained company filter (companies/filter.py), when the pipeline
has one, drops the clusters that are not firms (agencies, outlets, places, products ...).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Doc, Span, Token

from tradeline.extractors.companies.component import COMPANIES, CUES, TICKERS, CompanyTagger
from tradeline.extractors.companies.features import firm_features, in_heading
from tradeline.extractors.companies.filter import CompanyFilter
from tradeline.extractors.companies.names import CompanyNames
from tradeline.extractors.orgs.component import AUTHORITIES, NONFIRM
from tradeline.extractors.text.doc_cache import token_texts
from tradeline.records import CompanyFact

BRACKET_OWNER_MAX = 3  # words of a name glossed by a bracketed legal name


@dataclass
class FirmCluster:
    """All mentions of one firm in an article, in text order."""

    names: CompanyNames
    mentions: list[Span] = field(default_factory=list)
    known: str | None = None  # gazetteer canonical, when any mention is in the gazetteer
    preferred: Span | None = None  # "Minerven (CVG Compania ... CA)": the name the text uses

    @property
    def full(self) -> Span:
        """The first mention among the longest forms: GUIDELINES' "first full surface form";
        the name before a bracketed legal name when the text gives one."""
        if self.preferred is not None:
            return self.preferred
        key_tokens = self.names.key_tokens
        longest = max(len(key_tokens(m.text)) for m in self.mentions)
        return next(m for m in self.mentions if len(key_tokens(m.text)) == longest)

    def matches(self, text: str) -> bool:
        return any(self.names.same_firm(text, m.text) for m in self.mentions)


@dataclass
class ArticleFirms:
    """The firms of one article and which tokens mention which firm."""

    facts: list[CompanyFact]
    by_token: dict[int, str]  # token index -> canonical name

    def in_span(self, span: Span) -> list[str]:
        """Canonical names of firms mentioned inside `span`, in order, once each."""
        seen: list[str] = []
        for i in range(span.start, span.end):
            name = self.by_token.get(i)
            if name and name not in seen:
                seen.append(name)
        return seen


def cluster_firms(doc: Doc, companies: CompanyTagger) -> list[FirmCluster]:
    """The recognised firm mentions of `doc`, clustered by firm, with their short forms; a
    name seen only in title-case headings ("Strategic Materials Covered") is left out unless
    the gazetteer knows it: headings capitalise every word, so their runs are no evidence."""
    names = companies.names
    clusters: list[FirmCluster] = []
    for span in doc.spans.get(COMPANIES, []):
        known = span.kb_id_ or names.gazetteer_canonical(span.text)
        target = None
        for cluster in clusters:
            if known and cluster.known and known != cluster.known:
                continue
            if (known and known == cluster.known) or cluster.matches(span.text):
                target = cluster
                break
        if target is None:
            target = FirmCluster(names)
            clusters.append(target)
        target.mentions.append(span)
        target.known = target.known or known or None
    clusters = _merge_defined_acronyms(doc, clusters)
    _add_bracketed_owners(doc, clusters)
    _add_short_forms(doc, clusters, names)
    for cluster in clusters:
        cluster.mentions.sort(key=lambda s: s.start)
    return [c for c in clusters if c.known or not all(in_heading(doc, m) for m in c.mentions)]


def cluster_features(doc: Doc, cluster: FirmCluster, companies: CompanyTagger) -> list[str]:
    """The company filter's feature words of one cluster (companies/features.py)."""
    cues = {(s.start, s.end): s.label_ for s in doc.spans.get(CUES, [])}
    return firm_features(
        doc,
        cluster.mentions,
        [cues.get((m.start, m.end), "short") for m in cluster.mentions],
        cluster.full,
        legal=companies.legal,
        heads=companies.heads,
        demonyms=companies.demonyms,
    )


def filtered(
    doc: Doc,
    clusters: list[FirmCluster],
    companies: CompanyTagger,
    firm_filter: CompanyFilter | None,
) -> list[FirmCluster]:
    """The clusters the trained company filter keeps; gazetteer firms always stay."""
    if firm_filter is None:
        return clusters
    judged = [c for c in clusters if not c.known]
    scores = firm_filter.scores([cluster_features(doc, c, companies) for c in judged])
    dropped = {id(c) for c, p in zip(judged, scores, strict=True) if p < firm_filter.threshold}
    return [c for c in clusters if id(c) not in dropped]


def cluster_fact(doc: Doc, cluster: FirmCluster, names: CompanyNames) -> CompanyFact:
    """The company fact of one cluster: first full form, canonical name, aliases, ticker."""
    tickers = {(s.start, s.end): s.label_ for s in doc.spans.get(TICKERS, [])}
    full = cluster.full
    canonical = names.canonical_name(full.text, cluster.known)
    name = full.text
    after = doc[full.end] if full.end < len(doc) else None
    if name.endswith(".") and (after is None or after.is_space or after.is_sent_start):
        name = name[:-1]  # "Co Ltd." closing a sentence
    aliases: list[str] = []
    for m in cluster.mentions:
        if m.text not in (name, full.text) and m.text not in aliases:
            aliases.append(m.text)
    ticker = next(
        (tickers[(m.start, m.end)] for m in cluster.mentions if (m.start, m.end) in tickers),
        None,
    )
    first = cluster.mentions[0]
    return CompanyFact(
        name=name,
        canonical=canonical,
        aliases=aliases,
        ticker=ticker,
        start_char=first.start_char,
        end_char=first.end_char,
        evidence=first.sent.text.strip(),
        mentions=[(m.start_char, m.end_char) for m in cluster.mentions],
    )


def find_companies(
    doc: Doc, companies: CompanyTagger, firm_filter: CompanyFilter | None = None
) -> ArticleFirms:
    """Cluster the recognised firm mentions of `doc` and describe each firm once; with a
    trained `firm_filter`, drop the clusters it judges not to be firms."""
    clusters = filtered(doc, cluster_firms(doc, companies), companies, firm_filter)
    facts: list[CompanyFact] = []
    by_token: dict[int, str] = {}
    for cluster in clusters:
        fact = cluster_fact(doc, cluster, companies.names)
        facts.append(fact)
        for m in cluster.mentions:
            for i in range(m.start, m.end):
                by_token[i] = fact.canonical
    facts.sort(key=lambda f: f.start_char or 0)
    return ArticleFirms(facts=facts, by_token=by_token)


def _merge_defined_acronyms(doc: Doc, clusters: list[FirmCluster]) -> list[FirmCluster]:
    """'Petroleos de Venezuela SA (PDVSA)': a short name in brackets right after a firm's name
    is that firm's, whatever its letters; its cluster joins the named one."""
    owner = {(m.start, m.end): c for c in clusters for m in c.mentions}
    merged: set[int] = set()
    for cluster in clusters:
        if id(cluster) in merged:
            continue
        for m in list(cluster.mentions):
            if m.end + 2 >= len(doc) or doc[m.end].text != "(" or doc[m.end + 2].text != ")":
                continue
            other = owner.get((m.end + 1, m.end + 2))
            if other is None or other is cluster or id(other) in merged:
                continue
            if other.known and cluster.known and other.known != cluster.known:
                continue
            cluster.mentions.extend(other.mentions)
            cluster.known = cluster.known or other.known
            for om in other.mentions:
                owner[(om.start, om.end)] = cluster
            merged.add(id(other))
    return [c for c in clusters if id(c) not in merged]


def _add_bracketed_owners(doc: Doc, clusters: list[FirmCluster]) -> None:
    """'transactions with Minerven (CVG Compania General de Mineria de Venezuela CA)': a firm's
    legal name in brackets glosses the name just before them, which the article then uses; that
    name (and its other mentions) joins the cluster and names the firm."""
    taken = {i for c in clusters for m in c.mentions for i in range(m.start, m.end)}
    blocked = {
        i
        for group in (AUTHORITIES, NONFIRM)
        for s in doc.spans.get(group, [])
        for i in range(s.start, s.end)
    }
    texts: list[str] | None = None
    for cluster in clusters:
        for m in list(cluster.mentions):
            if m.start < 2 or m.end >= len(doc) or len(m) < 3:
                continue
            if doc[m.start - 1].text != "(" or doc[m.end].text != ")":
                continue
            end = start = m.start - 1
            while start > 0 and end - start < BRACKET_OWNER_MAX and _capital_word(doc[start - 1]):
                start -= 1
            if start == end or not 0 < start < end or doc[start].is_sent_start:
                continue
            idx = set(range(start, end))
            if idx & (taken | blocked) or end - start >= len(m):
                continue
            texts = texts or token_texts(doc)
            owner = doc[start:end]
            cluster.mentions.append(owner)
            cluster.preferred = owner
            taken |= idx
            for k in _find_words(texts, texts[start:end]):
                other = set(range(k, k + len(owner)))
                if not other & (taken | blocked) and _whole_name(doc, k, k + len(owner)):
                    cluster.mentions.append(doc[k : k + len(owner)])
                    taken |= other
            break


def _capital_word(tok: Token) -> bool:
    return tok.text[:1].isupper() and any(ch.isalpha() for ch in tok.text)


def _add_short_forms(doc: Doc, clusters: list[FirmCluster], names: CompanyNames) -> None:
    """Find unrecognised mentions of each firm: its full name again, a leading part or a
    distinctive inner run."""
    taken = {i for c in clusters for m in c.mentions for i in range(m.start, m.end)}
    blocked = {
        i
        for group in (AUTHORITIES, NONFIRM)
        for s in doc.spans.get(group, [])
        for i in range(s.start, s.end)
    }
    texts = token_texts(doc)  # once per doc: Token objects are rebuilt on every access
    # Only all-capital words can be acronyms: look at those, not every token, per firm.
    capitals = [(i, text) for i, text in enumerate(texts) if len(text) >= 2 and text.isupper()]
    for cluster in clusters:
        full = cluster.full
        full_text = full.text
        for i, text in capitals:
            if i not in taken and i not in blocked and names.is_acronym_of(text, full_text):
                cluster.mentions.append(doc[i : i + 1])  # "(NCEL)" after the full name
                taken.add(i)
        words = [t.text for t in full]
        for start in _find_words(texts, words):  # the full name again, where no rule saw it
            end = start + len(words)
            idx = set(range(start, end))
            if not idx & (taken | blocked) and _whole_name(doc, start, end):
                cluster.mentions.append(doc[start:end])
                taken |= idx
        for length in range(len(words) - 1, 0, -1):
            for offset in range(0, len(words) - length + 1):
                part = words[offset : offset + length]
                text = " ".join(part)
                if not names.is_short_form(text, full.text):
                    continue
                if offset == 0 and length == 1 and (len(part[0]) < 3 or not part[0][0].isupper()):
                    continue
                for start in _find_words(texts, part):
                    end = start + length
                    idx = set(range(start, end))
                    if idx & taken or idx & blocked or not _whole_name(doc, start, end):
                        continue
                    cluster.mentions.append(doc[start:end])
                    taken |= idx


def _find_words(texts: list[str], words: list[str]) -> list[int]:
    n = len(words)
    return [
        i for i in range(len(texts) - n + 1) if texts[i] == words[0] and texts[i : i + n] == words
    ]


def _whole_name(doc: Doc, start: int, end: int) -> bool:
    """The tokens are not part of a longer capitalised name."""
    before = doc[start - 1] if start > 0 else None
    after = doc[end] if end < len(doc) else None

    def namey(tok: object) -> bool:
        return tok is not None and tok.text[:1].isupper() and not tok.is_sent_start  # type: ignore[attr-defined]

    return not namey(before) and not (after is not None and after.text[:1].isupper())
