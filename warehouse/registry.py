"""The company registry: each spelling of a canonical company name the facts use
(`company_registry`, with its aliases in `company_aliases`), and which firm each spelling
belongs to (`company_firms`).

Firms follow `tradeline.identity`, the rule the timeline merge uses, so the `companies` view
lists "Ningbo Yansheng" and "Ningbo Yunsheng" as the one firm `timeline` merges them into.
Like the timeline, `company_firms` is derived: rewritten whole after every finished run, a pure
function of the registry (connected components of the rule, so the order of rows does not
matter). A firm is named by its first stored spelling (ties: the one that sorts first).
"""

from __future__ import annotations

from datetime import datetime

import duckdb
import pyarrow as pa

from tradeline.identity import firms
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
