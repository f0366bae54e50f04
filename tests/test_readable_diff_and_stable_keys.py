"""`runs diff` shows a rename once as `canonical: old → new`, and a timeline entry keeps its
entry_key across a re-extraction that renames or re-dates it (warehouse/entry_keys.py).

The alias fix is real: the bundled sample's pages (samples/articles, imported as an HTML
folder) are extracted, then re-extracted with a copy of models/ whose company gazetteer makes
"Ningbo Yansheng" an alias of "Ningbo Yunsheng"."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from tests.builders import stored_run
from tradeline.flows.cli import app
from tradeline.warehouse.db import connect

REPO = Path(__file__).resolve().parent.parent
runner = CliRunner()
SENTENCE_START = "On the 2nd (local time), Reuters reported that three Chinese rare earth"


@pytest.fixture(scope="module")
def renamed(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The sample imported, then re-extracted after the alias fix; the Ningbo entry's key
    before the fix."""
    from tradeline.config import ModelConfig, Settings
    from tradeline.flows.archive_import import import_paths
    from tradeline.flows.reextract import reextract_archive
    from tradeline.models import assets

    tmp = tmp_path_factory.mktemp("renamed")
    models = tmp / "models"
    shutil.copytree(assets.MODELS_DIR, models,
                    ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    with (models / "data" / "companies" / "gazetteer.jsonl").open("a", encoding="utf-8") as f:
        f.write(json.dumps({"canonical": "Ningbo Yunsheng", "sector": "rare earths",
                            "aliases": ["Ningbo Yunsheng", "Ningbo Yansheng"]}) + "\n")
    warehouse = tmp / "w.duckdb"
    first = import_paths(Settings(), warehouse, [REPO / "samples" / "articles"]).run_id
    ningbo = ("SELECT entry_key, companies FROM timeline "
              "WHERE list_contains(companies, ?) AND type = 'permit_issued'")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        before = con.execute(ningbo, ["Ningbo Yansheng"]).fetchall()
        entries_before = con.execute("SELECT count(*) FROM timeline").fetchone()[0]
    second = reextract_archive(
        Settings(model=ModelConfig(assets_dir=str(models))), warehouse
    ).run_id
    with duckdb.connect(str(warehouse), read_only=True) as con:
        after = con.execute(ningbo, ["Ningbo Yunsheng"]).fetchall()
        entries_after = con.execute("SELECT count(*) FROM timeline").fetchone()[0]
    assert len(before) == 1 and len(after) == 1, (before, after)
    return {"warehouse": warehouse, "first": first, "second": second, "before": before[0],
            "after": after[0], "entries": (entries_before, entries_after)}


@pytest.mark.slow
def test_a_rename_is_one_changed_fact(renamed: dict) -> None:
    # as an analyst types it: the last two runs by name
    shown = runner.invoke(app, ["runs", "diff", "previous", "latest",
                                "-w", str(renamed["warehouse"])])
    assert shown.exit_code == 0, shown.output
    assert renamed["first"] in shown.output and renamed["second"] in shown.output
    lines = shown.output.splitlines()
    canonical = [line for line in lines if "canonical:" in line and "→" in line]
    assert [line.strip() for line in canonical] == [
        "canonical: Ningbo Yansheng → Ningbo Yunsheng"
    ]
    assert "  changed company: Ningbo Yunsheng" in lines
    assert not any(line.startswith(("  added company", "  removed company")) for line in lines)
    # the event naming it changed once too, in its company list
    assert sum("companies:" in line and "Ningbo Yunsheng" in line for line in lines) == 1
    # long evidence is cut in the table
    evidence = [line for line in lines if line.strip().startswith("evidence:")]
    assert evidence and all(line.endswith("…") and len(line) < 80 for line in evidence)


@pytest.mark.slow
def test_json_has_whole_values_and_a_list_of_field_changes(renamed: dict) -> None:
    shown = runner.invoke(app, ["runs", "diff", renamed["first"], renamed["second"],
                                "-w", str(renamed["warehouse"]), "--format", "json"])
    assert shown.exit_code == 0, shown.output
    diff = json.loads(shown.output)
    assert diff["counts"]["company"] == {"added": 0, "removed": 0, "changed": 1,
                                         "unchanged": diff["counts"]["company"]["unchanged"]}
    (company,) = [c for c in diff["changes"] if c["kind"] == "company"]
    assert company["fields"] == {"canonical": {"a": "Ningbo Yansheng", "b": "Ningbo Yunsheng"}}
    assert company["evidence"].startswith(SENTENCE_START)
    assert company["evidence"].endswith("for some customers.")  # whole, not cut
    with duckdb.connect(str(renamed["warehouse"]), read_only=True) as con:
        text = con.execute("SELECT text FROM articles WHERE article_id = ?",
                           [company["article_id"]]).fetchone()[0]
    assert company["evidence"] in text
    renames = [fc for fc in diff["field_changes"] if fc["field"] == "canonical"]
    assert [(fc["fact"]["kind"], fc["old"], fc["new"]) for fc in renames] == [
        ("company", "Ningbo Yansheng", "Ningbo Yunsheng")
    ]
    assert renames[0]["fact"]["fact_key_a"] != renames[0]["fact"]["fact_key_b"]


@pytest.mark.slow
def test_the_renamed_entry_keeps_its_key(renamed: dict) -> None:
    key, companies = renamed["before"]
    assert "Ningbo Yansheng" in companies
    assert renamed["after"] == (key, [c.replace("Yansheng", "Yunsheng") for c in companies])
    assert renamed["entries"][0] == renamed["entries"][1]
    saved = runner.invoke(app, ["recipe", "what_each_source_said", "-p", f"entry_key={key}",
                                "-w", str(renamed["warehouse"]), "--format", "json"])
    assert saved.exit_code == 0, saved.output
    assert len(json.loads(saved.stdout)) >= 1  # the saved query still finds the event
    copy = renamed["warehouse"].with_name("rebuilt.duckdb")
    shutil.copyfile(renamed["warehouse"], copy)
    rebuilt = runner.invoke(app, ["rebuild-timeline", "-w", str(copy)])
    assert rebuilt.exit_code == 0, rebuilt.output
    with duckdb.connect(str(copy), read_only=True) as con:
        again = con.execute("SELECT entry_key, key_carried FROM timeline_entries "
                            "WHERE list_contains(companies, 'Ningbo Yunsheng')").fetchall()
    assert again == [(key, True)]  # merging again keeps it


# --- re-dating and other events, on hand-made extractions ------------------------------------


def _run(con: duckdb.DuckDBPyConnection, kind: str, items: list) -> str:
    return stored_run(con, items, kind=kind)


def _keys(con: duckdb.DuckDBPyConnection) -> dict[tuple, tuple[str, bool]]:
    rows = con.execute("SELECT type, event_date, companies, entry_key, key_carried "
                       "FROM timeline_entries ORDER BY ALL").fetchall()
    return {(t, d, tuple(c)): (k, carried) for t, d, c, k, carried in rows}


def test_a_redated_entry_keeps_its_key_and_other_events_get_their_own(
    tmp_path: Path, make_item
) -> None:
    warehouse = tmp_path / "w.duckdb"
    with connect(warehouse) as con:
        first = _run(con, "ingest", [make_item("https://a.example/1", event_date="2024-03-04")])
        ((key, carried),) = _keys(con).values()
        assert not carried
        second = _run(con, "reextract", [
            make_item("https://a.example/1", event_date="2024-06-20"),  # re-dated
            make_item("https://a.example/2", type="permit_denied"),  # another event
        ])
        keys = _keys(con)
    diff = runner.invoke(app, ["runs", "diff", first, second, "-w", str(warehouse)])
    with connect(warehouse) as con:
        # a later report of the same event joins it; the carried key stays
        _run(con, "ingest", [make_item("https://a.example/3", event_date="2024-06-21",
                                       companies=("Nvidia Corp", "AMD"))])
        grown = _keys(con)
    assert keys[("permit_issued", "2024-06-20", ("Nvidia Corp",))] == (key, True)
    denied, _ = keys[("permit_denied", "2024-03-04", ("Nvidia Corp",))]
    assert denied != key
    assert grown[("permit_issued", "2024-06-20", ("Nvidia Corp", "AMD"))] == (key, True)
    assert diff.exit_code == 0, diff.output
    assert "    event_date: 2024-03-04 → 2024-06-20" in diff.output.splitlines()
    assert diff.output.count("→") == 2  # the heading and the one re-dated field


def test_new_reports_alone_give_the_keys_of_one_uninterrupted_run(
    tmp_path: Path, make_item
) -> None:
    """Keys are carried only past a re-extraction: a run resumed after a crash (its reports
    stored in two runs) ends with the keys of one run that stored them all."""
    items = [make_item("https://a.example/1"),
             make_item("https://a.example/2", companies=("Nvidia Corp", "AMD"))]
    with connect(tmp_path / "split.duckdb") as con:
        _run(con, "ingest", items[:1])
        _run(con, "ingest", items[1:])
        split = _keys(con)
    with connect(tmp_path / "whole.duckdb") as con:
        _run(con, "ingest", items)
        whole = _keys(con)
    assert split == whole
    assert [carried for _, carried in whole.values()] == [False]


# --- the carry rule itself -------------------------------------------------------------------


def _mention(fact_key: str, article: str, start: int, *, date: str = "2026-02-09",
             companies: tuple[str, ...] = ("Halmera Nickel",)):
    from tradeline.warehouse.merge import Mention

    return Mention(
        fact_key=fact_key, article_id=article, run_id="r", type="permit_issued",
        authority_country="Indonesia", commodity="nickel ore", event_date=date,
        date_granularity="day", start_char=start, end_char=start + 40, published="2026-02-10",
        outlet=article, url=f"https://example.com/{article}", companies=companies,
    )


def _previous(entries) -> list:
    from tradeline.warehouse.entry_keys import PreviousEntry, PreviousReport

    return [
        PreviousEntry(e.entry_key, e.key_carried, [
            PreviousReport(m.fact_key, m.article_id, m.type, m.start_char, m.end_char)
            for m in e.mentions
        ])
        for e in entries
    ]


def test_a_split_entry_keeps_its_key_on_the_larger_part_and_merging_again_changes_nothing():
    from tradeline.warehouse.entry_keys import carry
    from tradeline.warehouse.merge import build_entries

    before = build_entries([_mention("f1", "a1", 0), _mention("f2", "a2", 0),
                            _mention("f3", "a3", 0)], set())
    (old,) = before
    # a1 and a2 re-extracted with another firm's name (their offsets move a little), a3 re-dated
    # a month later: two entries now
    after = build_entries([
        _mention("g1", "a1", 5, companies=("Sulawesi Ore",)),
        _mention("g2", "a2", 5, companies=("Sulawesi Ore",)),
        _mention("g3", "a3", 0, date="2026-03-20"),
    ], set())
    content = [e.entry_key for e in after]
    carry(after, _previous(before))
    larger = next(e for e in after if len(e.mentions) == 2)
    smaller = next(e for e in after if len(e.mentions) == 1)
    assert (larger.entry_key, larger.key_carried) == (old.entry_key, True)
    assert smaller.entry_key in content and not smaller.key_carried
    keys = [(e.entry_key, e.key_carried) for e in after]
    again = build_entries([m for e in after for m in e.mentions], set())
    carry(again, _previous(after))
    assert [(e.entry_key, e.key_carried) for e in again] == keys


def _keyed(entries) -> dict[tuple[str, ...], tuple[str, bool]]:
    return {tuple(e.companies): (e.entry_key, e.key_carried) for e in entries}


@pytest.mark.parametrize("reverse", [False, True], ids=["entry-order", "reversed"])
def test_an_unchanged_sibling_in_the_same_sentence_keeps_its_own_key(reverse: bool) -> None:
    """Two events of one sentence overlap (their offsets are the sentence): when one is renamed,
    the other, unchanged, must not take its key, whichever comes first."""
    from tradeline.warehouse.entry_keys import carry
    from tradeline.warehouse.merge import build_entries

    old = build_entries([_mention("a", "x", 0, companies=("Halmera Nickel",)),
                         _mention("b", "x", 0, companies=("Sulawesi Ore",))], set())
    k1, k2 = _keyed(old)[("Halmera Nickel",)][0], _keyed(old)[("Sulawesi Ore",)][0]
    after = build_entries([_mention("a2", "x", 0, companies=("Halmahera Nickel Mining",)),
                           _mention("b", "x", 0, companies=("Sulawesi Ore",))], set())
    if reverse:
        after.reverse()
    carry(after, _previous(old))
    assert _keyed(after) == {("Halmahera Nickel Mining",): (k1, True),
                             ("Sulawesi Ore",): (k2, False)}
    again = build_entries([m for e in after for m in e.mentions], set())
    carry(again, _previous(after))
    assert _keyed(again) == _keyed(after)  # merging again changes nothing


def test_a_removed_event_leaves_its_key_to_no_sibling() -> None:
    from tradeline.warehouse.entry_keys import carry
    from tradeline.warehouse.merge import build_entries

    old = build_entries([_mention("a", "x", 0, companies=("Halmera Nickel",)),
                         _mention("b", "x", 0, companies=("Sulawesi Ore",))], set())
    k2 = _keyed(old)[("Sulawesi Ore",)][0]
    after = build_entries([_mention("b", "x", 0, companies=("Sulawesi Ore",))], set())
    carry(after, _previous(old))
    assert _keyed(after) == {("Sulawesi Ore",): (k2, False)}


def test_entries_merged_by_an_alias_fix_keep_the_merged_entrys_content_key() -> None:
    """K1 unchanged, K2 the same event under another spelling, re-extracted with K1's: the
    merged entry's content key is K1, and it keeps it rather than taking K2."""
    from tradeline.warehouse.entry_keys import carry
    from tradeline.warehouse.merge import build_entries

    old = build_entries([_mention("f1", "a1", 0),
                         _mention("f2", "a2", 0, companies=("HN Mining",))], set())
    k1, k2 = _keyed(old)[("Halmera Nickel",)][0], _keyed(old)[("HN Mining",)][0]
    after = build_entries([_mention("f1", "a1", 0), _mention("g2", "a2", 0)], set())
    (merged,) = after
    assert merged.entry_key == k1  # its content key
    carry(after, _previous(old))
    assert (merged.entry_key, merged.key_carried) == (k1, False)
    assert k2 != k1
