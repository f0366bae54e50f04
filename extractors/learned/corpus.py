"""The annotated articles the trained parts learn from, each with its split.

* `trade`: ../shared/corpus/trade-news (real reports, reworded) with our gold in eval/trade/gold
  and the story split of eval/trade/splits.json. Train and dev only: the blind split is never
  read here.
* `real`: the tune part of eval/real (real reports collected with search, gold in the repo,
  texts in ../shared/corpus/real-news or ../realnews): training only. Its check part and its
  near-miss pages are never read here (bench/eval_dev.py, bench/false_events.py).
* `synth`: eval/synth (fictional trade reports with gold): training only.
* `nearmiss`: eval/nearmiss (fictional news with no event). nA/nB: ids ≡ 1 (mod 4) train,
  ≡ 3 (mod 4) dev; even ids are the test half of bench/false_events.py and are never read here.
  nC/nD (written for training): all train.
* `html`: ../shared/corpus/html pages with at least 80 words after trafilatura (general news,
  no trade events): the half whose path hash is even trains, the other half is left to
  bench/false_events.py.

Texts of ../shared stay there; a checkout without it trains on what the repo holds and says so.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
MIN_PAGE_WORDS = 80


@dataclass(frozen=True)
class LabelledArticle:
    """An article with its gold annotation (None: an article that holds no event)."""

    id: str
    text: str
    published: str | None
    gold: dict[str, Any] | None
    source: str  # trade | real | synth | nearmiss | html
    split: str  # train | dev

    @property
    def events(self) -> list[dict[str, Any]]:
        return list((self.gold or {}).get("events", []))

    @property
    def companies(self) -> list[dict[str, Any]]:
        return list((self.gold or {}).get("companies", []))


def _json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def trade(repo: Path = REPO, shared: Path = SHARED) -> Iterator[LabelledArticle]:
    """Train and dev splits of the trade-news corpus with our gold."""
    texts = shared / "corpus" / "trade-news"
    if not texts.is_dir():
        return
    splits = _json(repo / "eval" / "trade" / "splits.json")
    for split in ("train", "dev"):
        for aid in splits[split]:
            article = _json(texts / f"{aid}.json")
            gold = _json(repo / "eval" / "trade" / "gold" / f"{aid}.json")
            yield LabelledArticle(aid, article["text"], article.get("published"), gold, "trade",
                                  split)


# eval/real's parts (bench/eval_dev.py scores them): only the tune part is ever trained on
REAL_TUNE = ("rA", "rD", "rE")
REAL_CHECK = ("rB", "rC", "rF")


def real_ids(repo: Path, prefixes: tuple[str, ...]) -> list[str]:
    """File names of eval/real's trade gold whose id is one of the prefixes and a number."""
    return sorted(
        p.name
        for p in (repo / "eval" / "real" / "gold").glob("*.json")
        if any(p.stem.startswith(x) and p.stem[len(x) :].isdigit() for x in prefixes)
    )


def real_folders(kind: str, repo: Path = REPO, shared: Path = SHARED) -> tuple[Path, Path]:
    """Where eval/real's texts of a kind ("articles" or "nearmiss") may be, in order: in
    ../shared once added there, else in ../realnews where they were collected."""
    return shared / "corpus" / "real-news" / kind, repo.parent / "realnews" / kind


def texts_folder(names: list[str], kind: str = "articles", repo: Path = REPO,
                 shared: Path = SHARED) -> Path | None:
    """The first of `real_folders` that holds every one of the files `names`, or None."""
    folders = real_folders(kind, repo, shared)
    return next((f for f in folders if names and all((f / n).is_file() for n in names)), None)


def real_texts(repo: Path = REPO, shared: Path = SHARED) -> Path | None:
    """The first folder that holds every tune text of eval/real, or None."""
    return texts_folder(real_ids(repo, REAL_TUNE), "articles", repo, shared)


def real(repo: Path = REPO, shared: Path = SHARED) -> Iterator[LabelledArticle]:
    """The tune part of eval/real (training only), when its texts are here."""
    texts = real_texts(repo, shared)
    if texts is None:
        return
    for name in real_ids(repo, REAL_TUNE):
        article = _json(texts / name)
        gold = _json(repo / "eval" / "real" / "gold" / name)
        yield LabelledArticle(article["id"], article["text"], article.get("published"), gold,
                              "real", "train")


def synth(repo: Path = REPO) -> Iterator[LabelledArticle]:
    """The fictional trade reports with gold (training only)."""
    for path in sorted((repo / "eval" / "synth" / "articles").glob("*.json")):
        article = _json(path)
        gold = _json(repo / "eval" / "synth" / "gold" / path.name)
        yield LabelledArticle(article["id"], article["text"], article.get("published"), gold,
                              "synth", "train")


TRAINING_ONLY_NEARMISS = ("nC", "nD")


def nearmiss(repo: Path = REPO) -> Iterator[LabelledArticle]:
    """Near-miss articles: nA/nB odd ids (≡ 1 mod 4 train, ≡ 3 mod 4 dev), nC/nD train."""
    for path in sorted((repo / "eval" / "nearmiss" / "articles").glob("*.json")):
        number = int(path.stem[2:])
        if path.stem.startswith(TRAINING_ONLY_NEARMISS):
            split = "train"
        elif number % 2 == 0:
            continue  # the test half
        else:
            split = "train" if number % 4 == 1 else "dev"
        article = _json(path)
        yield LabelledArticle(article["id"], article["text"], article.get("published"),
                              {"events": [], "companies": []}, "nearmiss", split)


def html_half(shared: Path = SHARED) -> Iterator[LabelledArticle]:
    """The training half of ../shared/corpus/html (pages with a real article body)."""
    from tradeline.extractors.page import PageError, parse_page

    folder = shared / "corpus" / "html"
    if not folder.is_dir():
        return
    for path in sorted(folder.glob("*.html")):
        if int(hashlib.sha256(path.name.encode()).hexdigest(), 16) % 2:
            continue
        try:
            page = parse_page(path.read_bytes())
        except PageError:
            continue
        if len(page.text.split()) >= MIN_PAGE_WORDS:
            yield LabelledArticle(path.stem, page.text, page.published, None, "html", "train")


def load(repo: Path = REPO, shared: Path = SHARED) -> list[LabelledArticle]:
    """Every labelled article of every source, in a fixed order."""
    return [
        *trade(repo, shared), *real(repo, shared), *synth(repo), *nearmiss(repo),
        *html_half(shared),
    ]
