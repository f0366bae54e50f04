"""Event typing: the rules against the trained typing model, `python bench/ablate_events.py`.

Trains the typing part (`event_types`) and an event-confidence model that reads its types into
a temporary copy of models/trained, runs trade-train and trade-dev through the packaged pipeline
(rule typing, with models/trained as it is: run `tradeline train` first) and through a copy whose
pipeline adds `tradeline_event_types`, and prints events typed / typed+dated F1 of both, shown
events and every event (`--all-events`). Nothing under models/ changes. Needs ../shared.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))
MODELS = REPO / "models"
TYPER = "tradeline_event_types"


def typing_assets(root: Path) -> Path:
    """An assets folder like models/ whose pipeline also runs the typing model, with its own
    trained/ (a copy of models/trained) so training into it leaves models/ alone."""
    assets = root / "assets"
    assets.mkdir()
    (assets / "data").symlink_to(MODELS / "data", target_is_directory=True)
    shutil.copytree(MODELS / "trained", assets / "trained")
    toml = (MODELS / "pipeline.toml").read_text(encoding="utf-8")
    before = '"tradeline_event_confidence"'
    if before not in toml:
        raise SystemExit("models/pipeline.toml: [pipeline] trained list not as expected")
    (assets / "pipeline.toml").write_text(
        toml.replace(before, f'"{TYPER}", {before}', 1), encoding="utf-8"
    )
    return assets


def score(name: str, assets: Path | None, all_events: bool, work: Path) -> dict[str, float]:
    """F1 of events typed and typed+dated on one trade split."""
    from eval_dev import scores_with

    scores = scores_with(name, assets, work, all_events=all_events)
    if isinstance(scores, str):
        raise SystemExit(scores)
    return {field: scores[field]["f1"] for field in ("events_typed", "events_typed_dated")}


def main(argv: list[str] | None = None) -> int:
    from tradeline.config import load_settings
    from tradeline.extractors.learned.train import train

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sets", default="trade-train,trade-dev")
    args = parser.parse_args(argv)
    model_name = load_settings().model.name
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        assets = typing_assets(root)
        train(
            ["event_types", "events"],
            model_name=model_name,
            out_dir=assets / "trained",
            assets_dir=assets,
            log=lambda message: print(message, file=sys.stderr),
        )
        print(f"{'set':12s} {'variant':8s} {'shown':>5s}  typed  dated")
        for name in args.sets.split(","):
            for variant, folder in (("rules", None), ("typing", assets)):
                for all_events in (False, True):
                    f1 = score(name, folder, all_events, root)
                    shown = "all" if all_events else "shown"
                    print(
                        f"{name:12s} {variant:8s} {shown:>5s}  {f1['events_typed']:.3f}  "
                        f"{f1['events_typed_dated']:.3f}",
                        flush=True,
                    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
