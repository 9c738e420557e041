"""/admin/approval: parallel approval (并联审批) in the back office.

A department's clerks and admins see their department's reviews with each deadline and the
credit check attached at intake, and approve or refuse (gongxin.approval.reviews.decide, which
re-runs the check before an approval); the credit centre's admins and auditors see every
department's reviews and the SLA figures, and decide nothing.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from gongxin.approval import applications, reviews, sla
from gongxin.clock import local_date
from gongxin.errors import Forbidden, GongxinError
from gongxin.identity.accounts import User
from gongxin.identity.roles import Role
from gongxin.web.admin.render import render
from gongxin.web.api.approval import book_of
from gongxin.web.auth import require_roles
from gongxin.web.deps import CatalogDep, EngineDep, NowDep, SettingsDep
from gongxin.web.params import IdPath

router = APIRouter(prefix="/admin/approval", tags=["后台 back office"], include_in_schema=False)

READERS = (Role.CENTRE_ADMIN, Role.AUDITOR, Role.DEPT_ADMIN, Role.DEPT_CLERK)
Reader = Annotated[User, Depends(require_roles(*READERS))]
Decider = Annotated[User, Depends(require_roles(Role.DEPT_CLERK, Role.DEPT_ADMIN))]


def _department(user: User) -> str | None:
    """Whose reviews the user reads: None (all) for the centre's admins and auditors."""
    return None if user.roles & {Role.CENTRE_ADMIN, Role.AUDITOR} else user.department.name


@router.get("")
def queue_page(
    request: Request, engine: EngineDep, now: NowDep, user: Reader,
    show: Annotated[str, Query(max_length=10)] = "open",
) -> HTMLResponse:  # fmt: skip
    as_of = local_date(now)
    with engine.connect() as conn:
        found = reviews.queue(conn, department=_department(user), as_of=as_of,
                              open_only=show != "all")  # fmt: skip
    return render(request, "admin/approval_queue.html", items=found, show=show,
                  sees_all=_department(user) is None, as_of=as_of)  # fmt: skip


@router.get("/stats")
def stats_page(
    request: Request, engine: EngineDep, catalog: CatalogDep, settings: SettingsDep,
    now: NowDep, user: Reader,
) -> HTMLResponse:  # fmt: skip
    with engine.connect() as conn:
        found = sla.stats(conn, book_of(catalog, settings), as_of=local_date(now),
                          department=_department(user))  # fmt: skip
    return render(request, "admin/approval_stats.html", figures=found)


def _detail(
    request: Request, engine: EngineDep, catalog: CatalogDep, settings: SettingsDep, user: User,
    review_id: int, now: NowDep, status: int = 200, error: GongxinError | None = None,
    done: bool = False,
) -> HTMLResponse:  # fmt: skip
    as_of = local_date(now)
    mine = _department(user)
    with engine.connect() as conn:
        row = reviews.get(conn, review_id)
        if mine is not None and row.department != mine:
            raise Forbidden(f"审查任务 {review_id} 不属于本部门", "another department's review")
        app = applications.summary(conn, applications.get(conn, row.application_id), as_of)
    matter = book_of(catalog, settings).get(app["matter"])
    names = {m.code: m.name for m in matter.materials}
    return render(
        request, "admin/approval_review.html", status, review=applications.review_dict(row, as_of),
        app=app, matter=matter, names=names, error=error, done=done,
        may_decide=row.state == "pending" and mine == row.department,
    )  # fmt: skip


@router.get("/reviews/{review_id}")
def review_page(
    review_id: IdPath, request: Request, engine: EngineDep, catalog: CatalogDep,
    settings: SettingsDep, now: NowDep, user: Reader,
    done: Annotated[str, Query(max_length=2)] = "",
) -> HTMLResponse:  # fmt: skip
    return _detail(request, engine, catalog, settings, user, review_id, now, done=done == "1")


@router.post("/reviews/{review_id}/decide")
async def decide_form(
    review_id: IdPath, request: Request, engine: EngineDep, catalog: CatalogDep,
    settings: SettingsDep, now: NowDep, user: Decider,
) -> Response:  # fmt: skip
    form = await request.form()
    sent = {k: str(v) for k, v in form.items() if isinstance(v, str)}

    def answer() -> Response:  # in the thread pool: the store may wait for its write lock
        try:
            with engine.begin() as conn:
                reviews.decide(
                    conn, catalog, book_of(catalog, settings), review_id, sent.get("outcome", ""),
                    sent.get("opinion", ""), department=user.department.name, actor=user.actor,
                    department_id=user.department.id, as_of=local_date(now), now=now,
                )  # fmt: skip
        except GongxinError as exc:
            if exc.status == 404:
                raise
            return _detail(
                request, engine, catalog, settings, user, review_id, now, exc.status, exc
            )
        return RedirectResponse(f"/admin/approval/reviews/{review_id}?done=1", status_code=303)

    return await run_in_threadpool(answer)
