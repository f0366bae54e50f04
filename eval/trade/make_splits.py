#!/usr/bin/env python3
"""Split ../shared/corpus/trade-news once, by story, into train / dev / blind.

A story is the corpus's `topic`: every article of one topic lands in the same split, so no
event is tuned on in one outlet's words and scored in another's. Within each of the three
corpus groups (t1 China/Asia, t2 US/Europe/sanctions/arms, t3 food/minerals/energy) topics are
ordered by a hash of their name and dealt out until the group holds about 20 / 10 / 10
articles, which keeps every split's mix of regions and commodities alike.

Run once; the result is `splits.json` beside this file. Standard library only.
Usage: python eval/trade/make_splits.py [CORPUS_DIR]
"""
from __future__ import annotations

import csv
import hashlib
import json
import sys
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_CORPUS = HERE.parents[2] / "shared" / "corpus" / "trade-news"
TARGETS = (("blind", 10), ("dev", 10), ("train", 20))


def split(rows: list[dict]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {"train": [], "dev": [], "blind": []}
    groups: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        groups[row["id"].split("-")[0]][row["topic"]].append(row["id"])
    for group in sorted(groups):
        topics = sorted(groups[group], key=lambda t: hashlib.sha256(t.encode()).hexdigest())
        filled = dict.fromkeys(out, 0)
        for topic in topics:
            ids = groups[group][topic]
            name = next((n for n, cap in TARGETS if filled[n] + len(ids) <= cap), "train")
            filled[name] += len(ids)
            out[name].extend(ids)
    return {k: sorted(v) for k, v in out.items()}


def main(argv: list[str]) -> int:
    corpus = Path(argv[1]) if len(argv) > 1 else DEFAULT_CORPUS
    with (corpus / "index.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    splits = split(rows)
    (HERE / "splits.json").write_text(json.dumps(splits, indent=1) + "\n", encoding="utf-8")
    print({k: len(v) for k, v in splits.items()})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
