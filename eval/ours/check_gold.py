#!/usr/bin/env python3
"""Sanity-check the hand-written gold of eval/ours against its articles.

Catches annotation slips the scorer would silently turn into wrong numbers:
evidence / date_text / policy-date text that is not verbatim in the article,
types outside the GUIDELINES taxonomy, malformed dates and durations, event
firms that are not among the article's companies, weekday resolutions that do
not fall on that weekday in the week before publication.

Usage:
    python eval/ours/check_gold.py [DIR]                  (DIR defaults to this folder)
    python eval/ours/check_gold.py DIR --articles ARTDIR  (gold in DIR/gold, texts elsewhere,
                                                           e.g. eval/trade over ../shared)
With --articles the texts are a corpus we did not write, so the checks on our own article
format (its keys, its 150-450 words) are skipped. Standard library only; exits 1 when
anything is wrong.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import sys
from pathlib import Path

EVENT_TYPES = {
    "permit_issued", "permit_applied", "permit_denied", "control_introduced", "control_tightened",
    "control_suspended", "control_lifted", "control_extended", "ban_introduced", "ban_lifted",
}
MODALITIES = {"actual", "planned", "possible"}
GRANULARITY = {10: "day", 7: "month", 4: "year"}
DATE_RE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
DURATION_RE = re.compile(r"^P(?=\d)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?$")
ARTICLE_KEYS = {"id", "title", "url", "outlet", "published", "author", "text"}
GOLD_KEYS = {"id", "companies", "media_mentions", "events", "validity_periods", "policy_dates"}
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


def valid_date(value: str) -> bool:
    if not DATE_RE.match(value):
        return False
    parts = [int(p) for p in value.split("-")]
    try:
        dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError:
        return False
    return True


def check_weekday(text: str, resolved: str, published: str) -> str | None:
    """A bare weekday resolves to the latest such day on or before publication."""
    words = re.findall(r"[a-z]+", text.casefold())
    days = [w for w in words if w in WEEKDAYS]
    if len(days) != 1 or "next" in words or len(resolved) != 10 or len(published) != 10:
        return None
    pub = dt.date.fromisoformat(published)
    want = WEEKDAYS.index(days[0])
    back = (pub.weekday() - want) % 7
    if back == 0 and "last" in words:
        back = 7  # "last Wednesday" in a Wednesday paper is the week before
    expected = pub - dt.timedelta(days=back)
    if resolved != expected.isoformat():
        return f"weekday {text!r} -> {resolved}, expected {expected}"
    return None


def check_pair(article: dict, gold: dict, own_article: bool = True) -> list[str]:
    errs: list[str] = []
    text = article["text"]
    published = article["published"]
    missing = ARTICLE_KEYS - article.keys()
    if own_article and missing:
        errs.append(f"article lacks {sorted(missing)}")
    if GOLD_KEYS - gold.keys():
        errs.append(f"gold lacks {sorted(GOLD_KEYS - gold.keys())}")
    if article["id"] != gold["id"]:
        errs.append(f"id mismatch {article['id']} vs {gold['id']}")
    words = len(text.split())
    if own_article and not 150 <= words <= 450:
        errs.append(f"article has {words} words (want 150-450)")

    canon: set[str] = set()
    for c in gold["companies"]:
        if not {"name", "canonical", "aliases"} <= c.keys():
            errs.append(f"company {c} lacks name/canonical/aliases")
            continue
        canon.add(c["canonical"])
        for form in [c["name"], *c["aliases"]] + ([c["ticker"]] if c.get("ticker") else []):
            if form not in text:
                errs.append(f"company surface form {form!r} not in text")
    for m in gold["media_mentions"]:
        if m not in text:
            errs.append(f"media mention {m!r} not in text")

    for i, e in enumerate(gold["events"]):
        tag = f"event {i} ({e.get('type')})"
        if e.get("type") not in EVENT_TYPES:
            errs.append(f"{tag}: unknown type")
        if e.get("modality", "actual") not in MODALITIES:
            errs.append(f"{tag}: bad modality {e.get('modality')!r}")
        if e.get("evidence") not in text:
            errs.append(f"{tag}: evidence not verbatim")
        for key in ("authority", "authority_country"):
            if not e.get(key):
                errs.append(f"{tag}: missing {key}")
        date, date_text = e.get("event_date"), e.get("date_text")
        if (date is None) != (date_text is None):
            errs.append(f"{tag}: event_date and date_text must both be set or both null")
        if date is not None:
            if not valid_date(date):
                errs.append(f"{tag}: bad event_date {date!r}")
            if date_text not in text:
                errs.append(f"{tag}: date_text {date_text!r} not verbatim")
            listed = {(p["text"], p["resolved"]) for p in gold["policy_dates"]}
            if (date_text, date) not in listed:
                errs.append(f"{tag}: ({date_text!r}, {date}) not among policy_dates")
        for key in ("announced_date", "until"):
            if e.get(key) is not None and not valid_date(e[key]):
                errs.append(f"{tag}: bad {key} {e[key]!r}")
        for firm in e.get("companies", []):
            if firm not in canon:
                errs.append(f"{tag}: firm {firm!r} is not a canonical company of the article")

    for v in gold["validity_periods"]:
        if v.get("text") not in text:
            errs.append(f"validity text {v.get('text')!r} not verbatim")
        if not DURATION_RE.match(v.get("duration") or ""):
            errs.append(f"validity {v.get('text')!r}: bad duration {v.get('duration')!r}")

    seen: set[tuple[str, str]] = set()
    for p in gold["policy_dates"]:
        key = (p.get("text"), p.get("resolved"))
        if key in seen:
            errs.append(f"policy date {key} listed twice")
        seen.add(key)
        if p.get("text") not in text:
            errs.append(f"policy date text {p.get('text')!r} not verbatim")
        resolved = p.get("resolved") or ""
        if not valid_date(resolved):
            errs.append(f"policy date {p.get('text')!r}: bad resolved {resolved!r}")
        elif GRANULARITY[len(resolved)] != p.get("granularity"):
            gran = p.get("granularity")
            errs.append(f"policy date {p.get('text')!r}: {gran!r} does not fit {resolved}")
        problem = check_weekday(p.get("text") or "", resolved, published)
        if problem:
            errs.append(problem)
    return errs


def main(argv: list[str]) -> int:
    args = argv[1:]
    articles_dir = None
    if "--articles" in args:
        i = args.index("--articles")
        articles_dir = Path(args[i + 1])
        del args[i : i + 2]
    root = Path(args[0]) if args else Path(__file__).resolve().parent
    own = articles_dir is None
    articles_dir = articles_dir or root / "articles"
    bad = 0
    golds = sorted((root / "gold").glob("*.json"))
    for gold_path in golds:
        article = json.loads((articles_dir / gold_path.name).read_text(encoding="utf-8"))
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        for err in check_pair(article, gold, own_article=own):
            print(f"{gold_path.name}: {err}")
            bad += 1
    print(f"checked {len(golds)} gold files: {bad} problem(s)")
    return 1 if bad or not golds else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
