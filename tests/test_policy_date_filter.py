"""The policy-date filter: its training labels, its feature words, and how it drops dates."""

from __future__ import annotations

from tradeline.extractors.dates.facts import find_policy_dates
from tradeline.extractors.pipes import Pipes
from tradeline.extractors.policy_dates.features import date_features
from tradeline.extractors.policy_dates.filter import date_rows, date_span, keep_policy_dates
from tradeline.extractors.policy_dates.labels import policy_labels
from tradeline.records import PolicyDateFact


def _fact(text: str, resolved: str, granularity: str, start: int = 0) -> PolicyDateFact:
    return PolicyDateFact(text, resolved, granularity, "", start, start + len(text))


def test_labels_match_words_first_then_value_one_to_one() -> None:
    facts = [
        _fact("last year", "2024", "year"),
        _fact("in 2024", "2024", "year"),
        _fact("on May 2", "2025-05-02", "day"),
        _fact("May 2", "2025-05-02", "day"),
    ]
    gold = [
        {"text": "in 2024", "resolved": "2024", "granularity": "year"},
        {"text": "2 May", "resolved": "2025-05-02", "granularity": "day"},
    ]
    # "in 2024" takes the year by its words; the day goes to the first date of its value only
    assert policy_labels(facts, gold) == [False, True, True, False]


def test_labels_need_the_same_granularity() -> None:
    gold = [{"text": "in May", "resolved": "2025-05", "granularity": "month"}]
    assert policy_labels([_fact("in May", "2025", "year")], gold) == [False]


SENTENCES = (
    "The ministry banned exports of rice on March 3. "
    "A record harvest is expected this year, traders said."
)


def test_features_read_the_word_a_date_attaches_to_and_its_sentence(nlp) -> None:
    doc = nlp(SENTENCES)
    facts = find_policy_dates(doc, "2025-03-10", Pipes.of(nlp).dates)
    by_text = {f.text.strip(): f for f in facts}
    ban = date_features(doc, date_span(doc, by_text["on March 3"]), "day")
    assert "gov=ban" in ban and "gran=day" in ban and "b1=rice" in ban
    assert any(w.startswith("trig=") for w in ban)
    harvest = date_features(doc, date_span(doc, by_text["this year"]), "year")
    assert "w=harvest" in harvest and "d=this" in harvest
    assert not any(w.startswith("trig=") for w in harvest)


class _Stub:
    """A filter that scores each date by the first word of its row."""

    threshold = 0.5

    def scores(self, rows):
        return [0.9 if "d=on" in words else 0.1 for words in rows]


def test_keep_drops_the_dates_scored_below_the_threshold_in_order(nlp) -> None:
    doc = nlp(SENTENCES)
    facts = find_policy_dates(doc, "2025-03-10", Pipes.of(nlp).dates)
    assert [f.text.strip() for f in facts] == ["on March 3", "this year"]
    assert [f.text.strip() for f in keep_policy_dates(doc, facts, _Stub())] == ["on March 3"]
    assert keep_policy_dates(doc, facts, None) == facts
    assert [len(words) > 0 for _, words in date_rows(doc, facts)] == [True, True]


def test_the_pipeline_runs_the_trained_filter(nlp) -> None:
    date_filter = Pipes.of(nlp).policy_date_filter
    assert date_filter is not None
    doc = nlp(SENTENCES)
    facts = find_policy_dates(doc, "2025-03-10", Pipes.of(nlp).dates)
    scores = date_filter.scores([words for _, words in date_rows(doc, facts)])
    assert len(scores) == 2 and all(0.0 <= s <= 1.0 for s in scores)
