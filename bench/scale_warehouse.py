"""A synthetic warehouse built directly at the fact level, for `bench/scale.py`: no NLP, no HTTP,
so a million articles build in minutes on two cores.

Everything is generated set-based in DuckDB (`INSERT … SELECT` over `range()`, with `hash()` as a
deterministic random source); only the archive's page bodies are zlib-compressed in Python, in
Arrow chunks, as DuckDB has no zlib. The real schema comes from the real migrations
(`warehouse/db.py` opens the file).

Shape (the skew a year of trade news has):
* stories (real events) with 1–15 articles each, log-uniform (most have one or two, a few are
  syndicated everywhere); each story's articles come from distinct outlets; half the copies
  of a story are syndicated (the same text, so the same MinHash signature), the rest are
  independent reports;
* type, authority country, commodity and firm drawn Zipf-like (a few dominate), 20% of events
  name no firm, 15% name a second, rarer firm;
* independent reports give the date to the month (18%) or only the year (12%) where no other
  story of their merge class could take them (about 12% of shown events in all), and one in
  three second reports disputes the day;
* about 13% of articles are not relevant (one held-back event, a firm mention);
* permits carry a validity period (70%), a third of the articles a policy date;
* one ingest run per `RUN_SIZE` articles, in publication order.

`timeline_entries` / `timeline_entry_mentions` are built set-based too: story dates are spaced
so that the merge rule (`warehouse/merge.py`) puts exactly one story in each entry, so the
entries are computable in SQL; `tests/test_scale_bench.py` checks them against a full
`merge.rebuild` at a small size.
"""

from __future__ import annotations

import math
import zlib
from pathlib import Path

import duckdb
import pyarrow as pa

from tradeline.warehouse.db import connect, transaction

RUN_SIZE = 200  # articles per ingest run (about two hourly runs of a 100-outlet deployment)
N_OUTLETS = 100
RELEVANT_SHARE = 0.85
MEAN_STORY_ARTICLES = 4.94  # mean of floor(16 ** u), u uniform in [0, 1)
LAST_DAY = "2026-06-30"
SPAN_DAYS = 2737  # 2019-01-01 .. 2026-06-30
MIN_GAP_DAYS = 6  # merge.DAY_TOLERANCE_DAYS + 1 for a disputed day + 1

TYPES = ["permit_issued", "control_introduced", "permit_applied", "ban_introduced",
         "control_lifted", "permit_denied"]
TYPE_CUTS = [0.35, 0.55, 0.70, 0.82, 0.92]  # cumulative shares of the first five types
COUNTRIES = ["China", "United States", "Netherlands", "Japan", "South Korea", "Germany",
             "Indonesia", "India", "Australia", "Russia", "Canada", "Brazil"]
COMMODITIES = ["rare earths", "semiconductors", "gallium", "graphite", "nickel ore", "lithium",
               "germanium", "cobalt", "rice", "wheat", "palm oil", "copper", "antimony",
               "tungsten", "urea", "steel", "aluminium", "coal", "crude oil", "lng",
               "fertiliser", "soybeans", "corn", "sugar", "tin", "magnesium", "bauxite",
               "silicon", "vanadium", "uranium"]
FILLER = [
    "Officials did not say how many applications were still pending.",
    "Exporters have complained about delays at the ministry for months.",
    "The measure follows a review of supply chains that began last year.",
    "Analysts said the move could tighten supply in the coming quarter.",
    "Shares of producers rose in early trading after the announcement.",
    "Buyers in Europe and Japan have been building inventories since the spring.",
    "The ministry said the rules were in line with international practice.",
    "Traders expect prices to stay volatile until the details are published.",
    "A spokesperson declined to comment on individual companies.",
    "Industry groups asked for a transition period of at least six months.",
    "Customs data showed shipments fell sharply in the previous month.",
    "The decision was published in a notice on the ministry's website.",
    "Diplomats said the issue would be raised at the next round of talks.",
    "Some smaller processors have already cut output because of the rules.",
    "The government said national security was the main consideration.",
    "Consultants said compliance costs would fall mostly on mid-sized firms.",
    "Importers are seeking alternative suppliers in Southeast Asia and Africa.",
    "The regulator will publish a list of approved end users every quarter.",
    "Lawyers said the wording left room for interpretation.",
    "Production in the region has grown by about a tenth a year since 2020.",
    "Several contracts signed before the rules took effect remain in force.",
    "The agency said it would review the licences again at the end of the year.",
    "Port operators reported longer clearance times for affected cargoes.",
    "The announcement came after the close of trading in Asia.",
    "Researchers warned that stockpiles would last only a few weeks.",
    "A trade association said members had not been consulted in advance.",
    "Prices on the spot market have doubled since the first restrictions.",
    "Officials said further measures were not planned for now.",
    "The ministry's statement did not name the countries concerned.",
    "Downstream manufacturers said they would pass costs on to customers.",
    "Separately, the central bank left interest rates unchanged.",
    "The company said it had applied for the licence in the first quarter.",
    "Environmental inspections have also slowed some mining projects.",
    "Opposition lawmakers called for a parliamentary review of the policy.",
    "The figures exclude shipments routed through third countries.",
    "Insurers have raised premiums for cargoes on the affected routes.",
    "The policy will be reviewed after twelve months, the notice said.",
    "Brokers reported thin volumes as buyers waited for clarity.",
    "The rules apply to both raw material and processed products.",
    "Officials said the licences would be granted case by case.",
]
# The event sentence of an independent report: authority, verb, firms, commodity, date.
TEMPLATES = [
    "{auth} {verb} {firms}{commodity} on {date}.",
    "On {date}, {auth} {verb} {firms}{commodity}, officials said.",
    "{firms_cap}{commodity} was the subject of a decision: {auth} {verb} it on {date}.",
    "According to people familiar with the matter, {auth} {verb} {firms}{commodity} on {date}.",
]
VERBS = {
    "permit_issued": "granted an export licence to",
    "control_introduced": "introduced export controls covering",
    "permit_applied": "received an application for an export permit from",
    "ban_introduced": "banned exports involving",
    "control_lifted": "lifted export controls covering",
    "permit_denied": "refused an export licence to",
}


def _sql_list(values: list[str]) -> str:
    return "[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def n_firms(articles: int) -> int:
    """Firms named by the generator: a long tail that grows with the corpus."""
    return max(40, articles // 50)


def _macros(con: duckdb.DuckDBPyConnection, articles: int) -> None:
    """u(x, salt): a deterministic uniform [0, 1); zipf(x, salt, n): 0..n-1, P(k) ∝ 1/(k+1)."""
    con.execute("CREATE OR REPLACE TEMP MACRO u(x, salt) AS "
                "(hash(x, salt) % 1000003)::DOUBLE / 1000003")
    con.execute("CREATE OR REPLACE TEMP MACRO zipf(x, salt, n) AS "
                "least(n - 1, floor(exp(u(x, salt) * ln(n + 1)))::BIGINT - 1)")
    type_case = " ".join(
        f"WHEN u(x, salt) < {cut} THEN '{t}'" for cut, t in zip(TYPE_CUTS, TYPES, strict=False)
    )
    con.execute(f"CREATE OR REPLACE TEMP MACRO pick_type(x, salt) AS "
                f"CASE {type_case} ELSE '{TYPES[-1]}' END")
    con.execute(f"CREATE OR REPLACE TEMP MACRO firm_name(f) AS "
                f"'Firm ' || lpad(f::VARCHAR, {len(str(articles)) + 1}, '0') || ' Holdings'")
    con.execute("CREATE OR REPLACE TEMP MACRO key16(s) AS left(sha256(s), 16)")


def _plan(con: duckdb.DuckDBPyConnection, articles: int) -> None:
    """Temp tables `stories` and `arts` (one row per article) that every fact table reads."""
    stories = math.ceil(articles * RELEVANT_SHARE / MEAN_STORY_ARTICLES * 1.03) + 1
    firms = n_firms(articles)
    con.execute(f"""
    CREATE OR REPLACE TEMP TABLE stories0 AS
    SELECT s AS story,
           least(15, floor(exp(u(s, 1) * ln(16)))::INTEGER) AS k,
           pick_type(s, 2) AS type,
           CASE WHEN u(s, 3) < 0.03 THEN NULL
                ELSE {_sql_list(COUNTRIES)}[zipf(s, 4, {len(COUNTRIES)}) + 1] END AS country,
           CASE WHEN u(s, 5) < 0.05 THEN NULL
                ELSE {_sql_list(COMMODITIES)}[zipf(s, 6, {len(COMMODITIES)}) + 1] END
               AS commodity,
           CASE WHEN u(s, 7) < 0.2 THEN NULL ELSE zipf(s, 8, {firms}) END AS firm,
           CASE WHEN u(s, 9) < 0.5 THEN 'actual' WHEN u(s, 9) < 0.9 THEN 'planned'
                ELSE 'possible' END AS modality
    FROM range({stories}) AS t(s)
    """)
    # Dates: within a merge class (type, country, commodity, firm) stories are at least
    # MIN_GAP_DAYS apart, so no two of them can merge; the newest ends at LAST_DAY.
    con.execute(f"""
    CREATE OR REPLACE TEMP TABLE stories AS
    WITH ranked AS (
        SELECT *, CASE WHEN firm IS NOT NULL AND u(story, 10) < 0.15
                       THEN {firms} + story END AS extra_firm,
               row_number() OVER (PARTITION BY type, country, commodity, firm ORDER BY story)
                   - 1 AS rk,
               count(*) OVER (PARTITION BY type, country, commodity, firm) AS n_c
        FROM stories0
    ),
    dated AS (
        SELECT *, greatest({MIN_GAP_DAYS}, {SPAN_DAYS} // n_c) AS gap FROM ranked
    ),
    placed AS (
        SELECT *, DATE '{LAST_DAY}' - ((n_c - rk) * gap
               - floor(u(story, 11) * (gap - {MIN_GAP_DAYS - 1}))::INTEGER)::INTEGER AS story_date
        FROM dated
    )
    SELECT *,
           count(*) OVER (PARTITION BY type, country, commodity, firm,
                          strftime(story_date, '%Y-%m')) AS n_month,
           count(*) OVER (PARTITION BY type, country, commodity, firm,
                          year(story_date)) AS n_year
    FROM placed
    """)
    con.execute(f"""
    CREATE OR REPLACE TEMP TABLE mentions AS
    SELECT s.story, j,
           CASE WHEN j = 0 OR u(s.story * 64 + j, 12) < 0.5 THEN 0 ELSE j END AS variant,
           (hash(s.story, 13) % {N_OUTLETS} + j * 37) % {N_OUTLETS} AS outlet,
           s.story_date + floor(u(s.story * 64 + j, 14) * 4)::INTEGER AS published
    FROM stories AS s, range(s.k) AS r(j)
    """)
    relevant = con.execute("SELECT count(*) FROM mentions").fetchone()[0]
    irrelevant = max(0, articles - relevant)
    con.execute(f"""
    CREATE OR REPLACE TEMP TABLE arts0 AS
    SELECT m.story, m.j, m.variant, m.outlet, m.published, true AS relevant,
           CASE WHEN m.variant = 0 THEN 'day'
                WHEN u(m.story * 64 + m.j, 15) < 0.12 AND s.n_year = 1 THEN 'year'
                WHEN u(m.story * 64 + m.j, 15) < 0.30 AND s.n_month = 1 THEN 'month'
                ELSE 'day' END AS granularity,
           m.variant = 1 AND u(m.story, 16) < 0.33 AND day(s.story_date + 1) <> 1 AS disputes
    FROM mentions AS m JOIN stories AS s USING (story)
    UNION ALL
    SELECT NULL, i, NULL, hash(i, 17) % {N_OUTLETS},
           DATE '{LAST_DAY}' - floor(u(i, 18) * {SPAN_DAYS})::INTEGER, false, NULL, false
    FROM range({irrelevant}) AS t(i)
    """)
    con.execute(f"""
    CREATE OR REPLACE TEMP TABLE arts AS
    SELECT *,
           'https://outlet' || lpad(outlet::VARCHAR, 3, '0') || '.example/news/' || a AS url,
           'Outlet ' || lpad(outlet::VARCHAR, 3, '0') AS outlet_name,
           a // {RUN_SIZE} AS run_no
    FROM (
        SELECT *, row_number() OVER (ORDER BY published, story NULLS LAST, j) - 1 AS a
        FROM arts0
    )
    WHERE a < {articles}
    """)
    con.execute("""
    CREATE OR REPLACE TEMP TABLE arts_keyed AS
    SELECT a.*, key16('article' || chr(31) || a.url) AS article_id,
           'R' || lpad(a.run_no::VARCHAR, 7, '0') AS run_id
    FROM arts AS a
    """)


def _texts(con: duckdb.DuckDBPyConnection) -> None:
    """Each article's event sentence (evidence) and text: syndicated copies share the
    original's text; independent reports word the event their own way, at their own date."""
    tmpl = _sql_list(TEMPLATES)
    con.execute("""
    CREATE OR REPLACE TEMP TABLE art_events AS
    SELECT a.*, s.type, s.country, s.commodity, s.firm, s.extra_firm, s.modality, s.story_date,
           CASE a.granularity
               WHEN 'day' THEN strftime(s.story_date + CASE WHEN a.disputes THEN 1 ELSE 0 END,
                                        '%Y-%m-%d')
               WHEN 'month' THEN strftime(s.story_date, '%Y-%m')
               ELSE strftime(s.story_date, '%Y') END AS event_date,
           CASE a.granularity
               WHEN 'day' THEN strftime(s.story_date + CASE WHEN a.disputes THEN 1 ELSE 0 END,
                                        '%-d %B %Y')
               WHEN 'month' THEN strftime(s.story_date, '%B %Y')
               ELSE strftime(s.story_date, '%Y') END AS date_text,
           CASE WHEN s.firm IS NULL THEN []::VARCHAR[]
                WHEN s.extra_firm IS NULL THEN [firm_name(s.firm)]
                ELSE [firm_name(s.firm), firm_name(s.extra_firm)] END AS companies,
           coalesce(s.country, 'The') || ' Ministry of Commerce' AS authority
    FROM arts_keyed AS a JOIN stories AS s USING (story)
    """)
    con.execute(f"""
    CREATE OR REPLACE TEMP TABLE art_text AS
    WITH ev AS (
        SELECT e.*,
               replace(replace(replace(replace(replace(replace(
                   {tmpl}[(hash(story, variant, 19) % {len(TEMPLATES)})::BIGINT + 1],
                   '{{auth}}', authority),
                   '{{verb}}', {_sql_list([VERBS[t] for t in VERBS])}[
                       list_position({_sql_list(list(VERBS))}, type)]),
                   '{{firms_cap}}', CASE WHEN len(companies) = 0 THEN ''
                                         ELSE list_aggr(companies, 'string_agg', ' and ')
                                              || ', ' END),
                   '{{firms}}', CASE WHEN len(companies) = 0 THEN ''
                                     ELSE list_aggr(companies, 'string_agg', ' and ')
                                          || ' for ' END),
                   '{{commodity}}', coalesce(commodity, 'strategic goods')),
                   '{{date}}', date_text) AS evidence
        FROM art_events AS e
    )
    SELECT ev.*,
           evidence || ' ' || list_aggr(list_transform(range(12),
               lambda i: {_sql_list(FILLER)}[
                   (hash(story, variant, i, 20) % {len(FILLER)})::BIGINT + 1]),
               'string_agg', ' ') AS text
    FROM ev
    """)
    # Articles with no relevant event: a held-back event and a firm mention.
    con.execute(f"""
    CREATE OR REPLACE TEMP TABLE other_text AS
    SELECT a.*, pick_type(a.j, 21) AS type,
           'The government said it was considering new rules on exports.' AS evidence,
           'The government said it was considering new rules on exports. '
           || list_aggr(list_transform(range(12),
               lambda i: {_sql_list(FILLER)}[(hash(a.j, i, 22) % {len(FILLER)})::BIGINT + 1]),
               'string_agg', ' ') AS text
    FROM arts_keyed AS a WHERE NOT a.relevant
    """)


def _articles(con: duckdb.DuckDBPyConnection, articles: int) -> None:
    con.execute(f"""
    INSERT INTO sources (source_id, url, name, kind, last_status, last_polled_at, title)
    SELECT key16('source' || chr(31) || url), url, name, 'feed', 200,
           TIMESTAMP '{LAST_DAY} 23:00:00', name
    FROM (SELECT 'https://outlet' || lpad(i::VARCHAR, 3, '0') || '.example/feed.xml' AS url,
                 'Outlet ' || lpad(i::VARCHAR, 3, '0') AS name
          FROM range({N_OUTLETS}) AS t(i))
    """)
    con.execute("""
    CREATE OR REPLACE TEMP VIEW all_text AS
    SELECT article_id, url, outlet, outlet_name, published, run_id, run_no, relevant, text,
           coalesce(commodity, 'trade') || ': ' || type AS title
    FROM art_text
    UNION ALL
    SELECT article_id, url, outlet, outlet_name, published, run_id, run_no, relevant, text,
           'Trade policy: ' || type AS title
    FROM other_text
    """)
    con.execute("""
    CREATE OR REPLACE TEMP VIEW pages AS
    SELECT *, '<!doctype html><html><head><title>' || title || '</title>'
              || '<meta name="author" content="' || outlet_name || ' staff">'
              || '<link rel="canonical" href="' || url || '"></head><body><nav>Home | Markets'
              || ' | Trade | Commodities</nav><article><h1>' || title || '</h1><time>'
              || strftime(published, '%Y-%m-%d') || '</time><p>' || text
              || '</p></article><footer>&copy; ' || outlet_name || '</footer></body></html>'
              AS body
    FROM all_text
    """)
    _documents(con)
    con.execute("""
    INSERT INTO articles
    SELECT p.article_id, p.url, p.url,
           key16('document' || chr(31) || p.url || chr(31) || sha256(p.body)),
           p.title, p.outlet_name || ' staff', strftime(p.published, '%Y-%m-%d'), 'meta',
           p.outlet_name, 'en', p.text, length(p.text),
           p.published::TIMESTAMP + INTERVAL 6 HOUR
    FROM pages AS p ORDER BY p.published, p.article_id
    """)
    con.execute("""
    INSERT INTO feed_entries
    SELECT article_id, url, false,
           'https://outlet' || lpad(outlet::VARCHAR, 3, '0') || '.example/feed.xml', title,
           strftime(published, '%Y-%m-%d'), 'stored', 0, NULL, NULL,
           key16('document' || chr(31) || url || chr(31) || sha256(body)),
           published::TIMESTAMP + INTERVAL 5 HOUR, published::TIMESTAMP + INTERVAL 6 HOUR
    FROM pages ORDER BY published, article_id
    """)
    con.execute("""
    INSERT INTO article_signatures
    SELECT t.article_id, sha256(t.text),
           list_transform(range(128),
                          lambda i: (hash(t.story, t.variant, i, 23) % 4294967296)::UBIGINT)
    FROM art_text AS t
    UNION ALL
    SELECT o.article_id, sha256(o.text),
           list_transform(range(128), lambda i: (hash(o.j, i, 24) % 4294967296)::UBIGINT)
    FROM other_text AS o
    """)


def _documents(con: duckdb.DuckDBPyConnection, chunk: int = 50_000) -> None:
    """The raw archive: page bodies zlib-compressed (level 6, as load.py stores them) in Arrow
    chunks: DuckDB has no zlib, so this is the one step done in Python."""
    total = con.execute("SELECT count(*) FROM pages").fetchone()[0]
    con.execute("CREATE OR REPLACE TEMP TABLE pages_n AS "
                "SELECT row_number() OVER (ORDER BY published, article_id) - 1 AS n, * "
                "FROM pages")
    for start in range(0, total, chunk):
        batch = con.sql(
            "SELECT url, published, sha256(body) AS content_hash, body, "
            "'https://outlet' || lpad(outlet::VARCHAR, 3, '0') || '.example/feed.xml' AS feed "
            f"FROM pages_n WHERE n >= {start} AND n < {start + chunk} ORDER BY n"
        ).to_arrow_table()
        bodies = batch.column("body").to_pylist()
        compressed = pa.array([zlib.compress(b.encode("utf-8"), 6) for b in bodies],
                              type=pa.binary())
        sizes = pa.array([len(b.encode("utf-8")) for b in bodies], type=pa.int64())
        con.register("_zipped", batch.append_column("body_zlib", compressed)
                     .append_column("raw_size", sizes))
        con.execute("""
        INSERT INTO documents
        SELECT key16('document' || chr(31) || url || chr(31) || content_hash), url, url, url,
               published::TIMESTAMP + INTERVAL 5 HOUR, 200, 'text/html; charset=utf-8',
               content_hash, body_zlib, raw_size, 'fetch', feed,
               strftime(published, '%Y-%m-%d'), NULL, NULL, NULL,
               published::TIMESTAMP + INTERVAL 6 HOUR
        FROM _zipped
        """)
        con.unregister("_zipped")


def _runs(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("""
    INSERT INTO extraction_runs
    SELECT run_id, 'ingest', started, started + INTERVAL 10 MINUTE, 'completed', 'synthetic-1',
           'en_core_web_sm', '3.8.0', 'synthetic', count(*), NULL, NULL, 'synthetic', 0.5, 0.5,
           0.3
    FROM (SELECT run_id, max(published)::TIMESTAMP + INTERVAL 6 HOUR AS started
          FROM arts_keyed GROUP BY run_id)
    JOIN arts_keyed USING (run_id)
    GROUP BY ALL ORDER BY run_id
    """)


def _facts(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("""
    CREATE OR REPLACE TEMP TABLE ev_rows AS
    SELECT key16('event' || chr(31) || article_id) AS fact_key, * FROM art_text
    """)
    con.execute("""
    INSERT INTO events (fact_key, article_id, run_id, type, authority, authority_country,
                        commodity, commodity_detail, event_date, date_granularity, date_text,
                        modality, subtype, trigger, evidence, start_char, end_char, confidence,
                        held_back)
    SELECT fact_key, article_id, run_id, type, authority, country, commodity, NULL, event_date,
           granularity, date_text, modality, NULL, split_part(evidence, ' ', 3), evidence, 0,
           length(evidence), 0.6 + u(fact_key, 25) * 0.4, false
    FROM ev_rows
    UNION ALL
    SELECT key16('event' || chr(31) || article_id), article_id, run_id, type, NULL, NULL, NULL,
           NULL, NULL, NULL, NULL, 'possible', NULL, 'rules', evidence, 0, length(evidence),
           u(article_id, 26) * 0.3, true
    FROM other_text
    ORDER BY 3, 2, 1
    """)
    con.execute("""
    INSERT INTO event_companies
    SELECT fact_key, article_id, run_id, company, key16('company' || chr(31) || lower(company)),
           position - 1
    FROM (SELECT fact_key, article_id, run_id, unnest(companies) AS company,
                 unnest(range(1, len(companies) + 1)) AS position FROM ev_rows)
    ORDER BY run_id, article_id, fact_key
    """)
    con.execute("""
    INSERT INTO validity_periods
    SELECT key16('validity' || chr(31) || article_id), article_id, run_id, 'one year', 'P1Y',
           strftime(story_date, '%Y-%m-%d'), strftime(story_date + INTERVAL 1 YEAR, '%Y-%m-%d'),
           'licence', fact_key, evidence, 0, length(evidence)
    FROM ev_rows
    WHERE type = 'permit_issued' AND u(story, 27) < 0.7
    ORDER BY run_id, article_id
    """)
    con.execute("""
    INSERT INTO policy_dates
    SELECT key16('policy_date' || chr(31) || article_id), article_id, run_id, date_text,
           event_date, granularity, evidence, 0, length(evidence)
    FROM ev_rows WHERE u(article_id, 28) < 0.33
    ORDER BY run_id, article_id
    """)
    # Company mentions: the event's firms, plus one firm of the long tail now and then; the
    # articles with no relevant event name one firm.
    firms = con.execute("SELECT max(firm) + 1 FROM stories").fetchone()[0] or 1
    con.execute(f"""
    CREATE OR REPLACE TEMP TABLE cm_rows AS
    SELECT article_id, run_id, unnest(companies) AS company FROM ev_rows
    UNION ALL
    SELECT article_id, run_id, firm_name(zipf(article_id, 29, {firms})) FROM ev_rows
    WHERE u(article_id, 30) < 0.3
    UNION ALL
    SELECT article_id, run_id, firm_name(zipf(article_id, 31, {firms})) FROM other_text
    """)
    con.execute("""
    INSERT INTO company_mentions
    SELECT key16('company' || chr(31) || article_id || chr(31) || company), article_id, run_id,
           company, company, key16('company' || chr(31) || lower(company)), [company], NULL,
           company, 0, length(company), [{'start_char': 0, 'end_char': length(company)}]
    FROM (SELECT DISTINCT * FROM cm_rows)
    ORDER BY run_id, article_id
    """)
    con.execute("""
    INSERT INTO company_registry
    SELECT canonical_key, min(company), min(stored), max(stored)
    FROM (SELECT cm.canonical_key, cm.company, r.finished_at AS stored
          FROM (SELECT run_id, canonical_key, canonical AS company FROM company_mentions
                UNION ALL SELECT run_id, canonical_key, company FROM event_companies) AS cm
          JOIN extraction_runs AS r USING (run_id))
    GROUP BY canonical_key ORDER BY canonical_key
    """)
    con.execute("INSERT INTO company_aliases "
                "SELECT canonical_key, canonical, first_seen FROM company_registry")
    con.execute("INSERT INTO company_firms SELECT canonical_key, canonical_key "
                "FROM company_registry")
    con.execute("""
    INSERT INTO article_extractions
    SELECT a.article_id, a.run_id, 'done', NULL, coalesce(f.n, 0),
           r.started_at + INTERVAL 5 MINUTE, CASE WHEN a.relevant THEN 0.9 ELSE 0.2 END,
           a.relevant
    FROM arts_keyed AS a
    JOIN extraction_runs AS r USING (run_id)
    LEFT JOIN (SELECT article_id, count(*) AS n FROM (
                   SELECT article_id FROM events UNION ALL SELECT article_id FROM company_mentions
                   UNION ALL SELECT article_id FROM validity_periods
                   UNION ALL SELECT article_id FROM policy_dates)
               GROUP BY article_id) AS f USING (article_id)
    ORDER BY a.run_id, a.article_id
    """)
    con.execute("""
    UPDATE extraction_runs SET n_facts = (SELECT sum(n_facts) FROM article_extractions AS ae
                                          WHERE ae.run_id = extraction_runs.run_id)
    """)


def _timeline(con: duckdb.DuckDBPyConnection) -> None:
    """One entry per story (what merge.py makes of these facts, by construction of the dates);
    a source per independent report: its copies are near-duplicates and every article of a
    story has an outlet of its own."""
    con.execute("""
    CREATE OR REPLACE TEMP TABLE tl_members AS
    SELECT story, fact_key, article_id, run_id, variant, type, country, commodity, companies,
           event_date, granularity,
           'outlet:' || lower(outlet_name) AS outlet_key,
           strftime(published, '%Y-%m-%d') AS pub, url
    FROM ev_rows
    """)
    con.execute("""
    CREATE OR REPLACE TEMP TABLE tl_entries AS
    WITH day_counts AS (
        SELECT story, event_date, count(*) AS n FROM tl_members
        WHERE granularity = 'day' GROUP BY story, event_date
    ),
    chosen AS (
        SELECT story, first(event_date ORDER BY n DESC, event_date) AS event_date,
               count(*) > 1 AS disputed
        FROM day_counts GROUP BY story
    ),
    agg AS (
        SELECT story, any_value(type) AS type, any_value(country) AS country,
               any_value(commodity) AS commodity, any_value(companies) AS companies,
               list(DISTINCT event_date ORDER BY event_date) AS dates_reported,
               count(DISTINCT article_id) AS n_articles, count(DISTINCT variant) AS n_sources
        FROM tl_members GROUP BY story
    )
    SELECT a.story,
           key16(concat_ws(chr(31), 'timeline', a.type, coalesce(a.country, ''),
                           coalesce(a.commodity, ''),
                           list_aggr(list_sort(list_transform(a.companies,
                               lambda c: trim(regexp_replace(lower(c), '[^0-9a-z]+', ' ', 'g')))),
                               'string_agg', chr(31)),
                           c.event_date)) AS entry_key,
           a.type, a.country, a.commodity, c.event_date, c.disputed, a.dates_reported,
           a.companies, a.n_articles, a.n_sources
    FROM agg AS a JOIN chosen AS c USING (story)
    """)
    con.execute("""
    INSERT INTO timeline_entries
    SELECT entry_key, type, country, commodity, event_date, 'day', disputed, dates_reported,
           companies, n_articles, n_sources, false
    FROM tl_entries ORDER BY event_date, entry_key
    """)
    con.execute("""
    INSERT INTO timeline_entry_mentions
    WITH sources AS (  -- named after the outlet of the earliest report (merge._sources)
        SELECT story, variant, first(outlet_key ORDER BY pub, url, fact_key) AS source_key
        FROM tl_members GROUP BY story, variant
    )
    SELECT m.fact_key, e.entry_key, m.article_id, m.run_id, s.source_key
    FROM tl_members AS m JOIN tl_entries AS e USING (story)
    JOIN sources AS s USING (story, variant)
    ORDER BY m.run_id, m.article_id
    """)


def _merged(con: duckdb.DuckDBPyConnection) -> None:
    """Record the file as merged, as a deployed warehouse is between runs: the tables the views
    read (`materialized`), the runs the merge saw and its rules, so the next run's merge is the
    incremental one."""
    from tradeline.warehouse import materialized, merge, merge_scope

    materialized.refresh_all(con)
    merge_scope.record(con)
    merge.record_rules(con)


def build(path: Path, articles: int, *, memory_limit: str = "4GB") -> Path:
    """Write a warehouse of `articles` synthetic articles to `path` (which must not exist)."""
    if path.exists():
        raise FileExistsError(path)
    with connect(path) as con:
        con.execute(f"SET memory_limit = '{memory_limit}'")
        _macros(con, articles)
        with transaction(con):
            _plan(con, articles)
            _texts(con)
            _articles(con, articles)
            _runs(con)
            _facts(con)
            _timeline(con)
            _merged(con)
        con.execute("CHECKPOINT")
    return path
