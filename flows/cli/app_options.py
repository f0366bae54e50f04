"""Options of `tradeline` itself, before the command: `--version`, `-q/--quiet`, `-v/--verbose`.

Why: a user (or a bug report) needs to say which tradeline, extractors and spaCy pipeline made
a warehouse without running anything; cron wants only failures on stderr, debugging wants
Prefect's flow- and task-run lines. Verbosity is set before any command imports Prefect, whose
log level is read from PREFECT_LOGGING_LEVEL when it loads.
"""

from __future__ import annotations

import logging
import os
from importlib import metadata
from typing import Annotated

import typer

from tradeline.flows.cli.common import UserError, app, clean_errors
from tradeline.flows.console import show_progress

# -q, default, -v, -vv: the level of Prefect's and tradeline's loggers
CONSOLE_LEVEL = "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL"
_LEVELS = {-1: "ERROR", 1: "INFO", 2: "DEBUG"}


def version_lines() -> list[str]:
    """tradeline's version, the extractors' and the configured spaCy pipeline's (./tradeline.toml
    if present, else the default), as runs record them."""
    from tradeline import __version__
    from tradeline.config import DEFAULT_MODEL, ConfigError, load_settings
    from tradeline.extractors.model_info import EXTRACTOR_VERSION, describe_model

    try:
        model = load_settings(None).model.name
    except ConfigError:
        model = DEFAULT_MODEL
    return [
        f"tradeline {__version__}",
        f"extractor {EXTRACTOR_VERSION}",
        f"model {describe_model(model)}",
        f"spacy {metadata.version('spacy')}",
    ]


def _print_version(value: bool) -> None:
    if value:
        for line in version_lines():
            typer.echo(line)
        raise typer.Exit()


def apply_verbosity(level: int) -> None:
    """-1 quiet (no progress bars, only errors logged), 0 as configured, 1 info, 2 debug."""
    show_progress(level >= 0)
    name = _LEVELS.get(max(-1, min(level, 2)))
    if name is None:
        return
    os.environ["PREFECT_LOGGING_LEVEL"] = name  # for Prefect when it loads
    os.environ[CONSOLE_LEVEL] = name  # its console handler shows what the loggers pass
    for logger in ("prefect", "tradeline"):  # and in case it has loaded
        logging.getLogger(logger).setLevel(name)
    for handler in logging.getLogger().handlers:
        if type(handler).__name__ == "PrefectConsoleHandler":
            handler.setLevel(name)
    if level > 0 and not logging.getLogger().handlers:  # before Prefect sets up its handler
        logging.basicConfig(format="%(levelname)s %(name)s: %(message)s")


@app.callback()
@clean_errors
def main_options(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            is_eager=True,
            callback=_print_version,
            help="Print the versions of tradeline, the extractors and the spaCy model, and exit.",
        ),
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress bars; log only errors.")
    ] = False,
    verbose: Annotated[
        int,
        typer.Option(
            "--verbose",
            "-v",
            count=True,
            show_default=False,
            help="Log Prefect's run lines (-v) or debug (-vv).",
        ),
    ] = 0,
) -> None:
    """Trade-policy news → a DuckDB timeline of permits, licences and export controls."""
    if quiet and verbose:
        raise UserError("--quiet and --verbose contradict each other: give one")
    apply_verbosity(-1 if quiet else verbose)
