"""The report's own date for an undated action told in its lede.

A news report opens with its news: "China has added 12 U.S. companies to its export control
list", "The Biden Administration has put a temporary hold on approving applications". When
neither that sentence nor the sentences around it give a date (extractors/events/fallback.py),
the action is the one the report announces, and GUIDELINES §3 dates an action by its occurrence
or announcement: the report's publication date is that announcement's date as far as the text
tells (a planned action's too: "will add 12 firms to its list" is announced that day). Only
the lede's actions are dated so: an undated action further down is as often background ("The
move comes months after Zimbabwe banned lithium ore exports") and stays undated; so does an
action told as happening since something else ("has since issued licences", "had received 40
applications since the sanctions took effect"): it lies somewhere between. The fact keeps
`date_text` null, so a date the text states and one taken from publication stay apart in every
view.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from spacy.tokens import Doc, Token

from tradeline.extractors.text.doc_cache import sentence_number
from tradeline.records import EventFact

LEDE_SENTENCES = 2  # a headline line and the opening sentence, or the first two sentences
SINCE_DEPS = ("advmod", "mark", "prep")
ISO_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")


def date_lede_actions(
    doc: Doc, facts: Sequence[EventFact], triggers: Sequence[Token], published: str | None
) -> None:
    """Give each undated fact whose trigger stands in the lede the publication date, at its
    precision (in place)."""
    if not published or not ISO_DATE.fullmatch(published):
        return  # the batch and flow paths pass a cleaned YYYY-MM-DD or YYYY-MM
    granularity = {10: "day", 7: "month", 4: "year"}[len(published)]
    for fact, trigger in zip(facts, triggers, strict=True):
        if fact.event_date is not None or sentence_number(doc, trigger.i) >= LEDE_SENTENCES:
            continue
        if any(t.lower_ == "since" and t.dep_ in SINCE_DEPS for t in trigger.subtree):
            continue
        fact.event_date, fact.date_granularity = published, granularity
