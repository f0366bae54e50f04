"""Score find_policy_dates and find_validity_periods on the dev articles.

Matching follows ../shared/eval/score.py: policy dates by resolved date at the gold precision and
the same granularity; validity periods by ISO duration (P12M = P1Y); greedy one-to-one.

    .venv/bin/python bench/dates_on_dev.py [--eval-dir ../shared/eval/dev] [--quiet]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def iso_duration(d: str | None) -> str | None:
    if not d:
        return None
    d = d.upper().strip()
    m = re.fullmatch(r"P(\d+)M", d)
    if m and int(m.group(1)) % 12 == 0:
        return f"P{int(m.group(1)) // 12}Y"
    return d


def date_match(g: dict, p: dict) -> bool:
    if not str(p.get("resolved") or "").startswith(str(g.get("resolved"))):
        return False
    return not p.get("granularity") or p.get("granularity") == g.get("granularity")


def match(golds: list, preds: list, ok) -> list[tuple[int, int]]:
    used_g: set[int] = set()
    used_p: set[int] = set()
    pairs = []
    for gi, g in enumerate(golds):
        for pi, p in enumerate(preds):
            if gi in used_g or pi in used_p or not ok(g, p):
                continue
            used_g.add(gi)
            used_p.add(pi)
            pairs.append((gi, pi))
    return pairs


def prf(tp: int, gold: int, pred: int) -> tuple[float, float, float]:
    p = tp / pred if pred else (1.0 if not gold else 0.0)
    r = tp / gold if gold else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--eval-dir", type=Path, default=REPO.parent / "shared" / "eval" / "dev")
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args(argv)

    import spacy

    from tradeline.config import DEFAULT_MODEL
    from tradeline.extractors.dates.facts import find_policy_dates
    from tradeline.extractors.pipeline import add_component
    from tradeline.extractors.validity.facts import find_validity_periods

    nlp = spacy.load(DEFAULT_MODEL)  # the base model with our date and validity components only
    dates_pipe = add_component(nlp, "tradeline_dates")
    validity_pipe = add_component(nlp, "tradeline_validity")
    tallies = {"policy_dates": [0, 0, 0], "validity_periods": [0, 0, 0]}
    elapsed = 0.0
    for art_path in sorted((args.eval_dir / "articles").glob("*.json")):
        art = json.loads(art_path.read_text(encoding="utf-8"))
        gold = json.loads((args.eval_dir / "gold" / art_path.name).read_text(encoding="utf-8"))
        doc = nlp(art["text"])
        t0 = time.perf_counter()
        dates = [
            {"text": f.text, "resolved": f.resolved, "granularity": f.granularity}
            for f in find_policy_dates(doc, art.get("published"), dates_pipe)
        ]
        vps = [
            {"text": v.text, "duration": v.duration}
            for v in find_validity_periods(doc, validity_pipe)
        ]
        elapsed += time.perf_counter() - t0
        notes = []
        for field, preds, ok in (
            ("policy_dates", dates, date_match),
            (
                "validity_periods",
                vps,
                lambda g, p: iso_duration(g.get("duration")) == iso_duration(p.get("duration")),
            ),
        ):
            golds = gold.get(field, [])
            pairs = match(golds, preds, ok)
            t = tallies[field]
            t[0] += len(pairs)
            t[1] += len(golds)
            t[2] += len(preds)
            got_g = {g for g, _ in pairs}
            got_p = {p for _, p in pairs}
            for gi, g in enumerate(golds):
                if gi not in got_g:
                    notes.append(
                        f"  {field} missed: {g.get('text')!r} -> "
                        f"{g.get('resolved') or g.get('duration')} {g.get('granularity', '')}"
                    )
            for pi, p in enumerate(preds):
                if pi not in got_p:
                    notes.append(
                        f"  {field} extra:  {p.get('text')!r} -> "
                        f"{p.get('resolved') or p.get('duration')} {p.get('granularity', '')}"
                    )
        if notes and not args.quiet:
            print(f"[{art_path.stem}] published={art.get('published')}")
            print("\n".join(notes))
    print(f"{'field':<18}{'P':>7}{'R':>7}{'F1':>7}{'tp':>5}{'gold':>6}{'pred':>6}")
    for field, (tp, g, p) in tallies.items():
        pr, rc, f1 = prf(tp, g, p)
        print(f"{field:<18}{pr:>7.3f}{rc:>7.3f}{f1:>7.3f}{tp:>5}{g:>6}{p:>6}")
    print(f"extractor time (excluding spaCy): {elapsed * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
