"""A per-caller sliding window of requests per minute, in this process's memory.

Open-data requests and credit checks are limited with it. Each server process keeps its own
window, so with several processes each allows the rate on its own; daily quotas, which must hold
across processes, are counted in the database by their own modules.
"""

from __future__ import annotations

import math
import threading
from collections import deque

WINDOW_SECONDS = 60.0
_SWEEP_EVERY = 1000  # hits between sweeps of idle windows, so memory stays bounded


class SlidingWindow:
    """Request times per caller within the last minute; thread-safe, in process memory."""

    def __init__(self) -> None:
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()
        self._since_sweep = 0

    def hit(self, who: str, limit: int, at: float) -> int:
        """Count a request of ``who`` at ``at`` (seconds); 0 when allowed, else the seconds
        until the oldest request in the window leaves it (the request is then not counted)."""
        with self._lock:
            self._sweep(at)
            times = self._hits.setdefault(who, deque())
            while times and times[0] <= at - WINDOW_SECONDS:
                times.popleft()
            if len(times) >= limit:
                return max(1, math.ceil(times[0] + WINDOW_SECONDS - at))
            times.append(at)
            return 0

    def _sweep(self, at: float) -> None:
        self._since_sweep += 1
        if self._since_sweep < _SWEEP_EVERY:
            return
        self._since_sweep = 0
        idle = [w for w, t in self._hits.items() if not t or t[-1] <= at - WINDOW_SECONDS]
        for who in idle:
            del self._hits[who]
