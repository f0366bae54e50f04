"""Turn one article's `Extraction` into table rows with content-derived fact keys.

Pure functions, no database: the keys must be the same whichever run produces the same fact,
so they hash the fact's content (never the run id), and a fact repeated verbatim within one
article gets an occurrence suffix so (fact_key, run_id) stays unique.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from tradeline.identity import company_key
from tradeline.records import Extraction, stable_key


class _Keyer:
    """Content keys for one article; identical content seen again gets '#n' appended."""

    def __init__(self, article_id: str) -> None:
        self.article_id = article_id
        self.seen: Counter[str] = Counter()

    def __call__(self, kind: str, *content: object) -> str:
        base = stable_key(kind, self.article_id, *content)
        n = self.seen[base]
        self.seen[base] += 1
        return base if n == 0 else stable_key(kind, self.article_id, *content, f"#{n}")


@dataclass(slots=True)
class FactRows:
    """Rows for every fact table, plus the companies and aliases to upsert."""

    company_mentions: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    event_companies: list[dict[str, Any]] = field(default_factory=list)
    validity_periods: list[dict[str, Any]] = field(default_factory=list)
    policy_dates: list[dict[str, Any]] = field(default_factory=list)
    companies: dict[str, str] = field(default_factory=dict)  # canonical_key -> canonical
    aliases: set[tuple[str, str]] = field(default_factory=set)  # (canonical_key, alias)

    @property
    def n_facts(self) -> int:
        return (
            len(self.company_mentions)
            + len(self.events)
            + len(self.validity_periods)
            + len(self.policy_dates)
        )

    def extend(self, other: FactRows) -> None:
        self.company_mentions.extend(other.company_mentions)
        self.events.extend(other.events)
        self.event_companies.extend(other.event_companies)
        self.validity_periods.extend(other.validity_periods)
        self.policy_dates.extend(other.policy_dates)
        for key, canonical in other.companies.items():
            self.companies.setdefault(key, canonical)
        self.aliases |= other.aliases


def _add_company(rows: FactRows, canonical: str, *names: str | None) -> str:
    key = company_key(canonical)
    rows.companies.setdefault(key, canonical.strip())
    for name in (canonical, *names):
        alias = (name or "").strip()
        if alias:
            rows.aliases.add((key, alias))
    return key


def fact_rows(article_id: str, run_id: str, extraction: Extraction) -> FactRows:
    """All fact rows of one article's extraction for one run."""
    rows = FactRows()
    keyer = _Keyer(article_id)
    base = {"article_id": article_id, "run_id": run_id}

    for c in extraction.companies:
        mentions = [(int(s), int(e)) for s, e in c.mentions]
        ckey = _add_company(rows, c.canonical, c.name, *c.aliases)
        rows.company_mentions.append(
            {
                "fact_key": keyer(
                    "company", c.name, c.canonical, list(c.aliases), c.ticker,
                    c.evidence, c.start_char, c.end_char, mentions,
                ),
                **base,
                "name": c.name,
                "canonical": c.canonical,
                "canonical_key": ckey,
                "aliases": list(c.aliases),
                "ticker": c.ticker,
                "evidence": c.evidence,
                "start_char": c.start_char,
                "end_char": c.end_char,
                "mentions": [{"start_char": s, "end_char": e} for s, e in mentions],
            }
        )

    event_keys: list[str] = []
    for e in extraction.events:
        key = keyer(
            "event", e.type, e.authority, e.authority_country, list(e.companies), e.commodity,
            e.commodity_detail, e.event_date, e.date_granularity, e.date_text, e.modality,
            e.subtype, e.trigger, e.evidence, e.start_char, e.end_char,
        )
        event_keys.append(key)
        rows.events.append(
            {
                "fact_key": key,
                **base,
                "type": e.type,
                "authority": e.authority,
                "authority_country": e.authority_country,
                "commodity": e.commodity,
                "commodity_detail": e.commodity_detail,
                "event_date": e.event_date,
                "date_granularity": e.date_granularity,
                "date_text": e.date_text,
                "modality": e.modality,
                "subtype": e.subtype,
                "trigger": e.trigger,
                "evidence": e.evidence,
                "start_char": e.start_char,
                "end_char": e.end_char,
                "confidence": e.confidence,
                "held_back": e.held_back,
            }
        )
        seen_keys: set[str] = set()
        for position, company in enumerate(e.companies):
            ckey = _add_company(rows, company)
            if ckey in seen_keys:
                continue
            seen_keys.add(ckey)
            rows.event_companies.append(
                {"fact_key": key, **base, "company": company, "canonical_key": ckey,
                 "position": position}
            )

    for v in extraction.validity_periods:
        event_key = None
        if v.event_index is not None:
            if not 0 <= v.event_index < len(event_keys):
                raise ValueError(
                    f"article {article_id}: validity period {v.text!r} points at event "
                    f"{v.event_index}, but the extraction has {len(event_keys)} events"
                )
            event_key = event_keys[v.event_index]
        rows.validity_periods.append(
            {
                "fact_key": keyer(
                    "validity", v.text, v.duration, v.valid_from, v.valid_to, v.applies_to,
                    event_key, v.evidence, v.start_char, v.end_char,
                ),
                **base,
                "text": v.text,
                "duration": v.duration,
                "valid_from": v.valid_from,
                "valid_to": v.valid_to,
                "applies_to": v.applies_to,
                "event_fact_key": event_key,
                "evidence": v.evidence,
                "start_char": v.start_char,
                "end_char": v.end_char,
            }
        )

    for p in extraction.policy_dates:
        rows.policy_dates.append(
            {
                "fact_key": keyer(
                    "policy_date", p.text, p.resolved, p.granularity, p.evidence,
                    p.start_char, p.end_char,
                ),
                **base,
                "text": p.text,
                "resolved": p.resolved,
                "granularity": p.granularity,
                "evidence": p.evidence,
                "start_char": p.start_char,
                "end_char": p.end_char,
            }
        )
    return rows
