"""False events on news that is not about trade permits: `python bench/false_events.py`.

Counts what tradeline reports on articles that hold no event under GUIDELINES §3:

* `html+warc`: ../shared/corpus/html and the WARC/ARC files of ../shared/corpus/warc imported
  with `tradeline import` into a fresh warehouse; the number is **timeline events per 100
  imported articles** (what an analyst would see), with the events listed.
* `nearmiss-test` / `nearmiss-train`: eval/nearmiss (fictional near-miss news: tariffs, drug
  approvals, travel/sports/domestic bans, local licences ...) through `tradeline extract`;
  the number is **events per 100 articles** in the contract output, over nA/nB. Even ids are
  the test half (never trained on), odd ids the half the trained parts may learn from (nC/nD
  were written for training and are not measured).
* `real-nearmiss`: real non-trade news collected with search (eval/real/README.md; the texts
  stay out of the repo) through `tradeline extract`: events per 100 articles; never trained on.

Targets (issue 12): at most 1 per 100 on html+warc, at most 2 per 100 on near-miss news.
Prints a table; exits 0 whatever the numbers are (it measures, it does not test).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "corpus"
NEARMISS = REPO / "eval" / "nearmiss" / "articles"
CLI = Path(sys.executable).with_name("tradeline")
ARCHIVE_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(CLI), *args], capture_output=True, text=True, check=False)


def _sql(warehouse: Path, query: str) -> list[dict]:
    done = _cli("sql", query, "--warehouse", str(warehouse), "--format", "json")
    if done.returncode != 0:
        raise SystemExit(f"tradeline sql failed: {done.stderr.strip()}")
    return json.loads(done.stdout or "[]")


def archive_events(workdir: Path) -> tuple[int, list[dict]]:
    """Import html pages and WARC/ARC files; (articles, timeline rows)."""
    archives = sorted(p for p in (SHARED / "warc").rglob("*") if p.name.endswith(ARCHIVE_SUFFIXES))
    warehouse = workdir / "negatives.duckdb"
    done = _cli("import", str(SHARED / "html"), *map(str, archives), "--warehouse", str(warehouse))
    if not warehouse.exists():
        raise SystemExit(f"tradeline import failed: {done.stderr.strip()[-500:]}")
    n = _sql(warehouse, "SELECT count(*) AS n FROM articles")[0]["n"]
    rows = _sql(warehouse, "SELECT type, companies, evidence FROM timeline ORDER BY evidence")
    return n, rows


def nearmiss_events(workdir: Path, half: str) -> tuple[int, list[dict]]:
    """Extract one half of eval/nearmiss; (articles, events with their article id)."""
    want = 0 if half == "test" else 1
    measured = [p for p in sorted(NEARMISS.glob("n[AB]*.json"))]  # nC/nD train only
    paths = [p for p in measured if int(p.stem[2:]) % 2 == want]
    return len(paths), extracted_events(paths, workdir, f"nearmiss-{half}")


def extracted_events(paths: list[Path], workdir: Path, name: str) -> list[dict]:
    """`tradeline extract` over article files; the shown events with their article id."""
    inp, out = workdir / f"{name}.jsonl", workdir / f"{name}-out.jsonl"
    with inp.open("w", encoding="utf-8") as handle:
        for path in paths:
            row = json.loads(path.read_text(encoding="utf-8"))
            keep = {k: row.get(k) for k in ("id", "text", "published", "title", "url")}
            handle.write(json.dumps(keep, ensure_ascii=False) + "\n")
    done = _cli("extract", "--input", str(inp), "--output", str(out))
    if done.returncode != 0:
        raise SystemExit(f"tradeline extract failed: {done.stderr.strip()[-500:]}")
    events = []
    for line in out.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        events += [{"id": rec["id"], **e} for e in rec.get("events", [])]
    return events


def real_nearmiss_paths() -> list[Path]:
    """eval/real's near-miss pages (real non-trade news collected with search; the texts stay
    out of the repo: learned/corpus.py `real_folders`), from the first folder that holds any."""
    from tradeline.extractors.learned.corpus import real_folders

    for folder in real_folders("nearmiss", REPO, SHARED.parent):
        found = sorted(folder.glob("*.json"))
        if found:
            return found
    return []


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sets", default="html+warc,nearmiss-test,nearmiss-train,real-nearmiss")
    ap.add_argument("--list", action="store_true", help="print every false event")
    args = ap.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for name in args.sets.split(","):
            if name == "html+warc":
                if not SHARED.is_dir():
                    print(f"[{name}] skipped: {SHARED} not found (../shared is not in a clone)")
                    continue
                n, events = archive_events(work)
            elif name.startswith("nearmiss-"):
                n, events = nearmiss_events(work, name.split("-", 1)[1])
            elif name == "real-nearmiss":
                paths = real_nearmiss_paths()
                if not paths:
                    print(f"[{name}] skipped: eval/real's near-miss texts are not here")
                    continue
                n, events = len(paths), extracted_events(paths, work, name)
            else:
                raise SystemExit(f"unknown set {name!r}")
            rows.append((name, n, len(events)))
            if args.list:
                for e in events:
                    print(f"  [{name}] {e.get('type')} | {str(e.get('evidence'))[:110]}")
    print(f"{'set':<16}{'articles':>9}{'events':>8}{'per 100':>9}")
    for name, n, k in rows:
        print(f"{name:<16}{n:>9}{k:>8}{100 * k / max(n, 1):>9.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
