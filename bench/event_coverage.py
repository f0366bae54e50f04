"""Trade reports that yield at least one event: `python bench/event_coverage.py`.

Issue 12 asks that at least 95% of trade reports show one event or more (an analyst who reads
the timeline instead of the news must not lose whole reports). For each scored set this
extracts the articles whose gold holds an event and prints how many of them show an event in
`tradeline extract`'s output (`events`, the timeline's default; held-back events do not
count), and lists the ids that show none. `--blind` adds the blind split: a score, once per
round, logged in eval/README.md with the others.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))

from eval_dev import predictions  # noqa: E402

SETS = ("trade-train", "trade-dev", "fresh", "real-tune", "real-check", "blind2", "synth")


def coverage(name: str) -> tuple[int, list[str]] | str:
    """(articles whose gold holds an event, ids of those showing none), or why the set
    cannot be read here."""
    found = predictions(name)
    if isinstance(found, str):
        return found
    paths, gold_dir, rows = found
    with_gold, silent = 0, []
    for path in paths:
        gold = json.loads((gold_dir / path.name).read_text(encoding="utf-8"))
        if not gold.get("events"):
            continue
        with_gold += 1
        aid = str(gold.get("id", path.stem))
        if not rows.get(aid, {}).get("events"):
            silent.append(aid)
    return with_gold, silent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sets", default=",".join(SETS))
    parser.add_argument("--blind", action="store_true", help="also the blind split (logged)")
    args = parser.parse_args(argv)
    sets = [s for s in args.sets.split(",") if s] + (["trade-blind"] if args.blind else [])
    print(f"{'set':<14}{'reports':>8}{'with an event':>15}{'share':>8}  silent ids")
    for name in sets:
        result = coverage(name)
        if isinstance(result, str):
            print(f"{name:<14}skipped: {result}")
            continue
        total, silent = result
        shown = total - len(silent)
        share = shown / total if total else 0.0
        ids = "" if name in ("trade-blind", "real-check") else " ".join(silent)  # untuned: a number
        print(f"{name:<14}{total:>8}{shown:>15}{share:>8.1%}  {ids}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
