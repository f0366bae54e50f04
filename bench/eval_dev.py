"""Score the extractors on the dev articles: `python bench/eval_dev.py [--verbose]`.

Writes ../shared/eval/dev/articles as one input JSONL in a temporary folder, runs `run_extract`
on it and prints the table of ../shared/eval/score.py. Skips with a message when ../shared is
absent (a fresh clone).
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


def main(argv: list[str] | None = None) -> int:
    from tradeline.config import load_settings

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--verbose", action="store_true", help="list misses and extras")
    parser.add_argument("--model", default=None, help="spaCy pipeline (default: config)")
    parser.add_argument("--keep", type=Path, default=None, help="also copy results.jsonl here")
    args = parser.parse_args(argv)
    articles_dir, gold_dir = EVAL / "dev" / "articles", EVAL / "dev" / "gold"
    if not articles_dir.is_dir() or not gold_dir.is_dir():
        print(f"skipped: {EVAL} not found (the dev set lives in ../shared, not in the repo)")
        return 0
    from extractors.batch import run_extract

    model = args.model or load_settings().model.name
    with tempfile.TemporaryDirectory() as tmp:
        inp, out = Path(tmp) / "articles.jsonl", Path(tmp) / "results.jsonl"
        with inp.open("w", encoding="utf-8") as handle:
            for path in sorted(articles_dir.glob("*.json")):
                row = json.loads(path.read_text(encoding="utf-8"))
                keep = {k: row.get(k) for k in ("id", "text", "published", "title", "url")}
                handle.write(json.dumps(keep, ensure_ascii=False) + "\n")
        n = run_extract(inp, out, model_name=model)
        print(f"extracted {n} dev articles with {model}")
        if args.keep:
            args.keep.write_text(out.read_text(encoding="utf-8"), encoding="utf-8")
        cmd = [sys.executable, str(EVAL / "score.py"), str(gold_dir), str(out)]
        if args.verbose:
            cmd.append("--verbose")
        return subprocess.call(cmd)


if __name__ == "__main__":
    sys.exit(main())
