"""Validated inputs and run references, from the analyst's side, on a warehouse built from the
bundled sample (samples/articles imported, then re-extracted: two completed runs).

A filter value nobody knows, or an impossible date, is exit 2 with one line that names the
valid values; `vocab` counts what the timeline holds; run ids take a unique prefix, `latest`
and `previous`; `runs` shows model, extractor, assets hash and options.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tradeline.config import Settings
from tradeline.flows.archive_import import import_paths
from tradeline.flows.cli import app
from tradeline.flows.reextract import reextract_archive
from tradeline.records import EVENT_TYPES
from tradeline.warehouse.datearg import check_date_prefix
from tradeline.warehouse.db import connect
from tradeline.warehouse.runref import resolve_run_ref
from tradeline.warehouse.runs import RunError

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
runner = CliRunner()


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> tuple[Path, str, str]:
    """(warehouse, import run, reextract run): the sample's pages imported, then re-extracted
    from 2025-12 on."""
    root = tmp_path_factory.mktemp("filters")
    shutil.copytree(SAMPLES / "articles", root / "articles")
    warehouse = root / "w.duckdb"
    imported = import_paths(Settings(), warehouse, [root / "articles"])
    assert imported.imported >= 7, imported.line()
    again = reextract_archive(Settings(), warehouse, since="2025-12")
    assert again.extracted > 0, again.line()
    return warehouse, imported.run_id, again.run_id


def _invoke(warehouse: Path, *args: str):
    return runner.invoke(app, [*args, "--warehouse", str(warehouse)])


def _error_line(result) -> str:
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    return lines[0]


# --- vocabularies -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "wanted"),
    [
        (("timeline", "--type", "permit_isued"),
         "unknown event type 'permit_isued'; did you mean permit_issued? Valid: "),
        (("timeline", "--commodity", "rare eath"),
         "unknown commodity 'rare eath'; did you mean rare earths? Valid: "),
        (("timeline", "--authority", "Chna"), "did you mean China? Valid: "),
        (("recipe", "commodity_year", "-p", "commodity=nickle ore", "-p", "year=2026"),
         "unknown commodity 'nickle ore'; did you mean nickel ore? Valid: "),
        (("recipe", "companies_affected", "-p", "commodity=xyzzy", "-p", "since=2025"),
         "unknown commodity 'xyzzy'. Valid: "),
    ],
)
def test_a_bad_value_is_exit_2_naming_the_valid_ones(sample, args, wanted) -> None:
    line = _error_line(_invoke(sample[0], *args))
    assert wanted in line
    valid = line.split("Valid: ", 1)[1]
    if "event type" in line:
        assert all(t in valid.split(", ") for t in EVENT_TYPES)  # the whole closed list
    else:  # what this warehouse holds comes first
        assert valid.split(", ")[0] in {"rare earths", "nickel ore", "chipmaking equipment",
                                        "rice", "grain", "China", "India", "United States",
                                        "Bureau of Industry and Security"}


def test_a_value_one_known_value_matches_is_read_as_it(sample) -> None:
    warehouse = sample[0]

    def rows(*args: str) -> list[dict]:
        result = _invoke(warehouse, *args, "--format", "json")
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    exact = rows("timeline", "--commodity", "rare earths")
    assert exact and {r["commodity"] for r in exact} == {"rare earths"}
    assert rows("timeline", "--commodity", "Rare Earth") == exact  # case and singular
    permits = rows("timeline", "--type", "Permit Issued")
    assert permits and {r["type"] for r in permits} == {"permit_issued"}
    china = rows("timeline", "--authority", "china")
    assert china and all("China" in (r["authority"], r["authority_country"]) for r in china)
    recipe = rows("recipe", "commodity_year", "-p", "commodity=rare earth", "-p", "year=2025")
    assert recipe and all(r["type"] in EVENT_TYPES for r in recipe)


def test_vocab_counts_what_the_timeline_holds(sample) -> None:
    warehouse = sample[0]
    result = _invoke(warehouse, "vocab", "--format", "json")
    assert result.exit_code == 0, result.output
    listed = json.loads(result.stdout)
    with connect(warehouse, read_only=True) as con:
        for name in ("type", "commodity", "authority", "authority_country"):
            expected = dict(con.execute(
                f"SELECT {name}, count(*) FROM timeline WHERE {name} IS NOT NULL GROUP BY ALL"
            ).fetchall())
            got = {r["value"]: r["n_events"] for r in listed
                   if r["vocabulary"] == name and r["n_events"]}
            assert got == expected and expected, name
    types = {r["value"] for r in listed if r["vocabulary"] == "type"}
    assert types == set(EVENT_TYPES)  # the closed list, at 0 where no event has the type
    everything = json.loads(_invoke(warehouse, "vocab", "--all", "--format", "json").stdout)
    commodities = {r["value"] for r in everything if r["vocabulary"] == "commodity"}
    assert {"gallium", "rare earths"} <= commodities  # the lexicon's labels too


# --- dates --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "wanted"),
    [
        (("timeline", "--since", "2025-13"), "since '2025-13' is not a real month"),
        (("timeline", "--since", "2026-02-30"), "since '2026-02-30' is not a real day"),
        (("timeline", "--until", "notadate"), "until must be YYYY, YYYY-MM or YYYY-MM-DD"),
        (("recipe", "permits_active_on", "-p", "on_date=notadate"), "on_date must be"),
        (("recipe", "permits_active_on", "-p", "on_date=2026-02-30"),
         "on_date '2026-02-30' is not a real day"),
        (("recipe", "permits_active_on", "-p", "on_date=2026-03"), "on_date must be a day"),
        (("recipe", "commodity_year", "-p", "commodity=rare earths", "-p", "year=25"),
         "year must be a year, YYYY"),
        (("recipe", "companies_affected", "-p", "commodity=nickel ore", "-p", "since=2025-00"),
         "since '2025-00' is not a real month"),
        (("reextract", "--since", "2025-02-29"), "since '2025-02-29' is not a real day"),
        (("reextract", "--since", " 2026"), "since must be YYYY, YYYY-MM or YYYY-MM-DD"),
        (("timeline", "--until", "2024 "), "until must be YYYY, YYYY-MM or YYYY-MM-DD"),
        (("recipe", "commodity_year", "-p", "commodity=rare earths", "-p", "year=2025-01"),
         "year must be a year, YYYY"),
    ],
)
def test_an_impossible_date_is_exit_2(sample, args, wanted) -> None:
    assert wanted in _error_line(_invoke(sample[0], *args))


def test_real_dates_pass_and_until_bounds_the_timeline(sample) -> None:
    assert check_date_prefix("2024-02-29") == "2024-02-29"  # a leap day
    with pytest.raises(ValueError, match="not a real day"):
        check_date_prefix("2025-02-29")
    result = _invoke(sample[0], "timeline", "--until", "2025-12", "--format", "json")
    assert result.exit_code == 0, result.output
    dates = [r["event_date"] or r["first_reported"] for r in json.loads(result.stdout)]
    assert dates and all(d[:7] <= "2025-12" for d in dates)
    assert "2025-04" in dates  # month precision, kept by an until at month precision


def test_an_entry_key_prefix_names_one_entry(sample) -> None:
    warehouse = sample[0]
    with connect(warehouse, read_only=True) as con:
        (key,) = con.execute(
            "SELECT entry_key FROM timeline WHERE commodity = 'nickel ore' "
            "AND type = 'permit_issued'"
        ).fetchone()
    whole = _invoke(warehouse, "recipe", "what_each_source_said", "-p", f"entry_key={key}",
                    "--format", "json")
    short = _invoke(warehouse, "recipe", "what_each_source_said", "-p",
                    f"entry_key={key[:10]}", "--format", "json")
    assert whole.exit_code == 0 and json.loads(whole.stdout)
    assert short.stdout == whole.stdout
    line = _error_line(_invoke(warehouse, "recipe", "what_each_source_said", "-p",
                               "entry_key=nosuchkey"))
    assert "no timeline entry_key 'nosuchkey'" in line


# --- run references -----------------------------------------------------------------------


def test_run_references_resolve(sample) -> None:
    warehouse, first, second = sample
    with connect(warehouse, read_only=True) as con:
        assert resolve_run_ref(con, "latest") == second
        assert resolve_run_ref(con, "previous") == first
        assert resolve_run_ref(con, first) == first
        assert resolve_run_ref(con, first[:-3]) == first
        assert resolve_run_ref(con, second[:-5]) == second
        common = next(i for i, (x, y) in enumerate(zip(first, second, strict=True)) if x != y)
        with pytest.raises(RunError, match="ambiguous") as ambiguous:
            resolve_run_ref(con, first[:common])
        assert first in str(ambiguous.value) and second in str(ambiguous.value)
        with pytest.raises(RunError, match="no extraction run 'nope'"):
            resolve_run_ref(con, "nope")


def test_latest_and_previous_need_completed_runs(tmp_path) -> None:
    with (
        connect(tmp_path / "empty.duckdb") as con,
        pytest.raises(RunError, match="no latest run: the warehouse has no completed run"),
    ):
        resolve_run_ref(con, "latest")


def test_runs_diff_takes_references(sample) -> None:
    warehouse, first, second = sample
    result = _invoke(warehouse, "runs", "diff", "previous", "latest", "--format", "json")
    assert result.exit_code == 0, result.output
    diff = json.loads(result.stdout)
    assert (diff["a"], diff["b"]) == (first, second)
    by_prefix = _invoke(warehouse, "runs", "diff", first[:-4], second[:-4], "--format", "json")
    assert json.loads(by_prefix.stdout) == diff
    line = _error_line(_invoke(warehouse, "runs", "diff", "2", "latest"))
    assert "ambiguous" in line and first in line and second in line


def test_runs_diff_of_one_run_with_itself_is_an_error(sample) -> None:
    line = _error_line(_invoke(sample[0], "runs", "diff", "latest", sample[2]))
    assert "A and B are the same run" in line


def test_reextract_resume_takes_a_prefix(sample) -> None:
    warehouse, first, second = sample
    with pytest.raises(RunError, match=f"run {first} is a import run"):
        reextract_archive(Settings(), warehouse, resume=first[:-2])
    with pytest.raises(RunError, match=f"run {second} is completed; there is nothing to resume"):
        reextract_archive(Settings(), warehouse, resume=second[:-2])
    for named in ("latest", "previous"):  # they name finished runs
        with pytest.raises(RunError, match="--resume takes the id"):
            reextract_archive(Settings(), warehouse, resume=named)


def test_runs_shows_model_extractor_assets_and_options(sample, cli, monkeypatch) -> None:
    warehouse, _, second = sample
    monkeypatch.setenv("COLUMNS", "400")  # a wide table: one line per run
    result = cli("runs", "--warehouse", str(warehouse), cwd=warehouse.parent)
    assert result.returncode == 0, result.stderr
    with connect(warehouse, read_only=True) as con:
        model, version, extractor, assets = con.execute(
            "SELECT model_name, model_version, extractor_version, assets_hash "
            "FROM extraction_runs WHERE run_id = ?", [second]
        ).fetchone()
    (line,) = [line for line in result.stdout.splitlines() if second in line]
    for shown in (f"{model} {version}", extractor, assets[:8], "since=2025-12", "reextract"):
        assert shown in line, (shown, line)


def test_runs_table_fits_80_columns_with_ids_whole(sample, cli, monkeypatch) -> None:
    warehouse, first, second = sample
    monkeypatch.setenv("COLUMNS", "80")
    result = cli("runs", "--warehouse", str(warehouse), cwd=warehouse.parent)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert all(len(line) <= 80 for line in lines), result.stdout
    for run_id in (first, second):  # one line per run, its id unbroken
        assert sum(run_id in line for line in lines) == 1, result.stdout
    header = next(line for line in lines if "run_id" in line)
    assert "status" in header and "model" not in header  # the long text gave way
