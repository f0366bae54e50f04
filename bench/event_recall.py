"""Where gold events get lost: `python bench/event_recall.py [--set trade-train] [--show KIND]`.

For each gold event of a trade split (train or dev only; the blind split is refused), finds its
evidence sentence in the parsed article and says how far the pipeline got with it:

* `no_trigger`: no trigger word in the sentence (the lexicon misses the wording);
* `wrong_type`: triggers, none of the gold type;
* `filtered`: a trigger of the gold type, but the event rules dropped it (hedge, description...)
  or it was merged into another event;
* `held_back`: an event of the gold type in the sentence, held back by the confidence threshold;
* `found`: shown, of the gold type, with its evidence in the sentence.

Also prints predicted events whose evidence matches no gold evidence sentence (`extra`).
Needs ../shared/corpus/trade-news. It measures; it does not test.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
TEXTS = REPO.parent / "shared" / "corpus" / "trade-news"


def _norm(s: str) -> str:
    return " ".join(s.split())


def main(argv: list[str] | None = None) -> int:
    from tradeline.config import load_settings
    from tradeline.extractors.document import extract_doc
    from tradeline.extractors.events.component import TRIGGERS
    from tradeline.extractors.pipeline import build_pipeline

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", choices=["trade-train", "trade-dev"], default="trade-train")
    parser.add_argument("--show", default="", help="comma-separated kinds to list")
    parser.add_argument("--threshold", type=float, default=None)
    args = parser.parse_args(argv)
    settings = load_settings().model
    threshold = settings.confidence_threshold if args.threshold is None else args.threshold
    split = args.set.removeprefix("trade-")
    ids = json.loads((REPO / "eval" / "trade" / "splits.json").read_text())[split]
    nlp = build_pipeline(settings.name)
    show = set(filter(None, args.show.split(",")))
    tally: Counter[str] = Counter()
    extras = 0
    for aid in ids:
        art = json.loads((TEXTS / f"{aid}.json").read_text(encoding="utf-8"))
        gold = json.loads((REPO / "eval" / "trade" / "gold" / f"{aid}.json").read_text())
        doc = nlp(art["text"])
        ext = extract_doc(doc, art.get("published"), nlp)
        facts = ext.events
        matched_facts: set[int] = set()
        for g in gold.get("events", []):
            ev = _norm(g.get("evidence") or "")
            sents = [s for s in doc.sents if ev and (_norm(s.text) in ev or ev in _norm(s.text))]
            sents = [s for s in sents if len(_norm(s.text)) > 15] or sents
            trig = [t for s in sents for t in doc.spans[TRIGGERS] if s.start <= t.start < s.end]
            here = [
                (k, f)
                for k, f in enumerate(facts)
                if any(s.start_char <= f.start_char < s.end_char for s in sents)
            ]
            if not trig:
                kind = "no_trigger"
            elif not any(t.label_ == g["type"] for t in trig):
                kind = "wrong_type"
            elif not any(f.type == g["type"] for _, f in here):
                kind = "filtered"
            else:
                k, f = next((k, f) for k, f in here if f.type == g["type"])
                matched_facts.add(k)
                sure = f.confidence is None or f.confidence >= threshold
                kind = (
                    "found"
                    if sure and (ext.relevance or 1) >= settings.relevance_threshold
                    else "held_back"
                )
            tally[kind] += 1
            if kind in show:
                labels = [f"{t.label_}/{t.kb_id_}:{t.text}" for t in trig]
                conf = [f"{f.type}:{f.confidence}" for _, f in here]
                print(
                    f"[{kind}] {aid} {g['type']} | {ev[:200]}\n    triggers={labels} facts={conf}"
                )
        for k, f in enumerate(facts):
            if k in matched_facts:
                continue
            if f.confidence is not None and f.confidence < threshold:
                continue
            extras += 1
            if "extra" in show:
                print(f"[extra] {aid} {f.type} {f.confidence} | {_norm(f.evidence)[:200]}")
    total = sum(tally.values())
    for kind in ("found", "held_back", "filtered", "wrong_type", "no_trigger"):
        print(f"{kind:12s} {tally[kind]:4d}  {tally[kind] / max(total, 1):.2f}")
    print(f"{'gold':12s} {total:4d};  shown events matching no gold sentence: {extras}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
