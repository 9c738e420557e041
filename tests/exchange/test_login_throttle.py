"""Logging in safely: the same work on every path, a lock a stranger cannot hold on someone
else's account, a lock that grows, unknown names audited, a password policy with teeth."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from gongxin.db import migrate
from gongxin.db.audit_tables import audit_log
from gongxin.db.engine import make_engine
from gongxin.errors import InvalidInput, Unauthorized
from gongxin.identity import accounts, departments, throttle
from tests.intake.helpers import AS_OF

CENTRE = "市信用中心"
PASSWORD = "Correct-horse-9"
HOME = "192.0.2.10"  # the admin's office
STRANGER = "198.51.100.66"
RULES = throttle.Rules(max_failures=3, lockout=timedelta(minutes=15), longest=timedelta(hours=24))


@pytest.fixture
def conn(db_url: str) -> Iterator[sa.Connection]:
    engine = make_engine(db_url)
    try:
        migrate.upgrade(engine)
        with engine.begin() as connection:
            departments.add(connection, CENTRE, kind="centre", code=None, now=AS_OF)
            accounts.add_user(
                connection, "root", department=CENTRE, roles=["centre_admin"],
                password=PASSWORD, now=AS_OF,
            )  # fmt: skip
            accounts.add_user(
                connection, "gone", department=CENTRE, roles=["auditor"],
                password=PASSWORD, now=AS_OF,
            )  # fmt: skip
            accounts.set_active(connection, "gone", False, now=AS_OF)
            yield connection
    finally:
        engine.dispose()


def _login(
    conn: sa.Connection, name: str, password: str, at: datetime, address: str = HOME
) -> bool:
    try:
        accounts.authenticate(conn, name, password, now=at, address=address, rules=RULES)
    except Unauthorized:
        return False
    return True


class CountingHasher:
    """The real hasher, counting the verifications it is asked to do."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.verified = 0

    def verify(self, stored: str, password: str) -> bool:
        self.verified += 1
        result: bool = self.inner.verify(stored, password)
        return result

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def test_every_refusal_costs_one_password_verification(
    conn: sa.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    for _ in range(RULES.max_failures):
        assert not _login(conn, "root", "Wrong-password-1", AS_OF, STRANGER)
    counter = CountingHasher(accounts._hasher)
    monkeypatch.setattr(accounts, "_hasher", counter)
    cases = {
        "locked": ("root", PASSWORD, STRANGER),  # the right password, from the locked address
        "unknown": ("nobody", PASSWORD, HOME),
        "wrong": ("root", "Wrong-password-2", HOME),
        "disabled": ("gone", PASSWORD, HOME),
    }
    answers = {}
    for case, (name, password, address) in cases.items():
        before = counter.verified
        with pytest.raises(Unauthorized) as refused:
            accounts.authenticate(conn, name, password, now=AS_OF, address=address, rules=RULES)
        assert counter.verified - before == 1, case
        answers[case] = refused.value.to_dict()
    assert len({str(a) for a in answers.values()}) == 1  # one answer, whatever the reason
    before = counter.verified
    assert _login(conn, "root", PASSWORD, AS_OF, HOME)
    assert counter.verified - before == 1


def test_a_strangers_drip_of_wrong_passwords_never_keeps_the_owner_out(
    conn: sa.Connection,
) -> None:
    at = AS_OF
    for _ in range(40):  # one wrong password every 15 minutes for ten hours
        _login(conn, "root", "Guess-number-1", at, STRANGER)
        assert _login(conn, "root", PASSWORD, at + timedelta(seconds=1), HOME)
        at += timedelta(minutes=15)
    # the stranger, meanwhile, is held out even with the right password
    assert not _login(conn, "root", PASSWORD, at, STRANGER)


def test_each_further_failure_locks_for_twice_as_long(conn: sa.Connection) -> None:
    at = AS_OF
    for _ in range(RULES.max_failures):
        assert not _login(conn, "root", "Wrong-password-1", at, STRANGER)
    locks = []
    for _ in range(4):
        until = throttle.locked_until(conn, "root", STRANGER, now=at)
        assert until is not None
        locks.append(until - at)
        assert not _login(conn, "root", PASSWORD, until - timedelta(seconds=1), STRANGER)
        at = until  # the lock has ended: one more wrong password locks again
        assert not _login(conn, "root", "Wrong-password-1", at, STRANGER)
    assert locks == [timedelta(minutes=m) for m in (15, 30, 60, 120)]
    assert throttle.DEFAULT_RULES.lock_for(100) == timedelta(hours=24)  # capped
    assert _login(conn, "root", PASSWORD, at, HOME)  # the owner, all along


def test_unknown_names_are_audited_with_the_source_address(conn: sa.Connection) -> None:
    assert not _login(conn, "no.such.admin", "Whatever-pass-1", AS_OF, STRANGER)
    entry = conn.execute(
        sa.select(audit_log).where(audit_log.c.target == "user:no.such.admin")
    ).one()
    assert entry.action == "user.login_failed" and entry.actor == "anonymous"
    assert entry.detail["address"] == STRANGER and entry.detail["unknown_user"] is True
    assert not _login(conn, "root", "Wrong-password-1", AS_OF, HOME)
    known = conn.execute(
        sa.select(audit_log.c.detail).where(
            audit_log.c.target == "user:root", audit_log.c.action == "user.login_failed"
        )
    ).scalar_one()
    assert known["address"] == HOME


@pytest.mark.parametrize(
    ("username", "password", "rule"),
    [
        ("alice", "Password12", "常见"),
        ("alice", "P@ssw0rd-2026", "常见"),
        ("alice", "Qwerty2026!", "常见"),
        ("alice", " padded-Pass-7 ", "空格"),
        ("alice", "alice2024", "用户名"),
        ("alice", "Alice-2024-x", "用户名"),
    ],
)
def test_the_password_policy_refuses_guessable_passwords(
    conn: sa.Connection, username: str, password: str, rule: str
) -> None:
    with pytest.raises(InvalidInput, match=rule):
        accounts.add_user(
            conn, username, department=CENTRE, roles=["auditor"], password=password, now=AS_OF
        )
    for_root = re.sub("alice", "root", password, flags=re.IGNORECASE)
    with pytest.raises(InvalidInput, match=rule):
        accounts.set_password(conn, "root", for_root, now=AS_OF)


def test_a_strong_password_passes_the_policy(conn: sa.Connection) -> None:
    accounts.add_user(
        conn, "alice", department=CENTRE, roles=["auditor"], password="Tea-kettle-sings-42",
        now=AS_OF,
    )  # fmt: skip
    assert _login(conn, "alice", "Tea-kettle-sings-42", AS_OF)
