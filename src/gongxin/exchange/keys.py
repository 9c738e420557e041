"""API keys for departments' systems: shown once, stored hashed, expiring and revocable.

A key looks like ``gx_<8-char prefix>_<secret>``. The prefix finds the row; the SHA-256 of the
whole key proves it (keys are 256-bit random, so a fast hash is the right tool here; passwords
get argon2).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from gongxin.db.models import api_keys
from gongxin.errors import InvalidInput, NotFound, Unauthorized
from gongxin.exchange import departments
from gongxin.exchange.departments import Department


@dataclass(frozen=True)
class NewKey:
    key: str  # the plaintext, shown once
    prefix: str
    department: str
    expires_at: datetime | None


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create(
    conn: sa.Connection, department: str, *, now: datetime, expires_days: int | None = None
) -> NewKey:
    dept = departments.get(conn, department)
    if expires_days is not None and expires_days <= 0:
        raise InvalidInput("有效天数须为正数", "--expires-days must be positive")
    prefix = secrets.token_hex(4)
    key = f"gx_{prefix}_{secrets.token_urlsafe(32)}"
    expires = now + timedelta(days=expires_days) if expires_days else None
    conn.execute(
        api_keys.insert().values(
            department_id=dept.id,
            prefix=prefix,
            key_hash=_hash(key),
            created_at=now,
            expires_at=expires,
        )
    )
    return NewKey(key, prefix, dept.name, expires)


def prefix_of(key_or_prefix: str) -> str:
    """The prefix of a key, given the key itself, ``gx_<prefix>`` or the bare prefix."""
    parts = key_or_prefix.strip().split("_")
    return parts[1] if len(parts) >= 2 and parts[0] == "gx" else key_or_prefix.strip()


def revoke(conn: sa.Connection, key_or_prefix: str, *, now: datetime) -> None:
    prefix = prefix_of(key_or_prefix)
    result = conn.execute(
        api_keys.update()
        .where(api_keys.c.prefix == prefix, api_keys.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    if result.rowcount == 0:
        raise NotFound(f"没有有效的密钥 {prefix}", f"no active key with prefix {prefix}")


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def authenticate(conn: sa.Connection, key: str, *, now: datetime) -> Department:
    """The department a key belongs to; Unauthorized when missing, wrong, expired or revoked."""
    refused = Unauthorized("API 密钥无效、已过期或已吊销", "API key invalid, expired or revoked")
    parts = key.split("_")
    if len(parts) < 3 or parts[0] != "gx":
        raise refused
    row = conn.execute(sa.select(api_keys).where(api_keys.c.prefix == parts[1])).first()
    if row is None or not hmac.compare_digest(row.key_hash, _hash(key)):
        raise refused
    if row.revoked_at is not None:
        raise refused
    if row.expires_at is not None and _aware(row.expires_at) <= now:
        raise refused
    return departments.by_id(conn, row.department_id)
