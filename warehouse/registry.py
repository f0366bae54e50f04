"""The company registry: each spelling of a canonical company name the facts use
(`company_registry`, with its aliases in `company_aliases`), and which firm each spelling
belongs to (`company_firms`).

Firms follow `tradeline.identity`, the rule the timeline merge uses, so the `companies` view
lists "Ningbo Yansheng" and "Ningbo Yunsheng" as the one firm `timeline` merges them into.
Like the timeline, `company_firms` is derived, a pure function of the registry (connected
components of the rule, so the order of rows does not matter): after every finished run
`update_firms` groups the spellings new since the last run, scoring only them against the
others, and rewrites the firms they join; `rebuild_firms` (`tradeline rebuild-timeline`)
regroups every spelling, with the same result. A firm is named by its first stored spelling
(ties: the one that sorts first).
"""

from __future__ import annotations

from datetime import datetime

import duckdb
import pyarrow as pa

from tradeline.identity import comparable, firms, similar_to
from tradeline.union_find import UnionFind
from tradeline.warehouse.migrations import arrow_schema


def upsert(con: duckdb.DuckDBPyConnection, companies: dict[str, str], now: datetime) -> None:
    """New spellings keep the canonical form first seen; known ones get last_seen moved on."""
    if not companies:
        return
    arrow = pa.Table.from_pylist(
        [{"canonical_key": k, "canonical": c, "first_seen": now, "last_seen": now}
         for k, c in companies.items()],
        schema=arrow_schema("company_registry"),
    )
    con.register("_incoming_companies", arrow)
    con.execute(
        "INSERT INTO company_registry SELECT * FROM _incoming_companies "
        "ON CONFLICT (canonical_key) DO UPDATE SET last_seen = excluded.last_seen"
    )
    con.unregister("_incoming_companies")


def rebuild_firms(con: duckdb.DuckDBPyConnection) -> int:
    """Rewrite `company_firms` from the registry; the caller holds the transaction. Returns the
    number of firms."""
    rows = con.execute(
        "SELECT canonical_key, canonical FROM company_registry "
        "ORDER BY first_seen, canonical, canonical_key"
    ).fetchall()
    key_of = dict((canonical, key) for key, canonical in rows)
    groups = firms(canonical for _, canonical in rows)
    links = [
        {"canonical_key": key_of[name], "firm_key": key_of[group[0]]}
        for group in groups
        for name in group
    ]
    con.execute("DELETE FROM company_firms")
    if links:
        con.register("_incoming_firms", pa.Table.from_pylist(links, schema=arrow_schema(
            "company_firms")))
        con.execute("INSERT INTO company_firms SELECT * FROM _incoming_firms")
        con.unregister("_incoming_firms")
    return len(groups)


def update_firms(con: duckdb.DuckDBPyConnection) -> int:
    """Group the registry's spellings that have no firm yet (the caller holds the
    transaction): each joins, or merges, the firms of the spellings it is the same firm as, and
    only the firms that changed are rewritten. The same rows as `rebuild_firms`, because links
    between older spellings cannot change. Returns the number of spellings added."""
    rows = con.execute(
        "SELECT r.canonical_key, r.canonical, f.firm_key FROM company_registry AS r "
        "LEFT JOIN company_firms AS f USING (canonical_key)"
    ).fetchall()
    new = [(key, canonical) for key, canonical, firm in rows if firm is None]
    if not new:
        return 0
    form_of = {key: comparable(canonical) for key, canonical, _ in rows}
    node_of = {key: firm or key for key, _, firm in rows}  # old spellings: their firm
    sets = UnionFind(node_of.values())
    find = sets.find

    keys_of_form: dict[str, list[str]] = {}
    for key, form in form_of.items():
        if form:
            keys_of_form.setdefault(form, []).append(key)
    new_forms = {form_of[key] for key, _ in new}
    links = [(a, b) for form in new_forms if form for a, b in zip(
        keys_of_form[form], keys_of_form[form][1:], strict=False)]  # one form: one firm
    links += [(keys_of_form[a][0], keys_of_form[b][0])
              for a, b in similar_to(new_forms, keys_of_form)]
    for a, b in links:
        sets.union(node_of[a], node_of[b])
    changed_roots = {find(node_of[key]) for key, _ in new}
    members = [key for key in node_of if find(node_of[key]) in changed_roots]
    changed = pa.table(
        {"canonical_key": members, "root": [find(node_of[key]) for key in members]}
    )
    con.register("_firm_members", changed)
    con.execute("DELETE FROM company_firms WHERE canonical_key IN "
                "(SELECT canonical_key FROM _firm_members)")
    con.execute(
        """
        INSERT INTO company_firms
        SELECT m.canonical_key,
               first(r.canonical_key ORDER BY r.first_seen, r.canonical, r.canonical_key)
                   OVER (PARTITION BY m.root)
        FROM _firm_members AS m JOIN company_registry AS r USING (canonical_key)
        """
    )
    con.unregister("_firm_members")
    return len(new)
