"""A small in-process rate limiter for lookups that must not be enumerable (查询码): at most
``limit`` attempts per client address within ``window`` seconds, counted in memory."""

from __future__ import annotations

import threading
import time
from collections import deque

from fastapi import Request

from gongxin.errors import TooManyRequests

CLIENTS_KEPT = 10_000


class Limiter:
    def __init__(self, limit: int, window: float) -> None:
        self.limit, self.window = limit, window
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, request: Request) -> None:
        """Count one attempt of the request's client; 429 once over the limit."""
        client = request.client.host if request.client else "unknown"
        now = time.monotonic()
        with self._lock:
            if len(self._seen) >= CLIENTS_KEPT and client not in self._seen:
                self._seen.clear()
            times = self._seen.setdefault(client, deque())
            while times and times[0] <= now - self.window:
                times.popleft()
            if len(times) >= self.limit:
                raise TooManyRequests(
                    f"查询过于频繁：每 {int(self.window)} 秒最多 {self.limit} 次，请稍后再试",
                    f"too many lookups: at most {self.limit} per {int(self.window)} seconds",
                )
            times.append(now)


def lookup_limiter(request: Request) -> Limiter:
    """The app's limiter of 查询码 lookups (GONGXIN_LOOKUP_RATE_LIMIT per minute and client)."""
    state = request.app.state
    found: Limiter | None = getattr(state, "lookup_limiter", None)
    if found is None:
        found = state.lookup_limiter = Limiter(state.settings.lookup_rate_limit, 60)
    return found


def hit(request: Request) -> None:
    lookup_limiter(request).hit(request)
