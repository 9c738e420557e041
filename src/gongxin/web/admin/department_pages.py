"""/admin/departments: the credit centre registers departments; a department admin sees its own."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gongxin.errors import GongxinError
from gongxin.identity import accounts, departments
from gongxin.identity.accounts import User
from gongxin.identity.roles import Role
from gongxin.web.admin.render import render
from gongxin.web.admin.user_pages import managed_department
from gongxin.web.auth import require_roles
from gongxin.web.deps import EngineDep, NowDep

router = APIRouter(prefix="/admin/departments", tags=["后台 back office"], include_in_schema=False)

Admin = Annotated[User, Depends(require_roles(Role.CENTRE_ADMIN, Role.DEPT_ADMIN))]
CentreAdmin = Annotated[User, Depends(require_roles(Role.CENTRE_ADMIN))]


def _page(
    request: Request,
    engine: EngineDep,
    user: User,
    status: int = 200,
    error: GongxinError | None = None,
    done: str = "",
) -> HTMLResponse:
    mine = managed_department(user)
    with engine.connect() as conn:
        every = departments.all_departments(conn)
        counts: dict[int, int] = {}
        for u in accounts.all_users(conn, mine):
            counts[u.department.id] = counts.get(u.department.id, 0) + 1
    names = {d.id: d.name for d in every}
    listed = every if mine is None else [d for d in every if d.id == mine]
    return render(
        request,
        "admin/departments.html",
        status,
        departments=listed,
        all_departments=every,
        parent_names=names,
        user_counts=counts,
        kinds=departments.KIND_NAMES,
        error=error,
        done="已登记部门" if done == "added" else "",
    )


@router.get("")
def departments_page(
    request: Request, engine: EngineDep, user: Admin, done: Annotated[str, Query()] = ""
) -> HTMLResponse:
    return _page(request, engine, user, done=done)


@router.post("")
def add_department(
    request: Request,
    engine: EngineDep,
    now: NowDep,
    user: CentreAdmin,
    name: Annotated[str, Form(max_length=200)],
    kind: Annotated[str, Form(max_length=20)] = "provider",
    code: Annotated[str, Form(max_length=40)] = "",
    parent: Annotated[str, Form(max_length=200)] = "",
    region: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    try:
        with engine.begin() as conn:
            departments.add(
                conn,
                name,
                kind=kind,
                code=code.strip() or None,
                parent=parent or None,
                region=region,
                now=now,
                actor=user.actor,
            )
    except GongxinError as exc:
        return _page(request, engine, user, exc.status, exc)
    return RedirectResponse("/admin/departments?done=added", status_code=303)
