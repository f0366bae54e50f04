"""Why each gold event is missed or misdated: `python bench/miss_causes.py [--set trade-train]`.

Runs the pipeline with the event rules traced and puts every gold event that the scorer's
typed matching leaves out in one cause, in this order:
* `merged sibling`: an event of the gold type is shown in its sentence, but the scorer gave it
  to another gold event (two gold actions, one prediction);
* `held back`: an event of the gold type in its sentence is under the confidence (or the
  article under the relevance) threshold;
* `type A->B`: the sentence's shown event has another type (`model` when the trained typing
  changed the rule's type);
* `filtered: NAME`: a trigger of the gold type in the sentence was dropped by the named rule,
  or folded into another event (`merged into`);
* `no trigger`: nothing of the gold type was proposed in the sentence.
Each typed match whose date disagrees is put in one dating kind (publication date, effective
date told apart, a past date, granularity, undated). Trade train and dev only: the blind split
and eval/fresh are never read here. It measures; it does not test.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO.parent / "shared" / "eval"))
TEXTS = REPO.parent / "shared" / "corpus" / "trade-news"

DROPS: dict[int, str] = {}  # trigger token index -> the first rule that dropped it
FOLDS: dict[int, int] = {}  # trigger token index -> the trigger it was folded into
RETYPED: dict[int, tuple[str, str]] = {}


def _norm(s: str | None) -> str:
    return " ".join((s or "").split())


def _trace() -> None:
    """Wrap the event rules so each dropped trigger records why."""
    from tradeline.extractors.events import adjust, facts

    finder = facts.EventFinder

    def wrap_pred(owner, name, label):
        orig = getattr(owner, name)

        def inner(*a, **k):
            out = orig(*a, **k)
            cand = next((x for x in a if hasattr(x, "trigger")), None)
            if out and cand is not None and k.get("negation", True):
                DROPS.setdefault(cand.trigger.i, f"{label}")
            return out

        setattr(owner, name, inner)

    wrap_pred(finder, "_not_an_action", "hedge/not an action")
    wrap_pred(finder, "_undated_background", "undated background")
    wrap_pred(adjust, "is_description", "description")
    wrap_pred(adjust, "is_standing_rule", "standing rule")
    wrap_pred(adjust, "is_headline", "headline")

    orig_retyped = finder.retyped

    def retyped(self, cands):
        before = [c.type for c in cands]
        out = orig_retyped(self, cands)
        for b, c in zip(before, out, strict=True):
            if b != c.type:
                RETYPED[c.trigger.i] = (b, c.type)
        return out

    finder.retyped = retyped

    orig_restate = finder._drop_restatements

    def restate(self, cands):
        out = orig_restate(self, cands)
        kept = {id(c) for c in out}
        for c in cands:
            if id(c) not in kept:
                DROPS.setdefault(c.trigger.i, "restatement")
        return out

    finder._drop_restatements = restate

    orig_fold = facts._fold

    def fold(into, other):
        FOLDS[other.trigger.i] = into.trigger.i
        return orig_fold(into, other)

    facts._fold = fold

    def record_absorbed(method: str, cause: str) -> None:
        """Wrap an absorbing method of the finder so each candidate it absorbs is noted."""
        original = getattr(finder, method)

        def wrapped(self, group):
            original(self, group)
            for c in group:
                if c.absorbed:
                    DROPS.setdefault(c.trigger.i, cause)

        setattr(finder, method, wrapped)

    record_absorbed("_absorb_elaborations", "absorbed elaboration")
    record_absorbed("_absorb_dated_participles", "absorbed participle")


def date_kind(g: dict, p: dict, published: str | None) -> str:
    if not g.get("event_date"):
        return "ok"
    want, got = str(g.get("event_date")), p.get("event_date")
    if not got:
        return "undated"
    got = str(got)
    if got.startswith(want):
        return "ok"
    if want.startswith(got):
        return "too coarse"
    if published and got == published[: len(got)]:
        return "publication date"
    text = (g.get("date_text") or "").lower()
    effective = g.get("announced_date") or text.split()[:1] in (
        ["from"],
        ["effective"],
        ["as"],
        ["starting"],
        ["on"],
        ["until"],
    )
    if got[: len(want)] < want:
        return "earlier date (past/background)" if not effective else "announcement vs effective"
    return "later date"


def main(argv: list[str] | None = None) -> int:
    from score import date_ok, match  # type: ignore[import-not-found]

    from tradeline.config import load_settings
    from tradeline.extractors.document import extract_doc
    from tradeline.extractors.events.component import TRIGGERS
    from tradeline.extractors.pipeline import build_pipeline

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", choices=["trade-train", "trade-dev"], default="trade-train")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    settings = load_settings().model
    thr = settings.confidence_threshold
    split = args.set.removeprefix("trade-")
    ids = json.loads((REPO / "eval" / "trade" / "splits.json").read_text())[split]
    _trace()
    nlp = build_pipeline(settings.name)
    causes: Counter[str] = Counter()
    dkinds: Counter[str] = Counter()
    for aid in ids:
        art = json.loads((TEXTS / f"{aid}.json").read_text(encoding="utf-8"))
        gold = json.loads((REPO / "eval" / "trade" / "gold" / f"{aid}.json").read_text())
        DROPS.clear()
        FOLDS.clear()
        RETYPED.clear()
        doc = nlp(art["text"])
        ext = extract_doc(doc, art.get("published"), nlp)
        relevant = (ext.relevance or 1) >= settings.relevance_threshold
        allp = [
            {
                "type": f.type,
                "event_date": f.event_date,
                "evidence": f.evidence,
                "start": f.start_char,
                "end": f.end_char,
                "conf": f.confidence,
                "companies": f.companies,
            }
            for f in ext.events
        ]
        shown = [p for p in allp if relevant and (p["conf"] is None or p["conf"] >= thr)]
        golds = gold.get("events", [])

        def rank(a, b):
            return 2 if date_ok(a.get("event_date"), b.get("event_date")) else 0

        typed = match(golds, shown, lambda a, b: a.get("type") == b.get("type"), rank)
        owner = {id(p): g for g, p in typed}
        got = {id(g) for g, _ in typed}
        for g, p in typed:
            k = date_kind(g, p, art.get("published"))
            if k != "ok":
                dkinds[k] += 1
                if not args.quiet:
                    print(
                        f"{aid} DATE {k}: {g['type']} gold {g.get('event_date')} "
                        f"{g.get('date_text')!r} pred {p['event_date']} pub "
                        f"{art.get('published')} | {_norm(g.get('evidence'))[:150]}"
                    )
        for g in golds:
            if id(g) in got:
                continue
            ev = _norm(g.get("evidence"))
            sents = [
                s
                for s in doc.sents
                if ev
                and len(_norm(s.text)) > 15
                and (_norm(s.text) in ev or ev[:60] in _norm(s.text))
            ]
            spans = [(s.start_char, s.end_char) for s in sents]

            def inside(p, spans=spans):
                return any(a <= p["start"] < b for a, b in spans)

            here_shown = [p for p in shown if inside(p)]
            here_all = [p for p in allp if inside(p)]
            trig = [t for s in sents for t in doc.spans[TRIGGERS] if s.start <= t.start < s.end]
            same = [p for p in here_shown if p["type"] == g["type"]]
            if not sents:
                cause = "evidence not located"
            elif same and id(same[0]) in owner:
                cause = "merged sibling"
            elif any(p["type"] == g["type"] for p in here_all):
                cause = "held back (relevance)" if not relevant else "held back (confidence)"
            elif here_shown:
                t = here_shown[0]["type"]
                model = any(v[1] == t and v[0] == g["type"] for v in RETYPED.values())
                cause = f"type {g['type']}->{t}" + (" (model)" if model else "")
            else:
                mine = [
                    t
                    for t in trig
                    if t.label_ == g["type"] or RETYPED.get(t.root.i, ("",))[0] == g["type"]
                ]
                if mine:
                    i = mine[0].root.i
                    if i in DROPS:
                        cause = f"filtered: {DROPS[i]}"
                    elif i in FOLDS:
                        cause = "filtered: merged into another event"
                    else:
                        cause = "filtered: other"
                elif trig:
                    ts = [t for t in trig if t.root.i not in DROPS]
                    cause = f"type {g['type']}->{(ts or trig)[0].label_} (dropped)"
                    if trig[0].root.i in DROPS:
                        cause += f" [{DROPS[trig[0].root.i]}]"
                else:
                    cause = "no trigger"
            causes[cause] += 1
            if not args.quiet:
                print(f"{aid} MISS {cause}: {g['type']} {g.get('event_date')} | {ev[:170]}")
                print(
                    f"      shown={[(p['type'], p['event_date'], p['conf']) for p in here_shown]}"
                    f" all={[(p['type'], p['conf']) for p in here_all]}"
                    f" trig={[(t.label_, t.text) for t in trig]}"
                )
    print("misses:", dict(causes.most_common()))
    print("dating:", dict(dkinds.most_common()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
