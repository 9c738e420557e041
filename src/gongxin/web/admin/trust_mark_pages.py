"""/admin/marks: the credit centre issues and revokes trust marks (网站可信标识) and hands the
company its snippet and QR code. The same services as ``gongxin mark``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gongxin.errors import GongxinError
from gongxin.identity.accounts import User
from gongxin.identity.roles import Role
from gongxin.market import trust_mark_badge, trust_marks
from gongxin.settings import Settings
from gongxin.web.admin.render import render
from gongxin.web.api.trust_marks import SerialPath, key_of, verdict_of
from gongxin.web.auth import require_roles
from gongxin.web.deps import CatalogDep, EngineDep, NowDep, SettingsDep

router = APIRouter(prefix="/admin/marks", tags=["后台 back office"], include_in_schema=False)
CentreAdmin = Annotated[User, Depends(require_roles(Role.CENTRE_ADMIN))]


def _list(
    request: Request,
    engine: EngineDep,
    settings: Settings,
    status: int = 200,
    error: GongxinError | None = None,
    done: str = "",
) -> HTMLResponse:
    with engine.connect() as conn:
        marks = trust_marks.all_marks(conn)
    return render(
        request, "admin/marks.html", status, marks=marks, error=error, done=done,
        valid_days=settings.trust_mark_valid_days,
    )  # fmt: skip


@router.get("")
def marks_page(
    request: Request, engine: EngineDep, settings: SettingsDep, user: CentreAdmin
) -> HTMLResponse:
    return _list(request, engine, settings)


@router.post("")
def issue_mark(
    request: Request,
    engine: EngineDep,
    catalog: CatalogDep,
    settings: SettingsDep,
    now: NowDep,
    user: CentreAdmin,
    code: Annotated[str, Form(max_length=40)],
    bound_url: Annotated[str, Form(max_length=600)],
    valid_days: Annotated[int, Form(ge=1, le=3650)] = 365,
) -> Response:
    try:
        with engine.begin() as conn:
            mark = trust_marks.issue(
                conn, catalog, code, bound_url, key=key_of(conn, settings, now),
                rule=trust_marks.rules(settings.trust_mark_rules), now=now,
                valid_days=valid_days, actor=user.actor,
            )  # fmt: skip
    except GongxinError as exc:
        return _list(request, engine, settings, exc.status, exc)
    return RedirectResponse(f"/admin/marks/{mark.serial}?done=issued", status_code=303)


@router.get("/{serial}")
def mark_page(
    serial: SerialPath,
    request: Request,
    engine: EngineDep,
    catalog: CatalogDep,
    settings: SettingsDep,
    now: NowDep,
    user: CentreAdmin,
    done: Annotated[str, Query(max_length=20)] = "",
) -> HTMLResponse:
    try:
        with engine.connect() as conn:
            mark = trust_marks.get(conn, serial)
    except GongxinError as exc:
        return render(request, "admin/error.html", exc.status, heading="未找到", zh=exc.zh,
                      en=exc.en)  # fmt: skip
    verdict = verdict_of(engine, catalog, settings, now, mark.serial, mark.signature)
    base = settings.public_base_url
    return render(
        request, "admin/mark.html", mark=mark, v=verdict, base=base,
        snippet=trust_mark_badge.snippet(mark, base, verdict.name or mark.uscc),
        done={"issued": "已颁发可信标识", "revoked": "已撤销可信标识"}.get(done, ""),
    )  # fmt: skip


@router.post("/{serial}/revoke")
def revoke_mark(
    serial: SerialPath,
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    now: NowDep,
    user: CentreAdmin,
    reason: Annotated[str, Form(max_length=400)] = "",
) -> Response:
    try:
        with engine.begin() as conn:
            trust_marks.revoke(conn, serial, reason=reason, now=now, actor=user.actor)
    except GongxinError as exc:
        return _list(request, engine, settings, exc.status, exc)
    return RedirectResponse(f"/admin/marks/{serial}?done=revoked", status_code=303)
