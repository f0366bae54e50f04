"""Which firms events miss or add: `python bench/event_firms.py --set synth [--all-events]`.

Pairs gold and predicted events by type as the scorer does (its `match`, ranked by firm
overlap and date), then sorts every gold firm the paired event lacks into `not_found` (the
article's companies lack it: a recognition miss) or `elsewhere` (the article has it, the event
does not: an attachment miss), with `in_sentence` when the predicted evidence names it, and
lists the firms the event has but gold does not. Not for the blind split.
"""

from __future__ import annotations

import collections
import sys
from pathlib import Path

from eval_dev import misses_cli

REPO = Path(__file__).resolve().parent.parent


def firm_misses(gold: dict, pred: dict, score) -> list[tuple[str, str, str]]:
    """(kind, event type, firm) for each gold firm missed and each predicted firm extra."""

    def rank(a: dict, b: dict) -> int:
        dated = 2 if score.date_ok(a.get("event_date"), b.get("event_date")) else 0
        return score.company_overlap(a.get("companies"), b.get("companies")) + dated

    def same_type(a: dict, b: dict) -> bool:
        return a.get("type") == b.get("type")

    article = pred.get("companies", [])
    out = []
    for a, b in score.match(gold.get("events", []), pred.get("events", []), same_type, rank):
        gc, pc = a.get("companies") or [], b.get("companies") or []
        pairs = score.match(gc, pc, score.same_company)
        for firm in gc:
            if any(firm is g for g, _ in pairs):
                continue
            kind = "elsewhere" if any(score.same_company(firm, c) for c in article) else "not_found"
            if str(firm).casefold() in str(b.get("evidence", "")).casefold():
                kind += "/in_sentence"
            out.append((kind, a.get("type", ""), str(firm)))
        for firm in pc:
            if not any(firm is p for _, p in pairs):
                out.append(("extra", b.get("type", ""), str(firm)))
    return out


def main(argv: list[str] | None = None) -> int:
    found = misses_cli(__doc__.split("\n")[0], argv)
    if found is None:
        return 0
    articles, score = found
    counts: collections.Counter[str] = collections.Counter()
    for aid, gold, pred in articles:
        for kind, etype, firm in firm_misses(gold, pred, score):
            counts[kind] += 1
            print(f"{aid} | {kind} | {etype} | {firm}")
    print(dict(counts))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    sys.exit(main())
