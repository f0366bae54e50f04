"""What each learned component buys over the rules: `python bench/ablation.py`.

For every trained component of models/pipeline.toml (`[pipeline] trained`), the tuning sets are
extracted twice: with the packaged pipeline, and with a copy of models/ whose pipeline drops
that one component (the rules, and the other trained parts, decide alone). Prints the scorer's
F1 of the fields the component can change, and false events per 100 articles on the near-miss
test half (eval/nearmiss, even ids of nA/nB: never trained on).

Run `tradeline train` first so models/trained matches the rules. `--sets` picks the scored sets
(default trade-train, trade-dev, blind2, ours, dev); `--blind` adds the blind split and is for
the once-per-round blind score only (log it in eval/README.md).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import tempfile
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))

from eval_dev import scores_with, write_input  # noqa: E402

MODELS = REPO / "models"
NEARMISS = REPO / "eval" / "nearmiss" / "articles"
SETS = ("trade-train", "trade-dev", "blind2", "ours", "dev")
FIELDS = ("companies", "events_typed", "events_typed_dated", "event_companies", "policy_dates")


def trained_components() -> list[str]:
    """The trained components the packaged pipeline runs, in order."""
    return trained_components_of(MODELS / "pipeline.toml")


def trained_components_of(toml: Path) -> list[str]:
    config = tomllib.loads(toml.read_text(encoding="utf-8"))
    return list(config["pipeline"].get("trained", []))


def assets_without(component: str, root: Path) -> Path:
    """A copy of models/ whose pipeline leaves out one trained component."""
    assets = root / component
    shutil.copytree(MODELS, assets, ignore=shutil.ignore_patterns("__pycache__"))
    toml = assets / "pipeline.toml"
    text = toml.read_text(encoding="utf-8")
    block = re.search(r"^trained = \[.*?\]", text, flags=re.S | re.M)
    if block is None or f'"{component}"' not in block.group(0):
        raise SystemExit(f"models/pipeline.toml: no {component} in [pipeline] trained")
    # one name per line or all on one line: drop the name and its comma
    kept = re.sub(rf'\s*"{component}",?', "", block.group(0), count=1)
    toml.write_text(text[: block.start()] + kept + text[block.end() :], encoding="utf-8")
    if component in trained_components_of(toml):
        raise SystemExit(f"could not leave {component} out of {toml}")
    return assets


def _extract(inp: Path, assets: Path | None) -> Path:
    """Run `tradeline extract`'s function on an input JSONL, beside it."""
    from tradeline.config import load_settings
    from tradeline.extractors.batch import run_extract

    out = inp.with_name("results.jsonl")
    update = {"assets_dir": str(assets) if assets else None}
    run_extract(inp, out, load_settings().model.model_copy(update=update))
    return out


def score(name: str, assets: Path | None, work: Path) -> dict[str, dict[str, float]] | None:
    """The scorer's fields for one set, or None when the set or the scorer is absent."""
    scores = scores_with(name, assets, work)
    return None if isinstance(scores, str) else scores


def false_events(assets: Path | None, work: Path) -> float:
    """Events per 100 near-miss test articles (none of them holds an event)."""
    paths = [p for p in sorted(NEARMISS.glob("n[AB]*.json")) if int(p.stem[2:]) % 2 == 0]
    work.mkdir(parents=True, exist_ok=True)
    write_input(paths, work / "articles.jsonl")
    out = _extract(work / "articles.jsonl", assets)
    events = sum(len(json.loads(line).get("events", [])) for line in out.open(encoding="utf-8"))
    return 100 * events / len(paths)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sets", default=",".join(SETS))
    parser.add_argument("--blind", action="store_true", help="also the blind split (logged)")
    args = parser.parse_args(argv)
    sets = [s for s in args.sets.split(",") if s]
    if args.blind:
        sets.append("trade-blind")
    components = trained_components()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        variants: dict[str, Path | None] = {"all": None}
        for component in components:
            variants[f"-{component.removeprefix('tradeline_')}"] = assets_without(component, tmp)
        header = f"{'set':<14}{'field':<20}" + "".join(f"{v:>22}" for v in variants)
        print(header)
        for name in sets:
            scores = {v: score(name, a, tmp / "runs" / name / v) for v, a in variants.items()}
            if any(s is None for s in scores.values()):
                print(f"{name:<14}skipped (set or scorer absent)")
                continue
            for field in FIELDS:
                cells = "".join(f"{scores[v][field]['f1']:>22.3f}" for v in variants)  # type: ignore[index]
                print(f"{name:<14}{field:<20}{cells}")
        rates = {v: false_events(a, tmp / "runs" / "nearmiss" / v) for v, a in variants.items()}
        cells = "".join(f"{rates[v]:>22.1f}" for v in variants)
        print(f"{'nearmiss-test':<14}{'events per 100':<20}{cells}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
