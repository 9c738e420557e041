"""/admin/complaints: the credit-complaint centre's desk in the back office.

The centre's admins see the queues (待受理 with the working days left, 待企业答复, 企业逾期,
全部), accept a complaint (forwarding it to the company's e-mail with the signed reply link) or
refuse it with a reason of the rules, and choose typical cases for the period report; auditors
read. The same service functions as the CLI (gongxin.market.complaint_service).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from gongxin.clock import local_date
from gongxin.errors import GongxinError
from gongxin.identity.accounts import User
from gongxin.identity.roles import Role
from gongxin.market import complaint_service, complaint_triage, complaints
from gongxin.web.admin.render import render
from gongxin.web.auth import require_roles
from gongxin.web.deps import CatalogDep, EngineDep, NowDep, SettingsDep
from gongxin.web.params import MAX_PAGE, IdPath

router = APIRouter(prefix="/admin/complaints", tags=["后台 back office"], include_in_schema=False)

Reader = Annotated[User, Depends(require_roles(Role.CENTRE_ADMIN, Role.AUDITOR))]
Desk = Annotated[User, Depends(require_roles(Role.CENTRE_ADMIN))]
_DONE = {
    "accepted": "已受理并转交企业，答复链接已发送 (accepted and forwarded)",
    "refused": "已不予受理并告知投诉人 (refused; the complainant is told)",
    "typical": "典型案例已更新 (typical case updated)",
}


@router.get("")
def queue_page(
    request: Request, engine: EngineDep, now: NowDep, user: Reader,
    show: Annotated[str, Query(max_length=10)] = "triage",
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
) -> HTMLResponse:  # fmt: skip
    as_of = local_date(now)
    with engine.connect() as conn:
        found = complaint_triage.queue(conn, show=show, as_of=as_of, page=page)
    rules = complaint_service.rules(request.app.state.settings)
    return render(request, "admin/complaints.html", queue=found, queues=complaint_triage.QUEUES,
                  as_of=as_of, rules=rules)  # fmt: skip


def _detail(
    request: Request, engine: EngineDep, user: User, complaint_id: int, *, status: int = 200,
    error: GongxinError | None = None, done: str = "", sent: dict[str, str] | None = None,
) -> HTMLResponse:  # fmt: skip
    settings = request.app.state.settings
    rules = complaint_service.rules(settings)
    with engine.connect() as conn:
        row = complaints.get(conn, complaint_id)
        files = complaints.evidence(conn, complaint_id)
    return render(
        request, "admin/complaint.html", status, row=row, shown=complaints.progress(row, rules),
        files=files, rules=rules, error=error, done=done, sent=sent or {},
        may_act=Role.CENTRE_ADMIN in user.roles,
    )  # fmt: skip


@router.get("/{complaint_id}")
def detail_page(
    complaint_id: IdPath, request: Request, engine: EngineDep, user: Reader,
    done: Annotated[str, Query(max_length=20)] = "",
) -> HTMLResponse:  # fmt: skip
    return _detail(request, engine, user, complaint_id, done=_DONE.get(done, ""))


async def _sent(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: str(v)[:6000] for k, v in form.items() if isinstance(v, str)}


def _acted(
    request: Request, engine: EngineDep, user: User, complaint_id: int, sent: dict[str, str],
    done: str, act: Callable[[], object],
) -> Response:  # fmt: skip
    """Does ``act``; then back to the complaint showing ``done``, or its page with the error and
    what was sent (a complaint that does not exist stays a 404)."""
    try:
        act()
    except GongxinError as exc:
        if exc.status == 404:
            raise
        return _detail(request, engine, user, complaint_id, status=exc.status, error=exc, sent=sent)
    return RedirectResponse(f"/admin/complaints/{complaint_id}?done={done}", status_code=303)


@router.post("/{complaint_id}/accept")
async def accept_form(
    complaint_id: IdPath, request: Request, engine: EngineDep, catalog: CatalogDep,
    settings: SettingsDep, now: NowDep, user: Desk,
) -> Response:  # fmt: skip
    sent = await _sent(request)

    def act() -> None:
        complaint_service.accept(
            engine, catalog, settings, complaint_id, company_email=sent.get("company_email", ""),
            summary=sent.get("summary", ""), actor=user.actor, as_of=local_date(now), now=now,
        )  # fmt: skip

    # in the thread pool: the store may wait for its write lock
    return await run_in_threadpool(
        _acted, request, engine, user, complaint_id, sent, "accepted", act
    )


@router.post("/{complaint_id}/refuse")
async def refuse_form(
    complaint_id: IdPath, request: Request, engine: EngineDep, settings: SettingsDep,
    now: NowDep, user: Desk,
) -> Response:  # fmt: skip
    sent = await _sent(request)

    def act() -> None:
        complaint_service.refuse(
            engine, settings, complaint_id, reason=sent.get("reason", ""),
            note=sent.get("note", ""), actor=user.actor, as_of=local_date(now), now=now,
        )  # fmt: skip

    # in the thread pool: the store may wait for its write lock
    return await run_in_threadpool(
        _acted, request, engine, user, complaint_id, sent, "refused", act
    )


@router.post("/{complaint_id}/typical")
async def typical_form(
    complaint_id: IdPath, request: Request, engine: EngineDep, now: NowDep, user: Desk
) -> Response:
    sent = await _sent(request)

    def act() -> None:
        with engine.begin() as conn:
            complaint_triage.set_typical(
                conn, complaint_id, typical=sent.get("typical") == "1", text=sent.get("text", ""),
                view=sent.get("view", ""), actor=user.actor, now=now,
            )  # fmt: skip

    # in the thread pool: the store may wait for its write lock
    return await run_in_threadpool(
        _acted, request, engine, user, complaint_id, sent, "typical", act
    )
