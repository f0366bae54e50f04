"""Decide whether a date expression dates an event, from its position and its syntax.

GUIDELINES §5 keeps dates of actions, meetings, disclosures and reports, and drops datelines,
timestamps, years inside names, and dates that only mark the period of statistics, financial
results or market moves. The statistics test reads the dependency parse: the date's governor
(the verb or noun its preposition hangs on) is a movement verb ("plunged", "gained 3%"), a
statistic noun ("July exports", "Friday's gain"), or a data release at month precision. Word
lists live in models/data/dates/lexicon.json.
"""

from __future__ import annotations

import re

from spacy.tokens import Span, Token

from tradeline.extractors.dates.lexicon import DateLexicon
from tradeline.extractors.dates.rules import Tense

_DOC_NUMBER = re.compile(r"(?:\bNo\s*\.?|\bNumber|#)\s*\d+\s+of$", re.I)


def is_named_year(span: Span, lex: DateLexicon) -> bool:
    """'Strategic Trade Act 2010', 'Vision 2030', 'the 2024 Olympics': a year inside a name."""
    labels = set(lex.name_entity_labels)
    for tok in span:
        if not re.fullmatch(r"(1[89]|20)\d\d", tok.text):
            continue
        if tok.ent_type_ in labels:
            return True
        if tok.i >= 3 and _DOC_NUMBER.search(span.doc[max(0, tok.i - 5) : tok.i].text):
            return True  # "Announcement No. 72 of 2025": a document number
        if (
            tok.i >= 2
            and span.doc[tok.i - 1].lower_ == "of"
            and span.doc[tok.i - 2].text[:1].isupper()
            and span.doc[tok.i - 2].lower_.rstrip(".") not in lex.months
            and not span.doc[tok.i - 2].is_sent_start
        ):
            return True  # "the Export Control Reform Act of 2018"
        if tok.i > 0:
            prev = span.doc[tok.i - 1]
            if (
                prev.text[:1].isupper()
                and prev.pos_ in ("PROPN", "NOUN")
                and not prev.is_sent_start
                and prev.lower_.rstrip(".") not in lex.months
                and prev.i < span.start
            ):
                return True
    return False


def is_fiscal(span: Span, lex: DateLexicon) -> bool:
    """'fiscal 2024', 'FY2025', 'July-quarter sales': periods of financial reporting."""
    doc = span.doc
    fiscal = set(lex.fiscal_words)
    if span.start > 0 and doc[span.start - 1].lower_ in fiscal:
        return True
    window = [t.lower_ for t in doc[span.end : span.end + 3]]
    if window[:1] == ["-"] and window[1:2] in (["quarter"], ["end"], ["half"]):
        return True
    return bool(
        window[:1] in (["quarter"], ["results"], ["earnings"]) or window[:2] == ["fiscal", "year"]
    )


def governor(span: Span) -> Token | None:
    """The word the date attaches to: the head of its preposition, or of its compound/possessive."""
    tok = span.root
    seen = 0
    while tok.dep_ == "conj" and seen < 5:
        tok = tok.head
        seen += 1
    if tok.dep_ in ("pobj", "pcomp") and tok.head.dep_ in ("prep", "agent"):
        prep = tok.head
        head = prep.head
        if (
            head.dep_ in ("pobj",)
            and head.head.dep_ == "prep"
            and head.lemma_ in ("end", "beginning", "start", "middle", "half", "quarter")
        ):
            head = head.head.head
        return head
    if tok.dep_ == "ROOT":
        return None
    return tok.head


def has_amount(tok: Token, exclude: Span, lex: DateLexicon) -> bool:
    """A number, amount or percentage among the verb's own complements (not its clauses)."""
    units = set(lex.units_after_year)
    for child in tok.children:
        if child.dep_ in lex.clause_deps or exclude.start <= child.i < exclude.end:
            continue
        if child.dep_ == "prep" and any(exclude.start <= t.i < exclude.end for t in child.subtree):
            continue
        for t in child.subtree:
            if exclude.start <= t.i < exclude.end:
                continue
            if t.ent_type_ in lex.amount_entity_labels or t.lower_ in ("%", "percent", "pct"):
                return True
            if (
                t.like_num
                and t.pos_ == "NUM"
                and t.ent_type_ != "DATE"
                and (
                    t.head.lemma_.lower() in units
                    or _noun_is_stat(t.head, lex)
                    or t.head.i == tok.i
                )
            ):
                return True
    return False


def _subject(verb: Token) -> Token | None:
    v = verb
    for _ in range(3):
        for child in v.children:
            if child.dep_ in ("nsubj", "nsubjpass", "expl"):
                return child
        if v.dep_ in ("conj", "xcomp") and v.head.pos_ in ("VERB", "AUX"):
            v = v.head
        else:
            break
    return None


def _noun_is_stat(noun: Token, lex: DateLexicon) -> bool:
    words = {noun.lemma_.lower(), noun.lower_}
    return bool(words & set(lex.stat_nouns))


def _under_policy_word(noun: Token, lex: DateLexicon) -> bool:
    """'conditions on exports from Aug. 1': the statistic noun is the object of a measure."""
    policy = set(lex.policy_words)
    tok = noun
    for _ in range(3):
        if tok.dep_ in ("pobj", "dobj", "compound", "nsubjpass") or tok.dep_ == "prep":
            tok = tok.head
            if tok.lemma_.lower() in policy:
                return True
        else:
            break
    return False


def _stat_subject(subj: Token | None, lex: DateLexicon) -> bool:
    """'exports', 'prices', and 'half of its exports', 'most of the output'."""
    if subj is None:
        return False
    if _noun_is_stat(subj, lex):
        return True
    return any(
        ch.dep_ == "prep" and ch.lower_ == "of" and any(_noun_is_stat(g, lex) for g in ch.children)
        for ch in subj.children
    )


def _moves(verb: Token) -> bool:
    """'have gone up', 'fell back down': a verb with a direction particle."""
    return any(ch.dep_ == "prt" and ch.lower_ in ("up", "down") for ch in verb.children)


def is_statistic_date(span: Span, granularity: str, lex: DateLexicon) -> bool:
    """True when the date only marks the period of a statistic, a result or a market move."""
    gov = governor(span)
    if gov is None:
        return False
    strong, weak = set(lex.stat_verbs_strong), set(lex.stat_verbs_weak)
    lemma = gov.lemma_.lower()
    if lemma in lex.reporting_verbs and lemma not in lex.data_verbs:
        return False
    if gov.pos_ == "ADV" and gov.lower_ in lex.movement_adverbs:
        return True  # "gasoline up 21.3% since Jan 1"
    if gov.pos_ in ("NOUN", "PROPN") and gov.dep_ in ("nsubj", "nsubjpass"):
        verb = gov.head  # "joint ventures in January produced 242,000 barrels per day"
        if verb.lemma_.lower() in strong or (
            verb.lemma_.lower() in weak and has_amount(verb, span, lex)
        ):
            return True
    if gov.pos_ in ("VERB", "AUX"):
        subj = _subject(gov)
        stat_subject = _stat_subject(subj, lex)
        if stat_subject and _moves(gov):
            return True  # "prices have gone up since the start of the year"
        if lemma in strong and (
            stat_subject
            or has_amount(gov, span, lex)
            or subj is None
            or subj.pos_ in ("NOUN", "PRON")
        ):
            return True
        if lemma in weak and (stat_subject or has_amount(gov, span, lex)):
            return True
        data_subject = (subj is not None and subj.lemma_.lower() in lex.data_nouns) or (
            gov.dep_ in ("acl", "relcl") and gov.head.lemma_.lower() in lex.data_nouns
        )
        return lemma in lex.data_verbs and granularity != "day" and data_subject
    if gov.pos_ in ("NOUN", "PROPN", "ADJ"):
        if gov.lemma_.lower() in strong or gov.lemma_.lower() in lex.movement_nouns:
            return True  # "a 92 percent jump in prices since March": a move, whatever caused it
        if _noun_is_stat(gov, lex) and not _under_policy_word(gov, lex):
            return True
        # "a surge in July exports": the noun the date modifies governs a statistic noun
        if (
            gov.dep_ in ("pobj",)
            and gov.head.dep_ == "prep"
            and _noun_is_stat(gov.head.head, lex)
            and gov.head.head.pos_ == "NOUN"
            and span.root.dep_ in ("compound", "nmod", "amod")
        ):
            return True
    return False


def is_coverage_year(span: Span, lex: DateLexicon) -> bool:
    """'caps for 2026 and 2027', 'for the rest of 2025': the years a quota or plan covers
    (GUIDELINES §4 calls them coverage years), not dates of an action."""
    if not all(t.like_num or t.lower_ in ("and", ",", "the", "year") for t in span):
        return False
    doc = span.doc
    root = span.root
    while root.dep_ == "conj" and root.head.i != root.i:
        root = root.head  # "for 2026 and 2027": the second year shares the first's lead
    before = " ".join(t.lower_ for t in doc[max(span.sent.start, root.i - 4) : root.i])
    return any(before == lead or before.endswith(" " + lead) for lead in lex.coverage_leads)


def is_other_event(span: Span, lex: DateLexicon) -> bool:
    """'an election on October 29', 'the October 7 attack', 'Russia invaded Ukraine in
    February': the date of something that is no trade-policy action, meeting or report."""
    gov = governor(span)
    return gov is not None and gov.lemma_.lower() in lex.other_events


def is_period_of(span: Span, lex: DateLexicon) -> bool:
    """'the first eight months of 2023', 'the 12 months to March': a window, not a date."""
    gov = governor(span)
    if gov is None or gov.lemma_.lower() not in lex.period_nouns:
        return False
    return any(c.dep_ in ("nummod", "amod") for c in gov.children)


def _states_effect(verb: Token, lex: DateLexicon) -> bool:
    """'takes effect', 'comes into force', 'becomes effective' (dates lexicon `effect`)."""
    needed = set(lex.effect.phrases.get(verb.lemma_.lower(), ()))
    near = [*verb.children, *(g for ch in verb.children for g in ch.children)]
    return bool(needed) and any(t.lower_ in needed for t in near)


def tense_of(span: Span, lex: DateLexicon) -> Tense:
    """'future' when the governing verb is marked for the future, 'past' when it is past tense."""
    tok = governor(span) or span.root
    for _ in range(4):
        if tok.pos_ in ("VERB", "AUX") or tok.dep_ == "ROOT":
            break
        tok = tok.head
    verbs = [tok]
    while verbs[-1].dep_ in ("xcomp", "conj", "pcomp") and len(verbs) < 3:
        # "will start accepting ...", "will ban and fine ...", "will bar firms from exporting"
        head = verbs[-1].head
        verbs.append(head.head if verbs[-1].dep_ == "pcomp" else head)
    if tok.tag_ == "VBG" and tok.dep_ in ("acl", "advcl") and tok.lemma_ in ("start", "begin"):
        # "Starting in September, firms will need licences": the participle takes the tense of
        # the clause it opens; "will require firms to obtain a permit starting in January":
        # of the verb whose phrase it ends (and the verbs that verb complements)
        verbs.append(tok.sent.root)
        head = next((a for a in tok.ancestors if a.pos_ in ("VERB", "AUX")), None)
        while head is not None and len(verbs) < 6:
            verbs.append(head)
            head = head.head if head.dep_ in ("xcomp", "conj") else None
    for verb in verbs:
        if any(c.dep_ == "aux" and c.lower_ in lex.future_aux for c in verb.children):
            return "future"
        if verb.dep_ == "xcomp" and verb.head.lemma_.lower() in lex.future_governors:
            return "future"
    if tok.tag_ in ("VBZ", "VBP") and _states_effect(tok, lex):
        return "future"  # "the rule becomes effective Dec. 31", "takes effect on June 1"
    if tok.tag_ == "VBD" or (
        tok.tag_ == "VBN"
        and any(c.lower_ in ("has", "have", "had", "was", "were") for c in tok.children)
    ):
        return "past"
    return None


def is_speculation_date(span: Span, lex: DateLexicon) -> bool:
    """'the ministry could move to a full export ban next year', 'officials might reconsider
    quotas in November': a date of a clause told as a possibility dates no action (GUIDELINES
    §3: measures only under consideration are no events)."""
    gov = governor(span)
    if gov is None or gov.pos_ not in ("VERB", "AUX"):
        return False
    verbs = [gov, *([gov.head] if gov.dep_ in ("xcomp", "conj") else [])]
    return any(
        ch.dep_ == "aux" and ch.lower_ in lex.hedge_modals for v in verbs for ch in v.children
    )


def is_steady_market_date(span: Span, lex: DateLexicon) -> bool:
    """'Wheat prices were unchanged on Thursday', 'Shares of Lupin were flat on Wednesday':
    a market that did not move is a market report too (GUIDELINES §5)."""
    gov = governor(span)
    if gov is None:
        return False
    if gov.lower_ in lex.steady_words:
        gov = gov.head if gov.dep_ in ("acomp", "oprd") else gov
    elif not any(
        ch.dep_ in ("acomp", "oprd") and ch.lower_ in lex.steady_words for ch in gov.children
    ):
        return False
    return _stat_subject(_subject(gov), lex)
