"""A run diff as people read it: per article, each changed fact once with `field: old → new`
lines, added and removed facts with their evidence; long values cut to `VALUE_WIDTH` (the
JSON output keeps them whole). Plain lines, never wrapped, so they read the same in a pipe."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator
from typing import Any

VALUE_WIDTH = 60
LABEL_WIDTH = 100


def short(value: Any, width: int = VALUE_WIDTH) -> str:
    """One value on one line, cut to `width` characters with '…'."""
    if value is None:
        return "(none)"
    if isinstance(value, list) and all(isinstance(v, dict) for v in value) and value:
        text = ", ".join("-".join(str(x) for x in v.values()) for v in value)  # spans
    elif isinstance(value, list):
        text = "[" + ", ".join(str(v) for v in value) + "]"
    elif isinstance(value, dict):
        text = json.dumps(value, ensure_ascii=False)
    else:
        text = str(value)
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    cut = textwrap.shorten(text, width=width, placeholder="…")
    return cut if len(cut) > width // 2 else text[: width - 1] + "…"


def heading(diff: dict[str, Any]) -> str:
    """What was compared: `A → B: n articles compared (k only in A, m only in B)`."""
    return (
        f"{diff['a']} → {diff['b']}: {diff['articles_compared']} articles compared "
        f"({diff['articles_only_a']} only in A, {diff['articles_only_b']} only in B)"
    )


def diff_lines(changes: list[dict[str, Any]], width: int = VALUE_WIDTH) -> Iterator[str]:
    """The lines of `RunDiff.changes` (already ordered by article, kind and position): each
    fact once, its changed fields as `field: old → new`, and its evidence sentence."""
    url = None
    for ch in changes:
        if ch["url"] != url:
            url = ch["url"]
            yield ""
            yield url
        yield f"  {ch['change']} {ch['kind']}: {short(ch['label'], LABEL_WIDTH)}"
        if ch["change"] == "changed":
            for name, values in ch["fields"].items():
                yield f"    {name}: {short(values['a'], width)} → {short(values['b'], width)}"
        if "evidence" not in ch["fields"] or ch["change"] != "changed":
            yield f"    evidence: {short(ch['evidence'], width)}"
