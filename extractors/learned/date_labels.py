"""Training rows of the event-date attachment (`tradeline train dates`).

Each event candidate the rules keep (at the point where the trained attachment would run) is
matched to a gold event: one of the same type whose evidence is the candidate's sentence; else
the only gold date told in that sentence; else the only gold event of that type in the article.
Its options (events/date_options.py) are labelled ATTACH when they carry the gold event_date
(at the gold's precision where one does; "none" when the gold has no date) and OTHER otherwise.
Candidates with no gold event, or whose gold date none of the options carries, give no rows:
they teach nothing about choosing among the options.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from tradeline.extractors.events.candidates import Candidate, DateMention
from tradeline.extractors.events.date_options import DateOption, candidate_rows
from tradeline.extractors.events.facts import EventFinder
from tradeline.extractors.learned.corpus import LabelledArticle

Row = tuple[list[str], dict[str, float]]
MISSING = object()  # no gold event for a candidate


class _Recorder(EventFinder):
    """The rule event finder, remembering the candidates and dates the attachment would see."""

    seen: tuple[list[Candidate], list[DateMention]] = ([], [])

    def _attach_dates(
        self, cands: list[Candidate], mentions: list[DateMention], published: str | None
    ) -> None:
        self.seen = (list(cands), list(mentions))


def _same(a: str, b: str) -> bool:
    a, b = " ".join(a.split()), " ".join(b.split())
    return bool(a) and bool(b) and (a in b or b in a or a[:40] == b[:40])


def gold_dates(cands: Sequence[Candidate], gold: Sequence[dict[str, Any]]) -> list[Any]:
    """The gold event_date (None: undated) of each candidate, or MISSING."""
    out: list[Any] = []
    for c in cands:
        text = c.sent.text
        here = [g for g in gold if _same(text, g.get("evidence") or "")]
        typed = [g for g in here if g.get("type") == c.type]
        if typed:
            out.append(typed[0].get("event_date"))
            continue
        dates = {g.get("event_date") for g in here}
        if len(dates) == 1:
            out.append(next(iter(dates)))
            continue
        same_type = [g for g in gold if g.get("type") == c.type]
        out.append(same_type[0].get("event_date") if len(same_type) == 1 and not here else MISSING)
    return out


def positives(options: Sequence[DateOption], gold_date: str | None) -> set[int]:
    """Options that carry the gold date: at its precision if any does, else within it."""
    if gold_date is None:
        return {k for k, o in enumerate(options) if o.mention is None}
    exact = {k for k, o in enumerate(options) if o.mention and o.mention.value == gold_date}
    if exact:
        return exact
    return {
        k for k, o in enumerate(options) if o.mention and o.mention.value.startswith(gold_date)
    }


def attachment_rows(nlp: Language, doc: Doc, article: LabelledArticle) -> list[Row]:
    """Feature rows and ATTACH/OTHER labels of one annotated article's date options."""
    from tradeline.extractors.companies.facts import find_companies
    from tradeline.extractors.dates.facts import find_date_mentions
    from tradeline.extractors.pipes import Pipes

    if not article.events:
        return []
    pipes = Pipes.of(nlp)
    firms = find_companies(doc, pipes.companies)
    facts = find_date_mentions(doc, article.published, pipes.dates)
    finder = _Recorder(pipes)
    finder.merged(doc, article.published, firms, facts)
    cands, mentions = finder.seen
    table = candidate_rows(cands, mentions, finder, pipes.dates.lexicon, article.published)
    rows: list[Row] = []
    for (options, feats), want in zip(table, gold_dates(cands, article.events), strict=True):
        if want is MISSING:
            continue
        good = positives(options, want)
        if not good:
            continue
        for k, words in enumerate(feats):
            y = float(k in good)
            rows.append((words, {"ATTACH": y, "OTHER": 1.0 - y}))
    return rows
