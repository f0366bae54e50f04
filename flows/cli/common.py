"""What every `tradeline` command shares: the app, the common options, settings resolution and
the rule that known failures print one line and exit 2. Command modules import from here (and
from the library), never from each other's commands."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.markup import escape

from tradeline.config import ConfigError, PrefectConfig, Settings, load_settings
from tradeline.flows.console import cell_text, render_rows, stderr, write_encoded
from tradeline.flows.signals import exit_status, is_interrupt, sigterm_interrupts

app = typer.Typer(
    name="tradeline",
    help="Trade-policy news → a DuckDB timeline of permits, licences and export controls.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # click's help: wrapped at words, never cut off with "…"
)

ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", "-c", help="Config file (default: ./tradeline.toml if present)."),
]
WarehouseOption = Annotated[
    Path | None,
    typer.Option(
        "--warehouse",
        "-w",
        help="DuckDB file (default: the config's, else $TRADELINE_WAREHOUSE, "
        "else ./tradeline.duckdb).",
    ),
]

AllowErrorsOption = Annotated[
    bool,
    typer.Option(
        "--allow-errors",
        help="Exit 0 even when some feed or page failed (else 1) or nothing could be fetched "
        "(else 3); the run is still recorded as completed_with_errors or failed.",
    ),
]

# The timeline's filters, shared by `timeline` and `report` (checked by warehouse/query.py).
CompanyFilter = Annotated[str | None, typer.Option(help="Only events naming this company.")]
TypeFilter = Annotated[
    str | None, typer.Option("--type", help="Only this event type, e.g. permit_issued.")
]
SinceFilter = Annotated[
    str | None, typer.Option(help="Only events on or after this date (YYYY[-MM[-DD]]).")
]
UntilFilter = Annotated[
    str | None, typer.Option(help="Only events on or before this date (YYYY[-MM[-DD]]).")
]
CommodityFilter = Annotated[
    str | None, typer.Option(help="Only this commodity, e.g. \"rare earths\".")
]
AuthorityFilter = Annotated[
    str | None,
    typer.Option(help="Only events by this authority or country, e.g. China, MOFCOM."),
]

F = TypeVar("F", bound=Callable[..., Any])


class UserError(Exception):
    """A failure the user can fix; shown as one line, never as a traceback."""


def _known_errors() -> tuple[type[BaseException], ...]:
    from tradeline.extractors.pipeline import ModelNotFoundError
    from tradeline.warehouse.db import WarehouseError

    return (UserError, ConfigError, WarehouseError, ModelNotFoundError, FileNotFoundError)


def clean_errors(func: F) -> F:
    """Known failures become `error: …` on stderr with exit status 2; Ctrl-C and SIGTERM
    become `interrupted` with exit status 130 or 143 (flows/signals.py)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            with sigterm_interrupts():
                return func(*args, **kwargs)
        except _known_errors() as exc:
            _print_error(exc)
            raise typer.Exit(2) from None
        except Exception as exc:
            from tradeline.warehouse.db import disk_full_error

            known = disk_full_error(exc)  # a write can hit a full disk anywhere
            if known is None:
                raise
            _print_error(known)
            raise typer.Exit(2) from None
        except BaseException as exc:
            if not is_interrupt(exc):
                raise
            stderr.print("interrupted")
            raise typer.Exit(exit_status(exc)) from None

    return wrapper  # type: ignore[return-value]


@contextmanager
def prefect_api_or_error(prefect: PrefectConfig) -> Iterator[None]:
    """Flows in this block report to the configured Prefect API, else to the local server
    already running on `[prefect] port` (unless `reuse_server = false`), else to a temporary
    server that Ctrl-C does not reach (flows/prefect_server.py); a server that cannot start is
    one line."""
    from tradeline.flows.prefect_server import prefect_api
    from tradeline.flows.run_logs import flush_to_api
    from tradeline.flows.serve import ServeError

    try:
        with prefect_api(prefect.port if prefect.reuse_server else None):
            try:
                yield
            finally:  # the run's last log lines, before a temporary server stops
                flush_to_api()
    except ServeError as exc:  # only starting the server raises it
        raise UserError(str(exc)) from None


def _print_error(exc: BaseException) -> None:
    # one line, whatever the terminal width; brackets in the message are text
    stderr.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)


def exit_for_run(status: str, allow_errors: bool) -> None:
    """End the command with the exit status of a run that ended with `status` (0, 1 or 3:
    `flows/outcome.py`)."""
    from tradeline.flows.outcome import exit_status

    code = exit_status(status, allow_errors=allow_errors)
    if code:
        raise typer.Exit(code)


def settings_and_warehouse(config: Path | None, warehouse: Path | None) -> tuple[Settings, Path]:
    settings = load_settings(config)
    return settings, (warehouse or settings.warehouse_path)


def check_model(model_name: str) -> None:
    """Fail fast, before Prefect starts, when the configured pipeline isn't installed (an
    installed one is found without importing spaCy: a re-poll with nothing new never needs
    it)."""
    from tradeline.extractors.model_info import installed_without_spacy

    if installed_without_spacy(model_name):
        return
    from tradeline.extractors.pipeline import ensure_model_installed

    ensure_model_installed(model_name)


def print_timeline(
    warehouse_path: Path, fmt: str = "table", columns: str | None = None, **filters: str | None
) -> None:
    """The timeline on stdout (`run` prints it when done; `timeline` filters it). A table shows
    the columns that fit the terminal (`flows/table_fit.py`); `columns` ("a,b,c") picks them,
    in every format. CSV and JSON come in the one encoding (`warehouse/encoding.py`)."""
    from tradeline.flows.console import table_width
    from tradeline.flows.table_fit import TIMELINE_ORDER, TIMELINE_PRIORITY, fitting
    from tradeline.warehouse.query import timeline_readonly, timeline_table_readonly

    check_format(fmt)
    if fmt != "table":
        table = timeline_table_readonly(warehouse_path, **filters)
        if columns is not None:
            table = table.select(_picked(columns, table.column_names))
        write_encoded(table, fmt)
        return
    names, rows = timeline_readonly(warehouse_path, **filters)
    if columns is not None:
        wanted = _picked(columns, names)
    else:
        texts = [[cell_text(v) for v in row] for row in rows]
        wanted = fitting(TIMELINE_PRIORITY, TIMELINE_ORDER, names, texts, table_width())
    index = [names.index(c) for c in wanted]
    rows = [tuple(row[i] for i in index) for row in rows]
    whole = {c.name for c in TIMELINE_PRIORITY if not c.wrap}  # dates, types, counts
    render_rows(wanted, rows, title=f"Timeline ({len(rows)} events)", no_wrap=whole)


def _picked(columns: str, names: list[str]) -> list[str]:
    """`--columns a,b,c` checked against the timeline's columns (exit 2 naming them)."""
    from tradeline.flows.table_fit import parse_columns

    try:
        return parse_columns(columns, names)
    except ValueError as exc:
        raise UserError(str(exc)) from None


def check_format(fmt: str) -> None:
    """Table, CSV or JSON: the formats the read-only commands print."""
    if fmt not in {"table", "csv", "json"}:
        raise UserError(f"unknown format {fmt!r}: use table, csv or json")
