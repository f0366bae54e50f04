"""Corrections over event candidates that need the whole sentence or its neighbours.

* A single consignment stopped ("Italy blocked a shipment of vaccine doses") is an export
  authorisation refused (permit_denied), not an export ban; so is a stop that answers an
  application ("stopped the export following a request for permission to ship").
* "Exporters must obtain a permit" states a licence requirement (control_introduced), not a
  grant: obtaining under an obligation modal, by a generic (unnamed) subject.
* "From July 4, suppliers will need a licence" after "the ministry widened controls" gives the
  effective date of that action, not a second action: a requirement sentence with no acting
  authority of its own donates its effective date to the control just reported.
* Descriptions are not actions: "items that require a licence" (a requirement in a relative
  clause), "a licence issued by the ministry" (an undated participle on its own object), "the
  firm resumed shipments" (a firm, not an authority, resuming trade).
* A headline (a first line without final punctuation) only announces what the body tells:
  its undated events are dropped when the body has events.
Cue words live in models/data/events/cues.json ("adjust" section).
"""

from __future__ import annotations

from spacy.tokens import Span, Token

from tradeline.extractors.events.candidates import Candidate
from tradeline.extractors.events.lexicon import AdjustCues, EventCues
from tradeline.extractors.text.doc_cache import doc_text


def _cue(cues: EventCues) -> AdjustCues:
    return cues.adjust


def is_single_consignment(c: Candidate, cues: EventCues) -> bool:
    """A ban-type trigger whose object is one shipment ("a shipment", "the cargo")."""
    cue = _cue(cues)
    if c.type not in ("ban_introduced", "control_introduced") or c.obj.i == c.trigger.i:
        return False
    obj = c.obj
    if obj.lemma_.lower() not in cue.consignment_nouns or obj.tag_ in ("NNS", "NNPS"):
        return False
    return any(
        ch.dep_ in ("det", "nummod") and ch.lower_ in ("a", "an", "one", "the")
        for ch in obj.children
    )


def answers_application(c: Candidate, cands: list[Candidate]) -> bool:
    """'stopped the export following a request by X for permission to ship doses': a stop
    that answers an application told in its own clause refuses that application."""
    if c.type not in ("ban_introduced", "control_introduced"):
        return False
    trig = c.trigger
    return any(
        o.type == "permit_applied"
        and o.trigger.i != trig.i
        and trig.left_edge.i <= o.trigger.i <= trig.right_edge.i
        and trig in o.trigger.ancestors
        for o in cands
    )


def _subject(tok: Token) -> Token | None:
    for t in [tok, *list(tok.ancestors)[:2]]:
        subj = next((ch for ch in t.children if ch.dep_ in ("nsubj", "nsubjpass")), None)
        if subj is not None:
            return subj
    return None


def _obligation(tok: Token, cue: AdjustCues) -> bool:
    modals = set(cue.obligation_aux)
    governors = set(cue.obligation_governors)
    if any(ch.dep_ == "aux" and ch.lower_ in modals for ch in tok.children):
        return True
    if tok.dep_ == "conj" and tok.head.pos_ in ("VERB", "AUX"):
        return _obligation(tok.head, cue)  # "must hold a qualification and obtain a licence"
    head = tok.head
    return tok.dep_ in ("xcomp", "ccomp") and head.lemma_.lower() in governors


def is_requirement(c: Candidate, cues: EventCues, named: set[int]) -> bool:
    """'exporters must obtain a permit', 'firms will have to seek licences', 'Nvidia must now
    apply for licences'."""
    cue = _cue(cues)
    if c.rule not in cue.obligation_rules or not _obligation(c.trigger, cue):
        return False
    if any(ch.dep_ == "neg" for ch in c.trigger.children):
        return False
    if any(ch.dep_ == "prep" and ch.lower_ == "under" for ch in c.trigger.children):
        return False  # "Under rules announced in May, exporters must ...": the regime, retold
    subj = _subject(c.trigger)
    if subj is None:
        return False
    if subj.i in named:
        # "Nvidia must now apply for licences": a requirement newly imposed on a named firm
        return any(ch.lower_ in cue.change_adverbs for ch in c.trigger.children)
    lemma = subj.lemma_.lower()
    # "The measure obliges companies to secure licences": what the measure requires.
    return lemma in cue.generic_subjects or lemma in cues.anaphoric_subjects or subj.tag_ == "NNS"


def is_headline(c: Candidate) -> bool:
    """The trigger sits on the text's first line, which ends without punctuation."""
    text = doc_text(c.trigger.doc)
    first_nl = text.find("\n")
    if first_nl < 0 or c.trigger.idx >= first_nl:
        return False
    line = text[:first_nl].strip()
    return bool(line) and line[-1] not in ".!?\"'”’:"


def _takes_effect(span: Span, cues: EventCues) -> bool:
    """'..., which takes effect on Sept. 29', 'comes into force on ...', 'effective Dec. 31'."""
    doc = span.doc
    before = {t.lower_ for t in doc[max(span.sent.start, span.start - 3) : span.start]}
    return bool(before & set(cues.adjust.effect_words))


def donates_effective_date(c: Candidate, previous: Candidate | None, cues: EventCues) -> bool:
    """A requirement sentence with its own effective date and no authority of its own, right
    after a control action of the same family without an effective date."""
    if previous is None or c.date is None:
        return False
    if c.date_role != "effective" and not _takes_effect(c.date.span, cues):
        return False
    if c.rule not in cues.adjust.requirement_rules:
        return False
    subj = _subject(c.trigger)
    generic = subj is not None and subj.lemma_.lower() in cues.adjust.generic_subjects
    if c.authority_stated and not generic:
        return False  # an authority of its own: "From July 4, Japan will require licences"
    if previous.date_role == "effective" or previous.sent.start >= c.sent.start:
        return False
    families = cues.elaboration_families
    same = any(c.type in f and previous.type in f for f in families)
    near = len(list(c.trigger.doc[previous.sent.end : c.sent.start].sents)) <= 1
    return same and near


def is_description(c: Candidate, cues: EventCues, authority: set[int], dated: set[int]) -> bool:
    """A relative-clause requirement, an undated participle on its object, a firm resuming."""
    trig = c.trigger
    if c.rule in cues.adjust.requirement_rules and trig.dep_ == "relcl":
        # "restrictions that have required licences since Aug. 1": a state with its own start
        # date counts as an introduction (GUIDELINES §3)
        return not _since_dated(trig, dated)
    if (
        trig.dep_ == "acl"
        and trig.tag_ == "VBN"
        and trig.head.i == c.obj.i
        and not any(
            (t.ent_type_ == "DATE" or t.i in dated) and not _anchored(t, trig, cues)
            for t in trig.subtree
        )
    ):
        return True  # "each licence issued before October 7": dated only by another moment
    if trig.lemma_.lower() in cues.adjust.trade_resumption_verbs:
        subj = _subject(trig)
        return subj is None or subj.i not in authority
    return False


def _since_dated(trig: Token, dated: set[int]) -> bool:
    """The trigger has its own "since <date>" phrase."""
    return any(
        ch.dep_ == "prep"
        and ch.lower_ == "since"
        and any(t.ent_type_ == "DATE" or t.i in dated for t in ch.subtree)
        for ch in trig.children
    )


def _anchored(tok: Token, top: Token, cues: EventCues) -> bool:
    """The date word hangs from an anchoring preposition ("before", "since") below `top`."""
    cur = tok
    while cur.i != top.i and cur.head.i != cur.i:
        if cur.dep_ == "pobj" and cur.head.lower_ in cues.anchored_preps:
            return True
        cur = cur.head
    return False


def is_standing_rule(c: Candidate, cues: EventCues) -> bool:
    """'Each shipment needs a certificate': an undated requirement in the simple present is
    how a regime works, not an action (GUIDELINES: states with no action and no start date);
    'the directive also requires ...' is part of the announcement just told."""
    trig = c.trigger
    return (
        c.rule in cues.adjust.requirement_rules
        and c.date is None
        and trig.tag_ in ("VBZ", "VBP")
        and not any(ch.dep_ in ("aux", "auxpass") for ch in trig.children)
        and not any(ch.lower_ in cues.inherit_adverbs for ch in trig.children)
    )


def is_not_a_party(tok: Token, cues: EventCues) -> bool:
    """A firm named as a customer ("licences to supply X") or as the place of a plant ("at the
    X plant") is not the licensee, applicant or target."""
    cue = _cue(cues)
    name = tok
    while name.dep_ == "compound" and name.head.i != name.i and name.head.pos_ == "PROPN":
        name = name.head  # the head word of a multi-word name
    if name.i + 1 < len(tok.doc) and tok.doc[name.i + 1].lower_ in cue.facility_nouns:
        return True
    head = name.head
    while name.dep_ == "conj" and head.i != name.i:
        name, head = head, head.head
    return name.dep_ in ("dobj", "dative") and head.lemma_.lower() in cue.customer_verbs
