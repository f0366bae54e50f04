"""The `tradeline` command line: each command reads settings, calls one library function, and
turns known failures into one clear line on stderr and exit status 2.

One module per topic registers its commands on the shared `app` (`common.py`); they are
imported here in the order `tradeline --help` lists them. Command modules import only
`common` and the library, never each other's package, so there is no import cycle.
"""

from __future__ import annotations

from tradeline.flows.cli.common import app

# Importing a module registers its commands, in the order `tradeline --help` lists them.
# isort: off
from tradeline.flows.cli import (  # noqa: F401
    app_options, run, analyst, report, archive, serve, train, watch,
)
# isort: on

__all__ = ["app", "main"]


def main() -> None:  # pragma: no cover - console entry point
    app()
