"""Back-office users: argon2 passwords, the password policy, lockout, who may manage whom."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
import sqlalchemy as sa

from gongxin.audit import log as audit
from gongxin.db import migrate
from gongxin.db.accounts_tables import users
from gongxin.db.audit_tables import audit_log
from gongxin.db.engine import make_engine
from gongxin.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthorized
from gongxin.identity import accounts, departments, throttle
from gongxin.identity.accounts import User
from gongxin.identity.roles import Role
from tests.intake.helpers import AS_OF, PROVIDER

CENTRE = "市信用中心"
PASSWORD = "Correct-horse-9"
HOME = "10.0.0.1"
THREE = throttle.Rules(max_failures=3)


@pytest.fixture
def conn(db_url: str) -> Iterator[sa.Connection]:
    engine = make_engine(db_url)
    try:
        migrate.upgrade(engine)
        with engine.begin() as connection:
            departments.add(connection, CENTRE, kind="centre", code=None, now=AS_OF)
            departments.add(connection, PROVIDER, kind="provider", code=None, now=AS_OF)
            accounts.add_user(
                connection,
                "root",
                department=CENTRE,
                roles=["centre_admin"],
                password=PASSWORD,
                now=AS_OF,
            )
            yield connection
    finally:
        engine.dispose()


def _add(conn: sa.Connection, name: str, *roles: Role, dept: str = PROVIDER) -> User:
    return accounts.add_user(
        conn, name, department=dept, roles=list(roles), password=PASSWORD, now=AS_OF
    )


def test_passwords_are_stored_as_argon2_hashes_only(conn: sa.Connection) -> None:
    stored = conn.execute(sa.select(users.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored
    everything = str(conn.execute(sa.select(users)).all())
    assert PASSWORD not in everything


WEAK = [
    ("Short-1", "至少 10 个字符"),
    ("alllowercaseletters", "同一类字符"),
    ("12345678901234", "同一类字符"),
    ("ALLUPPERCASELETTERS", "同一类字符"),
]


def test_weak_passwords_are_refused_with_the_rule(conn: sa.Connection) -> None:
    for password, rule in WEAK:
        with pytest.raises(InvalidInput, match=rule):
            accounts.add_user(
                conn,
                "weak",
                department=PROVIDER,
                roles=["dept_clerk"],
                password=password,
                now=AS_OF,
            )
    with pytest.raises(NotFound):
        accounts.get(conn, "weak")
    accounts.check_password("汉字密码也可以用1234")  # letters without case count as symbols


def test_login_succeeds_with_the_password_and_records_it(conn: sa.Connection) -> None:
    user = accounts.authenticate(conn, "Root", PASSWORD, now=AS_OF, address=HOME)
    assert (user.username, user.roles, user.department.name) == (
        "root",
        frozenset({Role.CENTRE_ADMIN}),
        CENTRE,
    )
    assert user.last_login_at == AS_OF
    actions = conn.execute(sa.select(audit_log.c.action, audit_log.c.actor)).all()
    assert ("user.login", "user:root") in [tuple(a) for a in actions]


def test_wrong_passwords_lock_the_account_for_a_while(conn: sa.Connection) -> None:
    for _ in range(3):
        with pytest.raises(Unauthorized) as failed:
            accounts.authenticate(
                conn, "root", "Wrong-password-1", now=AS_OF, address=HOME, rules=THREE
            )
    assert "用户名或密码错误" in failed.value.zh
    with pytest.raises(Unauthorized):  # locked: even the right password is refused
        accounts.authenticate(
            conn, "root", PASSWORD, now=AS_OF + timedelta(minutes=14), address=HOME
        )
    later = AS_OF + timedelta(minutes=15)
    assert accounts.authenticate(conn, "root", PASSWORD, now=later, address=HOME).username == "root"
    assert accounts.get(conn, "root").locked_until is None
    assert "user.login_locked" in conn.execute(sa.select(audit_log.c.action)).scalars().all()


def test_unknown_and_disabled_users_get_the_same_answer(conn: sa.Connection) -> None:
    _add(conn, "clerk", Role.DEPT_CLERK)
    accounts.set_active(conn, "clerk", False, now=AS_OF)
    with pytest.raises(Unauthorized) as disabled:
        accounts.authenticate(conn, "clerk", PASSWORD, now=AS_OF, address=HOME)
    with pytest.raises(Unauthorized) as unknown:
        accounts.authenticate(conn, "nobody", PASSWORD, now=AS_OF, address=HOME)
    assert disabled.value.zh == unknown.value.zh


def test_a_password_reset_unlocks_and_replaces(conn: sa.Connection) -> None:
    for _ in range(5):
        with pytest.raises(Unauthorized):
            accounts.authenticate(conn, "root", "Wrong-password-1", now=AS_OF, address=HOME)
    accounts.set_password(conn, "root", "Another-pass-22", now=AS_OF)
    with pytest.raises(Unauthorized):
        accounts.authenticate(conn, "root", PASSWORD, now=AS_OF, address=HOME)
    assert (
        accounts.authenticate(conn, "root", "Another-pass-22", now=AS_OF, address=HOME).username
        == "root"
    )


def test_a_department_admin_manages_only_its_own_department(conn: sa.Connection) -> None:
    boss = _add(conn, "boss", Role.DEPT_ADMIN)
    clerk = accounts.add_user(
        conn,
        "clerk",
        department=PROVIDER,
        roles=["dept_clerk"],
        password=PASSWORD,
        now=AS_OF,
        by=boss,
    )
    accounts.set_roles(conn, clerk.username, add=["dept_admin"], now=AS_OF, by=boss)
    accounts.set_password(conn, clerk.username, "Fresh-pass-123", now=AS_OF, by=boss)
    accounts.set_active(conn, clerk.username, False, now=AS_OF, by=boss)
    with pytest.raises(Forbidden, match="本部门"):
        accounts.add_user(
            conn,
            "outsider",
            department=CENTRE,
            roles=["dept_clerk"],
            password=PASSWORD,
            now=AS_OF,
            by=boss,
        )
    with pytest.raises(Forbidden, match="本部门"):
        accounts.set_password(conn, "root", "Hijacked-pass-1", now=AS_OF, by=boss)
    with pytest.raises(Forbidden, match="信用中心管理员"):
        accounts.set_roles(conn, "boss", add=["centre_admin"], now=AS_OF, by=boss)
    with pytest.raises(Forbidden):
        accounts.set_roles(conn, "clerk", add=["auditor"], now=AS_OF, by=boss)
    clerk_only = _add(conn, "plain", Role.DEPT_CLERK)
    with pytest.raises(Forbidden):
        accounts.set_active(conn, "boss", False, now=AS_OF, by=clerk_only)
    assert Role.CENTRE_ADMIN not in accounts.get(conn, "boss").roles


def test_every_change_is_audited_with_its_actor(conn: sa.Connection) -> None:
    root = accounts.get(conn, "root")
    _add(conn, "clerk", Role.DEPT_CLERK)
    accounts.set_roles(conn, "clerk", add=["auditor"], now=AS_OF, by=root)
    accounts.set_active(conn, "clerk", False, now=AS_OF, by=root)
    trail = [(e.actor, e.action, e.target) for e in audit.entries(conn) if e.target == "user:clerk"]
    assert trail == [
        ("cli", "user.add", "user:clerk"),
        ("user:root", "user.roles", "user:clerk"),
        ("user:root", "user.disable", "user:clerk"),
    ]
    assert audit.verify(conn).ok


def test_the_last_centre_admin_stays(conn: sa.Connection) -> None:
    with pytest.raises(Conflict):
        accounts.set_active(conn, "root", False, now=AS_OF)
    with pytest.raises(Conflict):
        accounts.set_roles(conn, "root", add=["auditor"], remove=["centre_admin"], now=AS_OF)
    _add(conn, "second", Role.CENTRE_ADMIN, dept=CENTRE)
    accounts.set_active(conn, "root", False, now=AS_OF)
    assert not accounts.get(conn, "root").active


INVALID: list[tuple[str, list[str], type[Exception]]] = [
    ("Bad Name", ["dept_clerk"], InvalidInput),
    ("x", ["dept_clerk"], InvalidInput),
    ("ok-name", ["owner"], InvalidInput),
    ("ok-name", [], InvalidInput),
    ("root", ["dept_clerk"], Conflict),
]


def test_invalid_users_are_refused(conn: sa.Connection) -> None:
    for username, roles, error in INVALID:
        with pytest.raises(error):
            accounts.add_user(
                conn, username, department=PROVIDER, roles=roles, password=PASSWORD, now=AS_OF
            )
    with pytest.raises(NotFound, match="没有名为"):
        accounts.add_user(
            conn,
            "ok-name",
            department="不存在的局",
            roles=["dept_clerk"],
            password=PASSWORD,
            now=AS_OF,
        )
