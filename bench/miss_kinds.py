"""Why gold events are missed: `python bench/miss_kinds.py --set synth [--all-events]`.

Each gold event that no predicted event matches by type and date is put in one kind:
`date_wrong` (an unmatched prediction has its type), `type_wrong` (an unmatched prediction
quotes its sentence under another type) or `no_event` (nothing was predicted for it). The
counts say which stage to work on; the rows list the evidence. Not for the blind split, nor
for eval/fresh (scored, never tuned on).
"""

from __future__ import annotations

import collections
import sys
from pathlib import Path

from eval_dev import misses_cli

REPO = Path(__file__).resolve().parent.parent


def same_sentence(gold: dict, pred: dict) -> bool:
    """The prediction quotes the gold event's sentence (one evidence holds the other's start)."""
    g, p = str(gold.get("evidence", "")), str(pred.get("evidence", ""))
    return bool(g and p) and (p[:40] in g or g[:40] in p)


def miss_kinds(gold_events: list[dict], pred_events: list[dict], score) -> list[tuple[str, dict]]:
    """(kind, gold event) for every gold event the type+date match leaves out."""
    def rank(a: dict, b: dict) -> int:
        dated = 2 if score.date_ok(a.get("event_date"), b.get("event_date")) else 0
        return score.company_overlap(a.get("companies"), b.get("companies")) + dated

    def typed_dated(a: dict, b: dict) -> bool:
        same_date = score.date_ok(a.get("event_date"), b.get("event_date"))
        return a.get("type") == b.get("type") and same_date

    pairs = score.match(gold_events, pred_events, typed_dated, rank)
    matched_gold = {id(a) for a, _ in pairs}
    rest = [b for b in pred_events if id(b) not in {id(p) for _, p in pairs}]
    kinds = []
    for event in gold_events:
        if id(event) in matched_gold:
            continue
        if any(b.get("type") == event.get("type") for b in rest):
            kinds.append(("date_wrong", event))
        elif any(same_sentence(event, b) for b in rest):
            kinds.append(("type_wrong", event))
        else:
            kinds.append(("no_event", event))
    return kinds


def main(argv: list[str] | None = None) -> int:
    found = misses_cli(__doc__.split("\n")[0], argv)
    if found is None:
        return 0
    articles, score = found
    counts: collections.Counter[str] = collections.Counter()
    for aid, gold, pred in articles:
        gold_events = gold.get("events", [])
        counts["matched"] += len(gold_events)
        for kind, event in miss_kinds(gold_events, pred.get("events", []), score):
            counts["matched"] -= 1
            counts[kind] += 1
            evidence = str(event.get("evidence", ""))[:140]
            print(f"{aid} | {kind} | {event.get('type')} {event.get('event_date')} | {evidence}")
    print(dict(counts))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    sys.exit(main())
