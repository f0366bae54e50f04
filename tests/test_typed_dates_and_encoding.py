"""Analyst-side checks on the bundled sample: every date in the views is a DATE (date
arithmetic works), and `sql`, `timeline`, `recipe` and `export` write one CSV and one JSON
encoding that other tools read back (issue 13, items 1 and 2); a warehouse an older tradeline
made (schema 007, dates as text) is upgraded in place."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from tradeline.flows.cli import app
from tradeline.warehouse import recipes
from tradeline.warehouse.db import connect
from tradeline.warehouse.encoding import encode_rows
from tradeline.warehouse.export import VIEWS
from tradeline.warehouse.load import store_batch
from tradeline.warehouse.migrations import apply_pending, latest_version, view_files
from tradeline.warehouse.runs import finish_run, start_run

runner = CliRunner()

# Every date column of the analyst views, and the text columns that stay text on purpose.
DATE_COLUMNS = {
    "timeline": ("date_from", "date_to", "valid_from", "valid_to", "first_reported",
                 "last_reported", "published"),
    "event_mentions": ("date_from", "date_to", "valid_from", "valid_to", "published"),
    "company_timeline": ("date_from", "date_to", "valid_from", "valid_to", "first_reported",
                         "last_reported"),
    "companies": ("first_seen", "last_seen"),
    "companies_seen": ("first_published", "last_published"),
}
TEXT_DATES = {"event_date", "date_text", "date_granularity"}  # ISO text at its granularity
LIST_COLUMNS = ("companies", "dates_reported", "article_ids", "urls", "outlets", "mentions")


def _invoke(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def _fetch(path: Path, sql: str) -> tuple[list[str], list[tuple]]:
    """Rows of a query on a plain read-only connection, closed at once (the CLI's sandboxed
    connection may not share the process with one that stays open)."""
    with duckdb.connect(str(path), read_only=True) as con:
        cur = con.execute(sql)
        return [d[0] for d in cur.description], cur.fetchall()


# --- 1. real types -------------------------------------------------------------------------


@pytest.mark.slow
def test_every_date_column_of_the_views_is_a_date(sample_warehouse_path: Path) -> None:
    _, described = _fetch(sample_warehouse_path, "SELECT table_name, column_name, data_type "
                          "FROM information_schema.columns")
    types = {(view, column): kind for view, column, kind in described}
    for view, columns in DATE_COLUMNS.items():
        for column in columns:
            assert types[view, column] == "DATE", (view, column)
    # no other column that names a date is text, but the documented ISO-text ones
    _, texts = _fetch(
        sample_warehouse_path,
        "SELECT table_name, column_name FROM information_schema.columns AS c "
        "JOIN information_schema.tables USING (table_name) WHERE table_type = 'VIEW' "
        "AND c.data_type = 'VARCHAR' AND regexp_matches(column_name, "
        "'date|published|reported|valid_from|valid_to|_seen|_at$')",
    )
    assert {column for _, column in texts} <= TEXT_DATES, texts


@pytest.mark.slow
def test_date_arithmetic_works_on_every_date_column(sample_warehouse_path: Path) -> None:
    for view, columns in DATE_COLUMNS.items():
        for column in columns:
            _, [days] = _fetch(
                sample_warehouse_path,
                f"SELECT min({column} - DATE '2020-01-01'), "
                f"count(*) FILTER (WHERE {column} >= DATE '2020-01-01') FROM {view}",
            )
            assert days[0] is not None and days[0] > 0 and days[1] > 0, (view, column)
    _, [late] = _fetch(sample_warehouse_path,
                       "SELECT count(*) FROM timeline WHERE date_to >= DATE '2026-01-01'")
    assert late[0] > 0
    _, spans = _fetch(
        sample_warehouse_path,
        "SELECT date_granularity, event_date, date_from, date_to, "
        "date_diff('day', date_from, date_to) FROM timeline WHERE event_date IS NOT NULL",
    )
    assert {"day", "month"} <= {g for g, *_ in spans}
    for granularity, text, first, last, days in spans:
        assert first.isoformat().startswith(text) and last.isoformat().startswith(text)
        assert days == (last - first).days
        if granularity == "day":
            assert first == last
        elif granularity == "month":  # "2025-12" is 1..31 December
            assert first.day == 1 and (last + timedelta(days=1)).day == 1
        else:
            assert (first.month, first.day, last.month, last.day) == (1, 1, 12, 31)
    # the issue's own query, through the CLI
    out = _invoke("sql", "SELECT companies, valid_to, valid_to - current_date AS left_days "
                  "FROM timeline WHERE valid_to >= DATE '2026-10-01'", "--format", "json",
                  "--warehouse", str(sample_warehouse_path))
    assert {row["valid_to"] for row in json.loads(out)} == {"2026-12-02", "2027-02-09"}


def test_iso_date_ranges_cover_their_granularity(tmp_path: Path) -> None:
    con = connect(tmp_path / "w.duckdb")
    ranges = con.execute(
        "SELECT d, iso_date_from(d), iso_date_to(d) FROM (VALUES ('2025'), ('2024-02'), "
        "('2025-12-02'), (NULL)) AS t(d) ORDER BY d NULLS LAST"
    ).fetchall()
    assert ranges == [
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29)),
        ("2025", date(2025, 1, 1), date(2025, 12, 31)),
        ("2025-12-02", date(2025, 12, 2), date(2025, 12, 2)),
        (None, None, None),
    ]
    for impossible in ("2025-13", "2026-02-30", "notadate"):
        with pytest.raises(duckdb.ConversionException):
            con.execute("SELECT iso_date_from(?)", [impossible]).fetchall()
    con.close()


@pytest.mark.slow
def test_permits_and_recipes_compare_typed_dates(sample_warehouse_path: Path) -> None:
    rows = recipes.run_recipe(sample_warehouse_path, "permits_active_on",
                              {"on_date": "2026-12-01"})[1]
    assert {type(v) for row in rows for v in row[3:5]} == {date}
    bad = runner.invoke(app, ["recipe", "permits_active_on", "-p", "on_date=2026-02-30",
                              "--warehouse", str(sample_warehouse_path)])
    assert bad.exit_code == 2 and "2026-02-30" in bad.output  # an error, not an empty answer


# --- 2. one encoding per format ------------------------------------------------------------


@pytest.fixture(scope="module")
def csv_outputs(sample_warehouse_path: Path, tmp_path_factory) -> dict[str, str]:
    """The timeline as CSV from each command, and a recipe's CSV from `recipe` and `sql`."""
    w = ["--warehouse", str(sample_warehouse_path)]
    out = tmp_path_factory.mktemp("export")
    _invoke("export", str(out), "--format", "csv", *w)
    bound = recipes.bound_sql("permits_active_on", {"on_date": "2026-06-01"})
    return {
        "sql": _invoke("sql", "SELECT * FROM timeline", "--format", "csv", *w),
        "timeline": _invoke("timeline", "--format", "csv", *w),
        "export": (out / "timeline.csv").read_text(encoding="utf-8"),
        "recipe": _invoke("recipe", "permits_active_on", "-p", "on_date=2026-06-01",
                          "--format", "csv", *w),
        "recipe_as_sql": _invoke("sql", bound, "--format", "csv", *w),
        **{f"export_{v}": (out / f"{v}.csv").read_text(encoding="utf-8") for v in VIEWS},
    }


@pytest.mark.slow
def test_every_command_writes_the_same_csv(csv_outputs: dict[str, str]) -> None:
    assert csv_outputs["sql"] == csv_outputs["timeline"] == csv_outputs["export"]
    assert csv_outputs["recipe"] == csv_outputs["recipe_as_sql"]
    for name, text in csv_outputs.items():
        assert "\r" not in text, name  # LF line ends
        assert text.endswith("\n") and text.count("\n") > 1, name


@pytest.mark.slow
def test_csv_round_trips_through_duckdb_and_python(
    csv_outputs: dict[str, str], sample_warehouse_path: Path, tmp_path: Path
) -> None:
    columns, expected = _fetch(sample_warehouse_path, "SELECT * FROM timeline")
    path = tmp_path / "timeline.csv"
    path.write_text(csv_outputs["timeline"], encoding="utf-8")
    read = duckdb.read_csv(str(path))
    assert read.columns == columns
    types = dict(zip(read.columns, map(str, read.types), strict=True))
    assert types["date_from"] == types["valid_to"] == types["first_reported"] == "DATE"
    assert types["date_disputed"] == "BOOLEAN"
    assert len(read.fetchall()) == len(expected)

    rows = list(csv.DictReader(io.StringIO(csv_outputs["timeline"], newline="")))
    assert len(rows) == len(expected)
    for row, original in zip(rows, expected, strict=True):
        record = dict(zip(columns, original, strict=True))
        assert row["date_disputed"] in ("true", "false")
        assert row["date_disputed"] == str(record["date_disputed"]).lower()
        for column in LIST_COLUMNS:
            assert isinstance(json.loads(row[column]), list), column
        assert json.loads(row["companies"]) == record["companies"]
        mentions = json.loads(row["mentions"])
        assert [m["fact_key"] for m in mentions] == [m["fact_key"] for m in record["mentions"]]
        assert [m["published"] for m in mentions] == [
            m["published"].isoformat() for m in record["mentions"]
        ]
        assert row["valid_to"] == (record["valid_to"].isoformat() if record["valid_to"] else "")
    for view in VIEWS:  # every exported view reads back the same way
        text = csv_outputs[f"export_{view}"]
        assert "\r" not in text and "{'" not in text
        for row in csv.DictReader(io.StringIO(text, newline="")):
            for column in (*LIST_COLUMNS, "aliases", "tickers"):
                if column in row:
                    assert isinstance(json.loads(row[column]), list), (view, column)
            for column in ("date_disputed", "offsets_match", "held_back"):
                if column in row:
                    assert row[column] in ("true", "false"), (view, column)


@pytest.mark.slow
def test_json_is_typed_and_the_same_from_every_command(sample_warehouse_path: Path) -> None:
    w = ["--warehouse", str(sample_warehouse_path)]
    from_timeline = _invoke("timeline", "--format", "json", *w)
    assert from_timeline == _invoke("sql", "SELECT * FROM timeline", "--format", "json", *w)
    events = json.loads(from_timeline)
    nickel = next(e for e in events
                  if e["commodity"] == "nickel ore" and e["type"] == "permit_issued")
    assert (nickel["valid_from"], nickel["valid_to"]) == ("2026-02-09", "2027-02-09")
    assert nickel["date_from"] == nickel["date_to"] == nickel["event_date"] == "2026-02-09"
    assert nickel["date_disputed"] is False and nickel["n_sources"] == 2
    assert isinstance(nickel["companies"], list) and isinstance(nickel["mentions"][0], dict)
    assert date.fromisoformat(nickel["mentions"][0]["published"]) == date(2026, 2, 10)
    recipe = json.loads(_invoke("recipe", "commodity_year", "-p", "commodity=rare earths",
                                "-p", "year=2025", "--format", "json", *w))
    assert recipe[0]["date"] == "2025-04"
    assert (recipe[0]["date_from"], recipe[0]["date_to"]) == ("2025-04-01", "2025-04-30")
    assert isinstance(recipe[1]["companies"], list)


def test_python_rows_get_the_same_encoding() -> None:
    """`runs` renders Python rows; they go through the same DuckDB writers."""
    rows = [("a,b", True, ["x", "y"], {"k": 1}, date(2026, 1, 2), None)]
    columns = ["text", "flag", "items", "pair", "day", "missing"]
    assert encode_rows(columns, rows, "csv") == (
        'text,flag,items,pair,day,missing\n"a,b",true,"[""x"",""y""]","{""k"":1}",2026-01-02,\n'
    )
    assert json.loads(encode_rows(columns, rows, "json")) == [
        {"text": "a,b", "flag": True, "items": ["x", "y"], "pair": {"k": 1},
         "day": "2026-01-02", "missing": None}
    ]
    assert encode_rows(["n"], [], "csv") == "n\n"
    assert json.loads(encode_rows(["n"], [], "json")) == []


def test_sql_answers_with_its_last_statement_in_either_format(tmp_path: Path) -> None:
    connect(tmp_path / "w.duckdb").close()
    w = ["--warehouse", str(tmp_path / "w.duckdb")]
    sql = ("SET VARIABLE x = 5; SELECT 1 AS one; "
           "SELECT getvariable('x') AS x, [1, 2] AS l, true AS b")
    assert _invoke("sql", sql, "--format", "csv", *w) == 'x,l,b\n5,"[1,2]",true\n'
    assert json.loads(_invoke("sql", sql, "--format", "json", *w)) == [
        {"x": 5, "l": [1, 2], "b": True}
    ]
    none = "SELECT 1 AS n WHERE false"
    assert _invoke("sql", none, "--format", "csv", *w) == "n\n"
    assert _invoke("sql", none, "--format", "json", *w) == "[]\n"


@pytest.mark.slow
def test_parquet_export_keeps_dates_and_nesting(
    sample_warehouse_path: Path, tmp_path: Path
) -> None:
    _invoke("export", str(tmp_path), "--warehouse", str(sample_warehouse_path))
    schema = pq.read_schema(tmp_path / "timeline.parquet")
    for column in DATE_COLUMNS["timeline"]:
        assert schema.field(column).type == pa.date32(), column
    assert schema.field("event_date").type == pa.string()
    assert pa.types.is_list(schema.field("mentions").type)
    assert schema.field("mentions").type.value_type.field("published").type == pa.date32()
    companies = pq.read_schema(tmp_path / "companies.parquet")
    assert companies.field("first_seen").type == pa.date32()


# --- upgrade of a warehouse made by an older tradeline ---------------------------------------

# The `timeline` view as tradeline's schema 007 made it: dates as text (abridged to the columns
# this test reads; the stored hashes below say every view file is out of date).
_OLD_TIMELINE = """
CREATE OR REPLACE VIEW timeline AS
SELECT t.entry_key, t.event_date, t.date_granularity, t.type, t.companies,
       min(em.valid_from) AS valid_from, min(em.valid_to) AS valid_to,
       min(em.published) AS first_reported
FROM timeline_entries AS t
JOIN timeline_entry_mentions AS tm USING (entry_key)
JOIN (SELECT e.fact_key, e.run_id, v.valid_from, v.valid_to, a.published
      FROM events AS e JOIN articles AS a USING (article_id)
      LEFT JOIN validity_periods AS v ON v.event_fact_key = e.fact_key AND v.run_id = e.run_id
     ) AS em ON em.fact_key = tm.fact_key AND em.run_id = tm.run_id
GROUP BY ALL
"""


def _counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    tables = ("articles", "events", "validity_periods", "timeline_entries", "extraction_runs")
    return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}


def _old_views(con: duckdb.DuckDBPyConnection) -> None:
    """Put back text-dated views with hashes that say every view file is out of date."""
    con.execute(_OLD_TIMELINE)
    con.execute("DELETE FROM schema_views")
    con.executemany("INSERT INTO schema_views VALUES (?, 'sql of schema 007', now())",
                    [[name] for name, _ in view_files() if name != "05_date_ranges.sql"])


def test_a_schema_007_warehouse_is_upgraded_in_place(tmp_path: Path, make_item) -> None:
    path = tmp_path / "old.duckdb"
    with duckdb.connect(str(path)) as con:  # what tradeline at schema 007 left on disk
        apply_pending(con, path)
        for _, sql in view_files():
            con.execute(sql)
        run = start_run(con, kind="ingest", extractor_version="1", model_name="m",
                        model_version="1", assets_hash="h")
        store_batch(con, [make_item("https://example.com/licence"),
                          make_item("https://example.com/month", event_date="2023-11")], run)
        finish_run(con, run, status="completed")
        # back to schema 007: no later migration recorded, none of their columns, old views
        con.execute("ALTER TABLE timeline_entries DROP COLUMN key_carried")
        con.execute("DROP TABLE alerts_sent; DROP TABLE alert_watches")
        for table in ("merge_runs", "merge_pending_articles", "merge_state"):  # migration 012
            con.execute(f"DROP TABLE {table}")
        for table in ("latest_article_runs", "timeline_rows"):  # migration 013
            con.execute(f"DROP TABLE {table}")
        for table in (  # migration 014
            "event_mention_rows", "company_links", "firm_stats", "firm_entries", "firm_members"
        ):
            con.execute(f"DROP TABLE {table}")
        con.execute("DELETE FROM schema_migrations WHERE version > 7")
        _old_views(con)
        before = _counts(con)
        old_types = {r[0]: r[1] for r in con.execute("DESCRIBE timeline").fetchall()}
        assert old_types["valid_to"] == "VARCHAR" and "date_from" not in old_types

    # a read-only open of a file with migrations pending keeps its own views and still answers
    con = connect(path, read_only=True)
    assert con.execute("SELECT count(*) FROM timeline").fetchone() == (2,)
    con.close()

    # a writable open upgrades it for good: data kept, views typed, hashes current
    con = connect(path)
    assert _counts(con) == before
    assert con.execute("SELECT max(version) FROM schema_migrations").fetchone() == (
        latest_version(),
    )
    assert con.execute("SELECT valid_to - DATE '2020-01-01', date_diff('day', date_from, "
                       "date_to) FROM timeline ORDER BY event_date").fetchall() == [
        (1889, 29), (1889, 0)]
    assert con.execute("SELECT count(*) FROM schema_views WHERE sql_hash = "
                       "'sql of schema 007'").fetchone() == (0,)
    con.close()
    with duckdb.connect(str(path), read_only=True) as raw:  # the DuckDB CLI sees dates too
        types = {r[0]: r[1] for r in raw.execute("DESCRIBE timeline").fetchall()}
        assert types["valid_to"] == types["date_from"] == types["published"] == "DATE"

    # views an older tradeline made on the current schema: a read-only open shadows them
    with duckdb.connect(str(path)) as raw:
        _old_views(raw)
    con = connect(path, read_only=True)
    typed = con.execute("SELECT event_date, date_from, date_to, valid_to FROM timeline "
                        "ORDER BY event_date").fetchall()
    assert typed == [("2023-11", date(2023, 11, 1), date(2023, 11, 30), date(2025, 3, 4)),
                     ("2024-03-04", date(2024, 3, 4), date(2024, 3, 4), date(2025, 3, 4))]
    con.close()
    with duckdb.connect(str(path), read_only=True) as raw:  # the file itself is unchanged
        assert raw.execute("SELECT count(*) FROM schema_views WHERE sql_hash = "
                           "'sql of schema 007'").fetchone()[0] > 0
