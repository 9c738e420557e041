"""/admin/agencies: the credit centre registers credit agencies, suspends and resumes them, and
reads each one's monthly statement (page and CSV). The same services as ``gongxin agency``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gongxin.clock import local_date
from gongxin.errors import GongxinError
from gongxin.identity.accounts import User
from gongxin.identity.roles import Role
from gongxin.market import agencies, agency_statements
from gongxin.settings import Settings
from gongxin.web.admin.render import render, render_error
from gongxin.web.auth import require_roles
from gongxin.web.deps import EngineDep, NowDep, SettingsDep
from gongxin.web.params import SmallIdPath

router = APIRouter(prefix="/admin/agencies", tags=["后台 back office"], include_in_schema=False)
CentreAdmin = Annotated[User, Depends(require_roles(Role.CENTRE_ADMIN))]
MonthQuery = Annotated[str, Query(max_length=7)]
DONE = {"registered": "已登记征信机构", "suspended": "已暂停该机构", "resumed": "已恢复该机构"}


def _list(
    request: Request,
    engine: EngineDep,
    settings: Settings,
    status: int = 200,
    error: GongxinError | None = None,
    done: str = "",
) -> HTMLResponse:
    with engine.connect() as conn:
        found = agencies.all_agencies(conn)
    rule = agencies.rules(settings.agency_rules)
    return render(
        request, "admin/agencies.html", status, agencies=found, kinds=rule.kinds, error=error,
        done=DONE.get(done, ""), quota=settings.agency_quota_per_day,
    )  # fmt: skip


@router.get("")
def agencies_page(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    user: CentreAdmin,
    done: Annotated[str, Query(max_length=20)] = "",
) -> HTMLResponse:
    return _list(request, engine, settings, done=done)


@router.post("")
def register_agency(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    now: NowDep,
    user: CentreAdmin,
    name: Annotated[str, Form(max_length=200)],
    kind: Annotated[str, Form(max_length=20)],
    licence_no: Annotated[str, Form(max_length=200)],
    uscc: Annotated[str, Form(max_length=40)] = "",
    quota_per_day: Annotated[int | None, Form(ge=1, le=10_000_000)] = None,
) -> Response:
    try:
        with engine.begin() as conn:
            agencies.register(
                conn, name.strip(), uscc=uscc.strip() or None, kind=kind,
                licence_no=licence_no, quota_per_day=quota_per_day or settings.agency_quota_per_day,
                rule=agencies.rules(settings.agency_rules), now=now, actor=user.actor,
            )  # fmt: skip
    except GongxinError as exc:
        return _list(request, engine, settings, exc.status, exc)
    return RedirectResponse("/admin/agencies?done=registered", status_code=303)


def _status(
    request: Request,
    engine: EngineDep,
    settings: Settings,
    now: NowDep,
    user: User,
    agency_id: int,
    suspend: bool,
    reason: str,
) -> Response:
    try:
        with engine.begin() as conn:
            agencies.set_status(
                conn, agency_id, suspend=suspend, reason=reason, now=now, actor=user.actor
            )
    except GongxinError as exc:
        return _list(request, engine, settings, exc.status, exc)
    done = "suspended" if suspend else "resumed"
    return RedirectResponse(f"/admin/agencies?done={done}", status_code=303)


@router.post("/{agency_id}/suspend")
def suspend_agency(
    agency_id: SmallIdPath,
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    now: NowDep,
    user: CentreAdmin,
    reason: Annotated[str, Form(max_length=400)] = "",
) -> Response:
    return _status(request, engine, settings, now, user, agency_id, True, reason)


@router.post("/{agency_id}/resume")
def resume_agency(
    agency_id: SmallIdPath,
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    now: NowDep,
    user: CentreAdmin,
) -> Response:
    return _status(request, engine, settings, now, user, agency_id, False, "")


@router.get("/{agency_id}/statement")
def statement_page(
    agency_id: SmallIdPath,
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    now: NowDep,
    user: CentreAdmin,
    month: MonthQuery = "",
) -> Response:
    try:
        with engine.connect() as conn:
            found = agency_statements.statement(
                conn, agencies.get(conn, agency_id), month or f"{local_date(now):%Y-%m}"
            )
    except GongxinError as exc:
        return render_error(request, exc)
    rule = agencies.rules(settings.agency_rules)
    return render(
        request, "admin/agency_statement.html", s=found, purposes=rule.purposes,
        outcome_names=agency_statements.OUTCOME_NAMES,
    )  # fmt: skip


@router.get("/{agency_id}/statement.csv")
def statement_csv(
    agency_id: SmallIdPath,
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    user: CentreAdmin,
    month: MonthQuery,
) -> Response:
    try:
        with engine.connect() as conn:
            found = agency_statements.statement(conn, agencies.get(conn, agency_id), month)
    except GongxinError as exc:
        return render_error(request, exc)
    text = agency_statements.statement_csv(found, agencies.rules(settings.agency_rules).purposes)
    name = f"statement-{found.agency.id}-{found.month}.csv"
    return Response(
        "\ufeff" + text, media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )  # fmt: skip
