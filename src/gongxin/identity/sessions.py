"""Server-side sessions of back-office users.

The browser holds only a random token (in an HttpOnly cookie); the database holds its SHA-256,
so a leaked table cannot be replayed. A session ends at logout, after ``idle`` without a
request, at its absolute end (``expires_at``, fixed at login), when the user is disabled or
their password is reset. Each session carries its own CSRF token.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from gongxin.clock import as_utc
from gongxin.db.accounts_tables import sessions
from gongxin.identity import accounts
from gongxin.identity.accounts import User

TOUCH_EVERY = timedelta(seconds=60)  # last_seen_at is written at most this often


@dataclass(frozen=True)
class Session:
    id: str  # SHA-256 of the token
    user: User
    csrf_token: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class NewSession:
    token: str  # the cookie's value, never stored
    session: Session


def session_id(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create(conn: sa.Connection, user: User, *, now: datetime, absolute: timedelta) -> NewSession:
    token = secrets.token_urlsafe(32)
    session = Session(session_id(token), user, secrets.token_urlsafe(32), now, now, now + absolute)
    conn.execute(
        sessions.insert().values(
            id=session.id,
            user_id=user.id,
            csrf_token=session.csrf_token,
            created_at=now,
            last_seen_at=now,
            expires_at=session.expires_at,
        )
    )
    return NewSession(token, session)


def lookup(conn: sa.Connection, token: str, *, now: datetime, idle: timedelta) -> Session | None:
    """The live session of ``token``; None when unknown, ended, expired, idle or disabled."""
    if not token:
        return None
    row = conn.execute(sa.select(sessions).where(sessions.c.id == session_id(token))).first()
    if row is None or row.ended_at is not None:
        return None
    if as_utc(row.expires_at) <= now or as_utc(row.last_seen_at) + idle <= now:
        return None
    user = accounts.by_id(conn, row.user_id)
    if not user.active:
        return None
    return Session(
        row.id,
        user,
        row.csrf_token,
        as_utc(row.created_at),
        as_utc(row.last_seen_at),
        as_utc(row.expires_at),
    )


def due(session: Session, *, now: datetime) -> bool:
    """Whether to note activity now: at most once a minute, to spare a write per request."""
    return now - session.last_seen_at >= TOUCH_EVERY


def touch(conn: sa.Connection, session: Session, *, now: datetime) -> None:
    """Note activity (when ``due``)."""
    if due(session, now=now):
        conn.execute(sessions.update().where(sessions.c.id == session.id).values(last_seen_at=now))


def end(conn: sa.Connection, token: str, *, now: datetime) -> None:
    conn.execute(
        sessions.update()
        .where(sessions.c.id == session_id(token), sessions.c.ended_at.is_(None))
        .values(ended_at=now)
    )
