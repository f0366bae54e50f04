"""Refuse hosts that resolve to non-public addresses (SSRF defence for article links).

Feeds are third-party input: a link to 169.254.169.254 or 10.0.0.1 must not make the
pipeline fetch from the machine's own network. The check of a host name and the connection to
it happen together, on one resolution, in `pinned.py` (so DNS rebinding cannot slip between).
"""

from __future__ import annotations

import ipaddress
import socket

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# IPv6 forms that carry an IPv4 address a router turns them into (RFC 6052 NAT64; RFC 8215's
# local-use NAT64 prefix is site-specific, so it is never public).
NAT64_WELL_KNOWN = ipaddress.IPv6Network("64:ff9b::/96")
NAT64_LOCAL_USE = ipaddress.IPv6Network("64:ff9b:1::/48")


def is_public_address(ip: IPAddress) -> bool:
    """False for loopback, private, link-local, multicast, reserved, unspecified and
    other non-global (e.g. carrier-grade NAT) addresses. IPv6 forms that reach an IPv4 address
    are judged by that address too: IPv4-mapped (::ffff:a.b.c.d), 6to4 (2002::/16), NAT64
    (64:ff9b::/96) and Teredo (2001::/32, its server and client)."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return _public(ip.ipv4_mapped)
        if ip in NAT64_WELL_KNOWN:  # the prefix itself is reserved; the IPv4 part decides
            return _public(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
        if ip in NAT64_LOCAL_USE:
            return False
        if ip.sixtofour is not None and not _public(ip.sixtofour):
            return False
        if ip.teredo is not None and not all(_public(v4) for v4 in ip.teredo):
            return False
    return _public(ip)


def _public(ip: IPAddress) -> bool:
    return ip.is_global and not (
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def ip_literal(host: str) -> IPAddress | None:
    """The address a host that is an IP literal names ("[::1]" too), else None."""
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address `host` resolves to (an IP literal resolves to itself). Raises OSError."""
    literal = ip_literal(host)
    if literal is not None:
        return [literal]
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    # sockaddr[0] may carry an IPv6 zone ("fe80::1%eth0"); the zone does not change the class.
    return [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]


def first_non_public(host: str, port: int) -> IPAddress | None:
    """The first non-public address `host` resolves to, or None when all are public."""
    for ip in resolve(host, port):
        if not is_public_address(ip):
            return ip
    return None
