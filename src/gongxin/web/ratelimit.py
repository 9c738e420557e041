"""Per-client limits in this process, with the platform's sliding window
(``gongxin.ratelimit``); the client is the address ``web.clients`` finds, so a forged
X-Forwarded-For from an untrusted peer changes nothing. Each kind has its own window: looking
up does not use up filing.

- lookups that must not be enumerable (查询码, decision documents, report verification): at
  most ``GONGXIN_LOOKUP_RATE_LIMIT`` attempts per client address and minute (``hit``);
- filing objections and repair applications (portal form and API):
  ``GONGXIN_FILING_RATE_LIMIT`` (``hit(request, "filing")``), so nobody floods the
  departments' queues and mailboxes;
- credit reports generated: at most ``GONGXIN_REPORT_RATE_PER_MINUTE`` per client address and
  minute (``hit_report``), since each one lays out, signs and stores a PDF.

The open-data and credit-check routes keep their own windows here too (``window``), counted
by their own rules (``opendata.limits``, ``sanctions.quota``); the back office's credit checks
are counted per user (``hit_user_check``), at the rate API checks have per key.
"""

from __future__ import annotations

import threading
import time
from typing import Literal

from fastapi import Request

from gongxin.errors import RateLimited, TooManyRequests
from gongxin.ratelimit import WINDOW_SECONDS, SlidingWindow
from gongxin.web.clients import client_address

_lock = threading.Lock()
Kind = Literal["lookup", "filing"]
_WORDS: dict[Kind, tuple[str, str]] = {
    "lookup": ("查询", "lookups"),
    "filing": ("提交申请", "applications filed"),
}


def window(request: Request, name: str) -> SlidingWindow:
    """The sliding window kept on the app's state under ``name``, made on first use."""
    state = request.app.state
    with _lock:
        found: SlidingWindow | None = getattr(state, name, None)
        if found is None:
            found = SlidingWindow()
            setattr(state, name, found)
    return found


def _wait(request: Request, name: str, limit: int) -> int:
    who = f"{name}:{client_address(request)}"
    return window(request, name).hit(who, limit, time.monotonic())


def _says(zh: str, en: str, limit: int, wait: int) -> tuple[str, str]:
    return (
        f"{zh}过于频繁：每 {int(WINDOW_SECONDS)} 秒最多 {limit} 次，请 {wait} 秒后再试",
        f"too many {en}: at most {limit} per {int(WINDOW_SECONDS)} seconds; retry in {wait} s",
    )


def hit(request: Request, kind: Kind = "lookup") -> None:
    """Count one request of ``kind`` of the request's client; 429 with Retry-After once over
    the limit."""
    settings = request.app.state.settings
    limit = int(settings.lookup_rate_limit if kind == "lookup" else settings.filing_rate_limit)
    if wait := _wait(request, f"{kind}_window", limit):
        refused = TooManyRequests(*_says(*_WORDS[kind], limit, wait))
        refused.retry_after = wait  # the Retry-After header
        raise refused


def hit_report(request: Request) -> None:
    """Count one credit report generated for the request's client; 429 with Retry-After once
    over the limit."""
    limit = int(request.app.state.settings.report_rate_per_minute)
    if wait := _wait(request, "report_window", limit):
        raise RateLimited(*_says("生成信用报告", "reports generated", limit, wait), wait)


def hit_user_check(request: Request, user_id: int, username: str, at: float) -> None:
    """Count one credit check run from the back office by the user ``user_id`` at ``at``
    (seconds); RateLimited (nothing counted, nothing run) once over
    ``GONGXIN_CHECK_RATE_PER_MINUTE``."""
    limit = int(request.app.state.settings.check_rate_per_minute)
    if wait := window(request, "admin_check_window").hit(f"user:{user_id}", limit, at):
        raise RateLimited(
            f"用户 {username} 每分钟最多核查 {limit} 次，请 {wait} 秒后再试",
            f"user {username} may run {limit} checks a minute; retry in {wait} s",
            wait,
            limit=limit,
            per="minute",
        )
