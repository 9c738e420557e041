"""/admin/unlinked: the department's 待关联 records (rows whose subject the registry does not
know yet) and a form to link one to a registered subject by its code — the same listing as
``gongxin unlinked`` and the linking service ``subjects.linkage.link_by_code``.

The credit centre's admins see every department's records; a department's clerks and admins
their own only."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gongxin.catalog.registry import Catalog
from gongxin.errors import GongxinError, InvalidInput
from gongxin.identity.accounts import User
from gongxin.identity.roles import Role
from gongxin.subjects import linkage
from gongxin.web.admin.render import dataset_listing, render
from gongxin.web.auth import require_roles
from gongxin.web.deps import CatalogDep, EngineDep, NowDep
from gongxin.web.params import MAX_PAGE, IdPath

router = APIRouter(prefix="/admin/unlinked", tags=["后台 back office"], include_in_schema=False)

Clerk = Annotated[User, Depends(require_roles(Role.DEPT_CLERK, Role.DEPT_ADMIN, Role.CENTRE_ADMIN))]
PAGE_SIZE = 50


def _scope(user: User) -> int | None:
    """Whose records: None (all) for the credit centre's admins, else the user's department."""
    return None if user.has(Role.CENTRE_ADMIN) else user.department.id


def _page(
    request: Request,
    engine: EngineDep,
    catalog: Catalog,
    user: User,
    *,
    page: int = 1,
    dataset: str = "",
    status: int = 200,
    failed: int | None = None,
    error: GongxinError | None = None,
    code: str = "",
    done: str = "",
) -> HTMLResponse:
    scope = _scope(user)
    chosen = dataset if dataset in catalog else None
    with engine.connect() as conn:
        total = linkage.count_unlinked(conn, chosen, department_id=scope)
        items = linkage.list_unlinked(
            conn, chosen, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE,
            department_id=scope, newest_first=True,
        )  # fmt: skip
    return render(
        request,
        "admin/unlinked.html",
        status,
        items=items,
        **dataset_listing(catalog, total, page, PAGE_SIZE),
        dataset=chosen or "",
        kinds={"uscc": "统一社会信用代码", "reg_no": "注册号", "org_code": "组织机构代码"},
        failed=failed,
        field_error=error,
        code=code,
        done=done,
    )


@router.get("")
def unlinked_page(
    request: Request,
    engine: EngineDep,
    catalog: CatalogDep,
    user: Clerk,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    dataset: Annotated[str, Query(max_length=64)] = "",
    linked: Annotated[int, Query(ge=0, le=2**63 - 1)] = 0,
    to: Annotated[str, Query(max_length=40)] = "",
) -> HTMLResponse:
    done = f"记录 {linked} 已关联到主体 {to}" if linked else ""
    return _page(request, engine, catalog, user, page=page, dataset=dataset, done=done)


@router.post("/{record_id}/link")
def link(
    record_id: IdPath,
    request: Request,
    engine: EngineDep,
    catalog: CatalogDep,
    now: NowDep,
    user: Clerk,
    code: Annotated[str, Form(max_length=64)] = "",
    dataset: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Link the record to the registered subject of ``code`` (errors shown at the record)."""
    try:
        if not code.strip():
            raise InvalidInput(
                "请填写主体代码（统一社会信用代码、注册号或组织机构代码）",
                "enter the subject's code",
                field="code",
            )
        with engine.begin() as conn:
            done = linkage.link_by_code(
                conn, record_id, code, department_id=_scope(user), actor=user.actor, now=now
            )
    except GongxinError as exc:
        return _page(
            request, engine, catalog, user, dataset=dataset, status=exc.status,
            failed=record_id, error=exc, code=code,
        )  # fmt: skip
    query = {"dataset": dataset} if dataset in catalog else {}
    query |= {"linked": str(done.record_id), "to": done.subject_code}
    return RedirectResponse(f"/admin/unlinked?{urlencode(query)}", status_code=303)
