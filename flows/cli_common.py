"""What every `tradeline` command shares: the app, the common options, settings resolution and
the rule that known failures print one line and exit 2. Command modules import from here."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from tradeline.config import ConfigError, Settings, load_settings
from tradeline.flows.console import stderr

app = typer.Typer(
    name="tradeline",
    help="Trade-policy news → a DuckDB timeline of permits, licences and export controls.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
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

F = TypeVar("F", bound=Callable[..., Any])


class UserError(Exception):
    """A failure the user can fix; shown as one line, never as a traceback."""


def _known_errors() -> tuple[type[BaseException], ...]:
    from tradeline.extractors.pipeline import ModelNotFoundError
    from tradeline.warehouse.db import WarehouseError

    return (UserError, ConfigError, WarehouseError, ModelNotFoundError, FileNotFoundError)


def clean_errors(func: F) -> F:
    """Known failures become `error: …` on stderr with exit status 2."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except _known_errors() as exc:
            stderr.print(f"[bold red]error:[/] {exc}", highlight=False)
            raise typer.Exit(2) from None
        except KeyboardInterrupt:
            stderr.print("interrupted")
            raise typer.Exit(130) from None

    return wrapper  # type: ignore[return-value]


def settings_and_warehouse(config: Path | None, warehouse: Path | None) -> tuple[Settings, Path]:
    settings = load_settings(config)
    return settings, (warehouse or settings.warehouse_path)
