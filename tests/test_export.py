"""`tradeline export`: the analyst views as Parquet or CSV files that other tools read back."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from tradeline.flows.cli import app
from tradeline.warehouse.export import VIEWS, export_views

pytestmark = pytest.mark.slow
runner = CliRunner()


def test_export_parquet_round_trips_every_view(sample_warehouse_path: Path, tmp_path: Path):
    out = tmp_path / "parquet"
    result = runner.invoke(
        app, ["export", str(out), "--format", "parquet", "--warehouse", str(sample_warehouse_path)]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{v}.parquet" for v in VIEWS)
    with duckdb.connect(str(sample_warehouse_path), read_only=True) as con:
        for view in VIEWS:
            exported = con.execute(f"SELECT * FROM read_parquet('{out / view}.parquet')")
            columns = [d[0] for d in exported.description]
            rows = exported.fetchall()
            original = con.execute(f"SELECT * FROM {view}")
            assert columns == [d[0] for d in original.description], view
            assert sorted(map(repr, rows)) == sorted(map(repr, original.fetchall())), view
        nickel = con.execute(
            f"SELECT n_sources, len(mentions) FROM read_parquet('{out}/timeline.parquet') "
            "WHERE commodity = 'nickel ore' AND type = 'permit_issued'"
        ).fetchall()
    assert nickel == [(2, 3)]  # nested columns survive as lists of structs


def test_export_csv_and_refusals(sample_warehouse_path: Path, tmp_path: Path):
    done = export_views(sample_warehouse_path, tmp_path / "csv", fmt="csv", views=("companies",))
    assert [(d.view, d.path.name) for d in done] == [("companies", "companies.csv")]
    with done[0].path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == done[0].rows > 0
    assert {"canonical", "aliases", "n_events", "first_seen"} <= set(rows[0])
    assert not list((tmp_path / "csv").glob(".*partial"))
    bad = runner.invoke(app, ["export", str(tmp_path / "x"), "--format", "xlsx",
                              "--warehouse", str(sample_warehouse_path)])
    assert bad.exit_code == 2 and "parquet or csv" in bad.output
    bad = runner.invoke(app, ["export", str(tmp_path / "x"), "--view", "documents",
                              "--warehouse", str(sample_warehouse_path)])
    assert bad.exit_code == 2 and "exportable views" in bad.output
