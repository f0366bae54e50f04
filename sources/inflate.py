"""Content-Encoding decoding with a hard cap on the decompressed size.

httpx inflates each network chunk without a bound, so one small gzip chunk can expand to
hundreds of megabytes before a caller sees it. Decoding here with zlib's `max_length` keeps
memory within the cap even for a gzip bomb.
"""

from __future__ import annotations

import zlib

SUPPORTED = ("gzip", "x-gzip", "deflate", "identity")
ACCEPT_ENCODING = "gzip, deflate"


class TooLarge(Exception):
    """The decoded body would exceed the cap."""


class DecodeFailed(Exception):
    """The body is not valid for its Content-Encoding (or the encoding is unsupported)."""


class BoundedDecoder:
    """Feed raw (content-encoded) chunks; collects at most `limit` decoded bytes."""

    def __init__(self, content_encoding: str | None, limit: int) -> None:
        codings = [c.strip().lower() for c in (content_encoding or "").split(",") if c.strip()]
        codings = [c for c in codings if c != "identity"]
        if len(codings) > 1 or (codings and codings[0] not in SUPPORTED):
            raise DecodeFailed(f"unsupported Content-Encoding: {content_encoding}")
        self.coding = codings[0] if codings else None
        self.limit = limit
        self.buffer = bytearray()
        self._inflater: zlib._Decompress | None = None
        self._raw_deflate_tried = False
        self._fed = 0
        if self.coding in ("gzip", "x-gzip"):
            self._inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
        elif self.coding == "deflate":
            self._inflater = zlib.decompressobj(zlib.MAX_WBITS)

    def _append(self, data: bytes) -> None:
        if len(self.buffer) + len(data) > self.limit:
            raise TooLarge(f"body exceeds {self.limit} bytes")
        self.buffer += data

    def feed(self, chunk: bytes) -> None:
        self._fed += len(chunk)
        if self._inflater is None:
            self._append(chunk)
            return
        data = chunk
        while data:
            room = self.limit - len(self.buffer)
            try:
                out = self._inflater.decompress(data, room + 1)  # max_length 0 would mean "all"
            except zlib.error as exc:
                if self.coding == "deflate" and not self._raw_deflate_tried and not self.buffer:
                    # Many servers send raw deflate (no zlib header) as "deflate".
                    self._raw_deflate_tried = True
                    self._inflater = zlib.decompressobj(-zlib.MAX_WBITS)
                    continue
                raise DecodeFailed(f"invalid {self.coding} data: {exc}") from exc
            self._append(out)
            if self._inflater.unconsumed_tail:
                data = self._inflater.unconsumed_tail
            elif self._inflater.eof and self._inflater.unused_data:
                rest = self._inflater.unused_data
                if self.coding == "deflate" or not rest.startswith(b"\x1f\x8b"):
                    return  # trailing garbage after the stream: ignored, as browsers do
                self._inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)  # next gzip member
                data = rest
            else:
                data = b""

    def finish(self) -> bytes:
        """All decoded bytes; a compressed stream cut short is a decode failure."""
        if self._inflater is not None and self._fed and not self._inflater.eof:
            raise DecodeFailed(f"truncated {self.coding} body")
        return bytes(self.buffer)
