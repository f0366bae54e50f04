"""Near-duplicate articles (syndicated copies with small edits), so they count as one source.

Each article's text gets a MinHash signature of its word 5-shingles (datasketch), stored once in
`article_signatures`; MinHashLSH proposes candidate pairs and a pair is a near-duplicate when
the estimated Jaccard similarity of the shingle sets is at least `THRESHOLD`. Syndicated copies
with a changed headline, dateline or closing line share most 5-shingles (Jaccard 0.6–0.95);
independent reports of the same news, worded differently, share almost none (< 0.1).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

import duckdb
import numpy as np
import pyarrow as pa
from datasketch import MinHash, MinHashLSH

THRESHOLD = 0.5  # estimated Jaccard of word 5-shingles at or above which articles are copies
SHINGLE = 5
NUM_PERM = 128
SEED = 1  # fixed: signatures stored in the file must stay comparable across processes
SCHEME = "affine32"  # datasketch >= 2.0 hashing scheme; stored values are uint32

_WORD = re.compile(r"\w+")


def shingles(text: str, size: int = SHINGLE) -> set[bytes]:
    """Word n-grams of the casefolded text (the whole text when it is shorter than n words)."""
    words = _WORD.findall(text.casefold())
    if len(words) <= size:
        return {" ".join(words).encode("utf-8")} if words else set()
    return {" ".join(words[i : i + size]).encode("utf-8") for i in range(len(words) - size + 1)}


def signature(text: str) -> MinHash:
    m = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME)
    m.update_batch(list(shingles(text)))
    return m


def _text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def refresh_signatures(con: duckdb.DuckDBPyConnection) -> int:
    """Compute signatures for articles that have none or whose text changed; returns how many."""
    rows = con.execute(
        """
        SELECT a.article_id, a.text, s.text_hash
        FROM articles AS a LEFT JOIN article_signatures AS s USING (article_id)
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
            schema=pa.schema([("article_id", pa.string()), ("text_hash", pa.string()),
                              ("minhash", pa.list_(pa.uint64()))]),
        )
        con.register("_incoming_signatures", table)
        con.execute("INSERT INTO article_signatures SELECT * FROM _incoming_signatures")
        con.unregister("_incoming_signatures")
    return len(fresh)


def near_duplicate_pairs(
    con: duckdb.DuckDBPyConnection, article_ids: Iterable[str] | None = None
) -> set[tuple[str, str]]:
    """(a, b) pairs with a < b whose texts are near-duplicates, among the given articles (all
    articles with a signature when None)."""
    rows = con.execute("SELECT article_id, minhash FROM article_signatures ORDER BY article_id")
    wanted = None if article_ids is None else set(article_ids)
    sigs: dict[str, MinHash] = {}
    for article_id, values in rows.fetchall():
        if wanted is not None and article_id not in wanted:
            continue
        sigs[article_id] = MinHash(
            num_perm=NUM_PERM, seed=SEED, scheme=SCHEME,
            hashvalues=np.asarray(values, dtype=np.uint32),
        )
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    for article_id, sig in sigs.items():
        lsh.insert(article_id, sig)
    pairs: set[tuple[str, str]] = set()
    for article_id, sig in sigs.items():
        for other in lsh.query(sig):
            if other == article_id:
                continue
            if sig.jaccard(sigs[other]) >= THRESHOLD:
                pairs.add((min(article_id, other), max(article_id, other)))
    return pairs
