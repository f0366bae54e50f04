"""What a reader says about a record it does not turn into a Document."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True, slots=True)
class RecordIssue:
    """A skipped record (not an HTML page: counted, not an error) or a failed one (broken).

    offset is the record's byte offset in the file (compressed offset for .gz), the line number
    for JSONL, None for a file of a folder; url is the record's target URL when known.
    """

    path: str
    offset: int | None
    outcome: Literal["skipped", "failed"]
    reason: str
    url: str | None = None

    def where(self) -> str:
        return self.path if self.offset is None else f"{self.path}@{self.offset}"
