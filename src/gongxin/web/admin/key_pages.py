"""/admin/keys: API keys of departments' systems — created (shown once), scoped, revoked."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gongxin.errors import Forbidden, GongxinError, InvalidInput
from gongxin.identity import departments, keys
from gongxin.identity.accounts import User
from gongxin.identity.keys import NewKey
from gongxin.identity.roles import Role
from gongxin.web.admin.render import render
from gongxin.web.admin.user_pages import managed_department
from gongxin.web.auth import require_roles
from gongxin.web.deps import EngineDep, NowDep

router = APIRouter(prefix="/admin/keys", tags=["后台 back office"], include_in_schema=False)

Admin = Annotated[User, Depends(require_roles(Role.CENTRE_ADMIN, Role.DEPT_ADMIN))]


def _page(
    request: Request,
    engine: EngineDep,
    user: User,
    now: datetime,
    status: int = 200,
    error: GongxinError | None = None,
    done: str = "",
    new: NewKey | None = None,
) -> HTMLResponse:
    mine = managed_department(user)
    with engine.connect() as conn:
        listed = keys.all_keys(conn, mine)
        depts = departments.all_departments(conn) if mine is None else [user.department]
    return render(
        request,
        "admin/keys.html",
        status,
        keys=listed,
        departments=depts,
        error=error,
        done="已吊销密钥" if done == "revoked" else "",
        new=new,
        now=now,
    )


@router.get("")
def keys_page(
    request: Request,
    engine: EngineDep,
    now: NowDep,
    user: Admin,
    done: Annotated[str, Query()] = "",
) -> HTMLResponse:
    return _page(request, engine, user, now, done=done)


@router.post("")
def create_key(
    request: Request,
    engine: EngineDep,
    now: NowDep,
    user: Admin,
    scopes: Annotated[list[str] | None, Form()] = None,
    department: Annotated[str, Form(max_length=200)] = "",
    expires_days: Annotated[int | None, Form(ge=1, le=3650)] = None,
) -> Response:
    """A new key, shown on this page once (never stored in plain text), with the scopes ticked:
    at least one, as on the command line."""
    try:
        if not scopes:
            raise InvalidInput(
                "请至少勾选一个权限范围（只授予系统需要的）", "tick at least one scope"
            )
        with engine.begin() as conn:
            dept = departments.get(conn, department) if department else user.department
            if managed_department(user) not in (None, dept.id):
                raise Forbidden(
                    f"只能为本部门（{user.department.name}）创建密钥",
                    "a department admin creates keys for their own department only",
                )
            new = keys.create(
                conn,
                dept.name,
                now=now,
                expires_days=expires_days,
                scopes=scopes,
                actor=user.actor,
            )
    except GongxinError as exc:
        return _page(request, engine, user, now, exc.status, exc)
    return _page(request, engine, user, now, 201, new=new)


@router.post("/{prefix}/revoke")
def revoke_key(
    request: Request, engine: EngineDep, now: NowDep, user: Admin, prefix: str
) -> Response:
    try:
        with engine.begin() as conn:
            keys.revoke(
                conn, prefix, now=now, actor=user.actor, department_id=managed_department(user)
            )
    except GongxinError as exc:
        return _page(request, engine, user, now, exc.status, exc)
    return RedirectResponse("/admin/keys?done=revoked", status_code=303)
