"""A pronoun subject that stands for the firm just told: "Lynas reported higher sales. It said on
Monday it had applied for an export permit."

GUIDELINES §3 lists the applicant or licensee among an event's companies; a report names the
firm once and goes on with "it". In a sentence that names no firm and opens with the pronoun as
its first subject (in "The ministry said it had ..." "it" is the ministry), the antecedent is
taken to be the subject of the main verb of the sentence before (a report's next sentence keeps
its subject): only when that subject names a firm does the pronoun stand for it, so "The
ministry suspended exports. It said ..." names no firm. Word list: cues.json adjust.firm_pronouns.
"""

from __future__ import annotations

from spacy.tokens import Span, Token

from tradeline.extractors.companies.facts import ArticleFirms

SUBJECT_DEPS = ("nsubj", "nsubjpass")


def pronoun_firm(sent: Span, firms: ArticleFirms, pronouns: set[str]) -> str | None:
    """The firm a subject pronoun of `sent` stands for, or None (see the module docstring). A
    sentence that names a firm itself is left to its own parse: the firm was weighed there."""
    if firms.in_span(sent):
        return None
    first = next((t for t in sent if t.dep_ in SUBJECT_DEPS), None)
    if first is None or first.lower_ not in pronouns:
        return None  # "The ministry said it had revoked ...": "it" is the ministry
    return subject_firm_before(sent, firms)


def subject_firm_before(sent: Span, firms: ArticleFirms) -> str | None:
    """The firm the main verb of the sentence before `sent` has as its subject, or None: what
    "it" or "the company" most likely stands for when more than one firm has been named."""
    if sent.start == 0:
        return None
    root = sent.doc[sent.start - 1].sent.root
    subject = next((ch for ch in root.children if ch.dep_ in SUBJECT_DEPS), None)
    return None if subject is None else _firm_of(subject, firms)


def _firm_of(word: Token, firms: ArticleFirms) -> str | None:
    """The firm a subject word names, through the words of its multi-word name."""
    for t in (word, *(ch for ch in word.children if ch.dep_ in ("compound", "flat"))):
        name = firms.by_token.get(t.i)
        if name:
            return name
    return None
