"""Every gold set in the repo passes eval/ours/check_gold.py (verbatim evidence, known types,
well-formed dates, weekdays that fall right); the trade gold is checked against its texts in
../shared when they are there."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CHECK = REPO / "eval" / "ours" / "check_gold.py"
TRADE_TEXTS = REPO.parent / "shared" / "corpus" / "trade-news"


def _check(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(CHECK), *args], capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize("name", ["ours", "blind2", "synth", "fresh"])
def test_our_gold_sets_pass_the_checker(name: str) -> None:
    done = _check(str(REPO / "eval" / name))
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "0 problem(s)" in done.stdout


def test_trade_gold_passes_the_checker_against_its_texts() -> None:
    if not TRADE_TEXTS.is_dir():
        pytest.skip(f"{TRADE_TEXTS} not found: the trade texts stay in ../shared")
    done = _check(str(REPO / "eval" / "trade"), "--articles", str(TRADE_TEXTS))
    assert done.returncode == 0, done.stdout[-2000:]
    assert "checked 120 gold files: 0 problem(s)" in done.stdout


def test_the_checker_fails_on_a_broken_gold_file(tmp_path: Path) -> None:
    """The checker itself can fail: evidence that is not in the text is reported."""
    import json

    (tmp_path / "articles").mkdir()
    (tmp_path / "gold").mkdir()
    src = REPO / "eval" / "fresh"
    article = json.loads((src / "articles" / "f01.json").read_text(encoding="utf-8"))
    gold = json.loads((src / "gold" / "f01.json").read_text(encoding="utf-8"))
    gold["events"][0]["evidence"] = "A sentence that the article never says."
    (tmp_path / "articles" / "f01.json").write_text(json.dumps(article), encoding="utf-8")
    (tmp_path / "gold" / "f01.json").write_text(json.dumps(gold), encoding="utf-8")
    done = _check(str(tmp_path))
    assert done.returncode == 1
    assert "0 problem(s)" not in done.stdout
