"""`tradeline train`: rebuild the trained parts from the annotated corpus (one command)."""

from __future__ import annotations

from typing import Annotated

import typer

from tradeline.config import load_settings
from tradeline.flows.cli.common import ConfigOption, UserError, app, check_model, clean_errors
from tradeline.flows.console import stderr


@app.command()
@clean_errors
def train(
    parts: Annotated[
        list[str] | None,
        typer.Argument(help="Parts to train (default: all): relevance, ..."),
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Train the trained parts into models/trained/ and update its manifest.

    Reads eval/trade (train and dev splits, texts from ../shared), eval/synth, eval/nearmiss
    and ../shared/corpus/html; never the blind split.

    Example: tradeline train relevance
    """
    from tradeline.extractors.learned.train import PARTS
    from tradeline.extractors.learned.train import train as train_parts

    unknown = [p for p in parts or [] if p not in PARTS]
    if unknown:
        raise UserError(f"unknown part(s) {unknown}; parts: {', '.join(PARTS)}")
    settings = load_settings(config)
    check_model(settings.model.name)
    manifest = train_parts(parts, model_name=settings.model.name, log=stderr.print)
    for name, info in sorted(manifest["parts"].items()):
        stderr.print(f"{name}: data {info['data_hash'][:12]} · dev {info['dev']}")
