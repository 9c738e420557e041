"""The limits on requests that must not be enumerable or floodable, per client address and
minute, counted in this process with the platform's sliding window (``gongxin.ratelimit``):

- lookups (查询码, decision documents): ``GONGXIN_LOOKUP_RATE_LIMIT``, so codes cannot be
  enumerated;
- filing objections and repair applications (portal form and API):
  ``GONGXIN_FILING_RATE_LIMIT``, so nobody floods the departments' queues and mailboxes.

The client is the address ``web.clients`` finds, so a forged X-Forwarded-For from an untrusted
peer changes nothing. Each kind has its own window: looking up does not use up filing."""

from __future__ import annotations

import threading
import time
from typing import Literal

from fastapi import Request

from gongxin.errors import TooManyRequests
from gongxin.ratelimit import WINDOW_SECONDS, SlidingWindow
from gongxin.web.clients import client_address

_lock = threading.Lock()
Kind = Literal["lookup", "filing"]
_WORDS: dict[Kind, tuple[str, str]] = {
    "lookup": ("查询过于频繁", "too many lookups"),
    "filing": ("提交申请过于频繁", "too many applications filed"),
}


def _window(request: Request, kind: Kind) -> SlidingWindow:
    state = request.app.state
    name = f"{kind}_window"
    with _lock:
        found: SlidingWindow | None = getattr(state, name, None)
        if found is None:
            found = SlidingWindow()
            setattr(state, name, found)
    return found


def hit(request: Request, kind: Kind = "lookup") -> None:
    """Count one request of ``kind`` of the request's client; 429 once over the limit."""
    settings = request.app.state.settings
    limit = int(settings.lookup_rate_limit if kind == "lookup" else settings.filing_rate_limit)
    at = time.monotonic()
    wait = _window(request, kind).hit(f"{kind}:{client_address(request)}", limit, at)
    if wait:
        zh, en = _WORDS[kind]
        refused = TooManyRequests(
            f"{zh}：每 {int(WINDOW_SECONDS)} 秒最多 {limit} 次，请 {wait} 秒后再试",
            f"{en}: at most {limit} per {int(WINDOW_SECONDS)} seconds; retry in {wait} s",
        )
        refused.retry_after = wait  # the Retry-After header
        raise refused
