"""``gongxin serve`` answers without Nagle's delay: every accepted connection gets
``TCP_NODELAY``, also on a listening socket bound the way uvicorn binds it for several workers
(``socket.socket(family=…)``, protocol number 0), where asyncio leaves the option unset."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import pytest
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import ServerState

from gongxin.web.nodelay import NoDelayH11Protocol


async def _app(scope: Any, receive: Any, send: Any) -> None:  # never called: no request is sent
    raise AssertionError


async def _accepted_nodelay(protocol: type[H11Protocol]) -> int:
    config = uvicorn.Config(_app, http=protocol, log_level="warning")
    config.load()
    state = ServerState()
    made: list[H11Protocol] = []

    def factory() -> H11Protocol:
        made.append(protocol(config=config, server_state=state, app_state={}))
        return made[-1]

    listener = socket.socket(family=socket.AF_INET)  # as uvicorn's bind_socket: proto 0
    listener.bind(("127.0.0.1", 0))
    loop = asyncio.get_running_loop()
    server = await loop.create_server(factory, sock=listener)
    try:
        _, writer = await asyncio.open_connection(*listener.getsockname())
        while not made:
            await asyncio.sleep(0.01)
        sock = made[0].transport.get_extra_info("socket")
        value = int(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
        writer.close()
        await writer.wait_closed()
        return value
    finally:
        server.close()
        await server.wait_closed()


@pytest.mark.parametrize(
    ("protocol", "nodelay"), [(H11Protocol, False), (NoDelayH11Protocol, True)]
)
def test_accepted_connections_send_at_once(protocol: type[H11Protocol], nodelay: bool) -> None:
    # uvicorn's own protocol on such a socket keeps Nagle's algorithm (the ~40 ms per answer
    # two workers showed); gongxin's sets TCP_NODELAY
    assert bool(asyncio.run(_accepted_nodelay(protocol))) is nodelay
