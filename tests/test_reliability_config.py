"""Bad configuration and unusable warehouse paths: one clear `error:` line, exit status 2, no
traceback, and nothing half-created. (Missing config, a wrong type and an unknown model are in
test_cli.py.)"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tradeline.flows.cli import app

runner = CliRunner()


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "tradeline.toml"
    path.write_text(text, encoding="utf-8")
    return path


FEED = '[[feeds]]\nurl = "feed.xml"\n'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[fetch\ntimeout_s = 1\n", "is not valid TOML"),
        ("[fetch]\ntimeout = 1\n" + FEED, "fetch.timeout: Extra inputs are not permitted"),
        ("[fetch]\nmax_bytes = -5\n" + FEED, "fetch.max_bytes"),
        ("[[feeds]]\nname = 'no url'\n", "feeds.0.url: Field required"),
        (FEED + FEED, "feed listed twice"),
        ('[model]\nname = ""\n' + FEED, "error:"),
        ("", "no feeds configured"),
    ],
    ids=[
        "toml-syntax",
        "unknown-key",
        "negative-cap",
        "feed-without-url",
        "dup-feed",
        "empty-model",
        "no-feeds",
    ],
)
def test_bad_config_is_one_clear_line(tmp_path: Path, text: str, message: str) -> None:
    result = runner.invoke(app, ["run", "--config", str(_config(tmp_path, text))])
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.split())  # rich wraps long lines
    assert result.output.count("error:") == 1
    assert "Traceback" not in result.output


def test_config_that_is_not_utf8_is_clear(tmp_path: Path) -> None:
    path = tmp_path / "t.toml"
    path.write_bytes(b"[warehouse]\npath = '\xff\xfe'\n")
    result = runner.invoke(app, ["run", "--config", str(path)])
    assert result.exit_code == 2 and "is not valid TOML" in " ".join(result.output.split())


@pytest.mark.parametrize("kind", ["parent-is-a-file", "path-is-a-directory", "not-a-database"])
def test_unusable_warehouse_path_is_one_clear_line(tmp_path: Path, kind: str) -> None:
    config = _config(tmp_path, FEED)
    (tmp_path / "feed.xml").write_text("<rss/>", encoding="utf-8")
    if kind == "parent-is-a-file":
        (tmp_path / "plain").write_text("x", encoding="utf-8")
        warehouse, message = tmp_path / "plain" / "wh.duckdb", "not writable"
    elif kind == "path-is-a-directory":
        warehouse, message = tmp_path / "dir.duckdb", "is a directory"
        warehouse.mkdir()
    else:
        warehouse, message = tmp_path / "junk.duckdb", "not a DuckDB database file"
        warehouse.write_bytes(b"this is not a database" * 1000)

    def files() -> list[str]:  # the run lock file next to the warehouse may stay
        return sorted(p.name for p in tmp_path.rglob("*") if p.suffix != ".lock")

    before = files()
    result = runner.invoke(
        app, ["run", "--config", str(config), "--warehouse", str(warehouse), "--no-timeline"]
    )
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.split()) and "Traceback" not in result.output
    if kind != "not-a-database":  # refused before anything was created
        assert files() == before
    if kind == "not-a-database":
        assert warehouse.read_bytes().startswith(b"this is not a database")  # left untouched


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through directory permissions")
def test_read_only_directory_is_clear(tmp_path: Path, cli) -> None:
    folder = tmp_path / "ro"
    folder.mkdir(mode=0o500)
    result = cli("sql", "SELECT 1", "--warehouse", str(folder / "wh.duckdb"), cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr


def test_unwritable_warehouse_in_a_real_process_has_no_traceback(tmp_path: Path, cli) -> None:
    config = _config(tmp_path, FEED)
    (tmp_path / "plain").write_text("x", encoding="utf-8")
    result = cli(
        "run",
        "--config",
        str(config),
        "--warehouse",
        str(tmp_path / "plain" / "wh.duckdb"),
        cwd=tmp_path,
    )
    assert result.returncode == 2
    assert result.stderr.count("error:") == 1 and "not writable" in result.stderr
    assert "Traceback" not in result.stderr
