"""Login throttling, kept per account name *and* source address, with a growing lock.

Wrong passwords are counted for the pair (name as typed, client address). After
``max_failures`` in a row the pair is locked for ``lockout``; each further failure after a lock
ends locks it again for twice as long (``lockout`` × 2ⁿ), up to ``longest``. Attempts while
locked are refused without being counted. A success, or a password reset, clears the count.

So a stranger's wrong passwords lock only the stranger's own address out of that account: the
account's owner, logging in from elsewhere, is not held out, and no trickle of failures can
keep an account (the last centre admin's included) locked for everyone. Names that belong to no
account are counted exactly like real ones, so that locking reveals nothing either. A count
left alone for ``longest`` starts over, and such stale rows are deleted as new failures come.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from gongxin.clock import as_utc
from gongxin.db import dialect
from gongxin.db.security_tables import login_throttle

NAME_MAX = 64
ADDRESS_MAX = 64


@dataclass(frozen=True)
class Rules:
    max_failures: int = 5
    lockout: timedelta = timedelta(minutes=15)
    longest: timedelta = timedelta(hours=24)

    def lock_for(self, failures: int) -> timedelta:
        """How long the ``failures``-th failure in a row locks (zero below the threshold)."""
        if failures < self.max_failures:
            return timedelta(0)
        doublings = min(failures - self.max_failures, 30)
        longer: timedelta = self.lockout * (2**doublings)
        return min(longer, self.longest)


DEFAULT_RULES = Rules()


@dataclass(frozen=True)
class Outcome:
    failures: int
    locked_until: datetime | None


def _key(username: str, address: str) -> dict[str, str]:
    return {"username": username.strip().lower()[:NAME_MAX], "address": address[:ADDRESS_MAX]}


def _where(key: dict[str, str]) -> sa.ColumnElement[bool]:
    return sa.and_(
        login_throttle.c.username == key["username"], login_throttle.c.address == key["address"]
    )


def _row(conn: sa.Connection, key: dict[str, str]) -> sa.Row[Any, Any, Any] | None:
    t = login_throttle.c
    return conn.execute(
        sa.select(t.failures, t.last_failed_at, t.locked_until).where(_where(key))
    ).first()


def locked_until(
    conn: sa.Connection, username: str, address: str, *, now: datetime
) -> datetime | None:
    """The end of the pair's lock when it is locked at ``now``, else None."""
    row = _row(conn, _key(username, address))
    if row is None or row.locked_until is None:
        return None
    until = as_utc(row.locked_until)
    return until if until > now else None


def failed(
    conn: sa.Connection, username: str, address: str, *, now: datetime, rules: Rules
) -> Outcome:
    """Count one wrong password of the pair (not locked at ``now``); its new count and lock."""
    key = _key(username, address)
    row = _row(conn, key)
    stale = row is None or as_utc(row.last_failed_at) + rules.longest <= now
    failures = 1 if stale or row is None else row.failures + 1
    wait = rules.lock_for(failures)
    until = now + wait if wait else None
    values = {"failures": failures, "last_failed_at": now, "locked_until": until}
    if row is None:
        dialect.insert_or_update(conn, login_throttle, key, values)
    else:
        conn.execute(login_throttle.update().where(_where(key)).values(**values))
    _forget_stale(conn, now, rules)
    return Outcome(failures, until)


def _forget_stale(conn: sa.Connection, now: datetime, rules: Rules) -> None:
    conn.execute(
        login_throttle.delete().where(
            login_throttle.c.last_failed_at < now - rules.longest,
            sa.or_(login_throttle.c.locked_until.is_(None), login_throttle.c.locked_until < now),
        )
    )


def succeeded(conn: sa.Connection, username: str, address: str) -> None:
    """The right password from this address: its count starts over."""
    conn.execute(login_throttle.delete().where(_where(_key(username, address))))


def clear(conn: sa.Connection, username: str) -> None:
    """A new password: every address's count and lock on this name end."""
    name = _key(username, "")["username"]
    conn.execute(login_throttle.delete().where(login_throttle.c.username == name))
