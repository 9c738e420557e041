"""The limit on lookups that must not be enumerable (查询码, decision documents): at most
``GONGXIN_LOOKUP_RATE_LIMIT`` attempts per client address and minute, counted in this process
with the platform's sliding window (``gongxin.ratelimit``). The client is the address
``web.clients`` finds, so a forged X-Forwarded-For from an untrusted peer changes nothing."""

from __future__ import annotations

import threading
import time

from fastapi import Request

from gongxin.errors import TooManyRequests
from gongxin.ratelimit import WINDOW_SECONDS, SlidingWindow
from gongxin.web.clients import client_address

_lock = threading.Lock()


def _window(request: Request) -> SlidingWindow:
    state = request.app.state
    with _lock:
        found: SlidingWindow | None = getattr(state, "lookup_window", None)
        if found is None:
            found = state.lookup_window = SlidingWindow()
    return found


def hit(request: Request) -> None:
    """Count one lookup of the request's client; 429 once over the limit."""
    limit = int(request.app.state.settings.lookup_rate_limit)
    wait = _window(request).hit(f"lookup:{client_address(request)}", limit, time.monotonic())
    if wait:
        raise TooManyRequests(
            f"查询过于频繁：每 {int(WINDOW_SECONDS)} 秒最多 {limit} 次，请 {wait} 秒后再试",
            f"too many lookups: at most {limit} per {int(WINDOW_SECONDS)} seconds; "
            f"retry in {wait} s",
        )
