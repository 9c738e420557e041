"""How much checking a department's key may do: calls per minute and subjects per day.

* ``check_rate_per_minute`` calls of ``POST /api/v1/checks`` per key within any minute, counted
  in this server process (a sliding window; with several processes each allows the rate).
* ``check_quota_per_day`` subjects per key per China calendar day, counted in the database
  (``check_usage``), so the quota holds across all processes; counted by the check log's
  group writer in the transaction that logs the checks (``charge``: one upsert per key per
  batch). A call that would go over it is refused whole and neither counted nor logged.

Every check is logged (about 470 bytes per subject), so these limits also bound how fast the
check log can grow. Over either one the call is refused with :class:`RateLimited` (429) and
the seconds to wait (``Retry-After``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

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


@dataclass(frozen=True)
class Charge:
    """The subjects one check counts against its key's day quota (``charge``)."""

    key_id: int
    prefix: str
    subjects: int
    limit: int
    now: datetime


def charge(conn: sa.Connection, charges: Sequence[Charge | None]) -> list[RateLimited | None]:
    """Count checks' subjects against their keys' day quotas, in order, in the caller's
    transaction: the check log's group writer charges a batch in the transaction that logs it,
    so a check is counted if and only if it is logged, and only that one thread updates the
    usage rows. One upsert per key and day; a check that would go over its key's quota is
    refused whole and not counted (its RateLimited in its place, else None; None also for a
    check with nothing to charge), and a later, smaller one is still counted if it fits."""
    verdicts: list[RateLimited | None] = [None] * len(charges)
    groups: dict[tuple[int, date], list[tuple[int, Charge]]] = {}
    for i, c in enumerate(charges):
        if c is not None:
            groups.setdefault((c.key_id, local_date(c.now)), []).append((i, c))
    for (key_id, day), members in groups.items():
        row = {"key_id": key_id, "day": day}
        total = sum(c.subjects for _, c in members)
        used = dialect.increment(conn, check_usage, row, "subjects", by=total) - total
        refused = 0
        for i, c in members:
            if used + c.subjects <= c.limit:
                used += c.subjects
            else:
                verdicts[i] = _over_quota(c, used)
                refused += c.subjects
        if refused:
            dialect.increment(conn, check_usage, row, "subjects", by=-refused)
    return verdicts


def _over_quota(c: Charge, used: int) -> RateLimited:
    wait = seconds_to_next_day(c.now)
    return RateLimited(
        f"密钥 {c.prefix} 每日最多核查 {c.limit:,} 个主体，今日已用 "
        f"{used:,} 个，本次 {c.subjects:,} 个将超出；请 {wait} 秒后（次日，北京时间）再试",
        f"key {c.prefix} may check {c.limit:,} subjects a day; {used:,} used "
        f"today, {c.subjects:,} more would exceed it; retry in {wait} s (tomorrow, China time)",
        wait,
        limit=c.limit,
        per="day",
        used=used,
        asked=c.subjects,
    )
