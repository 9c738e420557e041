"""/admin/applications: objections (异议) and credit repair (信用修复) in the back office.

A department's clerks and admins see their department's queue with the working-day countdown
and decide (the same service as the rest: gongxin.workflows.applications.decide), take the
jurisdiction's one extension or pause the clock (gongxin.workflows.clockstops); the credit
centre's admins see every department's queue, may decide any (escalated) application, and read
the figures per department; auditors read.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from gongxin.catalog.registry import Catalog
from gongxin.clock import local_date
from gongxin.errors import Forbidden, GongxinError, InvalidInput
from gongxin.identity.accounts import User
from gongxin.identity.roles import Role
from gongxin.records.gate import Audience
from gongxin.records.lookup import record as record_of
from gongxin.web.admin.render import render
from gongxin.web.auth import require_roles
from gongxin.web.deps import CatalogDep, EngineDep, NowDep, SettingsDep
from gongxin.web.params import IdPath
from gongxin.workflows import applications, backoffice, clockstops
from gongxin.workflows.applications import OUTCOMES
from gongxin.workflows.deadlines import jurisdiction

router = APIRouter(prefix="/admin/applications", tags=["后台 back office"], include_in_schema=False)

READERS = (Role.CENTRE_ADMIN, Role.AUDITOR, Role.DEPT_ADMIN, Role.DEPT_CLERK)
Reader = Annotated[User, Depends(require_roles(*READERS))]
Decider = Annotated[
    User, Depends(require_roles(Role.DEPT_CLERK, Role.DEPT_ADMIN, Role.CENTRE_ADMIN))
]


_DONE = {"1": "已办结", "clock": "办理期限已更新 (the deadline is updated)"}


def _viewer(user: User) -> int | None:
    """Whose applications the user reads: None (all) for the centre's admins and auditors."""
    return None if user.roles & {Role.CENTRE_ADMIN, Role.AUDITOR} else user.department.id


@router.get("")
def queue_page(
    request: Request, engine: EngineDep, now: NowDep, user: Reader,
    show: Annotated[str, Query()] = "open",
) -> HTMLResponse:  # fmt: skip
    as_of = local_date(now)
    with engine.connect() as conn:
        found = backoffice.queue(conn, department_id=_viewer(user), as_of=as_of,
                                 open_only=show != "all")  # fmt: skip
    return render(request, "admin/applications.html", items=found, show=show,
                  sees_all=_viewer(user) is None, as_of=as_of)  # fmt: skip


@router.get("/stats")
def stats_page(request: Request, engine: EngineDep, now: NowDep, user: Reader) -> HTMLResponse:
    with engine.connect() as conn:
        found = backoffice.stats(conn, department_id=_viewer(user), as_of=local_date(now))
    return render(request, "admin/application_stats.html", figures=found)


def _detail(
    request: Request, engine: EngineDep, catalog: CatalogDep, user: User, app_id: IdPath,
    as_of: Any, status: int = 200, error: GongxinError | None = None, done: str = "",
) -> HTMLResponse:  # fmt: skip
    settings = request.app.state.settings
    viewer = _viewer(user)
    with engine.connect() as conn:
        row = applications.get(conn, app_id)
        if viewer is not None and row.department_id != viewer:
            raise Forbidden(f"申请 {row.number} 不属于本部门", "another department's application")
        shown = record_of(conn, catalog, row.record_id, audience=Audience.CENTRE, as_of=as_of)
    spec = catalog.get(row.dataset)
    data = shown["data"]
    rows = [
        (f.code, f.name, "；".join(map(str, v)) if isinstance(v := data.get(f.code), list) else v)
        for f in spec.fields
        if data.get(f.code) not in (None, "", [])
    ]
    may_decide = row.state == applications.OPEN and bool(
        user.roles & {Role.CENTRE_ADMIN}
        or (user.roles & {Role.DEPT_CLERK, Role.DEPT_ADMIN} and row.department_id == viewer)
    )
    try:
        jur = jurisdiction(row.jurisdiction, settings.workflow_rules)[1]
        clock_rules: dict[str, Any] = {
            "rules_name": jur.name, "extension": jur.extension(row.kind), "pauses": jur.pauses,
        }  # fmt: skip
    except GongxinError:  # rules no longer name its jurisdiction: the deadline stays as it is
        clock_rules = {"rules_name": row.jurisdiction, "extension": 0, "pauses": {}}
    return render(
        request, "admin/application.html", status, app=row, summary=applications.summary(row),
        record=shown, rows=rows, mark=(shown["mark"] or {}).get("code"),
        outcomes=OUTCOMES[row.kind], may_decide=may_decide, error=error, done=done,
        left=clockstops.countdown(row, as_of), **clock_rules,
    )  # fmt: skip


@router.get("/{app_id}")
def detail_page(
    app_id: IdPath, request: Request, engine: EngineDep, catalog: CatalogDep, now: NowDep,
    user: Reader, done: Annotated[str, Query()] = "",
) -> HTMLResponse:  # fmt: skip
    return _detail(request, engine, catalog, user, app_id, local_date(now),
                   done=_DONE.get(done, ""))  # fmt: skip


@router.post("/{app_id}/decide")
async def decide_form(
    app_id: IdPath, request: Request, engine: EngineDep, catalog: CatalogDep, now: NowDep,
    user: Decider,
) -> Response:  # fmt: skip
    form = await request.form()
    sent = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    corrected = {
        k.removeprefix("field-"): v.strip()
        for k, v in sent.items() if k.startswith("field-") and v.strip()
    }  # fmt: skip
    as_of = local_date(now)

    def act(conn: sa.Connection) -> None:
        applications.decide(
            conn, catalog, app_id, sent.get("outcome", ""), sent.get("reasons", ""),
            actor=user.actor, department_id=_viewer(user), as_of=as_of, now=now,
            corrected=corrected or None,
        )  # fmt: skip

    # in the thread pool: the store may wait for its write lock
    return await run_in_threadpool(_acted, request, engine, catalog, user, app_id, "1", act, as_of)


def _acted(
    request: Request, engine: sa.Engine, catalog: Catalog, user: User, app_id: int, done: str,
    act: Callable[[sa.Connection], None], as_of: date,
) -> Response:  # fmt: skip
    """Does ``act`` in one transaction; then back to the application showing ``done``, or its
    page with the error (an application that does not exist stays a 404)."""
    try:
        with engine.begin() as conn:
            act(conn)
    except GongxinError as exc:
        if exc.status == 404:
            raise
        return _detail(request, engine, catalog, user, app_id, as_of, exc.status, error=exc)
    return RedirectResponse(f"/admin/applications/{app_id}?done={done}", status_code=303)


async def _clock(
    step: str, app_id: int, request: Request, engine: EngineDep, catalog: CatalogDep,
    now: NowDep, settings: SettingsDep, user: User,
) -> Response:  # fmt: skip
    form = await request.form()
    sent = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    as_of = local_date(now)
    who: dict[str, Any] = {"actor": user.actor, "department_id": _viewer(user),
                           "as_of": as_of, "now": now}  # fmt: skip

    def act(conn: sa.Connection) -> None:
        if step == "extend":
            clockstops.extend(
                conn, app_id, sent.get("reason", ""), days=_days(sent.get("days", "")),
                rules_path=settings.workflow_rules, **who,
            )  # fmt: skip
        elif step == "pause":
            clockstops.pause(conn, app_id, sent.get("kind", ""), sent.get("reason", ""),
                             rules_path=settings.workflow_rules, **who)  # fmt: skip
        else:
            clockstops.resume(conn, app_id, **who)

    # in the thread pool: the store may wait for its write lock
    return await run_in_threadpool(
        _acted, request, engine, catalog, user, app_id, "clock", act, as_of
    )


def _clock_route(step: str, doc: str) -> None:
    """``POST /admin/applications/{app_id}/<step>`` (the form named ``<step>_form``), a
    step of :func:`_clock`; the three steps differ only in the step."""

    async def form(
        app_id: IdPath, request: Request, engine: EngineDep, catalog: CatalogDep, now: NowDep,
        settings: SettingsDep, user: Decider,
    ) -> Response:  # fmt: skip
        return await _clock(step, app_id, request, engine, catalog, now, settings, user)

    form.__name__ = form.__qualname__ = f"{step}_form"
    form.__doc__ = doc
    router.post(f"/{{app_id}}/{step}")(form)


_clock_route("extend", "延长办理期限: the jurisdiction's one extension, with reasons.")
_clock_route("pause", "中止计时: a pause the jurisdiction allows (河南: tests, expert review).")
_clock_route("resume", "恢复计时: the clock runs again; the days it stood still move the deadline.")


def _days(text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    if not text.isdigit() or len(text) > 3:
        raise InvalidInput(f"延长天数“{text[:10]}”不是整数", f"days {text[:10]!r} is not a number",
                           field="days")  # fmt: skip
    return int(text)
