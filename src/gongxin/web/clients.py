"""Who is calling: the client's address, believing ``X-Forwarded-For`` only from our proxies.

The peer of the TCP connection is the client, unless it is one of ``GONGXIN_TRUSTED_PROXIES``:
then the header's addresses are read from the right (the one our proxy appended) and the first
one that is not itself a trusted proxy is the client. From any other peer the header is ignored,
so a caller cannot choose the address its rate limits, lockouts and audit entries are kept
under. ``gongxin serve`` turns uvicorn's own proxy-header handling off, so this is the only one.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from fastapi import Request

from gongxin.web.deps import settings_of

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=16)
def _networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)


def _trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in networks)


def client_address(request: Request) -> str:
    """The client's address as far as it can be trusted (``unknown`` without a peer)."""
    peer = request.client.host if request.client else "unknown"
    networks = _networks(tuple(settings_of(request).trusted_proxies))
    if not networks or not _trusted(peer, networks):
        return peer
    hops = [h.strip() for h in ",".join(request.headers.getlist("x-forwarded-for")).split(",")]
    for hop in reversed([h for h in hops if h]):
        if not _trusted(hop, networks):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer  # a garbled header: keep what we know
    return peer
