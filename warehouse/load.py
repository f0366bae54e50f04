"""Writing to and reading from the warehouse tables: sources, batches, errors, archive.

Runs are opened and closed in `runs.py`. Batches go in as Arrow tables (their schemas read back
from the migrations) inside one transaction (DuckDB inserts 100k Arrow rows in about
0.1 s, while row-by-row executemany takes minutes), and every insert is an anti-join so storing
the same batch twice adds nothing.
"""

from __future__ import annotations

import hashlib
import re
import uuid
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import duckdb
import pyarrow as pa

from tradeline.records import Article, Document, Extraction, IngestError, stable_key
from tradeline.warehouse import pushdown, registry
from tradeline.warehouse.datearg import check_date_prefix
from tradeline.warehouse.db import WarehouseError, transaction, utcnow
from tradeline.warehouse.facts import FactRows, fact_rows
from tradeline.warehouse.migrations import arrow_schema

SOURCE_KINDS = ("feed", "import")
_CHUNK = 256  # articles per query when streaming the archive

# Anti-join conditions (n = incoming row, t = stored row): an incoming row is already there when
# any condition matches. Each is a separate equi-join so DuckDB hashes it (an OR would loop).
_FIRST_COLUMN = re.compile(r"t\.(\w+) = n\.\1\b")
_FACT_EXISTS = ("t.fact_key = n.fact_key AND t.run_id = n.run_id",)
_EXISTS: dict[str, tuple[str, ...]] = {
    "documents": (
        "t.document_id = n.document_id",
        "t.canonical_url = n.canonical_url AND t.content_hash = n.content_hash",
    ),
    "articles": ("t.canonical_url = n.canonical_url", "t.article_id = n.article_id"),
    "article_extractions": ("t.article_id = n.article_id AND t.run_id = n.run_id",),
    "company_mentions": _FACT_EXISTS,
    "events": _FACT_EXISTS,
    "validity_periods": _FACT_EXISTS,
    "policy_dates": _FACT_EXISTS,
    "event_companies": (_FACT_EXISTS[0] + " AND t.canonical_key = n.canonical_key",),
    "company_aliases": ("t.canonical_key = n.canonical_key AND t.alias = n.alias",),
}


@dataclass(frozen=True, slots=True)
class StoreResult:
    """What one store_batch call added."""

    new_documents: int = 0
    new_articles: int = 0
    facts_written: int = 0
    extractions_written: int = 0  # article_extractions rows added (articles processed this run)


def _to_utc_naive(value: datetime | None) -> datetime | None:
    """Stored timestamps are naive UTC; aware values are converted, naive ones taken as UTC."""
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


def _to_utc_aware(value: datetime | None) -> datetime | None:
    return None if value is None else value.replace(tzinfo=UTC)


def _q(name: str) -> str:
    return '"' + name + '"'


def _pushed(condition: str, rows: Sequence[dict[str, Any]]) -> str:
    """The incoming values of the condition's first column as constants, for the existence
    check's scan (`pushdown.in_list`): without them it builds a hash table of the whole stored
    table (every canonical URL of a million articles) to look up a run's hundred rows."""
    column = _FIRST_COLUMN.match(condition)
    if column is None:
        return ""
    values = {r.get(column.group(1)) for r in rows}
    if None in values or not all(isinstance(v, str) for v in values):
        return ""
    if len(values) > pushdown.JOIN_KEYS_PUSHED:
        return ""  # a big import: the plain join reads no more, and the SQL stays small
    return pushdown.in_list(f"t.{column.group(1)}", values) + " AND "


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict[str, Any]]) -> int:
    """Bulk-insert rows (via Arrow) that are not already in the table; returns rows added."""
    if not rows:
        return 0
    schema = arrow_schema(table)
    arrow = pa.Table.from_pylist(rows, schema=schema)
    view = f"_incoming_{table}"
    cols = ", ".join(_q(c) for c in schema.names)
    sql = f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {view} AS n"
    conditions = _EXISTS.get(table, ())
    if conditions:
        sql += " WHERE " + " AND ".join(
            f"NOT EXISTS (SELECT 1 FROM {table} AS t WHERE {_pushed(c, rows)}{c})"
            for c in conditions
        )
    con.register(view, arrow)
    row = con.execute(sql).fetchone()  # on failure the caller's ROLLBACK drops the registration
    con.unregister(view)
    return int(row[0]) if row else 0


# --- sources -------------------------------------------------------------------------------


def source_id_for(url: str) -> str:
    return stable_key("source", url)


def get_source_state(con: duckdb.DuckDBPyConnection, url: str) -> dict[str, Any] | None:
    """The stored state of a feed or import location (validators, last status), or None."""
    cur = con.execute("SELECT * FROM sources WHERE source_id = ?", [source_id_for(url)])
    row = cur.fetchone()
    if row is None:
        return None
    state = dict(zip([d[0] for d in cur.description], row, strict=True))
    state["last_polled_at"] = _to_utc_aware(state["last_polled_at"])
    return state


def update_source_state(
    con: duckdb.DuckDBPyConnection,
    url: str,
    *,
    name: str | None,
    kind: str,
    etag: str | None,
    last_modified: str | None,
    status: int | None,
    error: str | None,
    title: str | None,
) -> None:
    """Record a poll. None for etag/last_modified/name/title keeps the stored value (a 304 or a
    failed poll must not lose the validators); error is always overwritten (None clears it)."""
    if kind not in SOURCE_KINDS:
        raise ValueError(f"source kind must be one of {SOURCE_KINDS}, got {kind!r}")
    con.execute(
        """
        INSERT INTO sources (source_id, url, name, kind, etag, last_modified, last_status,
                             last_polled_at, last_error, title)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (source_id) DO UPDATE SET
            name = coalesce(excluded.name, sources.name),
            kind = excluded.kind,
            etag = coalesce(excluded.etag, sources.etag),
            last_modified = coalesce(excluded.last_modified, sources.last_modified),
            last_status = excluded.last_status,
            last_polled_at = excluded.last_polled_at,
            last_error = excluded.last_error,
            title = coalesce(excluded.title, sources.title)
        """,
        [source_id_for(url), url, name, kind, etag, last_modified, status, utcnow(), error, title],
    )


# --- batches -------------------------------------------------------------------------------


def _document_row(doc: Document, now: datetime) -> dict[str, Any]:
    return {
        "document_id": doc.document_id,
        "url": doc.url,
        "final_url": doc.final_url,
        "canonical_url": doc.canonical_url,
        "fetched_at": _to_utc_naive(doc.fetched_at),
        "http_status": doc.status,
        "content_type": doc.content_type,
        "content_hash": doc.content_hash,
        "body_zlib": zlib.compress(doc.body, 6),
        "raw_size": len(doc.body),
        "origin": doc.origin,
        "source_url": doc.feed_url,
        "feed_published": doc.feed_published,
        "feed_title": doc.feed_title,
        "etag": doc.etag,
        "last_modified": doc.last_modified,
        "stored_at": now,
    }


def _article_row(article: Article, document_id: str | None, now: datetime) -> dict[str, Any]:
    return {
        "article_id": article.article_id,
        "canonical_url": article.canonical_url,
        "url": article.url,
        "document_id": document_id,
        "title": article.title,
        "author": article.author,
        "published": article.published,
        "published_source": article.published_source,
        "outlet": article.outlet,
        "language": article.language,
        "text": article.text,
        "text_chars": len(article.text),
        "stored_at": now,
    }


def archive_documents(con: duckdb.DuckDBPyConnection, docs: Sequence[Document]) -> int:
    """Archive fetched pages on their own, before they are parsed, so no later failure throws
    the fetch away; `store_batch` finds them there (anti-join). Returns documents added."""
    now = utcnow()
    rows = {doc.document_id: _document_row(doc, now) for doc in docs}
    with transaction(con):
        return _insert(con, "documents", list(rows.values()))


def store_batch(
    con: duckdb.DuckDBPyConnection,
    items: Sequence[tuple[Document | None, Article, Extraction]],
    run_id: str,
) -> StoreResult:
    """Store documents, articles and this run's facts in one transaction; idempotent.

    A Document of None means the article is already archived (re-extraction): only the facts
    and the article_extractions row for this run are written. Facts for an (article, run) pair
    that is already stored are not written again.
    """
    if not items:
        return StoreResult()
    if con.execute("SELECT 1 FROM extraction_runs WHERE run_id = ?", [run_id]).fetchall() == []:
        raise ValueError(f"no extraction run {run_id!r}; call start_run first")
    now = utcnow()
    documents: dict[str, dict[str, Any]] = {}
    articles: dict[str, dict[str, Any]] = {}
    extractions: dict[str, Extraction] = {}
    for doc, article, extraction in items:
        expected = Article.id_for(article.canonical_url)
        if article.article_id != expected:
            raise ValueError(
                f"article_id {article.article_id!r} is not "
                f"Article.id_for({article.canonical_url!r}) = {expected!r}"
            )
        document_id = article.document_id
        if doc is not None:
            document_id = doc.document_id
            documents.setdefault(document_id, _document_row(doc, now))
        if article.canonical_url not in articles:
            articles[article.canonical_url] = _article_row(article, document_id, now)
        extractions.setdefault(article.article_id, extraction)

    with transaction(con):
        new_documents = _insert(con, "documents", list(documents.values()))
        new_articles = _insert(con, "articles", list(articles.values()))
        done = _existing_extractions(con, run_id, list(extractions))
        pending = {a: e for a, e in extractions.items() if a not in done}
        facts = FactRows()
        ae_rows = []
        for article_id, extraction in pending.items():
            rows = fact_rows(article_id, run_id, extraction)
            facts.extend(rows)
            ae_rows.append(
                {
                    "article_id": article_id,
                    "run_id": run_id,
                    "status": "skipped" if extraction.skipped_reason else "done",
                    "skipped_reason": extraction.skipped_reason,
                    "n_facts": rows.n_facts,
                    "extracted_at": now,
                    "relevance": extraction.relevance,
                    "relevant": extraction.relevant,
                }
            )
        extractions_written = _insert(con, "article_extractions", ae_rows)
        facts_written = sum(
            _insert(con, table, getattr(facts, table))
            for table in ("company_mentions", "events", "validity_periods", "policy_dates")
        )
        _insert(con, "event_companies", facts.event_companies)
        registry.upsert(con, facts.companies, now)
        _insert(
            con,
            "company_aliases",
            [{"canonical_key": k, "alias": a, "first_seen": now} for k, a in sorted(facts.aliases)],
        )
    return StoreResult(new_documents, new_articles, facts_written, extractions_written)


def _existing_extractions(
    con: duckdb.DuckDBPyConnection, run_id: str, article_ids: list[str]
) -> set[str]:
    rows = con.execute(
        "SELECT article_id FROM article_extractions WHERE run_id = ? "
        "AND article_id IN (SELECT unnest(?::VARCHAR[]))",
        [run_id, article_ids],
    ).fetchall()
    return {r[0] for r in rows}


def known_canonical_urls(con: duckdb.DuckDBPyConnection, canonical_urls: Iterable[str]) -> set[str]:
    """The subset of canonical URLs that already have an article (skip fetching those)."""
    urls = list(dict.fromkeys(canonical_urls))
    if not urls:
        return set()
    rows = con.execute(
        "SELECT canonical_url FROM articles WHERE canonical_url IN (SELECT unnest(?::VARCHAR[]))",
        [urls],
    ).fetchall()
    return {r[0] for r in rows}


def refresh_articles(con: duckdb.DuckDBPyConnection, articles: list[Article]) -> int:
    """Replace stored text and metadata of articles whose re-parsed page differs; returns how
    many changed. Offsets of older runs' facts refer to the text as it was when they ran."""
    changed = 0
    for a in articles:
        # the incremental merge re-merges a changed article although its run may not change;
        # it needs the publication date it merged with (kept when refreshed twice)
        con.execute(
            "INSERT OR IGNORE INTO merge_pending_articles SELECT article_id, published "
            "FROM articles WHERE article_id = ? AND text IS DISTINCT FROM ?",
            [a.article_id, a.text],
        )
        row = con.execute(
            "UPDATE articles SET text = ?, text_chars = ?, title = ?, author = ?, "
            "published = ?, published_source = ?, outlet = ?, language = ? "
            "WHERE article_id = ? AND text IS DISTINCT FROM ?",
            [
                a.text,
                len(a.text),
                a.title,
                a.author,
                a.published,
                a.published_source,
                a.outlet,
                a.language,
                a.article_id,
                a.text,
            ],
        ).fetchone()
        changed += int(row[0]) if row else 0
    return changed


def record_errors(
    con: duckdb.DuckDBPyConnection, errors: Sequence[IngestError], run_id: str | None
) -> None:
    """Keep per-item failures with their reason; the caller has redacted the URLs."""
    now = utcnow()
    rows = [
        {
            "error_id": uuid.uuid4().hex,
            "run_id": run_id,
            "at": _to_utc_naive(e.at) or now,
            "stage": e.stage,
            "url": e.url,
            "source_url": e.source_url,
            "reason": e.reason,
        }
        for e in errors
    ]
    with transaction(con):
        _insert(con, "ingest_errors", rows)


# --- archive -------------------------------------------------------------------------------


def _document(r: dict[str, Any]) -> Document:
    """A `documents` row (with its body) back as the Document that was archived."""
    return Document(
        url=r["url"],
        final_url=r["final_url"],
        canonical_url=r["canonical_url"],
        body=_decompress(r["document_id"], r["body_zlib"], r["content_hash"]),
        status=r["http_status"],
        content_type=r["content_type"],
        fetched_at=_to_utc_aware(r["fetched_at"]),
        etag=r["etag"],
        last_modified=r["last_modified"],
        origin=r["origin"],
        feed_url=r["source_url"],
        feed_published=r["feed_published"],
        feed_title=r["feed_title"],
    )


def load_documents(
    con: duckdb.DuckDBPyConnection, document_ids: Iterable[str]
) -> dict[str, Document]:
    """Archived documents by id (ids not archived are left out), bodies checked."""
    cur = con.execute(
        "SELECT * FROM documents WHERE document_id IN (SELECT unnest(?::VARCHAR[]))",
        [list(dict.fromkeys(document_ids))],
    )
    names = [d[0] for d in cur.description]
    return {
        doc.document_id: doc
        for doc in (_document(dict(zip(names, row, strict=True))) for row in cur.fetchall())
    }


def _decompress(document_id: str, body_zlib: bytes, content_hash: str) -> bytes:
    body = zlib.decompress(body_zlib)
    if hashlib.sha256(body).hexdigest() != content_hash:
        raise WarehouseError(f"document {document_id}: archived body does not match its hash")
    return body


def load_document_body(con: duckdb.DuckDBPyConnection, document_id: str) -> bytes:
    """The raw bytes of an archived document, decompressed and checked against its hash."""
    row = con.execute(
        "SELECT body_zlib, content_hash FROM documents WHERE document_id = ?", [document_id]
    ).fetchone()
    if row is None:
        raise KeyError(f"no archived document {document_id!r}")
    return _decompress(document_id, row[0], row[1])


_ARCHIVE_IDS = """
SELECT article_id FROM (
    SELECT a.article_id, a.stored_at, d.source_url,
           coalesce(a.published, d.feed_published, strftime(d.fetched_at, '%Y-%m-%d'),
                    strftime(a.stored_at, '%Y-%m-%d')) AS day
    FROM articles AS a
    JOIN documents AS d ON d.document_id = a.document_id
) AS x
WHERE ($since::VARCHAR IS NULL OR x.day >= left($since::VARCHAR, length(x.day)))
  AND ($source::VARCHAR IS NULL OR x.source_url = $source::VARCHAR
       OR x.source_url IN (SELECT url FROM sources WHERE name = $source::VARCHAR))
ORDER BY x.stored_at, x.article_id
"""


def count_archived(
    con: duckdb.DuckDBPyConnection, *, since: str | None = None, source: str | None = None
) -> int:
    """How many articles `iter_archived` yields for these filters (a progress bar's total)."""
    if since is not None:
        check_date_prefix(since)
    row = con.execute(f"SELECT count(*) FROM ({_ARCHIVE_IDS})", {"since": since, "source": source})
    return int(row.fetchone()[0])


def iter_archived(
    con: duckdb.DuckDBPyConnection, *, since: str | None = None, source: str | None = None
) -> Iterator[tuple[Document, Article]]:
    """Archived articles with their documents, for offline re-extraction.

    since: keep articles dated (published, else feed date, else fetch date) on or after it, at
    the article date's own granularity. source: a feed URL or a source name. Articles stored
    without a document (nothing archived) are not yielded. Rows are read in chunks, so the
    caller may write to the same connection between items.
    """
    if since is not None:
        check_date_prefix(since)
    params = {"since": since, "source": source}
    ids = [r[0] for r in con.execute(_ARCHIVE_IDS, params).fetchall()]
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        cur = con.execute(
            """
            SELECT a.*, d.url AS d_url, d.final_url, d.canonical_url AS d_canonical_url,
                   d.fetched_at, d.http_status, d.content_type, d.content_hash, d.body_zlib,
                   d.origin, d.source_url, d.feed_published, d.feed_title, d.etag,
                   d.last_modified
            FROM articles AS a JOIN documents AS d ON d.document_id = a.document_id
            WHERE a.article_id IN (SELECT unnest(?::VARCHAR[]))
            ORDER BY a.stored_at, a.article_id
            """,
            [chunk],
        )
        names = [d[0] for d in cur.description]
        for values in cur.fetchall():
            r = dict(zip(names, values, strict=True))
            doc = _document({**r, "url": r["d_url"], "canonical_url": r["d_canonical_url"]})
            article = Article(
                article_id=r["article_id"],
                url=r["url"],
                canonical_url=r["canonical_url"],
                text=r["text"],
                title=r["title"],
                author=r["author"],
                published=r["published"],
                published_source=r["published_source"],
                outlet=r["outlet"],
                language=r["language"],
                document_id=r["document_id"],
            )
            yield doc, article
