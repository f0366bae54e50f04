"""Score the extractors on the evaluation sets: `python bench/eval_dev.py [--set NAME]`.

Sets:
* `dev`: ../shared/eval/dev (8 third-party articles, never copied into the repo);
* `ours`, `blind2`: eval/ours and eval/blind2 (fictional articles with gold, written blind);
* `fresh`: eval/fresh (16 fictional articles with gold, written blind on 2026-11-30 as an
  untuned check: score it, do not tune on its errors);
* `synth`: eval/synth (120 fictional articles with gold, written blind): the trained parts learn
  from it, so its event precision is optimistic; its recall shows what the rules miss;
* `trade-train`, `trade-dev`: the train and dev splits of ../shared/corpus/trade-news with our
  gold in eval/trade/gold (split by story: eval/trade/splits.json). Tune on these.
* `real-tune`, `real-check`: 80 real trade reports collected with search after the fifth blind
  score and annotated blind (eval/real: gold and sources in the repo, texts in
  ../shared/corpus/real-news once added there, or ../realnews where they were collected).
  `real-tune` (rA, rD, rE: 42) may be read and tuned on, and the company filter learns from
  it; `real-check` (rB, rC, rF: 38) is a score only, like `fresh` (eval/real/README.md).
* `trade-blind`: the blind split. It is scored only with `--blind`, once per round, and every
  blind score goes into eval/README.md with its date and commit; a score on text you tuned on
  is not evidence.

Each set's articles are written as one input JSONL in a temporary folder, run through
`run_extract` (the thresholds of the config: what the timeline shows; `--all-events` scores
every event), and scored with ../shared/eval/score.py. A set (or the scorer) that is absent is
skipped with a message. `all` means every set but the blind one.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
SHARED = REPO.parent / "shared"
EVAL = SHARED / "eval"
SCORER = EVAL / "score.py"
TRADE_TEXTS = SHARED / "corpus" / "trade-news"
TRADE = REPO / "eval" / "trade"
REAL = REPO / "eval" / "real"
SETS = (
    "dev", "ours", "blind2", "fresh", "synth", "real-tune", "real-check", "trade-train",
    "trade-dev", "trade-blind",
)  # fmt: skip
# the sets whose misses may be read one by one (never blind, never the untuned checks)
TUNABLE = tuple(s for s in SETS if s not in ("trade-blind", "fresh", "real-check"))
REAL_PARTS = ("real-tune", "real-check")  # their ids: learned/corpus.py REAL_TUNE, REAL_CHECK
FOLDERS = {
    "dev": EVAL / "dev",
    "ours": REPO / "eval" / "ours",
    "blind2": REPO / "eval" / "blind2",
    "fresh": REPO / "eval" / "fresh",
    "synth": REPO / "eval" / "synth",
}


def articles_and_gold(name: str) -> tuple[list[Path], Path] | str:
    """(article files, gold folder) of a set, or why it cannot be scored here."""
    if name in FOLDERS:
        root = FOLDERS[name]
        if not (root / "articles").is_dir() or not (root / "gold").is_dir():
            return f"{root} has no articles/ and gold/"
        return sorted((root / "articles").glob("*.json")), root / "gold"
    if name in REAL_PARTS:
        return real_articles(name)
    if not TRADE_TEXTS.is_dir():
        return f"{TRADE_TEXTS} not found (the texts stay in ../shared)"
    split = name.removeprefix("trade-")
    ids = json.loads((TRADE / "splits.json").read_text(encoding="utf-8"))[split]
    return [TRADE_TEXTS / f"{i}.json" for i in ids], TRADE / "gold"


def real_articles(name: str) -> tuple[list[Path], Path] | str:
    """A part of the real set: its texts (from the first folder that holds them all) and its
    gold folder."""
    from tradeline.extractors.learned import corpus

    prefixes = corpus.REAL_TUNE if name == "real-tune" else corpus.REAL_CHECK
    ids = corpus.real_ids(REPO, prefixes)
    folder = corpus.texts_folder(ids, "articles", REPO, SHARED)
    if folder is None:
        where = " or ".join(map(str, corpus.real_folders("articles", REPO, SHARED)))
        return f"texts of eval/real not found in {where}"
    return [folder / i for i in ids], REAL / "gold"


INPUT_FIELDS = ("id", "text", "published", "title", "url")


def write_input(paths: list[Path], target: Path) -> None:
    """The articles as one `tradeline extract` input JSONL (the contract's input fields)."""
    with target.open("w", encoding="utf-8") as handle:
        for path in paths:
            row = json.loads(path.read_text(encoding="utf-8"))
            keep = {k: row.get(k) for k in INPUT_FIELDS}
            handle.write(json.dumps(keep, ensure_ascii=False) + "\n")


def stage_set(paths: list[Path], gold_dir: Path, work: Path) -> tuple[Path, Path]:
    """Write a set's input JSONL and a copy of its gold files under `work`: (input, gold)."""
    work.mkdir(parents=True, exist_ok=True)
    inp, gold = work / "articles.jsonl", work / "gold"
    gold.mkdir(exist_ok=True)
    write_input(paths, inp)
    for path in paths:
        shutil.copy(gold_dir / path.name, gold / path.name)
    return inp, gold


def load_scorer() -> ModuleType:
    """../shared/eval/score.py as a module, for scripts that use its matching rules."""
    spec = importlib.util.spec_from_file_location("tradeline_score", SCORER)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def misses_cli(
    description: str, argv: list[str] | None
) -> tuple[list[tuple[str, dict, dict]], ModuleType] | None:
    """The command line of the scripts that list misses of a tunable set (`--set`,
    `--all-events`): ([(article id, gold, prediction)], scorer), or None after saying why the
    set cannot be read here."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--set", choices=TUNABLE, default="synth")
    parser.add_argument("--all-events", action="store_true", help="count held-back events too")
    args = parser.parse_args(argv)
    if not SCORER.is_file():
        print(f"[{args.set}] skipped: scorer {SCORER} not found (it lives in ../shared)")
        return None
    found = predictions(args.set, all_events=args.all_events)
    if isinstance(found, str):
        print(f"[{args.set}] skipped: {found}")
        return None
    paths, gold_dir, preds = found
    articles = []
    for path in paths:
        gold = json.loads((gold_dir / path.name).read_text(encoding="utf-8"))
        aid = str(gold.get("id", path.stem))
        articles.append((aid, gold, preds.get(aid, {})))
    return articles, load_scorer()


def predictions(
    name: str, *, all_events: bool = False
) -> tuple[list[Path], Path, dict[str, dict]] | str:
    """Extract a set's articles: (article files, gold folder, {id: contract row}), or why the
    set cannot be read here. For the scripts that look at misses one event at a time."""
    from tradeline.config import load_settings
    from tradeline.extractors.batch import run_extract

    found = articles_and_gold(name)
    if isinstance(found, str):
        return found
    paths, gold_dir = found
    with tempfile.TemporaryDirectory() as tmp:
        inp, _ = stage_set(paths, gold_dir, Path(tmp))
        out = Path(tmp) / "results.jsonl"
        run_extract(inp, out, load_settings().model, all_events=all_events)
        lines = out.read_text(encoding="utf-8").splitlines()
    return paths, gold_dir, {str(r["id"]): r for r in map(json.loads, filter(None, lines))}


def scores_with(
    name: str, assets: Path | str | None, work: Path, *, all_events: bool = False
) -> dict[str, dict[str, float]] | str:
    """The scorer's fields (`score.py --json`) for one set extracted with an assets folder in
    place of models/ (None: the packaged one), or why the set cannot be scored here. The
    ablation scripts compare pipelines through this one path."""
    from tradeline.config import load_settings
    from tradeline.extractors.batch import run_extract

    found = articles_and_gold(name)
    if isinstance(found, str):
        return found
    if not SCORER.is_file():
        return f"scorer {SCORER} not found (it lives in ../shared)"
    paths, gold_dir = found
    inp, gold = stage_set(paths, gold_dir, work / name)
    out = work / name / "results.jsonl"
    update = {"assets_dir": str(assets) if assets else None}
    run_extract(inp, out, load_settings().model.model_copy(update=update), all_events=all_events)
    done = subprocess.run(
        [sys.executable, str(SCORER), str(gold), str(out), "--json"],
        capture_output=True, text=True, check=True,
    )
    return json.loads(done.stdout)


def score_set(
    name: str, model: str, *, verbose: bool, keep: Path | None, all_events: bool
) -> int:
    """Extract one set's articles and print the scorer's table; 0 when skipped."""
    from tradeline.config import load_settings
    from tradeline.extractors.batch import run_extract

    found = articles_and_gold(name)
    if isinstance(found, str):
        print(f"[{name}] skipped: {found}")
        return 0
    paths, gold_dir = found
    if not SCORER.is_file():
        print(f"[{name}] skipped: scorer {SCORER} not found (it lives in ../shared)")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        inp, gold = stage_set(paths, gold_dir, Path(tmp))
        out = Path(tmp) / "results.jsonl"
        settings = load_settings().model.model_copy(update={"name": model})
        n = run_extract(inp, out, settings, all_events=all_events)
        print(f"[{name}] extracted {n} articles with {model}")
        if keep:
            keep.mkdir(parents=True, exist_ok=True)
            (keep / f"{name}.jsonl").write_text(out.read_text(encoding="utf-8"), encoding="utf-8")
        cmd = [sys.executable, str(SCORER), str(gold), str(out)]
        if verbose:
            cmd.append("--verbose")
        sys.stdout.flush()
        return subprocess.call(cmd)


def main(argv: list[str] | None = None, default_set: str = "all") -> int:
    from tradeline.config import load_settings

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", choices=["all", *SETS], default=default_set)
    parser.add_argument("--verbose", action="store_true", help="list misses and extras")
    parser.add_argument("--model", default=None, help="spaCy pipeline (default: config)")
    parser.add_argument("--keep", type=Path, default=None, help="copy <set>.jsonl results here")
    parser.add_argument("--all-events", action="store_true", help="score held-back events too")
    parser.add_argument(
        "--blind", action="store_true", help="allow --set trade-blind (once per round, logged)"
    )
    args = parser.parse_args(argv)
    if args.set == "trade-blind" and not args.blind:
        parser.error("trade-blind is scored once per round: add --blind and log the score")
    model = args.model or load_settings().model.name
    names = [s for s in SETS if s != "trade-blind"] if args.set == "all" else [args.set]
    rc = 0
    for name in names:
        rc |= score_set(
            name, model, verbose=args.verbose, keep=args.keep, all_events=args.all_events
        )
    return rc


if __name__ == "__main__":
    sys.exit(main())
