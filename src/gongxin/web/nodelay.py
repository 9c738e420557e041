"""The HTTP protocol ``gongxin serve`` runs: uvicorn's h11 protocol with ``TCP_NODELAY`` set on
every connection it accepts.

asyncio sets ``TCP_NODELAY`` only on sockets whose protocol number says TCP. uvicorn's own
``--workers`` binds its listening socket with ``socket.socket(family=…)`` (protocol number 0),
so its connections kept Nagle's algorithm: an answer written in two parts (headers, then
body) waited for the client's delayed acknowledgement, about 40 ms per request, and two
workers served fewer requests than one. ``gongxin serve`` now binds each worker's socket
itself (``web/workers.py``) and sets the option on every connection whatever the socket.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket

from uvicorn.protocols.http.h11_impl import H11Protocol


def set_nodelay(transport: asyncio.BaseTransport) -> None:
    """Send small writes at once on ``transport``'s TCP socket (if it has one)."""
    sock = transport.get_extra_info("socket")
    if sock is None or sock.family not in (socket.AF_INET, socket.AF_INET6):
        return
    with contextlib.suppress(OSError):  # the peer already gone: the protocol sees the close
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class NoDelayH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, its connection's ``TCP_NODELAY`` set first."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        set_nodelay(transport)
        super().connection_made(transport)
