"""Connect to the address that was checked: one DNS answer, checked and connected to.

httpx resolves a host name again when it connects, so checking the name's addresses beforehand
leaves a window: a name that answers a public address to the check and 127.0.0.1 to the
connection (DNS rebinding) would be fetched. Here an httpcore network backend does all three in
one step: it resolves the name once (within the request's deadline), refuses the connection
unless every address is public (when private hosts are not allowed), and connects to those
addresses only. httpx still sees the host name, so TLS sends it as SNI and verifies the
certificate against it, and the Host header is unchanged.

IP literals need no resolution; the fetcher checks them itself before each hop (`http.py`).
The streams this backend returns honour the request deadline (`deadline.py`) on every read and
write. httpx has no public way to give its transport a network backend, so `PinnedTransport`
replaces the connection pool of an `httpx.HTTPTransport` (its `_pool`) with one built on ours.
"""

from __future__ import annotations

import ssl
import threading
import typing
from collections.abc import Iterator
from contextlib import contextmanager

import httpcore
import httpx

from tradeline.sources import deadline
from tradeline.sources.addresses import IPAddress, ip_literal, is_public_address, resolve
from tradeline.sources.deadline import DeadlineExceeded


class BlockedAddress(Exception):
    """A host name resolved to a non-public address; the message names both."""


class Unresolvable(Exception):
    """A host name has no address (or the resolver failed, or ran past the deadline)."""


def resolve_within(host: str, port: int, timeout: float | None) -> list[IPAddress]:
    """`resolve` in a helper thread, so a stuck resolver cannot outlast the deadline (the
    thread itself is left to finish: getaddrinfo cannot be cancelled)."""
    result: list[IPAddress] = []
    failure: list[BaseException] = []

    def work() -> None:
        try:
            result.extend(resolve(host, port))
        except BaseException as exc:  # handed to the caller's thread
            failure.append(exc)

    worker = threading.Thread(target=work, name=f"resolve {host}", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise Unresolvable(f"cannot resolve {host}: no answer within {timeout:g}s")
    if failure:
        raise Unresolvable(f"cannot resolve {host}: {failure[0]}")
    if not result:
        raise Unresolvable(f"cannot resolve {host}: no address")
    return result


class _DeadlineStream(httpcore.NetworkStream):
    """A network stream whose reads and writes end by the request deadline."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        with _deadline_timeouts():
            return self._inner.read(max_bytes, deadline.bounded(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        with _deadline_timeouts():
            self._inner.write(buffer, deadline.bounded(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        with _deadline_timeouts():
            tls = self._inner.start_tls(ssl_context, server_hostname, deadline.bounded(timeout))
        return _DeadlineStream(tls)

    def get_extra_info(self, info: str) -> typing.Any:
        return self._inner.get_extra_info(info)


@contextmanager
def _deadline_timeouts() -> Iterator[None]:
    """A timeout that happened because the deadline passed is reported as DeadlineExceeded."""
    try:
        yield
    except httpcore.TimeoutException:
        if deadline.passed():
            raise DeadlineExceeded("deadline passed") from None
        raise


class PinnedBackend(httpcore.NetworkBackend):
    """httpcore's synchronous backend, with the resolution and the address check in front."""

    def __init__(self, *, allow_private: bool) -> None:
        self.allow_private = allow_private
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[typing.Any] | None = None,
    ) -> httpcore.NetworkStream:
        literal = ip_literal(host)
        if literal is not None:
            addresses = [literal]
        else:
            addresses = resolve_within(host, port, deadline.bounded(timeout))
            bad = next((ip for ip in addresses if not is_public_address(ip)), None)
            if bad is not None and not self.allow_private:
                raise BlockedAddress(f"{host} resolves to non-public address {bad}")
        error: Exception | None = None
        for ip in addresses:  # as socket.create_connection does: each address in turn
            try:
                with _deadline_timeouts():
                    stream = self._inner.connect_tcp(
                        str(ip), port, deadline.bounded(timeout), local_address, socket_options
                    )
                return _DeadlineStream(stream)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        assert error is not None  # resolve() never returns an empty list
        raise error

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: typing.Iterable[typing.Any] | None = None,
    ) -> httpcore.NetworkStream:  # pragma: no cover - tradeline never configures a socket path
        raise httpcore.ConnectError("unix sockets are not used by tradeline")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class PinnedTransport(httpx.HTTPTransport):
    """httpx's transport (no proxies, no environment) on a `PinnedBackend`."""

    def __init__(
        self,
        *,
        allow_private: bool,
        verify: ssl.SSLContext | bool = True,
        limits: httpx.Limits | None = None,
    ) -> None:
        limits = limits or httpx.Limits(max_connections=100, max_keepalive_connections=20)
        super().__init__(verify=verify, trust_env=False, limits=limits)
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(verify=verify, trust_env=False),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=PinnedBackend(allow_private=allow_private),
        )
