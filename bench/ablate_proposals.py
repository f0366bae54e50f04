"""Event proposals: the rules alone against the rules with the learned backoff,
`python bench/ablate_proposals.py [--thresholds 0.5,0.6] [--sets trade-train,trade-dev]`.

Runs each set through the packaged pipeline (the rules with models/trained as it is) and through
a copy whose pipeline adds `tradeline_event_proposals` (models/trained/event_proposals: run
`tradeline train event_proposals` first), once per proposal threshold, and prints events typed
and typed+dated F1 (P/R) of the shown events. Nothing under models/ changes. `fresh` may be
scored here (a score only; its misses are not read). Needs ../shared.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))
MODELS = REPO / "models"
PROPOSER = "tradeline_event_proposals"
FIELDS = ("events_typed", "events_typed_dated")


def proposal_assets(root: Path) -> Path:
    """An assets folder like models/ whose pipeline also runs the proposer (data/ and trained/
    are links to models/)."""
    if not (MODELS / "trained" / "event_proposals" / "config.cfg").is_file():
        raise SystemExit("no models/trained/event_proposals: run `tradeline train event_proposals`")
    assets = root / "assets"
    assets.mkdir()
    for folder in ("data", "trained"):
        (assets / folder).symlink_to(MODELS / folder, target_is_directory=True)
    toml = (MODELS / "pipeline.toml").read_text(encoding="utf-8")
    before = '"tradeline_event_confidence"'
    if f'"{PROPOSER}"' in toml.split("[components.", 1)[0]:
        raise SystemExit("models/pipeline.toml already runs the proposer: nothing to compare")
    if before not in toml:
        raise SystemExit("models/pipeline.toml: [pipeline] trained list not as expected")
    (assets / "pipeline.toml").write_text(
        toml.replace(before, f'"{PROPOSER}", {before}', 1), encoding="utf-8"
    )
    return assets


def score(name: str, assets: Path | None, work: Path) -> dict[str, list[str]]:
    """The scorer's P, R and F1 of events typed and typed+dated on one set."""
    from eval_dev import scores_with

    scores = scores_with(name, assets, work)
    if isinstance(scores, str):
        raise SystemExit(scores)
    return {
        field: [f"{scores[field][k]:.3f}" for k in ("precision", "recall", "f1")]
        for field in FIELDS
    }


def main(argv: list[str] | None = None) -> int:
    from tradeline.extractors.events import proposals

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sets", default="trade-train,trade-dev")
    parser.add_argument("--thresholds", default=str(proposals.THRESHOLD))
    args = parser.parse_args(argv)
    print(f"{'set':12s} {'variant':14s}  typed (P R F1)        typed+dated (P R F1)")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        assets = proposal_assets(root)
        variants: list[tuple[str, Path | None, float]] = [("rules", None, proposals.THRESHOLD)]
        variants += [(f"proposals@{t}", assets, float(t)) for t in args.thresholds.split(",")]
        for name in args.sets.split(","):
            for variant, folder, threshold in variants:
                proposals.THRESHOLD = threshold  # read when the pipeline builds the proposer
                row = score(name, folder, root)
                typed, dated = (" ".join(row[f]) for f in FIELDS)
                print(f"{name:12s} {variant:14s}  {typed:20s}  {dated}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
