"""The events data files, typed (unknown keys are errors): models/data/events/."""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator

from tradeline.extractors.component_data import Lexicon, Row

Words = str | tuple[str, ...] | None  # a class name, or the words themselves


class EventRule(Row):
    """A trigger rule: a verb (or nominalisation) class x an object class -> an event type."""

    id: str
    type: str
    verbs: Words = None
    nouns: Words = None
    objects: Words = None
    subtype: str | None = None
    subject_only: bool = False  # the object must be the trigger's subject
    through_xcomp: bool = False  # also "require exporters to obtain a licence"
    # only "authorised <recipient> to <object verb>": "authorised arms maker FAME to export"
    recipient_xcomp: bool = False


class Retype(Lexicon):
    """Types that become another type when their object carries one of the modifiers."""

    from_: tuple[str, ...] = Field(alias="from")
    to: str
    modifiers: tuple[str, ...]


class DatedState(Lexicon):
    """Control or ban nouns that carry their own date ("an April ban")."""

    nouns: dict[str, str]
    deps: tuple[str, ...]
    preps: tuple[str, ...]


# ---- control and ban events: pronoun objects and control lists (acc3-ctl) ----
class ControlAnaphora(Lexicon):
    """A control verb whose object is a pronoun ("lifted it in April", "expanded them"): the
    nearest control or ban word before it says what it acts on (events/anaphora.py)."""

    pronouns: tuple[str, ...]
    verbs: dict[str, tuple[str, str]]  # lemma -> (type with a ban antecedent, with a control)
    ban_antecedents: tuple[str, ...]
    control_antecedents: tuple[str, ...]
    generic_antecedents: tuple[str, ...]  # "the measure": used only when nothing specific is
    lookback: int  # sentences before the trigger's that may hold the antecedent


class ControlLists(Lexicon):
    """Adding to or removing from a control list ("placed Huawei on the list", "removed two
    firms from Annex IV"): events/control_lists.py."""

    add_verbs: tuple[str, ...]
    remove_verbs: tuple[str, ...]
    add_nouns: tuple[str, ...]  # "the inclusion of two firms on its list"
    remove_nouns: tuple[str, ...]  # "the removal of X from the list"
    blocking_verbs: tuple[str, ...]  # "blocked the inclusion of X on the list": no move
    add_preps: tuple[str, ...]
    remove_preps: tuple[str, ...]
    list_nouns: tuple[str, ...]
    list_qualifiers: tuple[str, ...]  # words in the list's phrase that make it a control list
    white_words: tuple[str, ...]  # a white list: removal tightens (patterns.jsonl), skipped here
    party_nouns: tuple[str, ...]  # "two firms", "18 entities": who is listed
    definite: tuple[str, ...]  # "the list", "its list", "the same list"


class EventTriggers(Lexicon):
    """The trigger lexicon (triggers.json); every class a rule names exists and is used."""

    verb_classes: dict[str, tuple[str, ...]]
    noun_classes: dict[str, tuple[str, ...]]
    object_classes: dict[str, tuple[str, ...]]
    weak_objects: tuple[str, ...]
    object_qualifiers: tuple[str, ...]
    rules: tuple[EventRule, ...]
    retype_by_modifier: Retype
    object_deps: tuple[str, ...]
    prep_objects: tuple[str, ...]
    noun_preps: tuple[str, ...]
    dated_state: DatedState
    sentence_qualified_objects: tuple[str, ...]
    definite_determiners: tuple[str, ...]
    gap_tags: tuple[str, ...]
    gap_words: tuple[str, ...]
    control_anaphora: ControlAnaphora
    control_lists: ControlLists

    @model_validator(mode="after")
    def _classes_named_and_used(self) -> EventTriggers:
        for field, classes in (
            ("verbs", self.verb_classes),
            ("nouns", self.noun_classes),
            ("objects", self.object_classes),
        ):
            named = {getattr(r, field) for r in self.rules if isinstance(getattr(r, field), str)}
            unknown, unused = named - set(classes), set(classes) - named
            if unknown:
                raise ValueError(f"rules name unknown {field} classes: {sorted(unknown)}")
            if unused:
                raise ValueError(f"{field} classes no rule uses: {sorted(unused)}")
        return self


class PatternRule(Row):
    """A hand-written token pattern for a wording that is no verb-object pair (patterns.jsonl);
    `trigger` is the index of the trigger token in the match (negative: from its end);
    `covers`: the match is one action, so other triggers inside it add none."""

    id: str
    type: str
    trigger: int
    pattern: list[dict[str, Any]]
    subtype: str | None = None
    covers: bool = False  # the other triggers inside the match are part of this wording


class AdjustCues(Lexicon):
    """Cue words of the corrections in extractors/events/adjust.py (cues.json "adjust")."""

    consignment_nouns: tuple[str, ...]
    obligation_aux: tuple[str, ...]
    obligation_governors: tuple[str, ...]
    generic_subjects: tuple[str, ...]
    requirement_rules: tuple[str, ...]
    effect_words: tuple[str, ...]
    trade_resumption_verbs: tuple[str, ...]
    obligation_rules: tuple[str, ...]
    separate_openers: tuple[str, ...]
    sequence_adverbs: tuple[str, ...]  # "then", "subsequently": a further step, never merged
    facility_nouns: tuple[str, ...]
    customer_verbs: tuple[str, ...]
    firm_anaphors: tuple[str, ...]
    firm_pronouns: tuple[str, ...]  # "It said it had applied": a firm subject told just before
    unnaming_verbs: tuple[str, ...]
    change_adverbs: tuple[str, ...]  # "must now apply": an obligation that is new


class RefusalCues(Lexicon):
    """Cue words of negated grants (extractors/events/refusal.py, cues.json "refusal")."""

    grant_rules: tuple[str, ...]
    pending_adverbs: tuple[str, ...]  # "not yet approved": pending, not refused
    blanket_words: tuple[str, ...]  # "no new licences": licensing halted


class FramingCues(Lexicon):
    """Cue words of the framing conventions (extractors/events/framing.py, cues.json)."""

    condition_marks: tuple[str, ...]  # "without", "unless": the ban's exception
    licence_words: tuple[str, ...]  # what the exception needs: a licence, approval


class OutsideTradeCues(Lexicon):
    """Words of measures outside trade (extractors/events/outside_trade.py, cues.json)."""

    activity_words: tuple[str, ...]  # "mining", "broadcasting", "liquor": a domestic activity
    trade_words: tuple[str, ...]  # "export", "shipment": a trade measure whatever else
    party_nouns: tuple[str, ...]  # "licences for mining firms": the holder, not the activity


class PermitCues(Lexicon):
    """Cue words of permit events (cues.json "permits"): see its _doc."""

    receipt_verbs: tuple[str, ...]  # "had received 17 licence applications": the authority's


class ContinuationCues(Lexicon):
    """A control kept going to a stated end ("will keep requiring permits until 2026"):
    extractors/events/continuation.py (acc3-ctl)."""

    governors: tuple[str, ...]  # "keep", "continue"
    end_preps: tuple[str, ...]  # "until", "through": the new end of the control
    types: dict[str, str]  # the rule's type -> the continued control's type


class FirmScopeCues(Lexicon):
    """A definite action noun in another sentence that names firms inside the action's scope
    (extractors/events/firm_scope.py, cues.json "firm_scope")."""

    nouns: dict[str, str]  # action noun lemma -> an event type of the family it names
    verbs: tuple[str, ...]  # "the requirement also covers X"
    preps: tuple[str, ...]  # "the curbs on chips made by X"
    determiners: tuple[str, ...]  # "the", "these": the noun names an action already told


class EventCues(Lexicon):
    """Cue words that decide whether a trigger states a real action, its date role and its
    modality (cues.json)."""

    hedge_aux: tuple[str, ...]
    hedge_governors: tuple[str, ...]
    hedge_modifiers: tuple[str, ...]  # "the possible step of adding", "a proposed plan to ban"
    hedge_marks: tuple[str, ...]
    negation: tuple[str, ...]
    state_governors: tuple[str, ...]
    generic_cues: tuple[str, ...]
    characterisation: tuple[str, ...]
    planned_aux: tuple[str, ...]
    planned_governors: tuple[str, ...]
    immediate: tuple[str, ...]
    effective_words: tuple[str, ...]
    anchored_preps: tuple[str, ...]
    blocking_nouns: tuple[str, ...]
    inherit_cues: tuple[str, ...]
    anaphoric_dates: tuple[str, ...]
    elaboration_families: tuple[tuple[str, ...], ...]
    anaphoric_subjects: tuple[str, ...]
    background_marks: tuple[str, ...]
    hedge_chain_deps: tuple[str, ...]
    effective_donor_rules: tuple[str, ...]
    inherit_adverbs: tuple[str, ...]
    replacement_cues: tuple[str, ...]  # "instead", "as a replacement": see cues.json _doc
    sequel_verbs: tuple[str, ...]  # "..., followed by X in late August": a further action
    lengthening_verbs: tuple[str, ...]
    ownership_participles: tuple[str, ...]
    state_rules: tuple[str, ...]
    non_party_sectors: tuple[str, ...]
    firm_scope: FirmScopeCues
    adjust: AdjustCues
    refusal: RefusalCues
    framing: FramingCues
    outside_trade: OutsideTradeCues
    permits: PermitCues
    continuation: ContinuationCues
