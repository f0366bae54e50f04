"""Diff two extraction runs fact by fact, so a reader sees what a data or model change did.

Why a pairing step: `fact_key` hashes all of a fact's content, so it only says "identical". To
say "the same fact, changed" (an alias fix renames a company; a new date rule re-dates an
event), the facts of one article and one kind that are not identical are paired by *where they
are in the text*, which a re-extraction keeps:

1. the same `fact_key` in both runs: the fact is unchanged;
2. the remaining facts of run A and run B are candidates for a pair when their character spans
   overlap (evidence offsets; for a company, any of its mention spans too) or, when they have no
   offsets, their evidence sentence is the same;
3. candidates pair greedily, the pair with the fewest differing compared columns first, then
   the closest start offsets (then text order and fact keys, so the result is deterministic).

A pair is *changed* when a compared column differs (each listed once, old → new), *unchanged*
when none does (a validity period whose event's fact_key changed); a fact left without a pair
is *added* or *removed*. Only articles extracted by both runs are compared; articles only one
run processed are counted apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import duckdb

from tradeline.warehouse.runs import RunError, get_run

FACT_KINDS = ("company", "event", "validity", "policy_date")

# kind -> (table, compared columns)
_KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "company": (
        "company_mentions",
        ("name", "canonical", "aliases", "ticker", "evidence", "start_char", "end_char",
         "mentions"),
    ),
    "event": (
        "events",
        ("type", "event_date", "date_granularity", "date_text", "authority",
         "authority_country", "commodity", "commodity_detail", "modality", "subtype", "trigger",
         "companies", "evidence", "start_char", "end_char"),
    ),
    "validity": (
        "validity_periods",
        ("text", "duration", "valid_from", "valid_to", "applies_to", "event", "evidence",
         "start_char", "end_char"),
    ),
    "policy_date": (
        "policy_dates",
        ("text", "resolved", "granularity", "evidence", "start_char", "end_char"),
    ),
}

# Derived columns some kinds compare: an event's company names in order, and the event a
# validity period belongs to by where it is (its fact_key changes whenever the event does, and
# a change to the event itself is shown once, on the event).
_DERIVED = {
    "companies": "(SELECT list(ec.company ORDER BY ec.position) FROM event_companies AS ec "
    "WHERE ec.fact_key = f.fact_key AND ec.run_id = f.run_id)",
    "event": "(SELECT 'the event at ' || ev.start_char || '-' || ev.end_char FROM events AS ev "
    "WHERE ev.fact_key = f.event_fact_key AND ev.run_id = f.run_id)",
}

Fact = dict[str, Any]


@dataclass
class RunDiff:
    """Facts added, removed and changed from run `a` to run `b`."""

    a: str
    b: str
    articles_compared: int = 0
    articles_only_a: int = 0
    articles_only_b: int = 0
    counts: dict[str, dict[str, int]] = field(default_factory=dict)  # kind -> outcome -> n
    changes: list[dict[str, Any]] = field(default_factory=list)  # one per non-unchanged fact

    def field_changes(self) -> list[dict[str, Any]]:
        """Every changed column once: {fact, field, old, new}, values whole."""
        out = []
        for ch in self.changes:
            if ch["change"] != "changed":
                continue
            fact = {k: ch[k] for k in ("article_id", "url", "kind", "label", "fact_key_a",
                                       "fact_key_b")}
            out.extend(
                {"fact": fact, "field": name, "old": values["a"], "new": values["b"]}
                for name, values in ch["fields"].items()
            )
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "a": self.a,
            "b": self.b,
            "articles_compared": self.articles_compared,
            "articles_only_a": self.articles_only_a,
            "articles_only_b": self.articles_only_b,
            "counts": self.counts,
            "changes": self.changes,
            "field_changes": self.field_changes(),
        }


def jsonable(value: Any) -> Any:
    """A stored value as JSON can hold it: lists and structs as such, dates as ISO text."""
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def _facts(con: duckdb.DuckDBPyConnection, kind: str, a: str, b: str) -> list[Fact]:
    """The facts of both runs over the articles both extracted, with their compared columns."""
    table, columns = _KINDS[kind]
    cols = ", ".join(
        f"{_DERIVED[c]} AS {c}" if c in _DERIVED else f"f.{c}"
        for c in columns if c not in ("start_char", "end_char", "mentions")
    )
    spans = "f.mentions" if kind == "company" else "NULL"
    sql = f"""
    WITH shared AS (
        SELECT article_id FROM article_extractions WHERE run_id = $a
        INTERSECT
        SELECT article_id FROM article_extractions WHERE run_id = $b
    )
    SELECT f.run_id, f.article_id, f.fact_key, f.start_char, f.end_char, {spans} AS mentions, {cols}
    FROM {table} AS f
    WHERE f.run_id IN ($a, $b) AND f.article_id IN (SELECT article_id FROM shared)
    ORDER BY f.article_id, f.start_char NULLS LAST, f.fact_key, f.run_id
    """
    cur = con.execute(sql, {"a": a, "b": b})
    names = [d[0] for d in cur.description]
    return [
        {k: jsonable(v) for k, v in zip(names, row, strict=True)} for row in cur.fetchall()
    ]


def _spans(fact: Fact) -> list[tuple[int, int]]:
    spans = [(m["start_char"], m["end_char"]) for m in fact.get("mentions") or []]
    if fact["start_char"] is not None and fact["end_char"] is not None:
        spans.append((fact["start_char"], fact["end_char"]))
    return spans


def _related(x: Fact, y: Fact) -> bool:
    """Whether two facts are about the same place in the article's text."""
    xs, ys = _spans(x), _spans(y)
    if xs and ys:
        return any(s1 < e2 and s2 < e1 for s1, e1 in xs for s2, e2 in ys)
    return x.get("evidence") is not None and x.get("evidence") == y.get("evidence")


def _differing(x: Fact, y: Fact, columns: tuple[str, ...]) -> list[str]:
    return [c for c in columns if x[c] != y[c]]


def pair_facts(
    before: list[Fact], after: list[Fact], columns: tuple[str, ...]
) -> tuple[list[tuple[Fact, Fact]], list[Fact], list[Fact]]:
    """(pairs, removed, added) for the facts of one article and one kind (module docstring)."""
    keys_b = {f["fact_key"]: f for f in after}
    keys_a = {f["fact_key"] for f in before}
    pairs = [(x, keys_b[x["fact_key"]]) for x in before if x["fact_key"] in keys_b]
    rest_a = [x for x in before if x["fact_key"] not in keys_b]
    rest_b = [y for y in after if y["fact_key"] not in keys_a]
    far = 1 << 31
    candidates = sorted(
        (
            len(_differing(x, y, columns)),
            abs((x["start_char"] if x["start_char"] is not None else far)
                - (y["start_char"] if y["start_char"] is not None else far)),
            i, j,
        )
        for i, x in enumerate(rest_a)
        for j, y in enumerate(rest_b)
        if _related(x, y)
    )
    used_a: set[int] = set()
    used_b: set[int] = set()
    for _, _, i, j in candidates:
        if i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
            pairs.append((rest_a[i], rest_b[j]))
    removed = [x for i, x in enumerate(rest_a) if i not in used_a]
    added = [y for j, y in enumerate(rest_b) if j not in used_b]
    return pairs, removed, added


def label(kind: str, fact: Fact) -> str:
    """A short name for a fact, for people reading the diff."""
    if kind == "company":
        return fact["canonical"]
    if kind == "event":
        names = ", ".join(fact["companies"] or [])
        what = f"{fact['type']} {fact['event_date'] or 'undated'}"
        return f"{what} ({names})" if names else what
    if kind == "validity":
        return f"{fact['text']} ({fact['duration']})"
    return f"{fact['text']} = {fact['resolved']}"


def _counts(con: duckdb.DuckDBPyConnection, a: str, b: str) -> tuple[int, int, int]:
    row = con.execute(
        """
        WITH ra AS (SELECT article_id FROM article_extractions WHERE run_id = $a),
             rb AS (SELECT article_id FROM article_extractions WHERE run_id = $b)
        SELECT (SELECT count(*) FROM ra WHERE article_id IN (SELECT article_id FROM rb)),
               (SELECT count(*) FROM ra WHERE article_id NOT IN (SELECT article_id FROM rb)),
               (SELECT count(*) FROM rb WHERE article_id NOT IN (SELECT article_id FROM ra))
        """,
        {"a": a, "b": b},
    ).fetchone()
    return int(row[0]), int(row[1]), int(row[2])


def diff_runs(con: duckdb.DuckDBPyConnection, a: str, b: str) -> RunDiff:
    """Compare the facts of run `a` (before) and run `b` (after), per article and fact kind;
    RunError (from `get_run`) when either run does not exist."""
    get_run(con, a)
    get_run(con, b)
    if a == b:
        raise RunError(f"A and B are the same run ({a}): name two runs to compare")
    diff = RunDiff(a, b)
    diff.articles_compared, diff.articles_only_a, diff.articles_only_b = _counts(con, a, b)
    found: list[tuple[tuple[str, int, int], dict[str, Any]]] = []
    for kind_index, kind in enumerate(FACT_KINDS):
        columns = _KINDS[kind][1]
        counts = {"added": 0, "removed": 0, "changed": 0, "unchanged": 0}
        by_article: dict[str, dict[str, list[Fact]]] = {}
        for f in _facts(con, kind, a, b):
            sides = by_article.setdefault(f["article_id"], {"a": [], "b": []})
            sides["a" if f["run_id"] == a else "b"].append(f)
        for article_id, sides in by_article.items():
            pairs, removed, added = pair_facts(sides["a"], sides["b"], columns)
            outcomes: list[tuple[str, Fact | None, Fact | None]] = [
                ("removed", x, None) for x in removed
            ] + [("added", None, y) for y in added]
            for x, y in pairs:
                if _differing(x, y, columns):
                    outcomes.append(("changed", x, y))
                else:
                    counts["unchanged"] += 1
            for outcome, x, y in outcomes:
                counts[outcome] += 1
                fact = y or x
                if outcome == "changed":
                    fields: dict[str, Any] = {
                        c: {"a": x[c], "b": y[c]} for c in _differing(x, y, columns)
                    }
                else:
                    fields = {c: fact[c] for c in columns if fact[c] not in (None, [])}
                position = fact["start_char"] if fact["start_char"] is not None else -1
                found.append(((article_id, kind_index, position), {
                    "article_id": article_id,
                    "kind": kind,
                    "change": outcome,
                    "label": label(kind, fact),
                    "evidence": fact["evidence"],
                    "fact_key_a": x["fact_key"] if x else None,
                    "fact_key_b": y["fact_key"] if y else None,
                    "fields": fields,
                }))
        diff.counts[kind] = counts
    urls = _urls(con, sorted({ch["article_id"] for _, ch in found}))
    for _, ch in sorted(found, key=lambda item: (urls[item[1]["article_id"]], *item[0][1:],
                                                 item[1]["change"], item[1]["label"])):
        diff.changes.append({"article_id": ch["article_id"], "url": urls[ch["article_id"]],
                             **{k: v for k, v in ch.items() if k != "article_id"}})
    return diff


def _urls(con: duckdb.DuckDBPyConnection, article_ids: list[str]) -> dict[str, str]:
    rows = con.execute(
        "SELECT article_id, url FROM articles WHERE article_id IN (SELECT unnest(?::VARCHAR[]))",
        [article_ids],
    ).fetchall()
    return {**{a: a for a in article_ids}, **dict(rows)}
