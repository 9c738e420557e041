"""Server-side sessions: only a hash is stored; they end at logout, idle, absolute end, disable."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
import sqlalchemy as sa

from gongxin.db import migrate
from gongxin.db.accounts_tables import sessions as sessions_table
from gongxin.db.engine import make_engine
from gongxin.identity import accounts, departments, sessions
from gongxin.identity.accounts import User
from tests.intake.helpers import AS_OF, PROVIDER

IDLE = timedelta(minutes=30)
ABSOLUTE = timedelta(hours=12)


@pytest.fixture
def conn(db_url: str) -> Iterator[sa.Connection]:
    engine = make_engine(db_url)
    try:
        migrate.upgrade(engine)
        with engine.begin() as connection:
            departments.add(connection, PROVIDER, kind="provider", code=None, now=AS_OF)
            for name in ("clerk", "boss"):
                accounts.add_user(
                    connection,
                    name,
                    department=PROVIDER,
                    roles=["dept_clerk" if name == "clerk" else "dept_admin"],
                    password="Office-pass-2026",
                    now=AS_OF,
                )
            yield connection
    finally:
        engine.dispose()


def _user(conn: sa.Connection, name: str = "clerk") -> User:
    return accounts.get(conn, name)


def test_a_session_lives_while_used_and_stores_no_token(conn: sa.Connection) -> None:
    new = sessions.create(conn, _user(conn), now=AS_OF, absolute=ABSOLUTE)
    stored = conn.execute(sa.select(sessions_table)).one()
    assert stored.id == sessions.session_id(new.token) != new.token
    assert new.token not in str(stored)
    moment = AS_OF
    for _ in range(5):  # active every 25 minutes: never idle for 30
        moment += timedelta(minutes=25)
        found = sessions.lookup(conn, new.token, now=moment, idle=IDLE)
        assert found is not None and found.user.username == "clerk"
        sessions.touch(conn, found, now=moment)
    assert sessions.lookup(conn, "not-a-token", now=moment, idle=IDLE) is None


def test_a_session_ends_when_idle_or_at_its_absolute_end(conn: sa.Connection) -> None:
    idle = sessions.create(conn, _user(conn), now=AS_OF, absolute=ABSOLUTE)
    assert sessions.lookup(conn, idle.token, now=AS_OF + IDLE, idle=IDLE) is None
    busy = sessions.create(conn, _user(conn), now=AS_OF, absolute=timedelta(hours=1))
    moment = AS_OF
    while moment < AS_OF + timedelta(minutes=55):
        moment += timedelta(minutes=5)
        found = sessions.lookup(conn, busy.token, now=moment, idle=IDLE)
        assert found is not None
        sessions.touch(conn, found, now=moment)
    assert sessions.lookup(conn, busy.token, now=AS_OF + timedelta(hours=1), idle=IDLE) is None


def test_logout_disable_and_password_reset_end_sessions(conn: sa.Connection) -> None:
    first = sessions.create(conn, _user(conn), now=AS_OF, absolute=ABSOLUTE)
    sessions.end(conn, first.token, now=AS_OF)
    assert sessions.lookup(conn, first.token, now=AS_OF, idle=IDLE) is None
    second = sessions.create(conn, _user(conn), now=AS_OF, absolute=ABSOLUTE)
    accounts.set_password(conn, "clerk", "Other-pass-2026", now=AS_OF)
    assert sessions.lookup(conn, second.token, now=AS_OF, idle=IDLE) is None
    third = sessions.create(conn, _user(conn), now=AS_OF, absolute=ABSOLUTE)
    accounts.set_active(conn, "clerk", False, now=AS_OF, by=_user(conn, "boss"))
    assert sessions.lookup(conn, third.token, now=AS_OF, idle=IDLE) is None


def test_each_session_has_its_own_csrf_token(conn: sa.Connection) -> None:
    a = sessions.create(conn, _user(conn), now=AS_OF, absolute=ABSOLUTE)
    b = sessions.create(conn, _user(conn), now=AS_OF, absolute=ABSOLUTE)
    assert len(a.session.csrf_token) >= 40 and a.session.csrf_token != b.session.csrf_token
