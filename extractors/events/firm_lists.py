"""Firms an event counts but names a few sentences later.

Reports often state the action on a counted, unnamed group ("restored the export permits of
three companies", "adding 28 companies to its list", "suspending the permits of two private
smelters") and name its members next: "The companies are A, B and C", "The listed firms
include A ...", "Among the approved exporters are A and B", "The two smelters, A and B, ...".
An event whose own sentence names no firm of the group takes the firms of the first following
sentence that names firms (at most `LOOKAHEAD` sentences on), when that sentence introduces
them as a list: after a list word ("include", "are", "among", a colon), the group's noun or a
definite plural firm noun ("The companies, A, B and C, said").
The word lists are the companies lexicon's (plurals) and the events cues (list words).
"""

from __future__ import annotations

from collections.abc import Sequence

from spacy.tokens import Doc, Span, Token

from tradeline.extractors.companies.component import CompanyTagger
from tradeline.extractors.companies.facts import ArticleFirms
from tradeline.extractors.events.candidates import Candidate
from tradeline.extractors.text.doc_cache import sentences

LOOKAHEAD = 4  # sentences after the group's sentence that may name its members
DEFINITE = ("the", "these", "those", "both")  # "these five entities": the group named again


def counted_group(sent: Span, plurals: frozenset[str], quantifiers: frozenset[str]) -> list[Token]:
    """Plural firm nouns of the sentence that count or quantify an unnamed group ("three
    companies", "28 companies", "several Chinese technology firms", "14 more companies")."""
    out = []
    for tok in sent:
        if tok.tag_ != "NNS" or tok.lower_ not in plurals:
            continue
        if any(
            (c.dep_ == "nummod" and c.like_num) or (c.lower_ in quantifiers and c.i < tok.i)
            for c in tok.children
        ):
            out.append(tok)
    return out


def members_after(
    doc: Doc,
    group: Token,
    firms: ArticleFirms,
    list_words: frozenset[str],
    counted: frozenset[int] = frozenset(),
    plurals: frozenset[str] = frozenset(),
) -> list[str]:
    """The firms the first following sentence that names any lists as the group's members;
    none when the group's own sentence names firms after it ("to 37 companies, including X"),
    or when that sentence counts another, indefinite group ("Several smaller refiners, including
    Y", not "these five entities"). A definite plural firm noun (`plurals`) before the names
    tells the group again in other words ("three firms ... The companies, A and B, ...")."""
    sent = group.sent
    if any(i in firms.by_token for i in range(group.i + 1, sent.end)):
        return []
    for _ in range(LOOKAHEAD):
        if sent.end >= len(doc):
            return []
        sent = doc[sent.end].sent
        named = [(i, firms.by_token[i]) for i in range(sent.start, sent.end) if i in firms.by_token]
        if not named:
            continue
        first = named[0][0]
        lead = doc[sent.start : first]
        if any(t.i in counted and t.lemma_ != group.lemma_ and not _definite(t) for t in lead):
            return []  # "Several smaller refiners, including Y": another group, not "these five"
        cues = {t.lower_ for t in lead} | {t.lemma_ for t in lead}
        renamed = any(t.lower_ in plurals and _definite(t) for t in lead)  # "The companies, A"
        if not (cues & list_words or group.lemma_ in cues or group.lower_ in cues or renamed):
            return []
        out: list[str] = []
        for _, name in named:
            if name not in out:
                out.append(name)
        return out
    return []


def name_counted_groups(
    doc: Doc, cands: Sequence[Candidate], firms: ArticleFirms, companies: CompanyTagger
) -> None:
    """Give each event on a counted unnamed group the group's members named in a following
    sentence (see the module docstring; word lists from the companies component)."""
    plurals = frozenset(companies.plurals)
    quantifiers, list_words = companies.group_quantifiers, companies.member_list_words
    by_sent: dict[int, list[Candidate]] = {}
    for c in cands:
        by_sent.setdefault(c.sent.start, []).append(c)
    groups = [
        (group, group_cands)
        for group_cands in by_sent.values()
        for group in counted_group(group_cands[0].sent, plurals, quantifiers)
    ]
    if not groups:
        return  # most articles: no event on a counted group, so no pass over the rest
    counted = frozenset(  # every counted group of the article, to tell one group from another
        t.i for sent in sentences(doc) for t in counted_group(sent, plurals, quantifiers)
    )
    for group, group_cands in groups:
        target = _owner(group, group_cands)
        if target is None:
            continue
        for name in members_after(doc, group, firms, list_words, counted, plurals):
            if name not in target.companies:
                target.companies.append(name)


def _owner(group: Token, cands: Sequence[Candidate]) -> Candidate | None:
    """The event whose trigger governs the group noun most closely; the only event of the
    sentence when none governs it."""
    best, depth = None, 99
    for c in cands:
        for k, anc in enumerate([group, *group.ancestors]):
            if anc.i == c.trigger.i and k < depth:
                best, depth = c, k
                break
    if best is None and len(cands) == 1:
        return cands[0]
    return best


def _definite(noun: Token) -> bool:
    return any(c.dep_ in ("det", "predet") and c.lower_ in DEFINITE for c in noun.children)
