"""Dates told in a sentence of their own: "The new rules take effect on Sept. 1."

GUIDELINES §3 dates an event by its effective date first. Reports often announce an action
("On Monday, the ministry confirmed that drones would be subject to export controls") and say
when it takes effect a sentence or more later, in a sentence that states no action of its own
("As the spokesperson put it, the measures will take effect from September 1"). Such a date is
the effective date of the latest control action told before it, and of every action that
shares that action's date (the same announcement). The words that make a date a start are
the dates component's (`effect` in models/data/dates/lexicon.json).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from spacy.tokens import Token

from tradeline.extractors.dates.lexicon import EffectWords
from tradeline.extractors.events.candidates import Candidate, DateMention
from tradeline.extractors.text.doc_cache import sentence_bounds

MAX_SENTENCES_BACK = 6  # an effective date speaks of an action told at most this far before
SUBJECT_DEPS = ("nsubj", "nsubjpass")


# where the small parser puts a clause's predicate that it tagged as a noun ("The suspension
# runs from March 15": "runs" NOUN, ccomp of "said")
CLAUSE_DEPS = ("ccomp", "advcl", "xcomp", "relcl")


def _predicate(tok: Token) -> bool:
    return tok.pos_ in ("VERB", "AUX") or (tok.pos_ == "NOUN" and tok.dep_ in CLAUSE_DEPS)


def _verb_of(m: DateMention) -> Token:
    """The verb the date hangs on (through its preposition)."""
    tok = m.span.root
    for _ in range(4):
        if _predicate(tok) or tok.head.i == tok.i:
            break
        tok = tok.head
    return tok


def _subject(verb: Token) -> Token | None:
    """The subject of a verb, or of the verb it complements ("is set to take effect")."""
    cur = verb
    for _ in range(3):
        subj = next((ch for ch in cur.children if ch.dep_ in SUBJECT_DEPS), None)
        if subj is None and _predicate(cur):
            # "The suspension runs from March 15": the small parser reads the subject noun as
            # a compound of a verb that is also a noun ("runs", "starts")
            subj = next(
                (ch for ch in cur.lefts if ch.dep_ == "compound" and ch.pos_ == "NOUN"), None
            )
        if subj is not None:
            return subj
        if cur.dep_ not in ("xcomp", "conj", "ccomp") or cur.head.i == cur.i:
            return None
        cur = cur.head
    return None


def takes_effect(m: DateMention, words: EffectWords) -> bool:
    """'take effect on Sept. 1', 'come into force from July 21', 'effective May 26', 'the ban
    applies from June 1': the date says when a measure starts."""
    text = m.fact.text.lower()
    doc = m.span.doc
    window = doc[max(m.span.sent.start, m.span.start - 3) : m.span.start]
    before = " ".join(t.lower_ for t in window)
    if text.startswith("effective") or before.endswith(("effective", "with effect from")):
        return True
    verb = _verb_of(m)
    lemma = verb.lemma_.lower()
    needed = set(words.phrases.get(lemma, ()))
    if needed:
        near = [ch for ch in verb.children] + [g for ch in verb.children for g in ch.children]
        if any(t.lower_ in needed for t in near if not m.span.start <= t.i < m.span.end):
            return True
    if any(ch.lower_ == "for" for ch in verb.children):
        return False  # "applied for licences on Tuesday"
    if lemma in words.verbs and text.startswith((*tuple(words.leads), "on ", "in ")):
        subj = _subject(verb)
        return subj is not None and subj.lemma_.lower() in words.subjects
    return False


def _naming_words(m: DateMention, words: EffectWords) -> set[str] | None:
    """The words of the subject that name one measure among several ('the diesel restriction':
    {'diesel'}); empty for a generic subject ('the new control', 'the measures'); None when the
    date's verb has no subject."""
    subj = _subject(_verb_of(m))
    if subj is None:
        return None
    if subj.lower_ in ("which", "that") and subj.head.dep_ == "relcl":
        subj = subj.head.head  # "the new control, which is effective Sept. 7"
    return {
        ch.lemma_.lower()
        for ch in subj.children
        if ch.dep_ in ("compound", "amod", "nmod")
        and ch.lemma_.lower() not in words.generic_modifiers
    }


def _generic_subject(m: DateMention, words: EffectWords) -> bool:
    """'the new control', 'the measures', 'it': no word that names one measure among several
    ('the diesel restriction')."""
    return _naming_words(m, words) == set()


def _names_object(c: Candidate, naming: set[str]) -> bool:
    """Whether the action's object ('a ban on gasoline exports') holds one of the words."""
    return any(t.lemma_.lower() in naming for t in c.obj.subtree)


def _naming_nouns(m: DateMention) -> set[str]:
    """The nouns that name the date's subject ('the diesel restriction': {'diesel'}); not its
    adjectives ('the final rule')."""
    subj = _subject(_verb_of(m))
    if subj is None:
        return set()
    return {
        ch.lemma_.lower()
        for ch in subj.children
        if ch.dep_ in ("compound", "nmod") and ch.pos_ in ("NOUN", "PROPN")
    }


def names_another(m: DateMention, c: Candidate, words: EffectWords) -> bool:
    """'The diesel restriction will take effect from Oct. 1' after 'will extend a ban on
    gasoline exports ... and bar resellers from exporting diesel': the subject of the date
    names a measure that the action's object does not."""
    naming = _naming_nouns(m) - set(words.generic_modifiers)
    return bool(naming) and not _names_object(c, naming)


def _past_perfect(trigger: Token) -> bool:
    return any(ch.dep_ == "aux" and ch.lower_ in ("had", "'d") for ch in trigger.children)


def _past_perfect_shared(trigger: Token) -> bool:
    """'had banned'; also a verb coordinated without auxiliaries of its own after one ('had
    granted licences ... but refused others')."""
    if _past_perfect(trigger):
        return True
    own_aux = any(ch.dep_ in ("aux", "auxpass") for ch in trigger.children)
    return (
        trigger.dep_ == "conj"
        and not own_aux
        and trigger.tag_ in ("VBD", "VBN")
        and _past_perfect(trigger.head)
    )


# adverbs that place an action after another without a date of its own: "OFAC has since issued
# licences", "it subsequently revoked them" (GUIDELINES §5: event-anchored, no date)
AFTERWARD_ADVERBS = ("since", "subsequently", "afterwards", "afterward", "thereafter")


def told_afterwards(trigger: Token) -> bool:
    """'has since issued licences': the action happened at some point after another one; no
    date of a neighbouring action or sentence is its date."""
    return any(ch.dep_ == "advmod" and ch.lower_ in AFTERWARD_ADVERBS for ch in trigger.children)


# adverbs that tell an action as history: "was first introduced", "was last extended"
BACKGROUND_ADVERBS = ("first", "originally", "initially", "previously", "last")
BACKGROUND_MONTHS = 2  # an action dated more months than this before publication is history


def months_before(value: str, published: str | None) -> int:
    """Whole months from the latest month a date value can mean to the publication month."""
    if not published or len(published) < 7 or not value[:4].isdigit():
        return 0
    year, month = int(value[:4]), int(value[5:7]) if len(value) >= 7 else 12
    return (int(published[:4]) * 12 + int(published[5:7])) - (year * 12 + month)


def told_as_background(c: Candidate, published: str | None) -> bool:
    """'The ban was first introduced in August last year', '..., which it suspended in June',
    'had banned': an action told as history, not the announcement that a later 'The ministry
    also ...' continues."""
    t = c.trigger
    if t.dep_ in ("relcl", "acl") or _past_perfect(t):
        return True
    if any(ch.dep_ == "advmod" and ch.lower_ in BACKGROUND_ADVERBS for ch in t.children):
        return True
    return c.date is not None and months_before(c.date.value, published) > BACKGROUND_MONTHS


def _sentence_index(cands: Sequence[Candidate], mentions: Sequence[DateMention]) -> dict[int, int]:
    doc = (cands[0].trigger if cands else mentions[0].span).doc
    return {start: k for k, (start, _) in enumerate(sentence_bounds(doc))}


def donate_effect_statements(
    cands: list[Candidate],
    mentions: Sequence[DateMention],
    words: EffectWords,
    families: Sequence[Sequence[str]],
) -> None:
    """Give each stand-alone effective date (see the module docstring) to the latest earlier
    control action (and to the actions that share its date) that has no effective date yet,
    unless that action is dated later or more than a year before."""
    if not cands or not mentions:
        return
    control_types = {t for family in families[:2] for t in family}
    claimed = {id(c.date) for c in cands if c.date is not None}
    with_actions = {c.sent.start for c in cands}
    index = _sentence_index(cands, mentions)
    for m in mentions:
        sent = m.span.sent
        if id(m) in claimed or sent.start in with_actions or not takes_effect(m, words):
            continue
        here = index[sent.start]
        subj = _subject(_verb_of(m))
        licence = subj is not None and subj.lemma_.lower() in words.licence_subjects
        types = control_types | {"permit_denied"} if licence else control_types
        earlier = [
            c
            for c in cands
            if c.type in types
            and c.sent.start < sent.start
            and here - index[c.sent.start] <= MAX_SENTENCES_BACK
        ]
        # "The diesel restriction will take effect ...": the diesel action only
        earlier = [c for c in earlier if not names_another(m, c, words)]
        target = max(earlier, key=lambda c: c.trigger.i, default=None)
        if target is None or target.date_role == "effective" or _past_perfect(target.trigger):
            continue  # "had suspended shipments in April": background, not what starts now
        if target.date is not None and not (
            int(m.value[:4]) - 1 <= int(target.date.value[:4]) and target.date.value <= m.value
        ):
            continue
        # an action that continues an announcement ("... were also made subject to controls")
        # shares the announcement's effective date with the actions it took its date from; a
        # generic subject ("the new control takes effect") speaks of every action of the
        # target's sentence ("said it had expanded its controls and imposed licences")
        shared = target.date if target.date_role == "inherited" else None
        whole = _generic_subject(m, words)
        for c in earlier:
            same_sentence = whole and c.sent.start == target.sent.start
            if (
                c is target
                or (shared is not None and c.date is shared)
                or (same_sentence and c.date_role != "effective")
            ):
                c.date, c.date_role = m, "effective"


# links along which two actions of one clause chain are one announcement: "is to lift its ban
# ... and bring in quotas", "scrapped the ban, setting a floor price", "Replacing a freeze,
# the quotas come into force on Oct. 16"
SHARING_DEPS = ("conj", "advcl", "xcomp", "acomp")


def _own_subject(tok: Token) -> bool:
    return any(ch.dep_ in SUBJECT_DEPS for ch in tok.children)


def _chain_link(a: Token, b: Token) -> bool:
    """Whether the path between two triggers runs only through coordination, participles and
    complements (one clause chain), never into a relative or subordinate clause of its own."""
    up_a = [a, *a.ancestors]
    up_b = {t.i: k for k, t in enumerate([b, *b.ancestors])}
    top = next((k for k, t in enumerate(up_a) if t.i in up_b), None)
    if top is None:
        return False
    chain_b = [b, *b.ancestors][: up_b[up_a[top].i]]
    for tok in [*up_a[:top], *chain_b]:
        if tok.dep_ not in SHARING_DEPS:
            return False
        if tok.dep_ == "advcl" and (
            _own_subject(tok) or any(ch.dep_ == "mark" for ch in tok.children)
        ):
            return False  # "after the US imposed curbs": a clause of its own
    return True


def share_clause_dates(
    group: Sequence[Candidate], blocked: Callable[[Candidate, DateMention], bool]
) -> None:
    """The one-to-one date assignment gives a sentence's date to one action; another action of
    the same clause chain left undated ("is to lift its ban and bring in quotas on Oct. 16")
    was taken at the same moment and shares it, unless the date cannot date it (`blocked`:
    an anchored or end date) or it is told as earlier ("had banned"). A date told after the
    first of two coordinated verbs belongs to that verb alone."""
    dated = [c for c in group if c.date is not None and not c.absorbed]
    for c in group:
        if c.date is not None or c.absorbed or _past_perfect(c.trigger):
            continue
        if told_afterwards(c.trigger):
            continue
        for d in sorted(dated, key=lambda d: abs(d.trigger.i - c.trigger.i)):
            date = d.date
            if date is None or _past_perfect(d.trigger) != _past_perfect(c.trigger):
                continue
            coordinated = d.trigger.i in {t.i for t in c.trigger.ancestors} or (
                c.trigger.i in {t.i for t in d.trigger.ancestors}
            )
            if c.trigger.dep_ == "conj" and coordinated and date.span.start > d.trigger.i:
                continue  # "bans exports from December, revokes a permit": the first's date
            if _chain_link(c.trigger, d.trigger) and not blocked(c, date):
                c.date, c.date_role = date, d.date_role
                break


# how a reporting verb holds the actions it tells: "said it had renewed ...", ", while
# suspending ...", "said ..., but refused ..." (a deeper clause is told by someone else)
REPORTED_DEPS = ("ccomp", "advcl", "conj", "xcomp")


def report_verb(m: DateMention, reporting: set[str]) -> Token | None:
    """The reporting verb a date dates ('said on Monday', 'officials said Monday', 'the ministry
    announced on Friday that ...'), or None when the date hangs on anything else."""
    verb = _verb_of(m)
    if verb.lemma_.lower() in reporting:
        return verb
    before = m.span.doc[m.span.start - 1] if m.span.start > m.span.sent.start else None
    if before is not None and before.pos_ == "VERB" and before.lemma_.lower() in reporting:
        return before  # "said on Wednesday it had granted ...": the parse hangs it on "granted"
    return None


def share_report_dates(
    group: Sequence[Candidate],
    reporting: set[str],
    blocked: Callable[[Candidate, DateMention], bool],
) -> None:
    """GUIDELINES §3: when the only date tied to an action is the day it was reported, that
    date is used. One report often tells several actions ("has renewed the approval of A, while
    suspending the permits of B, officials said on Monday"; "said on Wednesday it had granted
    licences ..., but refused others"): the one-to-one assignment gives the report date to one
    of them. Every undated action the same reporting verb tells directly (REPORTED_DEPS) takes
    it too, unless the date cannot date it (`blocked`) or it is told as earlier
    history (a relative clause, "had banned" beside a plain past)."""
    dated = [c for c in group if c.date is not None and not c.absorbed]
    for c in group:
        if c.date is not None or c.absorbed or c.trigger.dep_ in ("relcl", "acl"):
            continue
        if told_afterwards(c.trigger):
            continue
        top = c.trigger
        while top.dep_ == "conj" and top.head.i != top.i:
            top = top.head  # "it had granted ... but refused ...": told as "granted" is
        for d in dated:
            date = d.date
            verb = report_verb(date, reporting) if date is not None else None
            if date is None or verb is None or verb.i == c.trigger.i:
                continue
            if d.trigger.i == c.trigger.i:
                continue  # another reading of the same word ("received requests"): merged later
            if _past_perfect_shared(c.trigger) and not _past_perfect_shared(d.trigger):
                continue
            told = top.i == verb.i or (top.head.i == verb.i and top.dep_ in REPORTED_DEPS)
            if told and not blocked(c, date):
                c.date, c.date_role = date, d.date_role
                break


def _distance(a: Token, b: Token) -> int:
    """Length of the parse path between two tokens (99: none)."""
    up_a = [a, *a.ancestors]
    up_b = {t.i: k for k, t in enumerate([b, *b.ancestors])}
    return next((k + up_b[t.i] for k, t in enumerate(up_a) if t.i in up_b), 99)


# A "sentence" longer than this (a list or table the parser could not split) is dated only
# near each trigger: trying every date against every trigger through their parse paths made
# dating such a text quadratic (about a minute for 2,700 tokens).
LONG_SENTENCE = 150
DATE_WINDOW = 60


def far_in_long_sentence(c: Candidate, m: DateMention) -> bool:
    """Whether `m` is too far from `c`'s trigger to be tried, in a very long sentence."""
    return len(c.sent) > LONG_SENTENCE and abs(m.span.start - c.trigger.i) > DATE_WINDOW


def prefer_effective(
    group: Sequence[Candidate],
    mentions: Sequence[DateMention],
    words: EffectWords,
    reporting: set[str],
    is_start: Callable[[DateMention], bool],
    blocked: Callable[[Candidate, DateMention], bool],
) -> None:
    """GUIDELINES §3 dates an action by its effective date first. The nearest-date match can
    give an action the day it was announced although its sentence says when it starts: "said
    on Friday it will widen its controls ... requiring a licence from Sept. 10", "on Monday
    scrapped the requirement, in a resolution that takes effect on Dec. 1". A date that takes
    effect replaces the announcement date of the action nearest to it; a start date ("from
    Oct. 1", `is_start`) replaces a date that only reports the sentence ("said on Friday",
    "a decree published on Wednesday"), for every action it reports."""
    for c in group:
        date = c.date
        if date is None or c.date_role != "direct" or c.absorbed:
            continue
        verb = _verb_of(date)
        before = date.span.doc[date.span.start - 1] if date.span.start > 0 else date.span[0]
        report = (verb.i != c.trigger.i and verb.lemma_.lower() in reporting) or (
            before.pos_ == "VERB" and before.lemma_.lower() in reporting  # "said on Friday it"
        )
        for m in mentions:
            if (
                m is date
                or m.span.sent.start != c.sent.start
                or far_in_long_sentence(c, m)
                or blocked(c, m)
            ):
                continue
            strong = takes_effect(m, words)
            if not strong and not (report and is_start(m)):
                continue
            if not (date.value[:4] <= m.value[:4] <= str(int(date.value[:4]) + 1)):
                continue
            if m.value[: len(date.value)] < date.value[: len(m.value)]:
                continue  # an effective date before the announcement is some earlier step
            if not report:
                near = min(group, key=lambda g: _distance(m.span.root, g.trigger))
                if near is not c:
                    continue
            c.date, c.date_role = m, "effective"
            break
