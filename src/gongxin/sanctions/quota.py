"""How much checking a department's key may do: calls per minute and subjects per day.

* ``check_rate_per_minute`` calls of ``POST /api/v1/checks`` per key within any minute, counted
  in this server process (a sliding window; with several processes each allows the rate).
* ``check_quota_per_day`` subjects per key per China calendar day, counted in the database
  (``check_usage``, one atomic upsert per call), so the quota holds across all processes. A
  call that would go over it is refused whole and not counted.

Every check is logged (about 470 bytes per subject), so these limits also bound how fast the
check log can grow. Over either one the call is refused with :class:`RateLimited` (429) and
the seconds to wait (``Retry-After``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from gongxin.clock import CHINA_TZ, as_utc, local_date
from gongxin.db import dialect
from gongxin.db.security_tables import check_usage
from gongxin.errors import RateLimited
from gongxin.identity.keys import KeyInfo
from gongxin.ratelimit import SlidingWindow


@dataclass(frozen=True)
class Limits:
    rate_per_minute: int
    subjects_per_day: int


def seconds_to_next_day(now: datetime) -> int:
    """Seconds from ``now`` until the next China calendar day starts (when quotas renew)."""
    midnight = datetime.combine(local_date(now) + timedelta(days=1), datetime.min.time(), CHINA_TZ)
    return max(1, int((midnight - as_utc(now)).total_seconds()) + 1)


def used_today(conn: sa.Connection, key: KeyInfo, now: datetime) -> int:
    """Subjects the key has checked today (China time)."""
    found = conn.execute(
        sa.select(check_usage.c.subjects).where(
            check_usage.c.key_id == key.id, check_usage.c.day == local_date(now)
        )
    ).scalar_one_or_none()
    return int(found or 0)


def admit(
    conn: sa.Connection,
    window: SlidingWindow,
    key: KeyInfo,
    subjects: int,
    limits: Limits,
    *,
    now: datetime,
) -> int:
    """Count a call checking ``subjects`` against the key's limits (``pace``, then ``count``);
    the subjects used today including these. RateLimited (nothing counted) when over the rate
    or the day's quota."""
    pace(window, key, limits, now=now)
    return count(conn, key, subjects, limits, now=now)


def pace(window: SlidingWindow, key: KeyInfo, limits: Limits, *, now: datetime) -> None:
    """Count a call against the key's rate (in this process, no database); RateLimited when
    over it. The API paces a call before doing any work for it."""
    wait = window.hit(f"check:{key.prefix}", limits.rate_per_minute, now.timestamp())
    if wait:
        raise RateLimited(
            f"密钥 {key.prefix} 每分钟最多核查 {limits.rate_per_minute} 次，请 {wait} 秒后再试",
            f"key {key.prefix} may run {limits.rate_per_minute} checks a minute; retry in {wait} s",
            wait,
            limit=limits.rate_per_minute,
            per="minute",
        )


def count(
    conn: sa.Connection, key: KeyInfo, subjects: int, limits: Limits, *, now: datetime
) -> int:
    """Count ``subjects`` against the key's day quota and commit ``conn``'s transaction (the
    API counts on the connection the check has read with, closing its transaction in the same
    commit); the subjects used today including these. RateLimited (nothing counted, the
    transaction rolled back) when over the quota."""
    used = dialect.increment(
        conn, check_usage, {"key_id": key.id, "day": local_date(now)}, "subjects", by=subjects
    )
    if used <= limits.subjects_per_day:
        conn.commit()
        return used
    conn.rollback()  # refused whole: these subjects are not counted
    before = used - subjects
    wait = seconds_to_next_day(now)
    raise RateLimited(
        f"密钥 {key.prefix} 每日最多核查 {limits.subjects_per_day:,} 个主体，今日已用 "
        f"{before:,} 个，本次 {subjects:,} 个将超出；请 {wait} 秒后（次日，北京时间）再试",
        f"key {key.prefix} may check {limits.subjects_per_day:,} subjects a day; {before:,} used "
        f"today, {subjects:,} more would exceed it; retry in {wait} s (tomorrow, China time)",
        wait,
        limit=limits.subjects_per_day,
        per="day",
        used=before,
        asked=subjects,
    )
