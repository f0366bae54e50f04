"""`import` end to end: real WARC files, saved pages and JSONL into a real DuckDB file through
the same parse → extract → store steps as fetched pages."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from tests.conftest import shared_path
from tradeline.config import Settings
from tradeline.flows.archive_import import import_paths
from tradeline.flows.cli import app

pytestmark = [pytest.mark.slow]

runner = CliRunner()

WARCS = [
    ("resiliparse", "warcfile.warc"),  # 16 HTML responses, 34 other records
    ("resiliparse", "warcfile.warc.gz"),  # the same 50 records again: 16 duplicates
    ("warcio", "example-trunc.warc"),  # 1 broken (digests) + 3 other records
    ("resiliparse", "clueweb-quirk.warc.gz"),  # 30 broken (WARC/0.18, digests, dates)
    ("warcio", "example.warc.gz"),  # example.com + 5 other records
    ("warcio", "example.arc"),  # example.com again (duplicate) + the ARC header
]


def _rows(path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.fixture(scope="module")
def warc_import(tmp_path_factory):
    paths = [shared_path("corpus", "warc", *parts) for parts in WARCS]
    warehouse = tmp_path_factory.mktemp("wh") / "w.duckdb"
    summary = import_paths(Settings(), warehouse, paths)
    return warehouse, paths, summary


@pytest.mark.shared
def test_warc_import_counts(warc_import):
    warehouse, _, s = warc_import
    assert s.records == 50 + 50 + 4 + 30 + 6 + 2
    assert (s.imported, s.skipped, s.failed, s.duplicates) == (17, 77, 31, 17)
    assert _rows(warehouse, "SELECT origin, count(*) FROM documents GROUP BY 1") == [("warc", 17)]
    assert _rows(warehouse, "SELECT count(*) FROM articles") == [(17,)]
    run = _rows(warehouse, "SELECT kind, status, n_articles FROM extraction_runs")
    assert run == [("import", "completed_with_errors", 17)]  # 31 broken records


@pytest.mark.shared
def test_broken_records_are_kept_with_offset_and_reason(warc_import):
    warehouse, paths, s = warc_import
    errors = _rows(
        warehouse,
        "SELECT source_url, reason FROM ingest_errors WHERE stage = 'import' ORDER BY \"at\"",
    )
    assert len(errors) == 31
    trunc = [r for src, r in errors if src == str(paths[2])]
    assert trunc == [
        next(r for src, r in errors if src == str(paths[2]) and r.startswith("offset 1197: "))
    ]
    assert "block digest failed" in trunc[0]
    clueweb = [r for src, r in errors if src == str(paths[3])]
    assert len(clueweb) == 30 and clueweb[0].startswith("offset 0: ")
    assert [p.offset for p in s.problems][:2] == [1197, 0]


@pytest.mark.shared
def test_import_again_finds_only_duplicates(warc_import):
    warehouse, paths, _ = warc_import
    again = import_paths(Settings(), warehouse, paths[:2])
    assert (again.imported, again.duplicates, again.skipped, again.failed) == (0, 32, 68, 0)
    assert _rows(warehouse, "SELECT count(*) FROM documents") == [(17,)]


@pytest.mark.shared
def test_import_sources_can_be_named(warc_import):
    warehouse, paths, _ = warc_import
    rows = _rows(warehouse, "SELECT name, kind FROM sources ORDER BY name")
    assert ("warcfile.warc", "import") in rows
    stored = _rows(
        warehouse, "SELECT DISTINCT source_url FROM documents ORDER BY 1"
    )
    assert (str(paths[0]),) in stored


@pytest.mark.shared
def test_html_folder_import(tmp_path: Path):
    """Three saved news pages (linked, not copied, from ../shared/corpus/html) and one empty."""
    corpus = shared_path("corpus", "html")
    folder = tmp_path / "saved"
    folder.mkdir()
    for name in ("nhk.or.jp.k100.html", "xinhuanet.com.c_1125597921.html",
                 "wikimediafoundation.org.turkey.html"):
        (folder / name).symlink_to(corpus / name)
    (folder / "blank.htm").write_text("")
    warehouse = tmp_path / "w.duckdb"
    s = import_paths(Settings(), warehouse, [folder])
    assert (s.records, s.imported, s.failed, s.duplicates, s.skipped) == (4, 3, 1, 0, 0)
    langs = dict(_rows(warehouse, "SELECT language, count(*) FROM articles GROUP BY 1"))
    assert langs.get("ja") == 1
    assert _rows(warehouse, "SELECT DISTINCT origin FROM documents") == [("html-folder",)]


def test_jsonl_import_text_and_html(tmp_path: Path):
    text = (
        "The Commerce Department granted Northwind Lithography a licence to ship etching "
        "tools on 4 March 2025.\nThe licence is valid for one year."
    )
    html = (
        "<html><head><title>Rice</title></head><body><article><p>"
        + "India lifted its ban on rice exports on Friday, the trade ministry said. " * 3
        + "</p></article></body></html>"
    )
    dump = tmp_path / "dump.jsonl"
    dump.write_text(
        "\n".join([
            json.dumps({"url": "https://n.example/a", "text": text, "published": "2025-03-05",
                        "title": "Licence"}),
            json.dumps({"url": "https://n.example/b", "html": html, "published": "2024-09-28"}),
            json.dumps({"url": "https://n.example/a#again", "text": text}),
            "{broken",
        ]) + "\n",
        encoding="utf-8",
    )
    warehouse = tmp_path / "w.duckdb"
    s = import_paths(Settings(), warehouse, [dump])
    assert (s.imported, s.duplicates, s.failed) == (2, 1, 1)
    (row,) = _rows(
        warehouse,
        "SELECT a.text, a.title, a.published, a.published_source, d.content_type "
        "FROM articles a JOIN documents d USING (document_id) WHERE a.url = 'https://n.example/a'",
    )
    assert row == (text, "Licence", "2025-03-05", "given", "text/plain; charset=utf-8")
    events = _rows(
        warehouse,
        "SELECT e.type FROM events e JOIN articles a USING (article_id) "
        "WHERE a.url = 'https://n.example/a'",
    )
    assert ("permit_issued",) in events


def test_import_cli(tmp_path: Path):
    dump = tmp_path / "d.jsonl"
    dump.write_text(json.dumps({"url": "https://n.example/z", "text": "Nothing here."}) + "\n")
    warehouse = tmp_path / "w.duckdb"
    result = runner.invoke(app, ["import", str(dump), "--warehouse", str(warehouse)])
    assert result.exit_code == 0, result.output
    assert "imported: 1" in result.output
    bad = runner.invoke(app, ["import", str(tmp_path / "x.zip"), "-w", str(warehouse)])
    assert bad.exit_code == 2 and "no such file" in bad.output
    (tmp_path / "x.zip").write_bytes(b"PK")
    bad = runner.invoke(app, ["import", str(tmp_path / "x.zip"), "-w", str(warehouse)])
    assert bad.exit_code == 2 and "cannot tell the format" in bad.output
