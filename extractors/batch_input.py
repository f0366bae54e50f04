"""Reading the input of `tradeline extract`: one article object a line, checked in full.

Every line is checked before the model loads, so a malformed file fails fast, naming the line,
and writes nothing: bytes that are not UTF-8, text that is not JSON or not an object, an `id`
that is missing, empty or not a string or integer (an object, a list, a boolean, a float), a
`text` that is not a string, or a `published` that is not a real `YYYY-MM-DD` or `YYYY-MM` date
(the contract's two forms; `2025-13-45` is refused, not read as some other date).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

_PUBLISHED = re.compile(r"(\d{4})-(\d{2})(?:-(\d{2}))?")


class InputError(ValueError):
    """A line of the input file is not a usable article object; the message names the line."""


def read_articles(input_path: Path) -> Iterator[tuple[str, str, str | None]]:
    """(id, text, published) of each non-blank line, in order; raises InputError."""
    with input_path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            where = f"{input_path}: line {number}"
            line = _decode(raw[3:] if number == 1 and raw.startswith(b"\xef\xbb\xbf") else raw)
            if line is None:
                raise InputError(f"{where} is not UTF-8 text")
            if not line.strip():
                continue
            try:
                row: Any = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"{where} is not valid JSON: {exc.msg}") from exc
            if not isinstance(row, dict):
                raise InputError(f"{where} is not a JSON object")
            yield _article_id(row, where), _text(row, where), _published(row, where)


def _decode(raw: bytes) -> str | None:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _article_id(row: dict[str, Any], where: str) -> str:
    value = row.get("id")
    if value is None:
        raise InputError(f"{where} has no 'id'")
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise InputError(f"{where}: 'id' must be a string or an integer, not {_json_type(value)}")
    text = str(value)
    if not text.strip():
        raise InputError(f"{where}: 'id' is empty")
    return text


def _text(row: dict[str, Any], where: str) -> str:
    value = row.get("text")
    if value is not None and not isinstance(value, str):
        raise InputError(f"{where}: 'text' must be a string, not {_json_type(value)}")
    return value or ""


def _published(row: dict[str, Any], where: str) -> str | None:
    value = row.get("published")
    if value is None:
        return None
    if not isinstance(value, str):
        raise InputError(f"{where}: 'published' must be a string, not {_json_type(value)}")
    match = _PUBLISHED.fullmatch(value.strip())
    try:
        if match is None:
            raise ValueError
        year, month, day = (int(g) if g else 1 for g in match.groups())
        date(year, month, day)
    except ValueError:
        raise InputError(
            f"{where}: 'published' must be a real date as YYYY-MM-DD or YYYY-MM, got {value!r}"
        ) from None
    return value.strip()


def _json_type(value: object) -> str:
    names = {dict: "an object", list: "a list", bool: "a boolean", float: "a number"}
    return names.get(type(value), type(value).__name__)
