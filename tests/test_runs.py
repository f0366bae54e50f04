"""Listing and diffing extraction runs: identities per fact kind on hand-made extractions, then
a real re-extraction with an edited copy of the extractor data (models/ in a temp folder)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from tradeline.flows.cli import app
from tradeline.models import assets
from tradeline.records import (
    Article,
    CompanyFact,
    Document,
    EventFact,
    Extraction,
    PolicyDateFact,
    ValidityPeriodFact,
)
from tradeline.warehouse.db import connect
from tradeline.warehouse.load import store_batch
from tradeline.warehouse.rundiff import diff_runs
from tradeline.warehouse.runs import RunError, finish_run, list_runs, start_run

runner = CliRunner()
TEXT = "Acme got a licence on 3 March 2025. It is valid for one year. Beta Corp was refused."


def _item(url: str, extraction: Extraction) -> tuple[Document, Article, Extraction]:
    doc = Document(url=url, final_url=url, canonical_url=url, body=TEXT.encode(),
                   content_type="text/plain", origin="jsonl")
    article = Article(article_id=Article.id_for(url), url=url, canonical_url=url, text=TEXT,
                      document_id=doc.document_id, language="en")
    return doc, article, extraction


def _event(type_: str, companies: list[str], country: str, start: int = 0) -> EventFact:
    return EventFact(type=type_, evidence="Acme got a licence on 3 March 2025.", start_char=start,
                     end_char=start + 35, authority="Commerce", authority_country=country,
                     companies=companies, event_date="2025-03-03", date_granularity="day")


def _run(con, extractions: dict[str, Extraction], assets_hash: str) -> str:
    run = start_run(con, kind="reextract", extractor_version="1", model_name="m",
                    model_version="1", assets_hash=assets_hash)
    store_batch(con, [_item(u, e) for u, e in extractions.items()], run)
    finish_run(con, run, status="completed")
    return run


def test_diff_pairs_facts_by_identity(tmp_path: Path):
    acme = CompanyFact(name="Acme", canonical="Acme", start_char=0, end_char=4)
    validity = ValidityPeriodFact(text="one year", duration="P1Y", evidence="It is valid.",
                                  start_char=50, end_char=58, event_index=0)
    date = PolicyDateFact(text="3 March 2025", resolved="2025-03-03", granularity="day",
                          evidence="x", start_char=22, end_char=34)
    before = Extraction(companies=[acme], events=[_event("permit_issued", ["Acme"], "US")],
                        validity_periods=[validity], policy_dates=[date])
    after = Extraction(
        companies=[acme, CompanyFact(name="Beta Corp", canonical="Beta Corp")],
        events=[_event("permit_issued", ["Acme"], "United States"),
                _event("permit_denied", ["Beta Corp"], "US", start=62)],
        validity_periods=[validity],
    )
    with connect(tmp_path / "w.duckdb") as con:
        a = _run(con, {"https://n.example/1": before, "https://n.example/only-a": before},
                 "h1")
        b = _run(con, {"https://n.example/1": after}, "h2")
        diff = diff_runs(con, a, b)
        columns, rows = list_runs(con)
        with pytest.raises(RunError, match="no extraction run"):
            diff_runs(con, a, "missing")
    assert (diff.articles_compared, diff.articles_only_a, diff.articles_only_b) == (1, 1, 0)
    assert diff.counts == {
        "company": {"added": 1, "removed": 0, "changed": 0, "unchanged": 1},
        "event": {"added": 1, "removed": 0, "changed": 1, "unchanged": 0},
        # same period of the same event (whose fact_key changed): unchanged
        "validity": {"added": 0, "removed": 0, "changed": 0, "unchanged": 1},
        "policy_date": {"added": 0, "removed": 1, "changed": 0, "unchanged": 0},
    }
    changed = next(c for c in diff.changes if c["kind"] == "event" and c["change"] == "changed")
    assert changed["fields"] == {"authority_country": {"a": "US", "b": "United States"}}
    assert changed["fact_key_a"] != changed["fact_key_b"]
    added = next(c for c in diff.changes if c["kind"] == "event" and c["change"] == "added")
    assert added["fields"]["authority_country"] == "US" and added["fact_key_a"] is None
    assert json.loads(json.dumps(diff.to_json()))["counts"] == diff.counts
    by_id = {r[columns.index("run_id")]: r for r in rows}
    assert by_id[b][columns.index("n_facts")] == 5 and by_id[a][columns.index("n_articles")] == 2


@pytest.fixture
def edited_assets(tmp_path: Path):
    """A copy of models/ whose authority list gives the Bureau of Industry and Security another
    country (pipelines built from the packaged models/ are not affected)."""
    copy = tmp_path / "models"
    shutil.copytree(assets.MODELS_DIR, copy, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    path = copy / "data" / "orgs" / "authorities.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    edited = [
        line.replace('"United States"', '"Testland"')
        if '"Bureau of Industry and Security"' in line else line
        for line in lines
    ]
    assert edited != lines
    path.write_text("\n".join(edited) + "\n", encoding="utf-8")
    return copy


@pytest.mark.slow
def test_diff_after_editing_a_data_file(tmp_path: Path, edited_assets: Path, archive_articles):
    from tradeline.config import ModelConfig, Settings
    from tradeline.flows.archive_import import import_paths
    from tradeline.flows.reextract import reextract_archive

    dump = tmp_path / "a.jsonl"
    dump.write_text("".join(json.dumps(a) + "\n" for a in archive_articles), encoding="utf-8")
    warehouse = tmp_path / "w.duckdb"
    first = import_paths(Settings(), warehouse, [dump]).run_id
    edited = Settings(model=ModelConfig(assets_dir=str(edited_assets)))
    second = reextract_archive(edited, warehouse).run_id

    with duckdb.connect(str(warehouse), read_only=True) as con:
        # Events of the articles that name the Bureau (its own, and those that inherit it as
        # the authority from an earlier sentence).
        bis = con.execute(
            "SELECT e.fact_key FROM events e JOIN articles a USING (article_id) "
            "WHERE e.run_id = ? AND a.text LIKE '%Bureau of Industry and Security%'", [first]
        ).fetchall()
        hashes = con.execute(
            "SELECT run_id, assets_hash FROM extraction_runs ORDER BY started_at"
        ).fetchall()
        diff = diff_runs(con, first, second)
    assert len(bis) >= 1
    assert hashes[0][1] != hashes[1][1]
    # Exactly those events change, in their authority's country (and the authority's name
    # where the event names the country); nothing is added or removed.
    assert sorted(c["fact_key_a"] for c in diff.changes) == sorted(k for (k,) in bis)
    for change in diff.changes:
        assert (change["kind"], change["change"]) == ("event", "changed")
        assert change["fields"]["authority_country"] == {"a": "United States", "b": "Testland"}
        assert set(change["fields"]) <= {"authority", "authority_country"}
    assert diff.articles_compared == len(archive_articles)
    assert sum(c["added"] + c["removed"] for c in diff.counts.values()) == 0

    listed = runner.invoke(app, ["runs", "-w", str(warehouse), "--format", "json"])
    assert listed.exit_code == 0, listed.output
    kinds = [(r["kind"], r["status"]) for r in json.loads(listed.output)]
    assert kinds == [("reextract", "completed"), ("import", "completed")]
    shown = runner.invoke(app, ["runs", "diff", first, second, "-w", str(warehouse),
                                "--format", "json"])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.output)["counts"]["event"]["changed"] == len(bis)
    table = runner.invoke(app, ["runs", "diff", first, second, "-w", str(warehouse)])
    assert table.exit_code == 0
    assert table.output.count("authority_country: United States → Testland") == len(bis)
    missing = runner.invoke(app, ["runs", "diff", first, "nope", "-w", str(warehouse)])
    assert missing.exit_code == 2 and "no extraction run" in missing.output


def test_assets_dir_setting_is_relative_to_the_config(tmp_path: Path):
    from tradeline.config import load_settings

    (tmp_path / "tradeline.toml").write_text('[model]\nassets_dir = "my-assets"\n')
    settings = load_settings(tmp_path / "tradeline.toml")
    assert settings.model.assets_dir == str((tmp_path / "my-assets").resolve())
    with pytest.raises(FileNotFoundError, match=r"pipeline\.toml"):
        assets.Assets.at(tmp_path)
    assert assets.Assets.packaged().root == assets.MODELS_DIR


@pytest.mark.slow
def test_dates_and_validity_files_follow_the_assets_folder(tmp_path: Path, nlp_model_name: str):
    """A pipeline built from an edited copy of models/ reads that folder's files (the date and
    validity lists too), and pipelines built from the packaged folder in the same process,
    before or after it, keep the packaged files."""
    from tradeline.extractors.document import extract_doc
    from tradeline.extractors.pipeline import assets_hash, build_pipeline

    copy = tmp_path / "models"
    shutil.copytree(assets.MODELS_DIR, copy, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    (copy / "data" / "validity" / "patterns.jsonl").write_text("", encoding="utf-8")
    text = "The ministry granted Acme Corp an export licence on June 8, 2025, valid for one year."

    def periods(nlp) -> list[str]:
        return [p.duration for p in extract_doc(nlp(text), None, nlp).validity_periods]

    packaged = build_pipeline(nlp_model_name)
    assert periods(packaged) == ["P1Y"]
    edited = build_pipeline(nlp_model_name, copy)
    for name in ("tradeline_orgs", "tradeline_companies", "tradeline_dates", "tradeline_validity"):
        sources = edited.get_pipe(name).sources.values()
        assert sources and all(Path(s).is_relative_to(copy) for s in sources), name
        kept = packaged.get_pipe(name).sources.values()
        assert not any(Path(s).is_relative_to(copy) for s in kept), name
    assert periods(edited) == []
    assert periods(packaged) == ["P1Y"]
    assert periods(build_pipeline(nlp_model_name)) == ["P1Y"]
    assert assets_hash(edited) != assets_hash(packaged) == assets.Assets.packaged().hash()
