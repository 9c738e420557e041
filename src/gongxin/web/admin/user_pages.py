"""/admin/users: centre admins manage every user, department admins their own department's."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gongxin.errors import GongxinError
from gongxin.identity import accounts, departments
from gongxin.identity.accounts import User
from gongxin.identity.roles import Role
from gongxin.web.admin.render import render
from gongxin.web.auth import require_roles
from gongxin.web.deps import EngineDep, NowDep

router = APIRouter(prefix="/admin/users", tags=["后台 back office"], include_in_schema=False)

Admin = Annotated[User, Depends(require_roles(Role.CENTRE_ADMIN, Role.DEPT_ADMIN))]

DONE = {
    "added": "已添加用户",
    "password": "已重置密码（该用户的会话已结束）",
    "roles": "已更新角色",
    "disabled": "已停用账户",
    "enabled": "已启用账户",
}


def managed_department(user: User) -> int | None:
    """The department whose users ``user`` manages; None: all (a centre admin)."""
    return None if Role.CENTRE_ADMIN in user.roles else user.department.id


def grantable(user: User) -> list[Role]:
    return list(Role) if Role.CENTRE_ADMIN in user.roles else sorted(accounts.DEPT_GRANTABLE)


def _page(
    request: Request,
    engine: EngineDep,
    user: User,
    now: datetime,
    status: int = 200,
    error: GongxinError | None = None,
    done: str = "",
) -> HTMLResponse:
    with engine.connect() as conn:
        listed = accounts.all_users(conn, managed_department(user))
        depts = (
            departments.all_departments(conn)
            if managed_department(user) is None
            else [user.department]
        )
    return render(
        request,
        "admin/users.html",
        status,
        users=listed,
        departments=depts,
        grantable=grantable(user),
        error=error,
        done=DONE.get(done, ""),
        now=now,
    )


@router.get("")
def users_page(
    request: Request,
    engine: EngineDep,
    now: NowDep,
    user: Admin,
    done: Annotated[str, Query()] = "",
) -> HTMLResponse:
    return _page(request, engine, user, now, done=done)


def _back(done: str) -> Response:
    return RedirectResponse(f"/admin/users?done={done}", status_code=303)


@router.post("")
def add_user(
    request: Request,
    engine: EngineDep,
    now: NowDep,
    user: Admin,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
    roles: Annotated[list[str], Form()],
    display_name: Annotated[str, Form(max_length=200)] = "",
    department: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    try:
        with engine.begin() as conn:
            accounts.add_user(
                conn,
                username,
                department=department or user.department.name,
                roles=roles,
                password=password,
                display_name=display_name,
                now=now,
                by=user,
            )
    except GongxinError as exc:
        return _page(request, engine, user, now, exc.status, exc)
    return _back("added")


@router.post("/{username}/password")
def reset_password(
    request: Request,
    engine: EngineDep,
    now: NowDep,
    user: Admin,
    username: str,
    password: Annotated[str, Form(max_length=1024)],
) -> Response:
    try:
        with engine.begin() as conn:
            accounts.set_password(conn, username, password, now=now, by=user)
    except GongxinError as exc:
        return _page(request, engine, user, now, exc.status, exc)
    return _back("password")


@router.post("/{username}/roles")
def set_roles(
    request: Request,
    engine: EngineDep,
    now: NowDep,
    user: Admin,
    username: str,
    roles: Annotated[list[str], Form()] = [],  # noqa: B006  (FastAPI copies defaults)
) -> Response:
    """Make the user's roles exactly ``roles`` (among those the admin may grant)."""
    try:
        with engine.begin() as conn:
            current = accounts.get(conn, username).roles
            wanted = accounts.parse_roles(roles)
            mine = set(grantable(user))
            accounts.set_roles(
                conn,
                username,
                add=sorted(wanted - current),
                remove=sorted((current - wanted) & mine),
                now=now,
                by=user,
            )
    except GongxinError as exc:
        return _page(request, engine, user, now, exc.status, exc)
    return _back("roles")


@router.post("/{username}/active")
def set_active(
    request: Request,
    engine: EngineDep,
    now: NowDep,
    user: Admin,
    username: str,
    active: Annotated[bool, Form()],
) -> Response:
    try:
        with engine.begin() as conn:
            accounts.set_active(conn, username, active, now=now, by=user)
    except GongxinError as exc:
        return _page(request, engine, user, now, exc.status, exc)
    return _back("enabled" if active else "disabled")
