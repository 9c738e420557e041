"""Open-data keys: for anyone who needs more than anonymous use allows.

A key looks like ``od_<8-char prefix>_<secret>``; it is shown once and stored as the SHA-256 of
the whole key (256-bit random keys need no slow hash). Each key carries its own quota of
requests per China calendar day and rate of requests per minute. Unlike the departments' keys
(``gx_…``, gongxin.identity.keys) an open-data key grants no access to anything non-public: it
only lifts the anonymous limits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from gongxin.audit import log as audit
from gongxin.clock import CHINA_TZ, as_utc, local_date
from gongxin.db.opendata_tables import opendata_keys, opendata_usage
from gongxin.errors import Forbidden, InvalidInput, NotFound
from gongxin.identity import tokens

KEY_PREFIX = "od"


@dataclass(frozen=True)
class NewKey:
    key: str  # the plaintext, shown once
    prefix: str
    holder: str
    quota_per_day: int
    rate_per_minute: int
    expires_at: datetime | None


@dataclass(frozen=True)
class KeyInfo:
    id: int
    prefix: str
    holder: str
    quota_per_day: int
    rate_per_minute: int
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    used_today: int = 0

    def state(self, now: datetime) -> str:
        return tokens.state(self.revoked_at, self.expires_at, now)


def _positive(value: int, zh: str, option: str) -> None:
    if value <= 0:
        raise InvalidInput(f"{zh}须为正整数：{value}", f"{option} must be positive: {value}")


def create(
    conn: sa.Connection,
    holder: str,
    *,
    now: datetime,
    quota_per_day: int,
    rate_per_minute: int,
    expires_days: int | None = None,
    actor: str = "cli",
) -> NewKey:
    """A new open-data key for ``holder`` (a person, company or app); audited as ``actor``."""
    holder = holder.strip()
    if not holder or len(holder) > 200:
        raise InvalidInput(
            "使用者名称须为 1 至 200 个字符", "the holder's name must have 1 to 200 characters"
        )
    _positive(quota_per_day, "日配额", "--quota-per-day")
    _positive(rate_per_minute, "每分钟请求数", "--rate-per-minute")
    if expires_days is not None:
        _positive(expires_days, "有效天数", "--expires-days")
    minted = tokens.mint(KEY_PREFIX)
    key, prefix = minted.key, minted.prefix
    expires = now + timedelta(days=expires_days) if expires_days else None
    conn.execute(
        opendata_keys.insert().values(
            prefix=prefix,
            key_hash=minted.digest,
            holder=holder,
            quota_per_day=quota_per_day,
            rate_per_minute=rate_per_minute,
            created_at=now,
            expires_at=expires,
        )
    )
    audit.record(
        conn,
        actor=actor,
        action="opendata.key.create",
        target=f"opendata-key:{prefix}",
        now=now,
        detail={
            "holder": holder,
            "quota_per_day": quota_per_day,
            "rate_per_minute": rate_per_minute,
            "expires_at": expires.isoformat() if expires else None,
        },
    )
    return NewKey(key, prefix, holder, quota_per_day, rate_per_minute, expires)


def _info(row: sa.Row[object], used_today: int = 0) -> KeyInfo:
    m = row._mapping
    return KeyInfo(
        m["id"], m["prefix"], m["holder"], m["quota_per_day"], m["rate_per_minute"],
        m["created_at"], m["expires_at"], m["revoked_at"], used_today,
    )  # fmt: skip


def all_keys(conn: sa.Connection, *, now: datetime) -> list[KeyInfo]:
    """Every open-data key, newest first, with its requests of today (China time)."""
    today = conn.execute(
        sa.select(opendata_usage.c.key_id, opendata_usage.c.requests).where(
            opendata_usage.c.day == local_date(now)
        )
    )
    used = {key_id: n for key_id, n in today}
    rows = conn.execute(sa.select(opendata_keys).order_by(opendata_keys.c.id.desc()))
    return [_info(r, used.get(r.id, 0)) for r in rows]


def prefix_of(key_or_prefix: str) -> str:
    """The prefix of a key, given the key itself, ``od_<prefix>`` or the bare prefix."""
    return tokens.prefix_of(key_or_prefix, KEY_PREFIX)


def revoke(conn: sa.Connection, key_or_prefix: str, *, now: datetime, actor: str = "cli") -> None:
    prefix = prefix_of(key_or_prefix)
    done = conn.execute(
        opendata_keys.update()
        .where(opendata_keys.c.prefix == prefix, opendata_keys.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    if done.rowcount != 1:
        raise NotFound(
            f"没有有效的开放数据密钥 {prefix}", f"no active open-data key with prefix {prefix}"
        )
    audit.record(
        conn, actor=actor, action="opendata.key.revoke", target=f"opendata-key:{prefix}", now=now
    )


def check(conn: sa.Connection, key: str, *, now: datetime) -> KeyInfo:
    """The stored key behind ``key``; Forbidden when unknown, wrong, expired or revoked."""
    refused = Forbidden(
        "开放数据密钥无效、已过期或已吊销", "open-data key invalid, expired or revoked"
    )
    prefix = tokens.parse(key.strip(), KEY_PREFIX)
    if prefix is None:
        raise refused
    row = conn.execute(sa.select(opendata_keys).where(opendata_keys.c.prefix == prefix)).first()
    if row is None or not tokens.proves(key.strip(), row.key_hash):
        raise refused
    info = _info(row)
    if info.state(now) != "active":
        raise refused
    return info


def seconds_to_next_day(now: datetime) -> int:
    """Seconds from ``now`` until the next China calendar day starts (when quotas renew)."""
    today: date = local_date(now)
    midnight = datetime.combine(today + timedelta(days=1), datetime.min.time(), CHINA_TZ)
    return max(1, int((midnight - as_utc(now)).total_seconds()) + 1)
