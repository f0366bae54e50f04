"""The licence noun of a permit verb whose dependency path the small parser broke.

Grants name the recipient and the licence as two objects ("has issued national atomic company
Kazatomprom (LSE: KAP) a five-year licence", "granted Tenex, the trading arm of Rosatom, a
one-time licence"); the small model then hangs the licence on the recipient as an apposition,
so no verb -> object template reaches it. Applications put a date between the verb and its
object and get "for licences to ship" read as a clause ("applied in December for licences to
ship 400 ventilators": "licences" becomes the subject of "ship"). Both leave the licence noun
inside the verb's own clause span, before any other verb.

The fallback looks there, for verbs of the permit rules that no template linked: the first
token after the verb, in its subtree and before the next verb or relative word, whose lemma is
an object of a permit rule of that verb. It is bounded to the two broken shapes: the noun hangs
as a juxtaposed nominal (apposition, second object, conjunct: never a preposition's object, so
"issued a statement on licences" adds nothing), or as the subject of a "for ... to" clause.
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


def _span_after(trig: Token) -> Iterator[Token]:
    """The tokens after the verb in its clause span (see the module docstring)."""
    sub = trig.subtree
    inside = {t.i for t in sub}
    end = min(trig.sent.end, trig.i + 1 + REACH)
    for tok in trig.doc[trig.i + 1 : end]:
        if tok.i not in inside or _ends_span(tok):
            return
        yield tok


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
            if tok.pos_ not in ("NOUN", "PROPN"):
                continue
            if not (tok.dep_ in JUXTAPOSED or _for_clause_subject(tok)):
                continue
            rules = rules_for(trig, tok)
            if rules:
                for rule in rules:
                    yield rule, trig, tok
                break
