"""/admin/requests: conditional-sharing requests — my department's, and those it must answer
(overdue ones flagged), with approve/refuse forms for provider admins and the centre.

Centre admins also get the centre's overview: every provider's pending requests, overdue ones
first, which the credit centre may answer in the provider's stead."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gongxin import clock
from gongxin.catalog import providers
from gongxin.catalog.registry import Catalog
from gongxin.errors import GongxinError
from gongxin.exchange import sharing_requests
from gongxin.identity.accounts import User
from gongxin.identity.roles import Role
from gongxin.web.admin.render import render
from gongxin.web.auth import require_roles
from gongxin.web.deps import CatalogDep, EngineDep, NowDep
from gongxin.web.params import IdPath

router = APIRouter(prefix="/admin/requests", tags=["后台 back office"], include_in_schema=False)

Anyone = Annotated[User, Depends(require_roles(*Role))]
Decider = Annotated[User, Depends(require_roles(Role.CENTRE_ADMIN, Role.DEPT_ADMIN))]
DONE = {"approved": "已同意申请，授权已生效", "refused": "已拒绝申请"}


def _page(
    request: Request,
    engine: EngineDep,
    catalog: Catalog,
    user: User,
    now: datetime,
    status: int = 200,
    error: GongxinError | None = None,
    done: str = "",
) -> HTMLResponse:
    today = clock.local_date(now)
    centre_view = user.has(Role.CENTRE_ADMIN)
    with engine.connect() as conn:
        mine = sharing_requests.listing(conn, catalog, user.department, "mine")
        to_decide = sharing_requests.listing(conn, catalog, user.department, "to_decide")
        every: list[sharing_requests.Request] = []
        if centre_view:  # every provider's pending requests, the overdue ones first
            every = sorted(sharing_requests.pending(conn), key=lambda r: (r.deadline, r.id))
            to_decide = [r for r in to_decide if r.stored_status != "pending"]
        shown = {r.dataset for r in [*every, *to_decide]}
        provider_names = {
            d: "、".join(p.name for p in providers.providers_of(conn, d)) for d in shown
        }
        decidable = {d for d in shown if providers.may_decide(conn, user.department, d)}
    return render(
        request,
        "admin/requests.html",
        status,
        mine=mine,
        to_decide=to_decide,
        every=every,
        centre_view=centre_view,
        provider_names=provider_names,
        decidable=decidable,
        own_id=user.department.id,  # nobody answers their own request: no form for those
        today=today,
        may_decide=user.has(Role.CENTRE_ADMIN, Role.DEPT_ADMIN),
        names=sharing_requests.STATUS_NAMES,
        error=error,
        done=DONE.get(done, ""),
    )


@router.get("")
def requests_page(
    request: Request,
    engine: EngineDep,
    catalog: CatalogDep,
    now: NowDep,
    user: Anyone,
    done: Annotated[str, Query()] = "",
) -> HTMLResponse:
    return _page(request, engine, catalog, user, now, done=done)


@router.post("/{request_id}/approve")
def approve(
    request_id: IdPath,
    request: Request,
    engine: EngineDep,
    catalog: CatalogDep,
    now: NowDep,
    user: Decider,
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    try:
        sharing_requests.decide(
            engine,
            lambda conn: sharing_requests.approve(
                conn, request_id, user.department, now=now, actor=user.actor, note=note
            ),
            now=now,
            actor=user.actor,
        )
    except GongxinError as exc:
        return _page(request, engine, catalog, user, now, exc.status, exc)
    return RedirectResponse("/admin/requests?done=approved", status_code=303)


@router.post("/{request_id}/refuse")
def refuse(
    request_id: IdPath,
    request: Request,
    engine: EngineDep,
    catalog: CatalogDep,
    now: NowDep,
    user: Decider,
    reasons: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    try:
        sharing_requests.decide(
            engine,
            lambda conn: sharing_requests.refuse(
                conn, request_id, user.department, reasons=reasons, now=now, actor=user.actor
            ),
            now=now,
            actor=user.actor,
        )
    except GongxinError as exc:
        return _page(request, engine, catalog, user, now, exc.status, exc)
    return RedirectResponse("/admin/requests?done=refused", status_code=303)
