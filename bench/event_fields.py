"""Commodity, authority country and validity agreement with gold: `python bench/event_fields.py`.

The scorer (../shared/eval/score.py) ignores an event's `commodity` and `authority_country`, but
analysts filter the timeline by them. This bench matches events the way the scorer does (one to
one, same type, preferring shared firms and an agreeing date) and reports, over the matched
events:
* `commodity exact`: the same set of labels ("; "-separated, case ignored; both null agrees);
* `commodity overlap`: at least one label in common (or both null);
* `authority_country`: the same country or bloc, after folding common aliases (EU, DR Congo).

It also prints validity-period P/R/F1 (the scorer's matching), so that `--set synth` (eval/synth:
fictional training articles, never a score to report as evidence) can be used to look at
validity errors. Sets: those of bench/eval_dev.py but the blind one, plus `synth`.
`--verbose` lists every disagreement.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from eval_dev import articles_and_gold, load_scorer  # noqa: E402

SETS = ("trade-train", "trade-dev", "synth", "ours", "blind2", "dev")
# Spellings of one country or bloc that gold and output may both use.
COUNTRY_ALIASES = {
    "eu": "european union",
    "dr congo": "democratic republic of congo",
    "drc": "democratic republic of congo",
    "democratic republic of the congo": "democratic republic of congo",
    "us": "united states",
    "usa": "united states",
    "uk": "united kingdom",
    "türkiye": "turkey",
    "turkiye": "turkey",
    "korea": "south korea",
}


def labels(value: str | None) -> frozenset[str]:
    """A `commodity` field as a set of lower-case labels."""
    return frozenset(x.strip().lower() for x in (value or "").split(";") if x.strip())


def countries(value: str | None) -> frozenset[str]:
    """An `authority_country` field as a set of folded country names."""
    out = set()
    for part in (value or "").split(";"):
        name = part.strip().lower().removeprefix("the ")
        if name:
            out.add(COUNTRY_ALIASES.get(name, name))
    return frozenset(out)


def set_files(name: str) -> tuple[list[Path], Path]:
    if name == "synth":
        root = REPO / "eval" / "synth"
        return sorted((root / "articles").glob("*.json")), root / "gold"
    found = articles_and_gold(name)
    if isinstance(found, str):
        raise SystemExit(f"[{name}] skipped: {found}")
    return found


def extract(paths: list[Path], all_events: bool) -> dict[str, dict]:
    from tradeline.config import load_settings
    from tradeline.extractors.batch import run_extract

    with tempfile.TemporaryDirectory() as tmp:
        inp, out = Path(tmp) / "in.jsonl", Path(tmp) / "out.jsonl"
        with inp.open("w", encoding="utf-8") as handle:
            for path in paths:
                row = json.loads(path.read_text(encoding="utf-8"))
                keep = {k: row.get(k) for k in ("id", "text", "published", "title", "url")}
                handle.write(json.dumps(keep, ensure_ascii=False) + "\n")
        run_extract(inp, out, load_settings().model, all_events=all_events)
        rows = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines() if x]
    return {str(r["id"]): r for r in rows}


def bench(name: str, *, verbose: bool, all_events: bool) -> None:
    score = load_scorer()
    paths, gold_dir = set_files(name)
    preds = extract(paths, all_events)
    n = exact = overlap = country = 0
    v_tp = v_gold = v_pred = 0
    for path in paths:
        gold = json.loads((gold_dir / path.name).read_text(encoding="utf-8"))
        aid = str(gold.get("id", path.stem))
        pred = preds.get(aid, {})
        g, p = gold.get("events", []), pred.get("events", [])

        def rank(ge: dict, pe: dict) -> int:
            return score.company_overlap(ge.get("companies"), pe.get("companies")) + (
                2 if score.date_ok(ge.get("event_date"), pe.get("event_date")) else 0
            )

        for ge, pe in score.match(g, p, lambda a, b: a.get("type") == b.get("type"), rank):
            n += 1
            gl, pl = labels(ge.get("commodity")), labels(pe.get("commodity"))
            exact += gl == pl
            overlap += gl == pl or bool(gl & pl)
            gc, pc = countries(ge.get("authority_country")), countries(pe.get("authority_country"))
            country += gc == pc
            if verbose and (gl != pl or gc != pc):
                print(f"[{aid}] {ge.get('type')} | {str(ge.get('evidence', ''))[:100]}")
                if gl != pl:
                    print(
                        f"    commodity gold={ge.get('commodity')!r} pred={pe.get('commodity')!r}"
                        f" detail={pe.get('commodity_detail')!r}"
                    )
                if gc != pc:
                    print(
                        f"    country   gold={ge.get('authority_country')!r}"
                        f" pred={pe.get('authority_country')!r} ({pe.get('authority')!r})"
                    )
        gv, pv = gold.get("validity_periods", []), pred.get("validity_periods", [])
        pairs = score.match(
            gv,
            pv,
            lambda a, b: (
                score.iso_duration(a.get("duration")) == score.iso_duration(b.get("duration"))
            ),
        )
        v_tp, v_gold, v_pred = v_tp + len(pairs), v_gold + len(gv), v_pred + len(pv)
        if verbose:
            got_g = {id(a) for a, _ in pairs}
            got_p = {id(b) for _, b in pairs}
            for a in gv:
                if id(a) not in got_g:
                    print(f"[{aid}] validity missed: {a.get('text')!r} {a.get('duration')}")
            for b in pv:
                if id(b) not in got_p:
                    print(f"[{aid}] validity extra:  {b.get('text')!r} {b.get('duration')}")

    def pct(k: int) -> str:
        return f"{k / n:.3f} ({k}/{n})" if n else "-"

    vp = v_tp / v_pred if v_pred else 1.0
    vr = v_tp / v_gold if v_gold else 1.0
    vf = 2 * vp * vr / (vp + vr) if vp + vr else 0.0
    print(f"[{name}] matched events {n}")
    print(f"  commodity exact     {pct(exact)}")
    print(f"  commodity overlap   {pct(overlap)}")
    print(f"  authority_country   {pct(country)}")
    print(f"  validity P {vp:.3f} R {vr:.3f} F1 {vf:.3f} (tp {v_tp} gold {v_gold} pred {v_pred})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", choices=SETS, action="append", help="repeatable")
    parser.add_argument("--verbose", action="store_true", help="list disagreements")
    parser.add_argument("--all-events", action="store_true", help="match held-back events too")
    args = parser.parse_args(argv)
    for name in args.set or ["trade-train", "trade-dev"]:
        bench(name, verbose=args.verbose, all_events=args.all_events)
    return 0


if __name__ == "__main__":
    sys.exit(main())
