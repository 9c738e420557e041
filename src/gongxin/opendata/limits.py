"""Who may make one more open-data request now: per-minute rates and per-day quotas.

- Without a key, each client address may make ``opendata_anonymous_rate_per_minute`` requests
  per minute; there is no daily quota.
- With an open-data key, the key's own rate per minute applies, and its quota per China
  calendar day, counted in the database (``opendata_usage``, one atomic upsert per request).
- The per-minute window is a sliding window held in this server process: with several server
  processes each one allows the rate on its own. The daily quota is shared by all processes.

Over either limit the request is refused with :class:`RateLimited` (HTTP 429) and the seconds
until the limit frees (``Retry-After``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from gongxin.clock import local_date
from gongxin.db import dialect
from gongxin.db.opendata_tables import opendata_usage
from gongxin.errors import Busy
from gongxin.opendata import keys
from gongxin.ratelimit import SlidingWindow


class RateLimited(Busy):
    """Too many requests: try again after ``retry_after`` seconds."""

    status = 429
    code = "rate_limited"

    def __init__(self, zh: str, en: str, retry_after: int) -> None:
        super().__init__(zh, en, retry_after=retry_after)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Caller:
    """Who is asking: ``key:<prefix>`` for a key holder, ``ip:<address>`` otherwise."""

    label: str
    key: keys.KeyInfo | None = None


def admit(
    engine: sa.Engine,
    window: SlidingWindow,
    *,
    key: str | None,
    address: str,
    anonymous_rate: int,
    now: datetime,
) -> Caller:
    """Let one request through or raise: Forbidden for a bad key, RateLimited over a limit."""
    at = now.timestamp()
    if not key:
        wait = window.hit(f"ip:{address}", anonymous_rate, at)
        if wait:
            raise RateLimited(
                f"匿名访问每分钟最多 {anonymous_rate} 次，请 {wait} 秒后再试，或申请开放数据密钥",
                f"anonymous use allows {anonymous_rate} requests a minute; retry in {wait} s "
                "or use an open-data key",
                wait,
            )
        return Caller(f"ip:{address}")
    with engine.connect() as conn:
        info = keys.check(conn, key, now=now)
    wait = window.hit(f"key:{info.prefix}", info.rate_per_minute, at)
    if wait:
        raise RateLimited(
            f"密钥 {info.prefix} 每分钟最多 {info.rate_per_minute} 次，请 {wait} 秒后再试",
            f"key {info.prefix} allows {info.rate_per_minute} requests a minute; retry in {wait} s",
            wait,
        )
    with engine.begin() as conn:
        used = dialect.increment(
            conn, opendata_usage, {"key_id": info.id, "day": local_date(now)}, "requests"
        )
    if used > info.quota_per_day:
        wait = keys.seconds_to_next_day(now)
        raise RateLimited(
            f"密钥 {info.prefix} 今日配额 {info.quota_per_day} 次已用完，"
            f"请 {wait} 秒后（次日）再试",
            f"key {info.prefix} has used its {info.quota_per_day} requests of today; "
            f"retry in {wait} s (tomorrow, China time)",
            wait,
        )
    return Caller(f"key:{info.prefix}", info)
