"""Refuse hosts that resolve to non-public addresses (SSRF defence for article links).

Feeds are third-party input: a link to 169.254.169.254 or 10.0.0.1 must not make the
pipeline fetch from the machine's own network.
"""

from __future__ import annotations

import ipaddress
import socket

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def is_public_address(ip: IPAddress) -> bool:
    """False for loopback, private, link-local, multicast, reserved, unspecified and
    other non-global (e.g. carrier-grade NAT) addresses; IPv4-mapped IPv6 is unwrapped."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not (
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address `host` resolves to (an IP literal resolves to itself). Raises OSError."""
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    # sockaddr[0] may carry an IPv6 zone ("fe80::1%eth0"); the zone does not change the class.
    return [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]


def first_non_public(host: str, port: int) -> IPAddress | None:
    """The first non-public address `host` resolves to, or None when all are public."""
    for ip in resolve(host, port):
        if not is_public_address(ip):
            return ip
    return None
