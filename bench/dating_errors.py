"""Why events are dated wrong: `python bench/dating_errors.py [--set trade-train] [--shown]`.

Each predicted event that the scorer matches to a gold event by type (score.py's one-to-one
matching) but whose date disagrees is put in one kind:
* `resolution`: a date mention with the gold's date words resolves to another value;
* `in sentence`: a mention of the event's own sentence resolves to the gold date, another
  (or none) was chosen;
* `other sentence`: only a mention of another sentence resolves to the gold date (inherited,
  effective date told apart, or the event's sentence was not the gold's);
* `no date found`: no mention of the article resolves to the gold date.
Blind articles are never read (trade-blind is not a choice here).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import asdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO.parent / "shared" / "eval"))


def _norm(text: str | None) -> str:
    return " ".join((text or "").lower().replace(".", "").split())


def main(argv: list[str] | None = None) -> int:
    from score import date_ok, match  # type: ignore[import-not-found]

    from bench.eval_dev import articles_and_gold
    from tradeline.config import load_settings
    from tradeline.extractors.dates.facts import find_date_mentions
    from tradeline.extractors.document import extract_doc
    from tradeline.extractors.pipeline import build_pipeline
    from tradeline.extractors.pipes import Pipes

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", choices=["trade-train", "trade-dev", "ours", "blind2", "synth"],
                        default="trade-train")
    parser.add_argument("--shown", action="store_true", help="only events the timeline shows")
    parser.add_argument("--rules", action="store_true", help="without the trained attachment")
    args = parser.parse_args(argv)
    found = (
        (sorted((REPO / "eval/synth/articles").glob("*.json")), REPO / "eval/synth/gold")
        if args.set == "synth"
        else articles_and_gold(args.set)
    )
    if isinstance(found, str):
        print(found)
        return 1
    paths, gold_dir = found
    nlp = build_pipeline(load_settings().model.name)
    if args.rules and "tradeline_date_attachment" in nlp.pipe_names:
        nlp.remove_pipe("tradeline_date_attachment")
    pipes = Pipes.of(nlp)
    kinds: Counter[str] = Counter()
    for path in paths:
        art = json.loads(path.read_text(encoding="utf-8"))
        gold = json.loads((gold_dir / path.name).read_text(encoding="utf-8"))
        doc = nlp(art["text"])
        ext = extract_doc(doc, art.get("published"), nlp)
        preds = [asdict(e) for e in ext.events]
        if args.shown:
            preds = [p for p in preds if (p.get("confidence") or 1) >= 0.3]
        mentions = find_date_mentions(doc, art.get("published"), pipes.dates)

        def rank(g: dict, p: dict) -> int:
            return 2 if date_ok(g.get("event_date"), p.get("event_date")) else 0

        pairs = match(gold.get("events", []), preds,
                      lambda g, p: g.get("type") == p.get("type"), rank)
        for g, p in pairs:
            want = g.get("event_date")
            if date_ok(want, p.get("event_date")):
                if want:
                    kinds["right"] += 1
                continue
            same_words = [m for m in mentions if _norm(g.get("date_text")) in _norm(m.text)
                          and _norm(g.get("date_text"))]
            right = [m for m in mentions if date_ok(want, m.resolved)]
            in_sent = [m for m in right if p["start_char"] <= m.start_char < p["end_char"]]
            if same_words and not any(date_ok(want, m.resolved) for m in same_words):
                kind = "resolution"
            elif in_sent:
                kind = "in sentence"
            elif right:
                kind = "other sentence"
            else:
                kind = "no date found"
            kinds[kind] += 1
            print(f"[{art['id']} pub {art.get('published')}] {kind}: {g['type']} gold "
                  f"{want} {g.get('date_text')!r} | pred {p.get('event_date')} "
                  f"{p.get('date_text')!r}")
            print(f"    gold: {g.get('evidence', '')[:160]}")
            if _norm(p.get("evidence"))[:60] != _norm(g.get("evidence"))[:60]:
                print(f"    pred: {p.get('evidence', '')[:160]}")
            if g.get("note"):
                print(f"    note: {g['note'][:160]}")
            if kind == "resolution":
                print(f"    mentions: {[(m.text, m.resolved) for m in same_words]}")
    print(dict(kinds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
