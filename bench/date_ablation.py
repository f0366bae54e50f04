"""Rule vs learned event dating: `python bench/date_ablation.py [--set trade-dev] [--all-events]`.

Extracts a set twice, each time from a copy of models/: once whose pipeline.toml leaves the
trained date attachment (`tradeline_date_attachment`) out (the rules date every event), once
with it added (it re-chooses each event's date; needs models/trained/dates, built by
`tradeline train dates`), and prints the scorer's event rows for both. `--all-events` scores
every event; without it the thresholds of the config apply, as in the timeline. Blind
articles are never read (trade-blind is not a choice here).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

COMPONENT = "tradeline_date_attachment"


def _assets(tmp: Path, learned: bool) -> Path:
    """A copy of models/ (data, trained) with or without the trained date attachment."""
    root = tmp / ("learned" if learned else "rules")
    shutil.copytree(REPO / "models", root, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    toml = root / "pipeline.toml"
    text = toml.read_text(encoding="utf-8").replace(f', "{COMPONENT}"', "")
    if learned:
        text = text.replace(
            'trained = ["tradeline_relevance", "tradeline_event_confidence"',
            f'trained = ["tradeline_relevance", "tradeline_event_confidence", "{COMPONENT}"',
        )
        if f"\n[components.{COMPONENT}]" not in text:
            text += f'\n[components.{COMPONENT}]\nmodel = "trained/dates"\n'
    toml.write_text(text, encoding="utf-8")
    return root


def _score(name: str, assets: Path, all_events: bool, tmp: Path, tag: str) -> str:
    """The scorer's event rows (P, R, F1) for one set, or why it could not be scored."""
    from bench.eval_dev import scores_with

    scores = scores_with(name, assets, tmp / tag, all_events=all_events)
    if isinstance(scores, str):
        return scores
    return "\n".join(
        f"{field:22s} P {row['precision']:.3f}  R {row['recall']:.3f}  F1 {row['f1']:.3f}"
        for field, row in scores.items()
        if field.startswith("events")
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", choices=["trade-train", "trade-dev", "ours", "blind2", "dev"],
                        default="trade-dev")
    parser.add_argument("--all-events", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        if not (REPO / "models" / "trained" / "dates" / "config.cfg").is_file():
            print("models/trained/dates is missing: build it with `tradeline train dates`")
            return 1
        rules = _score(args.set, _assets(tmp, False), args.all_events, tmp, "rules")
        learned = _score(args.set, _assets(tmp, True), args.all_events, tmp, "learned")
    print(f"[{args.set}{' all events' if args.all_events else ''}] rules (no {COMPONENT}):")
    print(rules)
    print(f"[{args.set}{' all events' if args.all_events else ''}] learned attachment:")
    print(learned)
    return 0


if __name__ == "__main__":
    sys.exit(main())
