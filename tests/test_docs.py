"""Docs that cannot drift from the code (the idea of sqlite-utils' tests/test_docs.py): every
`tradeline` command and option README.md and warehouse/README.md name exists, every command is
in the README's command table and has help with an example that itself parses, and every
view's header comment (dbt style: grain, key, columns) matches the view."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest
import typer.main

from tradeline.flows.cli import app
from tradeline.warehouse.migrations import view_files

REPO = Path(__file__).resolve().parent.parent
DOCS = ("README.md", "warehouse/README.md")

CLI = typer.main.get_command(app)  # a click group (Typer may vendor its own click)


def _subcommands(command: object) -> dict[str, object]:
    return getattr(command, "commands", None) or {}


# Programs other than tradeline whose options the docs also name (their spans are skipped).
_OTHER_PROGRAMS = re.compile(
    r"^(?:\S*/)?(?:python3?|pytest|ruff|pip|duckdb|prefect|dask|systemctl|cp|printf|export|"
    r"[\w-]+\.py)$"
)
_FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.M | re.S)
_SPAN = re.compile(r"(?<!`)`([^`]+)`(?!`)")
_COMMAND_WORD = re.compile(r"^[a-z][a-z-]*$")
_OPTION = re.compile(r"^\[?(--?[a-zA-Z][a-zA-Z-]*)")
_SEPARATOR = re.compile(r"(?<!\\)\||&&|;|\s#")


@dataclass(frozen=True)
class Mention:
    """One place the docs name a tradeline command (or only options, `command` None)."""

    where: str
    command: tuple[str, ...] | None
    options: tuple[str, ...]


def _tokens(text: str) -> list[str]:
    return _SEPARATOR.split(text, maxsplit=1)[0].split()


def _tradeline_call(tokens: list[str]) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """(command path, options) when the tokens run a tradeline command, else None."""
    if not tokens or tokens[0].rsplit("/", 1)[-1] != "tradeline":
        return None
    rest = tokens[1:]
    if not rest or not _COMMAND_WORD.match(rest[0]):
        return None  # `tradeline COMMAND --help`: a placeholder, not a command
    command = [rest[0]]
    if len(rest) > 1 and rest[1] in _subcommands(_subcommands(CLI).get(rest[0])):
        command.append(rest[1])
    options = tuple(m.group(1) for t in rest if (m := _OPTION.match(t)))
    return tuple(command), options


def _mentions_in(text: str, where: str) -> list[Mention]:
    """Shell lines of fenced blocks, and inline code spans paragraph by paragraph: a span of
    options alone belongs to the program of the nearest span before it in its paragraph."""
    found: list[Mention] = []
    for match in _FENCE.finditer(text):
        if match.group(1) in ("", "bash", "sh", "console"):
            for line in match.group(2).splitlines():
                tokens = line.split()
                for i, token in enumerate(tokens):
                    call = _tradeline_call(_tokens(" ".join(tokens[i:])))
                    if token.rsplit("/", 1)[-1] == "tradeline" and call:
                        found.append(Mention(f"{where}: {line.strip()}", *call))
    prose = _FENCE.sub("", text)
    for paragraph in re.split(r"\n\s*\n", prose):
        program: tuple[str, ...] | None = None  # () for another program
        for span in _SPAN.findall(paragraph):
            tokens = _tokens(" ".join(span.split()))
            if not tokens:
                continue
            call = _tradeline_call(tokens)
            if call:
                program = call[0]
                found.append(Mention(f"{where}: `{span}`", *call))
            elif _OPTION.match(tokens[0]):
                if program != ():
                    options = tuple(m.group(1) for t in tokens if (m := _OPTION.match(t)))
                    found.append(Mention(f"{where}: `{span}`", program, options))
            elif _OTHER_PROGRAMS.match(tokens[0]):
                program = ()
    return found


def _all_mentions() -> list[Mention]:
    out = []
    for name in DOCS:
        out += _mentions_in((REPO / name).read_text(encoding="utf-8"), name)
    return out


def _command(path: tuple[str, ...]) -> Any:
    command: Any = CLI
    for name in path:
        command = _subcommands(command).get(name)
    return command


def _options(command: Any) -> set[str]:
    names = {"--help"}
    for param in command.params:
        if param.param_type_name == "option":
            names.update(param.opts)
            names.update(param.secondary_opts)
    return names


def _every_command() -> list[tuple[tuple[str, ...], Any]]:
    out: list[tuple[tuple[str, ...], Any]] = []
    for name, command in _subcommands(CLI).items():
        out.append(((name,), command))
        out += [((name, sub), c) for sub, c in _subcommands(command).items()]
    return out


def test_the_docs_name_commands_in_every_form() -> None:
    """The parser itself: it finds the forms the docs use (and so cannot pass by finding none)."""
    mentions = _all_mentions()
    commands = {m.command for m in mentions if m.command}
    assert {("run",), ("runs", "diff"), ("recipe",), ("reextract",)} <= commands
    assert any(m.command is None and "--warehouse" in m.options for m in mentions)
    assert not _mentions_in("```ini\nDescription=tradeline scheduled ingest\n```\n", "x")
    assert _mentions_in("(`bench/x.py --n 2`, `--stages a`)", "x") == []


@pytest.mark.parametrize("mention", _all_mentions(), ids=lambda m: m.where[:80])
def test_every_command_and_option_the_docs_name_exists(mention: Mention) -> None:
    if mention.command is None:  # options named alone: some command, or tradeline, has each
        have = set().union(_options(CLI), *(_options(c) for _, c in _every_command()))
    else:
        command = _command(mention.command)
        assert command is not None, f"no command `tradeline {' '.join(mention.command)}`"
        have = _options(command)
    missing = [o for o in mention.options if o not in have]
    assert not missing, f"{mention.where}: no option {missing}"


def test_every_command_is_named_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    table = [m for m in _mentions_in(readme, "README.md") if m.where.startswith("README.md: `")]
    documented = {m.command for m in table if m.command}
    missing = [" ".join(path) for path, _ in _every_command() if path not in documented]
    assert not missing, f"commands missing from README.md: {missing}"


def test_every_command_takes_config_and_all_but_extract_and_train_the_warehouse() -> None:
    """What the README's Commands section says of the common options."""
    for path, command in _every_command():
        options = _options(command)
        assert "--config" in options, path
        no_warehouse = {("extract",), ("train",), ("watch", "test")}
        assert ("--warehouse" in options) == (path not in no_warehouse), path


@pytest.mark.parametrize("path", [p for p, _ in _every_command()], ids=" ".join)
def test_every_command_has_help_with_an_example_that_parses(path: tuple[str, ...]) -> None:
    command = _command(path)
    assert command is not None and command.help, f"tradeline {' '.join(path)} has no help"
    examples = re.findall(r"^\s*Example: (.+)$", command.help, re.M)
    assert examples, f"tradeline {' '.join(path)}: help has no 'Example: tradeline …' line"
    for example in examples:
        call = _tradeline_call(_tokens(example))
        assert call is not None and call[0] == path, example
        assert set(call[1]) <= _options(command), example


# --- views: the header comment of each views/*.sql ------------------------------------------

_HEADER_FIELD = re.compile(r"^-- (\w+): ?(.*)$")
_CREATE = re.compile(r"^CREATE OR REPLACE (VIEW|MACRO) (\w+)", re.M)


def _header(sql: str) -> dict[str, str]:
    """The header comment's fields (`-- Key: …`, continued on indented `--` lines)."""
    fields: dict[str, str] = {}
    current = None
    for line in sql.splitlines():
        if not line.startswith("--"):
            break
        match = _HEADER_FIELD.match(line)
        if match:
            current = match.group(1)
            fields[current] = match.group(2)
        elif current and line.startswith("--  "):
            fields[current] += " " + line[2:].strip()
        else:
            current = None
    return fields


def _without_parentheses(text: str) -> str:
    while True:
        shorter = re.sub(r"\([^()]*\)", "", text)
        if shorter == text:
            return shorter
        text = shorter


def _key(fields: dict[str, str]) -> list[str]:
    key = fields["Key"].strip()
    if key.startswith("("):
        return [c.strip() for c in key[1 : key.index(")")].split(",")]
    return [key.split()[0]]


# A file of scalar macros (header `-- Macros: …`) has no rows, so no grain, key or columns.
VIEWS = [(name, sql) for name, sql in view_files() if "Macros" not in _header(sql)]
SCALAR_MACROS = [(name, sql) for name, sql in view_files() if "Macros" in _header(sql)]


@pytest.mark.parametrize(("name", "sql"), VIEWS, ids=[n for n, _ in VIEWS])
def test_every_view_documents_grain_key_and_columns(name: str, sql: str) -> None:
    fields = _header(sql)
    assert {"Why", "Grain", "Key", "Columns"} <= set(fields), f"{name}: header has {set(fields)}"
    assert fields["Key"] and _key(fields)


@pytest.mark.parametrize(("name", "sql"), SCALAR_MACROS, ids=[n for n, _ in SCALAR_MACROS])
def test_every_scalar_macro_file_documents_why_and_use(name: str, sql: str) -> None:
    fields = _header(sql)
    assert {"Why", "Use"} <= set(fields), f"{name}: header has {set(fields)}"
    created = [m.group(2) for m in _CREATE.finditer(sql)]
    assert created and all(f"{macro}(" in fields["Macros"] for macro in created), name


def _views_with_keys() -> list[tuple[str, str, list[str]]]:
    """(file, the relation to query, its key columns); a table macro is called on dates."""
    out = []
    for name, sql in VIEWS:
        fields = _header(sql)
        kind, view = _CREATE.search(sql).groups()
        if kind == "MACRO":
            for day in ("2024-03-04", "2025-06-01", "2026-03-01", "2027-01-01"):
                out.append((name, f"{view}(DATE '{day}')", _key(fields)))
        else:
            out.append((name, view, _key(fields)))
    return out


def _check_views(con: duckdb.DuckDBPyConnection) -> None:
    for name, relation, key in _views_with_keys():
        cols = ", ".join(key)
        rows = con.execute(f"SELECT count(*) FROM {relation}").fetchone()[0]
        duplicated = con.execute(
            f"SELECT {cols}, count(*) FROM {relation} GROUP BY ALL HAVING count(*) > 1"
        ).fetchall()
        assert not duplicated, f"{name}: key ({cols}) not unique: {duplicated[:3]}"
        nulls = con.execute(
            f"SELECT count(*) FROM {relation} WHERE " + " OR ".join(f"{c} IS NULL" for c in key)
        ).fetchone()[0]
        assert nulls == 0, f"{name}: {nulls} of {rows} rows have a NULL key ({cols})"
        fields = _header(dict(VIEWS)[name])
        if not fields["Columns"].startswith("those of"):
            documented = [
                c.strip().split()[0]
                for c in _without_parentheses(fields["Columns"]).split(",")
                if c.strip()
            ]
            actual = [d[0] for d in con.execute(f"SELECT * FROM {relation} LIMIT 0").description]
            assert documented == actual, f"{name}: header columns differ from the view"


@pytest.mark.slow
def test_view_keys_are_unique_on_the_sample(sample_warehouse_path: Path) -> None:
    with duckdb.connect(str(sample_warehouse_path), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM timeline").fetchone()[0] > 0
        _check_views(con)


def test_view_keys_are_unique_across_runs_and_spellings(tmp_path: Path, make_item) -> None:
    """A warehouse with what makes keys repeat if a view gets it wrong: an article extracted by
    a completed, a failed and a running run, a re-extraction, several spellings of one firm and
    an event naming two firms."""
    from tradeline.warehouse.db import connect
    from tradeline.warehouse.load import store_batch
    from tradeline.warehouse.runs import finish_run, start_run

    con = connect(tmp_path / "w.duckdb")

    def run(kind: str, items: list, status: str | None) -> None:
        run_id = start_run(con, kind=kind, extractor_version="1", model_name="m",
                           model_version="1", assets_hash="h")
        store_batch(con, items, run_id)
        if status:
            finish_run(con, run_id, status=status)

    urls = [f"https://example.com/{i}" for i in range(4)]
    run("ingest", [make_item(urls[0], companies=("Ningbo Yansheng", "JL Mag Rare Earths")),
                   make_item(urls[1], companies=("Ningbo Yunsheng",))], "completed")
    run("import", [make_item(urls[2], type="ban_introduced", event_date="2024-03")], "failed")
    run("reextract", [make_item(urls[0], companies=("Ningbo Yansheng",)),
                      make_item(urls[1], companies=("JL Mag Rare-Earth",))], "completed")
    run("ingest", [make_item(urls[3])], None)  # still running
    _check_views(con)
    assert con.execute("SELECT count(*) FROM companies").fetchone()[0] >= 2
    con.close()
