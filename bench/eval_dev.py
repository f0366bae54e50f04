"""Score the extractors on the evaluation sets: `python bench/eval_dev.py [--set NAME]`.

Sets: `dev` is ../shared/eval/dev (third-party articles, never copied into the repo); `ours` is
eval/ours in the repo (a blind set written by a colleague, same format); `blind2` is eval/blind2,
a second blind set written later (2026-11-26), kept untouched by tuning. Each set's articles are
written as one input JSONL in a temporary folder, run through `run_extract`, and scored with
../shared/eval/score.py. A set (or the scorer) that is absent is skipped with a message.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
EVAL = REPO.parent / "shared" / "eval"
SCORER = EVAL / "score.py"
SETS = {
    "dev": EVAL / "dev",
    "ours": REPO / "eval" / "ours",
    "blind2": REPO / "eval" / "blind2",
}


def score_set(name: str, root: Path, model: str, *, verbose: bool, keep: Path | None) -> int:
    """Extract one set's articles and print the scorer's table; 0 when skipped."""
    from tradeline.config import ModelConfig
    from tradeline.extractors.batch import run_extract

    articles_dir, gold_dir = root / "articles", root / "gold"
    if not articles_dir.is_dir() or not gold_dir.is_dir():
        print(f"[{name}] skipped: {root} has no articles/ and gold/")
        return 0
    if not SCORER.is_file():
        print(f"[{name}] skipped: scorer {SCORER} not found (it lives in ../shared)")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        inp, out = Path(tmp) / "articles.jsonl", Path(tmp) / "results.jsonl"
        with inp.open("w", encoding="utf-8") as handle:
            for path in sorted(articles_dir.glob("*.json")):
                row = json.loads(path.read_text(encoding="utf-8"))
                keep_row = {k: row.get(k) for k in ("id", "text", "published", "title", "url")}
                handle.write(json.dumps(keep_row, ensure_ascii=False) + "\n")
        n = run_extract(inp, out, ModelConfig(name=model))
        print(f"[{name}] extracted {n} articles from {root} with {model}")
        if keep:
            keep.mkdir(parents=True, exist_ok=True)
            (keep / f"{name}.jsonl").write_text(out.read_text(encoding="utf-8"), encoding="utf-8")
        cmd = [sys.executable, str(SCORER), str(gold_dir), str(out)]
        if verbose:
            cmd.append("--verbose")
        sys.stdout.flush()
        return subprocess.call(cmd)


def main(argv: list[str] | None = None, default_set: str = "all") -> int:
    from tradeline.config import load_settings

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--set", choices=["all", *SETS], default=default_set)
    parser.add_argument("--verbose", action="store_true", help="list misses and extras")
    parser.add_argument("--model", default=None, help="spaCy pipeline (default: config)")
    parser.add_argument("--keep", type=Path, default=None, help="copy <set>.jsonl results here")
    args = parser.parse_args(argv)
    model = args.model or load_settings().model.name
    names = list(SETS) if args.set == "all" else [args.set]
    rc = 0
    for name in names:
        rc |= score_set(name, SETS[name], model, verbose=args.verbose, keep=args.keep)
    return rc


if __name__ == "__main__":
    sys.exit(main())
