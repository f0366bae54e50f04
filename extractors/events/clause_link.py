"""The licence noun of a permit verb whose dependency path the small parser broke.

Grants name the recipient and the licence as two objects ("has issued national atomic company
Kazatomprom (LSE: KAP) a five-year licence", "granted Tenex, the trading arm of Rosatom, a
one-time licence"); the small model then hangs the licence on the recipient as an apposition,
so no verb -> object template reaches it. Applications put a date between the verb and its
object and get "for licences to ship" read as a clause ("applied in December for licences to
ship 400 ventilators": "licences" becomes the subject of "ship"). Both leave the licence noun
inside the verb's own clause span, before any other verb.

A pronoun object ("revoked them in January 2021", "applied for it in September") stands for
the latest licence noun of its number in its sentence or the one before.

The fallback looks there, for verbs of the permit rules that no template linked: the first
token after the verb, in its subtree and before the next verb or relative word, whose lemma is
an object of a permit rule of that verb. It is bounded to the broken shapes: the noun hangs
as a juxtaposed nominal (apposition, second object, conjunct: never a preposition's object, so
"issued a statement on licences" adds nothing), as the subject of a "for ... to" clause, or
right after a "for" the parse did not make its head; or it is a pronoun object as above.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from spacy.tokens import Doc, Token

from tradeline.extractors.events.lexicon import EventRule

# How the broken parse attaches a juxtaposed object noun (a second object read as an apposition).
JUXTAPOSED = frozenset({"appos", "dobj", "dative", "npadvmod", "dep", "conj", "attr", "oprd"})
# What ends the verb's clause span: another verb's clause, a relative word, a strong stop.
RELATIVE_TAGS = frozenset({"WDT", "WP", "WP$", "WRB"})
STOPS = frozenset({";", ".", "!", "?"})
REACH = 20  # tokens after the verb: a recipient with its gloss and ticker fits
PRONOUNS = frozenset({"it", "them"})
PLURAL_PRONOUNS = frozenset({"them"})
NOUN_PHRASE_DEPS = frozenset({"det", "amod", "nummod", "compound", "poss", "punct", "nmod"})
NOMINAL_VERB_DEPS = frozenset({"amod", "compound", "nmod"})  # "Mysuru-based", "trading"


def _ends_span(tok: Token) -> bool:
    if tok.text in STOPS or tok.tag_ in RELATIVE_TAGS:
        return True
    return tok.pos_ in ("VERB", "AUX") and tok.dep_ not in NOMINAL_VERB_DEPS


def _for_clause_subject(tok: Token) -> bool:
    """'for licences to ship': the noun is the subject of an infinitive marked by 'for'."""
    if tok.dep_ != "nsubj" or tok.head.tag_ != "VB":
        return False
    return any(c.dep_ == "mark" and c.lower_ == "for" and c.i < tok.i for c in tok.head.children)


def _after_for(tok: Token) -> bool:
    """'applied on Monday for certificates covering ...' parsed as a clause: the noun's phrase
    opens with 'for', though the parse made it no object of that preposition."""
    if tok.dep_ == "pobj":
        return False
    k = tok.i - 1
    while k > tok.sent.start and tok.doc[k].dep_ in NOUN_PHRASE_DEPS:
        k -= 1
    return tok.doc[k].lower_ == "for"


def _span_after(trig: Token) -> Iterator[Token]:
    """The tokens after the verb in its clause span (see the module docstring)."""
    sub = trig.subtree
    inside = {t.i for t in sub}
    end = min(trig.sent.end, trig.i + 1 + REACH)
    for tok in trig.doc[trig.i + 1 : end]:
        if tok.i not in inside or _ends_span(tok):
            return
        yield tok


def _antecedent(pron: Token, is_permit: Callable[[Token], bool]) -> Token | None:
    """'revoked them', 'applied for it': the latest permit noun of the same number told in this
    sentence or the one before."""
    plural = pron.lower_ in PLURAL_PRONOUNS
    doc, start = pron.doc, pron.sent.start
    first = doc[start - 1].sent.start if start else start
    for tok in reversed(doc[first : pron.i]):
        if tok.pos_ == "NOUN" and tok.dep_ != "compound" and is_permit(tok):
            return tok if (tok.tag_ == "NNS") == plural else None
    return None


def _pronoun_object(trig: Token, tok: Token) -> bool:
    """A pronoun the verb takes as its object, directly or through 'for'."""
    if tok.lower_ not in PRONOUNS:
        return False
    return (tok.head.i == trig.i and tok.dep_ in ("dobj", "dative")) or (
        tok.dep_ == "pobj" and tok.head.lower_ == "for" and tok.head.head.i == trig.i
    )


def clause_objects(
    doc: Doc,
    verbs: Iterable[Token],
    linked: set[int],
    rules_for: Callable[[Token, Token], list[EventRule]],
) -> Iterator[tuple[EventRule, Token, Token]]:
    """(rule, trigger, object) for each permit verb no template linked, from its clause span."""
    for trig in verbs:
        if trig.i in linked or trig.pos_ != "VERB":
            continue
        for tok in _span_after(trig):
            if _pronoun_object(trig, tok):
                ante = _antecedent(tok, lambda t, v=trig: bool(rules_for(v, t)))
                for rule in rules_for(trig, ante) if ante is not None else []:
                    yield rule, trig, tok
                break
            if tok.pos_ not in ("NOUN", "PROPN"):
                continue
            if not (tok.dep_ in JUXTAPOSED or _for_clause_subject(tok) or _after_for(tok)):
                continue
            rules = rules_for(trig, tok)
            if rules:
                for rule in rules:
                    yield rule, trig, tok
                break
