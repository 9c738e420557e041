"""Login, logout and the back-office home page."""

from __future__ import annotations

import hmac
import secrets
from datetime import timedelta
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gongxin.errors import Forbidden, Unauthorized
from gongxin.identity import accounts, sessions, throttle
from gongxin.identity.accounts import User
from gongxin.identity.roles import Role
from gongxin.web.admin.render import render, render_error
from gongxin.web.auth import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    SessionDep,
    require_roles,
    safe_next,
)
from gongxin.web.clients import client_address
from gongxin.web.deps import EngineDep, NowDep, SettingsDep

router = APIRouter(prefix="/admin", tags=["后台 back office"], include_in_schema=False)

AnyUser = Annotated[User, Depends(require_roles(*Role))]


def _login_form(
    request: Request, secure: bool, next_: str, status: int = 200, **context: object
) -> HTMLResponse:
    token = secrets.token_urlsafe(32)
    response = render(request, "admin/login.html", status, csrf_token=token, next=next_, **context)
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=secure,
        path="/admin/login",
    )
    return response


@router.get("/login")
def login_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    next_: Annotated[str, Query(alias="next")] = "/admin",
) -> Response:
    if session is not None:
        return RedirectResponse(safe_next(next_), status_code=303)
    return _login_form(request, settings.session_cookie_secure, safe_next(next_), username="")


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return origin is None
    return urlsplit(origin).netloc == request.headers.get("host", request.url.netloc)


@router.post("/login")
def login(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    now: NowDep,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
    csrf_token: Annotated[str, Form()] = "",
    next_: Annotated[str, Form(alias="next")] = "/admin",
) -> Response:
    """Check the password; on success start a session and go where the user was heading."""
    target = safe_next(next_)
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if (
        not cookie
        or not hmac.compare_digest(cookie.encode(), csrf_token.encode())
        or not _same_origin(request)
    ):
        return render_error(
            request,
            Forbidden(
                "登录表单已失效或来源不明：请刷新登录页后重试",
                "the login form expired or came from another site: reload it and try again",
            ),
        )
    with engine.connect() as conn:
        try:
            user = accounts.authenticate(
                conn,
                username,
                password,
                now=now,
                address=client_address(request),
                rules=throttle.Rules(
                    settings.login_max_failures,
                    timedelta(minutes=settings.login_lockout_minutes),
                    timedelta(minutes=settings.login_lockout_max_minutes),
                ),
            )
        except Unauthorized as exc:
            conn.commit()  # the failure count and any lock stand
            return _login_form(
                request, settings.session_cookie_secure, target, 400, error=exc, username=username
            )
        previous = request.cookies.get(SESSION_COOKIE)
        if previous:
            sessions.end(conn, previous, now=now)  # a fresh session at each login: no fixation
        new = sessions.create(
            conn, user, now=now, absolute=timedelta(hours=settings.session_absolute_hours)
        )
        conn.commit()
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        new.token,
        httponly=True,
        samesite="lax",
        secure=settings.session_cookie_secure,
        path="/",
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/admin/login")
    return response


@router.post("/logout")
def logout(request: Request, engine: EngineDep, now: NowDep, user: AnyUser) -> Response:
    """End the session (CSRF-checked like every form)."""
    with engine.begin() as conn:
        sessions.end(conn, request.cookies.get(SESSION_COOKIE, ""), now=now)
    response = RedirectResponse("/admin/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/api/me", include_in_schema=True, summary="当前用户 (who am I)")
def me(user: AnyUser) -> dict[str, object]:
    """The logged-in user, as JSON (401 when not logged in)."""
    return {
        "username": user.username,
        "display_name": user.display_name,
        "department": {
            "id": user.department.id,
            "name": user.department.name,
            "kind": user.department.kind,
        },
        "roles": sorted(user.roles),
    }


@router.get("")
def home(request: Request, user: AnyUser) -> HTMLResponse:
    """Who am I: name, department, roles."""
    return render(request, "admin/home.html")
