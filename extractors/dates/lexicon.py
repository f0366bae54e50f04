"""The dates data files, typed (unknown keys are errors): models/data/dates/."""

from __future__ import annotations

from tradeline.extractors.component_data import Lexicon


class EndWords(Lexicon):
    """Words that make a date the end of a period: `lead` opens a quoted date, `event` is a
    date's first word or the word before it (the one list, read in two places)."""

    lead: tuple[str, ...]
    event: tuple[str, ...]


class EffectWords(Lexicon):
    """Words that say when a measure takes effect (see lexicon.json `effect._doc`)."""

    phrases: dict[str, tuple[str, ...]]
    verbs: tuple[str, ...]
    subjects: tuple[str, ...]
    leads: tuple[str, ...]
    generic_modifiers: tuple[str, ...]
    licence_subjects: tuple[str, ...]  # "the suspension": can start a revocation too


class DateLexicon(Lexicon):
    """Word lists for finding, resolving and filtering date expressions (lexicon.json)."""

    months: dict[str, int]
    ambiguous_months: tuple[str, ...]
    weekdays: dict[str, int]
    seasons: tuple[str, ...]  # 'Fall 2022': a season with its year dates to the year
    leading_prepositions: tuple[str, ...]
    text_prepositions: tuple[str, ...]
    modifiers: dict[str, str]
    vague: tuple[str, ...]
    stat_verbs_strong: tuple[str, ...]
    stat_verbs_weak: tuple[str, ...]
    stat_nouns: tuple[str, ...]
    data_nouns: tuple[str, ...]
    data_verbs: tuple[str, ...]
    reporting_verbs: tuple[str, ...]
    units_after_year: tuple[str, ...]
    fiscal_words: tuple[str, ...]
    name_entity_labels: tuple[str, ...]
    timestamp_cues: tuple[str, ...]
    policy_words: tuple[str, ...]
    end_words: EndWords
    open_start_preps: tuple[str, ...]
    ahead_preps: tuple[str, ...]
    clause_deps: tuple[str, ...]
    amount_entity_labels: tuple[str, ...]
    future_aux: tuple[str, ...]
    future_governors: tuple[str, ...]
    period_nouns: tuple[str, ...]
    other_events: tuple[str, ...]
    coverage_leads: tuple[str, ...]
    movement_adverbs: tuple[str, ...]
    movement_nouns: tuple[str, ...]
    effect: EffectWords
    hedge_modals: tuple[str, ...]  # 'could move to a full ban next year': speculation
    steady_words: tuple[str, ...]  # 'prices were unchanged on Thursday': a market that held
