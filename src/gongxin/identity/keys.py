"""API keys for departments' systems: shown once, stored hashed, expiring and revocable.

A key looks like ``gx_<8-char prefix>_<secret>``. The prefix finds the row; the SHA-256 of the
whole key proves it (keys are 256-bit random, so a fast hash is the right tool here; passwords
get argon2).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from gongxin.audit import log as audit
from gongxin.clock import as_utc
from gongxin.db.models import api_keys
from gongxin.db.models import departments as departments_table
from gongxin.errors import Forbidden, InvalidInput, NotFound, Unauthorized
from gongxin.identity import departments, tokens
from gongxin.identity.departments import Department
from gongxin.identity.roles import ALL_SCOPES, Scope

KIND = "gx"  # what a department key starts with


@dataclass(frozen=True)
class NewKey:
    key: str  # the plaintext, shown once
    prefix: str
    department: str
    expires_at: datetime | None
    scopes: frozenset[Scope] = ALL_SCOPES


@dataclass(frozen=True)
class KeyInfo:
    """A stored key as the back office lists it (never its secret)."""

    prefix: str
    department: Department
    scopes: frozenset[Scope]
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None
    id: int = 0

    def state(self, now: datetime) -> str:
        return tokens.state(self.revoked_at, self.expires_at, now)


def parse_scopes(names: Iterable[str] | None) -> frozenset[Scope]:
    """Scope names as given (CLI, form); none given means all scopes."""
    names = [n.strip() for n in names or () if n.strip()]
    if not names:
        return ALL_SCOPES
    known = [s.value for s in Scope]
    for name in names:
        if name not in known:
            raise InvalidInput(
                f"权限范围“{name}”无效，可选：{'、'.join(known)}",
                f"invalid scope {name!r}; choose from {', '.join(known)}",
            )
    return frozenset(Scope(n) for n in names)


def _scopes_of(stored: object) -> frozenset[Scope]:
    names = stored if isinstance(stored, list) else []
    return frozenset(Scope(n) for n in names if n in Scope.__members__.values())


def create(
    conn: sa.Connection,
    department: str,
    *,
    now: datetime,
    expires_days: int | None = None,
    scopes: Iterable[str] | None = None,
    actor: str = "cli",
) -> NewKey:
    """A new key for ``department`` with ``scopes`` (default all); audited as ``actor``."""
    dept = departments.get(conn, department)
    if expires_days is not None and expires_days <= 0:
        raise InvalidInput("有效天数须为正数", "--expires-days must be positive")
    granted = parse_scopes(scopes)
    minted = tokens.mint(KIND)
    key, prefix = minted.key, minted.prefix
    expires = now + timedelta(days=expires_days) if expires_days else None
    conn.execute(
        api_keys.insert().values(
            department_id=dept.id,
            prefix=prefix,
            key_hash=minted.digest,
            created_at=now,
            expires_at=expires,
            scopes=sorted(granted),
        )
    )
    audit.record(
        conn,
        actor=actor,
        action="key.create",
        target=f"key:{prefix}",
        now=now,
        department_id=dept.id,
        detail={"scopes": sorted(granted), "expires_at": expires.isoformat() if expires else None},
    )
    return NewKey(key, prefix, dept.name, expires, granted)


def all_keys(conn: sa.Connection, department_id: int | None = None) -> list[KeyInfo]:
    """Every stored key (of one department when given), newest first."""
    query = sa.select(api_keys).order_by(api_keys.c.id.desc())
    if department_id is not None:
        query = query.where(api_keys.c.department_id == department_id)
    depts = {d.id: d for d in departments.all_departments(conn)}
    return [
        KeyInfo(
            r.prefix,
            depts[r.department_id],
            _scopes_of(r.scopes),
            r.created_at,
            r.expires_at,
            r.revoked_at,
            r.last_used_at,
            r.id,
        )
        for r in conn.execute(query)
    ]


def prefix_of(key_or_prefix: str) -> str:
    """The prefix of a key, given the key itself, ``gx_<prefix>`` or the bare prefix."""
    return tokens.prefix_of(key_or_prefix, KIND)


def revoke(
    conn: sa.Connection,
    key_or_prefix: str,
    *,
    now: datetime,
    actor: str = "cli",
    department_id: int | None = None,
) -> None:
    """Revoke a key; with ``department_id``, only a key of that department (a dept admin's)."""
    prefix = prefix_of(key_or_prefix)
    row = conn.execute(
        sa.select(api_keys.c.department_id).where(
            api_keys.c.prefix == prefix, api_keys.c.revoked_at.is_(None)
        )
    ).first()
    if row is None:
        raise NotFound(f"没有有效的密钥 {prefix}", f"no active key with prefix {prefix}")
    if department_id is not None and row.department_id != department_id:
        raise Forbidden(
            f"密钥 {prefix} 不属于本部门，不能吊销", f"key {prefix} belongs to another department"
        )
    conn.execute(api_keys.update().where(api_keys.c.prefix == prefix).values(revoked_at=now))
    audit.record(
        conn,
        actor=actor,
        action="key.revoke",
        target=f"key:{prefix}",
        now=now,
        department_id=row.department_id,
    )


def authenticate(conn: sa.Connection, key: str, *, now: datetime) -> Department:
    """The department a key belongs to; Unauthorized when missing, wrong, expired or revoked."""
    return check(conn, key, now=now).department


# One indexed query per authenticated call: the key and its department together.
_BY_PREFIX = (
    sa.select(
        api_keys,
        *(c.label(f"d_{c.name}") for c in departments_table.c if c.name != "id"),
    )
    .join(departments_table, departments_table.c.id == api_keys.c.department_id)
    .where(api_keys.c.prefix == sa.bindparam("prefix"))
)


def check(conn: sa.Connection, key: str, *, now: datetime) -> KeyInfo:
    """The stored key behind ``key``; Unauthorized when wrong, unknown, expired or revoked."""
    refused = Unauthorized("API 密钥无效、已过期或已吊销", "API key invalid, expired or revoked")
    prefix = tokens.parse(key, KIND)
    if prefix is None:
        raise refused
    row = conn.execute(_BY_PREFIX, {"prefix": prefix}).first()
    if row is None or not tokens.proves(key, row.key_hash):
        raise refused
    if tokens.state(row.revoked_at, row.expires_at, now) != "active":
        raise refused
    dept = Department(
        row.department_id,
        row.d_name,
        row.d_code,
        row.d_kind,
        row.d_created_at,
        row.d_parent_id,
        row.d_region,
    )
    return KeyInfo(
        row.prefix,
        dept,
        _scopes_of(row.scopes),
        row.created_at,
        row.expires_at,
        row.revoked_at,
        row.last_used_at,
        row.id,
    )


USED_EVERY = timedelta(seconds=60)  # last_used_at is written at most this often per key


def use_due(key: KeyInfo, *, now: datetime) -> bool:
    """Whether to note the key's use now: at most once a minute, to spare a write per call."""
    return key.last_used_at is None or now - as_utc(key.last_used_at) >= USED_EVERY


def note_use(conn: sa.Connection, key: KeyInfo, *, now: datetime) -> None:
    """Record ``now`` as the key's last use (when ``use_due``), in the caller's transaction."""
    if use_due(key, now=now):
        conn.execute(api_keys.update().where(api_keys.c.id == key.id).values(last_used_at=now))
