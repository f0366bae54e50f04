"""Time caps that hold and connections to what was checked (issue 17, defects 4 and 5), against
real servers on 127.0.0.1: a server trickling its headers a byte a second, a batch with a slow
host and a healthy one, a per-host budget, a DNS-rebinding resolver shim, TLS with SNI and the
Host header kept, and IPv6 forms of private IPv4 addresses."""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpcore
import httpx
import pytest
from pytest_httpserver import HTTPServer

from tradeline.config import FetchConfig, Settings
from tradeline.flows import steps
from tradeline.records import FeedEntry
from tradeline.sources.addresses import is_public_address
from tradeline.sources.http import Fetcher, FetchError
from tradeline.sources.pinned import PinnedTransport

HTML = b"<html><body><p>Export permits issued.</p></body></html>"


class TrickleServer:
    """Answers /robots.txt with 404 at once; any other request gets a status line and then one
    header byte every `interval` seconds, for ever (until `stop`). Counts connections."""

    def __init__(self, interval: float = 1.0) -> None:
        self.interval = interval
        self.connections = 0
        self._stop = threading.Event()
        self._sock = socket.create_server(("127.0.0.1", 0))
        self.port = self._sock.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def _serve(self) -> None:
        self._sock.settimeout(0.1)
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            self.connections += 1
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            request = conn.recv(65536)
            try:
                if request.startswith(b"GET /robots.txt"):
                    conn.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
                    return
                conn.sendall(b"HTTP/1.1 200 OK\r\nX-Drip: ")
                while not self._stop.wait(self.interval):
                    conn.sendall(b"a")
            except OSError:
                return  # the client hung up: what the test wants

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self._sock.close()


@pytest.fixture
def trickle() -> Iterator[TrickleServer]:
    server = TrickleServer()
    yield server
    server.stop()


def test_a_header_trickling_server_gets_a_bounded_time(trickle: TrickleServer) -> None:
    """One byte a second never trips the 2 s read timeout; only the request deadline
    (3 × timeout_s) ends the fetch, and the overrun is not retried."""
    fetcher = Fetcher(FetchConfig(allow_private_hosts=True, timeout_s=2.0, retries=2))
    started = time.monotonic()
    with fetcher, pytest.raises(FetchError) as info:
        fetcher.fetch(trickle.url("/article"))
    took = time.monotonic() - started
    print(f"header trickle ended after {took:.1f} s")
    assert took < 120  # bounded: before the fix it never returned
    assert info.value.reason == "timeout" and "not complete" in info.value.detail
    assert not info.value.retryable and trickle.connections == 1


def test_a_batch_stores_the_healthy_page_beside_a_trickling_host(
    trickle: TrickleServer, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request("/ok.html").respond_with_data(HTML, content_type="text/html")
    settings = Settings(fetch=FetchConfig(allow_private_hosts=True, timeout_s=1.0, retries=0))
    entries = [
        FeedEntry(url=trickle.url("/slow.html")),
        FeedEntry(url=httpserver.url_for("/ok.html").replace("localhost", "127.0.0.1")),
    ]
    entries[0].url = entries[0].url.replace("127.0.0.1", "localhost")  # another host name
    started = time.monotonic()
    docs, errors = steps.fetch_documents(settings, entries)
    print(f"batch done after {time.monotonic() - started:.1f} s")
    assert [d.url for d in docs] == [entries[1].url]
    assert [(e.url, e.reason.split(":")[0]) for e in errors] == [(entries[0].url, "timeout")]


def test_a_batch_spends_no_more_than_its_budget_on_one_host(trickle: TrickleServer) -> None:
    """Six pages on a trickling host, two at a time, each allowed 30 s: the host's 1 s budget
    ends the two in flight, and the other four fail without a request."""
    settings = Settings(
        fetch=FetchConfig(
            allow_private_hosts=True,
            timeout_s=10.0,
            retries=0,
            host_budget_s=1.0,
            respect_robots=False,
        )
    )
    entries = [FeedEntry(url=trickle.url(f"/p{i}.html")) for i in range(6)]
    started = time.monotonic()
    docs, errors = steps.fetch_documents(settings, entries)
    took = time.monotonic() - started
    print(f"six fetches to one host ended after {took:.1f} s")
    assert took < 120 and docs == []
    assert trickle.connections == settings.fetch.per_host_concurrency == 2
    reasons = sorted(e.reason for e in errors)
    assert all(r.startswith("timeout:") for r in reasons)
    assert sum("not started, 127.0.0.1 has used this batch's 1s" in r for r in reasons) == 4


# -- DNS rebinding and address forms ---------------------------------------------------------


@pytest.fixture
def resolver_shim(monkeypatch: pytest.MonkeyPatch) -> Callable[[str, list[list[str]]], list[str]]:
    """`shim(name, answers)`: getaddrinfo for `name` gives answers[0], then answers[1], … (the
    last one repeats); every other name resolves as usual. Returns the log of names asked."""
    real = socket.getaddrinfo
    plans: dict[str, list[list[str]]] = {}
    asked: list[str] = []

    def getaddrinfo(host, port, *args, **kwargs):
        name = host.decode() if isinstance(host, bytes) else host
        if name not in plans:
            return real(host, port, *args, **kwargs)
        asked.append(name)
        answers = plans[name]
        addresses = answers.pop(0) if len(answers) > 1 else answers[0]
        out = []
        for address in addresses:
            family = socket.AF_INET6 if ":" in address else socket.AF_INET
            sockaddr = (address, port or 0, 0, 0) if family == socket.AF_INET6 else (address, port)
            out.append((family, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", sockaddr))
        return out

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)

    def shim(name: str, answers: list[list[str]]) -> list[str]:
        plans[name] = [list(a) for a in answers]
        return asked

    return shim


PUBLIC = "93.184.216.34"  # a global address; nothing here ever connects to it (see below)


@pytest.fixture
def no_internet(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Every TCP connect httpcore makes is logged; any but to loopback fails at once, so a test
    never reaches the internet. Returns the log."""
    real = httpcore.SyncBackend.connect_tcp
    log: list[tuple[str, int]] = []

    def connect_tcp(self, host, port, *args, **kwargs):
        log.append((host, port))
        try:
            ip = ipaddress.ip_address(host)
        except ValueError:  # a name, as plain httpx passes it: resolved when connecting
            return real(self, host, port, *args, **kwargs)
        if not ip.is_loopback:
            raise httpcore.ConnectError(f"test: no route to {host}")
        return real(self, host, port, *args, **kwargs)

    monkeypatch.setattr(httpcore.SyncBackend, "connect_tcp", connect_tcp)
    return log


def test_a_rebinding_name_is_not_fetched(
    httpserver: HTTPServer, resolver_shim, no_internet: list[tuple[str, int]]
) -> None:
    """The shim answers a public address first and 127.0.0.1 after. A check-then-connect
    fetcher (as before) connected to the second answer; now each connection resolves once and
    connects to the answer it checked: the first attempt goes to the public address (which
    fails here), the retry gets 127.0.0.1 and is refused, and the local server sees nothing."""
    httpserver.expect_request("/secret").respond_with_data("internal", content_type="text/html")
    url = f"http://rebind.test:{httpserver.port}/secret"

    # the shim really rebinds: a plain check, then httpx resolving on its own, reaches the server
    asked = resolver_shim("rebind.test", [[PUBLIC], ["127.0.0.1"]])
    socket.getaddrinfo("rebind.test", httpserver.port)  # the check sees the public address
    with httpx.Client(trust_env=False) as plain:
        assert plain.get(url).text == "internal"
    httpserver.clear_log()

    asked = resolver_shim("rebind.test", [[PUBLIC], ["127.0.0.1"]])
    asked.clear()
    no_internet.clear()
    fetcher = Fetcher(FetchConfig(allow_private_hosts=False, timeout_s=2.0, retries=2))
    with fetcher, pytest.raises(FetchError) as info:
        fetcher.fetch(url)
    assert info.value.reason == "private_address"
    assert "rebind.test resolves to non-public address 127.0.0.1" in info.value.detail
    assert httpserver.log == []
    assert {host for host, _ in no_internet} == {PUBLIC}  # never 127.0.0.1
    assert asked.count("rebind.test") == 2  # one resolution per connection


def test_a_name_with_any_private_address_is_refused_before_connecting(
    httpserver: HTTPServer, resolver_shim, no_internet: list[tuple[str, int]]
) -> None:
    resolver_shim("mixed.test", [[PUBLIC, "127.0.0.1"]])
    resolver_shim("sixtofour.test", [["2002:7f00:1::"]])
    resolver_shim("nat64.test", [["64:ff9b::a9fe:a9fe"]])
    for name in ("mixed.test", "sixtofour.test", "nat64.test"):
        fetcher = Fetcher(FetchConfig(allow_private_hosts=False, retries=0))
        with fetcher, pytest.raises(FetchError) as info:
            fetcher.fetch(f"http://{name}:{httpserver.port}/")
        assert info.value.reason == "private_address", name
        assert f"{name} resolves to non-public address" in info.value.detail
    assert no_internet == [] and httpserver.log == []


@pytest.mark.parametrize(
    "url",
    [
        "http://[2002:7f00:1::]/",  # 6to4 of 127.0.0.1
        "http://[2002:a00:1::1]/",  # 6to4 of 10.0.0.1
        "http://[2002:a9fe:a9fe::]/latest/meta-data/",  # 6to4 of 169.254.169.254
        "http://[64:ff9b::7f00:1]/",  # NAT64 of 127.0.0.1
        "http://[64:ff9b::a00:1]/",  # NAT64 of 10.0.0.1
        "http://[64:ff9b:1::a00:1]/",  # local-use NAT64
        "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/",  # Teredo, client 127.0.0.1
    ],
)
def test_ipv6_forms_of_private_addresses_are_refused(url: str, no_internet: list) -> None:
    fetcher = Fetcher(FetchConfig(allow_private_hosts=False, retries=0))
    with fetcher, pytest.raises(FetchError) as info:
        fetcher.fetch(url)
    assert info.value.reason == "private_address"
    assert no_internet == []


def test_ipv6_forms_of_public_addresses_stay_public() -> None:
    for address in ("2002:808:808::1", "64:ff9b::808:808", "2606:4700::1111"):
        assert is_public_address(ipaddress.ip_address(address)), address


# -- TLS: SNI, certificate and Host header name the host, not the address -------------------


def _certificate(tmp_path: Path, name: str) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def test_tls_keeps_sni_certificate_name_and_host_header(tmp_path: Path, resolver_shim) -> None:
    cert, key = _certificate(tmp_path, "pinned.test")
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(cert, key)
    seen: dict[str, list[str]] = {"sni": [], "host": []}
    server_context.sni_callback = lambda sock, name, ctx: seen["sni"].append(name)
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def serve() -> None:
        for _ in range(2):
            conn, _ = listener.accept()
            try:
                with server_context.wrap_socket(conn, server_side=True) as tls:
                    request = tls.recv(65536).decode("latin-1")
                    host = [h for h in request.split("\r\n") if h.lower().startswith("host:")]
                    seen["host"].append(host[0].split(":", 1)[1].strip())
                    tls.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            except (ssl.SSLError, OSError):
                conn.close()  # the client refused our certificate

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    resolver_shim("pinned.test", [["127.0.0.1"]])
    resolver_shim("other.test", [["127.0.0.1"]])
    client_context = ssl.create_default_context(cafile=str(cert))
    transport = PinnedTransport(allow_private=True, verify=client_context)
    with httpx.Client(transport=transport) as client:
        assert client.get(f"https://pinned.test:{port}/").text == "ok"
        with pytest.raises(httpx.ConnectError, match=r"certificate|hostname"):
            client.get(f"https://other.test:{port}/")  # same address, wrong name
    thread.join(5)
    listener.close()
    assert seen["sni"] == ["pinned.test", "other.test"]
    assert seen["host"] == [f"pinned.test:{port}"]
