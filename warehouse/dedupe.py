"""Near-duplicate articles (syndicated copies with small edits), so they count as one source.

Each article's text gets a MinHash signature of its word 5-shingles (datasketch), stored once in
`article_signatures`; two articles reporting the same event are near-duplicates when the
estimated Jaccard similarity of their shingle sets is at least `THRESHOLD`. Syndicated copies
with a changed headline, dateline or closing line share most 5-shingles (Jaccard 0.6–0.95);
independent reports of the same news, worded differently, share almost none (< 0.1).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection, Iterable
from typing import TYPE_CHECKING

import duckdb
import numpy as np
import pyarrow as pa

from tradeline.warehouse import pushdown
from tradeline.warehouse.migrations import arrow_schema

if TYPE_CHECKING:  # datasketch imports scipy (0.4 s): loaded when a signature is first made
    from datasketch import MinHash

THRESHOLD = 0.5  # estimated Jaccard of word 5-shingles at or above which articles are copies
SHINGLE = 5
NUM_PERM = 128
SEED = 1  # fixed: signatures stored in the file must stay comparable across processes
SCHEME = "affine32"  # datasketch >= 2.0 hashing scheme; stored values are uint32

_PAIRS_AT_ONCE = 4096
_WORD = re.compile(r"\w+")


def shingles(text: str, size: int = SHINGLE) -> set[bytes]:
    """Word n-grams of the casefolded text (the whole text when it is shorter than n words)."""
    words = _WORD.findall(text.casefold())
    if len(words) <= size:
        return {" ".join(words).encode("utf-8")} if words else set()
    return {" ".join(words[i : i + size]).encode("utf-8") for i in range(len(words) - size + 1)}


def signature(text: str) -> MinHash:
    from datasketch import MinHash

    m = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME)
    m.update_batch(list(shingles(text)))
    return m


def _text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def refresh_signatures(
    con: duckdb.DuckDBPyConnection,
    article_ids: Collection[str] | None = None,
    *,
    changed: Collection[str] | None = None,
) -> int:
    """Compute signatures for articles that have none or whose text changed: all articles, or
    only `article_ids` (the incremental merge's candidates); returns how many. With `changed`
    (the articles stored or rewritten since the last merge: only their text can differ from
    the signature's), the text of the others is not read when they have a signature: reading
    every candidate's text scans the whole `articles` table on a large warehouse."""
    if article_ids is not None and not article_ids:
        return 0
    if article_ids is not None and changed is not None:
        signed = {r[0] for r in con.execute(
            "SELECT article_id FROM article_signatures WHERE "
            + pushdown.in_list("article_id", article_ids)
        ).fetchall()}
        article_ids = {a for a in article_ids if a not in signed or a in changed}
        if not article_ids:
            return 0
    where = "" if article_ids is None else "WHERE " + pushdown.in_list("a.article_id", article_ids)
    rows = con.execute(
        f"""
        SELECT a.article_id, a.text, s.text_hash
        FROM articles AS a LEFT JOIN article_signatures AS s USING (article_id)
        {where}
        """
    ).fetchall()
    fresh = []
    for article_id, text, stored_hash in rows:
        digest = _text_hash(text)
        if digest != stored_hash:
            fresh.append(
                {"article_id": article_id, "text_hash": digest,
                 "minhash": signature(text).hashvalues.tolist()}
            )
    if fresh:
        ids = [r["article_id"] for r in fresh]
        con.execute(
            "DELETE FROM article_signatures WHERE article_id IN (SELECT unnest(?::VARCHAR[]))",
            [ids],
        )
        table = pa.Table.from_pylist(
            fresh,
            schema=arrow_schema("article_signatures"),
        )
        con.register("_incoming_signatures", table)
        con.execute("INSERT INTO article_signatures SELECT * FROM _incoming_signatures")
        con.unregister("_incoming_signatures")
    return len(fresh)


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """MinHash estimate of the Jaccard similarity: the share of equal hash values."""
    return float(np.mean(a == b))


def near_duplicate_pairs(
    con: duckdb.DuckDBPyConnection, candidates: Iterable[tuple[str, str]]
) -> set[tuple[str, str]]:
    """The candidate (a, b) pairs whose texts are near-duplicates, as (min, max) pairs.

    Only candidates are compared (merge.py passes the articles that report one event), so the
    cost follows the size of the merged entries, not the size of the archive.
    """
    pairs = {(min(a, b), max(a, b)) for a, b in candidates if a != b}
    if not pairs:
        return set()
    ids = sorted({x for pair in pairs for x in pair})
    # as Arrow, so thousands of signatures become one array without a Python int each
    table = con.sql(
        "SELECT article_id, minhash FROM article_signatures WHERE "
        + pushdown.in_list("article_id", ids)
    ).to_arrow_table()
    stored = table.column("article_id").to_pylist()
    index = {article_id: i for i, article_id in enumerate(stored)}
    known = sorted((a, b) for a, b in pairs if a in index and b in index)
    if not known:
        return set()
    hashes = table.column("minhash").combine_chunks()
    flat = hashes.flatten().to_numpy(zero_copy_only=False).astype(np.uint32)
    if len(flat) != len(stored) * NUM_PERM:  # a signature of another length: pair by pair
        values = hashes.to_pylist()
        one = {a: np.asarray(v, dtype=np.uint32) for a, v in zip(stored, values, strict=True)}
        return {(a, b) for a, b in known if jaccard(one[a], one[b]) >= THRESHOLD}
    sigs = flat.reshape(len(stored), NUM_PERM)
    found = set()
    # `jaccard` of many pairs at once (a busy block of a large warehouse has 100,000 pairs),
    # a slice at a time so the compared copies stay a few MB
    for start in range(0, len(known), _PAIRS_AT_ONCE):
        part = known[start : start + _PAIRS_AT_ONCE]
        left = sigs[[index[a] for a, _ in part]]
        right = sigs[[index[b] for _, b in part]]
        similar = (left == right).mean(axis=1) >= THRESHOLD
        found.update(pair for pair, same in zip(part, similar.tolist(), strict=True) if same)
    return found
