"""Back-office users: who they are, which department they belong to, which roles they hold.

Passwords are stored as argon2id hashes only (argon2-cffi's ``PasswordHasher``) and must pass
the policy of ``gongxin.identity.passwords``. Too many wrong passwords in a row lock the account
for the address they came from, for a growing while (``gongxin.identity.throttle``). Every login
attempt costs one argon2 verification, whether the name is known, the account locked or
disabled, so that the time of the answer reveals nothing. Who may change whom:

* the CLI (``by=None``) and credit-centre admins manage every user and grant every role;
* department admins manage only users of their own department who are not centre admins, and
  grant only ``dept_admin`` and ``dept_clerk`` (never ``centre_admin`` nor ``auditor``).

Every change is appended to the audit log in the caller's transaction.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from gongxin.audit import log as audit
from gongxin.clock import as_utc
from gongxin.db.accounts_tables import sessions, users
from gongxin.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthorized
from gongxin.identity import departments, passwords, throttle
from gongxin.identity.departments import Department
from gongxin.identity.roles import ROLE_NAMES, Role

USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
DEPT_GRANTABLE: frozenset[Role] = frozenset({Role.DEPT_ADMIN, Role.DEPT_CLERK})

_hasher = PasswordHasher()
_dummies: dict[int, str] = {}


@dataclass(frozen=True)
class User:
    id: int
    username: str
    display_name: str
    department: Department
    roles: frozenset[Role]
    active: bool = True
    last_login_at: datetime | None = None
    locked_until: datetime | None = None

    @property
    def actor(self) -> str:
        """How the audit log names this user."""
        return f"user:{self.username}"

    def has(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))


def _aware(moment: datetime | None) -> datetime | None:
    return None if moment is None else as_utc(moment)


def _user(conn: sa.Connection, row: sa.Row[object]) -> User:
    m = row._mapping
    return User(
        m["id"],
        m["username"],
        m["display_name"],
        departments.by_id(conn, m["department_id"]),
        parse_roles(m["roles"]),
        bool(m["active"]),
        _aware(m["last_login_at"]),
        _aware(m["locked_until"]),
    )


def parse_roles(names: Iterable[str]) -> frozenset[Role]:
    known = [r.value for r in Role]
    for name in names:
        if name not in known:
            raise InvalidInput(
                f"角色“{name}”无效，可选：{'、'.join(known)}",
                f"invalid role {name!r}; choose from {', '.join(known)}",
            )
    return frozenset(Role(n) for n in names)


def check_password(password: str, username: str | None = None) -> None:
    """The password policy (gongxin.identity.passwords): InvalidInput naming the rule broken."""
    passwords.check(password, username)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _dummy_hash() -> str:
    """A hash made with the current hasher, verified for unknown names: the same work."""
    found = _dummies.get(id(_hasher))
    if found is None:
        found = _dummies[id(_hasher)] = _hasher.hash("gongxin: no such user, same work")
    return found


def _verify(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def get(conn: sa.Connection, username: str) -> User:
    row = conn.execute(sa.select(users).where(users.c.username == username.strip())).first()
    if row is None:
        raise NotFound(f"没有用户“{username}”", f"no user {username!r}")
    return _user(conn, row)


def by_id(conn: sa.Connection, user_id: int) -> User:
    row = conn.execute(sa.select(users).where(users.c.id == user_id)).first()
    if row is None:
        raise NotFound(f"用户 {user_id} 不存在", f"no user {user_id}")
    return _user(conn, row)


def all_users(conn: sa.Connection, department_id: int | None = None) -> list[User]:
    query = sa.select(users).order_by(users.c.id)
    if department_id is not None:
        query = query.where(users.c.department_id == department_id)
    return [_user(conn, r) for r in conn.execute(query)]


def _may_manage(by: User | None, department: Department, roles: Iterable[Role]) -> None:
    """Refuse unless ``by`` may manage a user of ``department`` holding ``roles``."""
    if by is None or Role.CENTRE_ADMIN in by.roles:
        return
    if Role.DEPT_ADMIN not in by.roles or department.id != by.department.id:
        raise Forbidden(
            f"只能管理本部门（{by.department.name}）的用户", "you manage only your own department"
        )
    beyond = set(roles) - DEPT_GRANTABLE
    if beyond:
        names = "、".join(ROLE_NAMES[r] for r in sorted(beyond))
        raise Forbidden(
            f"部门管理员不能授予或管理“{names}”角色，请联系信用中心管理员",
            f"a department admin cannot grant or manage {', '.join(sorted(beyond))}",
        )


def _audit(
    conn: sa.Connection, by: User | None, action: str, user: User, now: datetime, **detail: object
) -> None:
    audit.record(
        conn,
        actor=by.actor if by else "cli",
        action=action,
        target=f"user:{user.username}",
        now=now,
        department_id=user.department.id,
        detail=dict(detail),
    )


def add_user(
    conn: sa.Connection,
    username: str,
    *,
    department: str,
    roles: Iterable[str],
    password: str,
    now: datetime,
    display_name: str | None = None,
    by: User | None = None,
) -> User:
    """Register a back-office user; ``by`` is the admin doing it (None: the CLI)."""
    username = username.strip().lower()
    if not USERNAME.fullmatch(username):
        raise InvalidInput(
            f"用户名“{username}”无效：2–64 个小写字母、数字或 . _ -，以字母或数字开头",
            f"invalid username {username!r}: 2-64 of a-z 0-9 . _ -, starting with a-z or 0-9",
        )
    granted = parse_roles(roles)
    if not granted:
        raise InvalidInput("请至少授予一个角色", "grant at least one role")
    dept = departments.get(conn, department)
    _may_manage(by, dept, granted)
    check_password(password, username)
    if conn.execute(sa.select(users.c.id).where(users.c.username == username)).first():
        raise Conflict(f"用户“{username}”已存在", f"user {username!r} already exists")
    conn.execute(
        users.insert().values(
            username=username,
            display_name=(display_name or "").strip() or username,
            department_id=dept.id,
            password_hash=hash_password(password),
            roles=sorted(granted),
            active=True,
            created_at=now,
            failed_logins=0,
        )
    )
    user = get(conn, username)
    _audit(conn, by, "user.add", user, now, roles=sorted(granted), department=dept.name)
    return user


def _end_sessions(conn: sa.Connection, user_id: int, now: datetime) -> None:
    conn.execute(
        sessions.update()
        .where(sessions.c.user_id == user_id, sessions.c.ended_at.is_(None))
        .values(ended_at=now)
    )


def set_password(
    conn: sa.Connection, username: str, password: str, *, now: datetime, by: User | None = None
) -> None:
    """A new password (also unlocks the account); the user's sessions end, except ``by``'s own
    when users change their own password is the caller's business (they log in again)."""
    user = get(conn, username)
    if by is None or by.id != user.id:
        _may_manage(by, user.department, user.roles)
    check_password(password, user.username)
    conn.execute(
        users.update()
        .where(users.c.id == user.id)
        .values(password_hash=hash_password(password), failed_logins=0, locked_until=None)
    )
    throttle.clear(conn, user.username)
    _end_sessions(conn, user.id, now)
    _audit(conn, by, "user.password", user, now)


def set_roles(
    conn: sa.Connection,
    username: str,
    *,
    add: Iterable[str] = (),
    remove: Iterable[str] = (),
    now: datetime,
    by: User | None = None,
) -> User:
    """Grant ``add`` and revoke ``remove``; a user keeps at least one role."""
    user = get(conn, username)
    plus, minus = parse_roles(add), parse_roles(remove)
    _may_manage(by, user.department, user.roles | plus | minus)
    roles = (user.roles | plus) - minus
    if not roles:
        raise InvalidInput(
            f"用户“{username}”至少保留一个角色；要停用请用停用功能",
            f"user {username!r} keeps at least one role; disable the account instead",
        )
    if Role.CENTRE_ADMIN in user.roles - roles:
        _keep_a_centre_admin(conn, user)
    conn.execute(users.update().where(users.c.id == user.id).values(roles=sorted(roles)))
    _audit(conn, by, "user.roles", user, now, added=sorted(plus), removed=sorted(minus))
    return get(conn, username)


def _keep_a_centre_admin(conn: sa.Connection, leaving: User) -> None:
    others = [
        u
        for u in all_users(conn)
        if u.active and Role.CENTRE_ADMIN in u.roles and u.id != leaving.id
    ]
    if not others:
        raise Conflict(
            "这是最后一位有效的信用中心管理员，不能停用或撤销其角色",
            "this is the last active centre admin: it cannot be disabled or demoted",
        )


def set_active(
    conn: sa.Connection, username: str, active: bool, *, now: datetime, by: User | None = None
) -> None:
    """Disable (ends the user's sessions) or enable an account."""
    user = get(conn, username)
    _may_manage(by, user.department, user.roles)
    if not active and by is not None and by.id == user.id:
        raise InvalidInput("不能停用自己的账户", "you cannot disable your own account")
    if not active and Role.CENTRE_ADMIN in user.roles and user.active:
        _keep_a_centre_admin(conn, user)
    conn.execute(users.update().where(users.c.id == user.id).values(active=active))
    if not active:
        _end_sessions(conn, user.id, now)
    _audit(conn, by, "user.enable" if active else "user.disable", user, now)


def authenticate(
    conn: sa.Connection,
    username: str,
    password: str,
    *,
    now: datetime,
    address: str,
    rules: throttle.Rules = throttle.DEFAULT_RULES,
) -> User:
    """The user whose password this is; Unauthorized otherwise.

    ``address`` is the client's, as gongxin.web.clients.client_address finds it. The caller
    commits even when this raises: the failure count, any lock and the audit entry are part of
    the outcome. The answer, and the work done before it, are the same for an unknown name, a
    wrong password, a disabled or a locked account, so that they reveal nothing.
    """
    minutes = int(rules.lockout.total_seconds() // 60)
    refused = Unauthorized(
        f"用户名或密码错误；连续错误 {rules.max_failures} 次后，此来源将被暂停登录 {minutes} "
        "分钟起（再错加倍）",
        f"wrong username or password; after {rules.max_failures} failures in a row this address "
        f"is held out for {minutes} minutes, doubling with each further failure",
    )
    name = username.strip().lower()
    row = conn.execute(sa.select(users).where(users.c.username == name)).first()
    lock = throttle.locked_until(conn, name, address, now=now)
    right = _verify(row.password_hash if row is not None else _dummy_hash(), password)
    if row is None or lock is not None or not right or not row.active:
        _refused(conn, row, name, address, now, rules, lock)
        raise refused
    throttle.succeeded(conn, name, address)
    values: dict[str, object] = {"failed_logins": 0, "locked_until": None, "last_login_at": now}
    if _hasher.check_needs_rehash(row.password_hash):
        values["password_hash"] = hash_password(password)
    conn.execute(users.update().where(users.c.id == row.id).values(**values))
    user = get(conn, name)
    _audit(conn, user, "user.login", user, now, address=address)
    return user


def _refused(
    conn: sa.Connection,
    row: sa.Row[object] | None,
    name: str,
    address: str,
    now: datetime,
    rules: throttle.Rules,
    lock: datetime | None,
) -> None:
    """Count (unless locked) and audit a refused login; an unknown name is audited too."""
    outcome = None if lock else throttle.failed(conn, name, address, now=now, rules=rules)
    until = lock if outcome is None else outcome.locked_until
    action = "user.login_locked" if outcome and outcome.locked_until else "user.login_failed"
    detail: dict[str, object] = {
        "address": address,
        "failures": outcome.failures if outcome else None,
        "locked": lock is not None,
        "locked_until": as_utc(until).isoformat() if until else None,
    }
    if row is None:
        audit.record(
            conn, actor="anonymous", action=action, target=f"user:{name[:64]}", now=now,
            detail={**detail, "unknown_user": True},
        )  # fmt: skip
        return
    user = _user(conn, row)
    if outcome is not None:
        values: dict[str, object] = {"failed_logins": users.c.failed_logins + 1}
        if outcome.locked_until is not None:
            values["locked_until"] = outcome.locked_until  # the back office shows the latest lock
        conn.execute(users.update().where(users.c.id == user.id).values(**values))
    _audit(conn, user, action, user, now, **detail)
