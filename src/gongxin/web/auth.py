"""Who may call what: API keys with scopes for systems, sessions with roles for people.

* ``require_scope(Scope.X)`` — a dependency returning the Department of a valid Bearer key that
  carries scope X: 401 (with ``WWW-Authenticate: Bearer``) for a missing, unknown, expired or
  revoked key, 403 for a key without the scope.
* ``require_roles(Role.A, ...)`` — a dependency returning the logged-in ``User`` holding one of
  the roles: not logged in → 401 (HTML pages under /admin: 303 to /admin/login?next=...),
  no such role → 403. On POST/PUT/PATCH/DELETE it also checks the session's CSRF token
  (``verify_csrf``), so no form can forget it.
* ``verify_csrf`` — form field ``csrf_token`` or header ``X-CSRF-Token`` must equal the
  session's token on unsafe methods of session-authenticated requests; 403 otherwise.

The login form has no session yet: it is protected by a double-submit cookie (a random token in
a SameSite=Strict cookie that must equal the form's hidden field) plus an Origin check when the
browser sends one. ``install(app)`` adds the error handlers that turn 401/403 into a redirect
or an HTML page for people and JSON for programs.
"""

from __future__ import annotations

import hmac
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime, timedelta
from typing import Annotated
from urllib.parse import quote, urlsplit

import sqlalchemy as sa
from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.security import HTTPAuthorizationCredentials
from starlette.datastructures import FormData

from gongxin.db import dialect
from gongxin.db.engine import reading
from gongxin.errors import Forbidden, GongxinError, Unauthorized
from gongxin.identity import keys, sessions
from gongxin.identity.accounts import User
from gongxin.identity.departments import Department
from gongxin.identity.roles import ROLE_NAMES, SCOPE_NAMES, Role, Scope
from gongxin.identity.sessions import Session
from gongxin.settings import Settings
from gongxin.web.api.errors_doc import DEPARTMENT_KEY
from gongxin.web.deps import get_engine, get_now, get_settings

SESSION_COOKIE = "gx_session"
LOGIN_CSRF_COOKIE = "gx_login_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

__all__ = [
    "CSRF_FIELD",
    "CSRF_HEADER",
    "SESSION_COOKIE",
    "NotLoggedIn",
    "SessionDep",
    "actor_of",
    "current_session",
    "install",
    "require_roles",
    "require_scope",
    "safe_next",
    "verify_csrf",
]


class NotLoggedIn(Unauthorized):
    code = "not_logged_in"


_bearer = DEPARTMENT_KEY  # the security scheme OpenAPI shows


def require_scope(scope: Scope) -> Callable[..., Department]:
    """A dependency: the Department of a valid Bearer key carrying ``scope``."""

    def key_with_scope(
        request: Request,
        engine: Annotated[sa.Engine, Depends(get_engine)],
        now: Annotated[datetime, Depends(get_now)],
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> Department:
        if credentials is None or credentials.scheme.lower() != "bearer":
            raise Unauthorized(
                "缺少 API 密钥：请使用 Authorization: Bearer <密钥>",
                "missing API key: send Authorization: Bearer <key>",
            )
        with reading(engine) as conn:
            key = keys.check(conn, credentials.credentials, now=now)
            if keys.use_due(key, now=now):
                _note_use(conn, key, now)
        if scope not in key.scopes:
            raise Forbidden(
                f"密钥 {key.prefix} 没有“{SCOPE_NAMES[scope]}”（{scope}）权限范围",
                f"key {key.prefix} lacks the scope {scope!r}",
                scope=str(scope),
            )
        request.state.api_key = key
        request.state.actor = f"key:{key.prefix}"
        return key.department

    key_with_scope.__name__ = f"require_scope_{scope}"
    return key_with_scope


def current_session(
    request: Request,
    engine: Annotated[sa.Engine, Depends(get_engine)],
    settings: Annotated[Settings, Depends(get_settings)],
    now: Annotated[datetime, Depends(get_now)],
) -> Session | None:
    """The live session of the request's cookie, or None (notes the activity)."""
    token = request.cookies.get(SESSION_COOKIE, "")
    found: Session | None = None
    if token:
        with engine.connect() as conn:
            found = sessions.lookup(
                conn, token, now=now, idle=timedelta(minutes=settings.session_idle_minutes)
            )
            conn.commit()
            if found is not None and sessions.due(found, now=now):
                _touch(conn, found, now)
    request.state.session = found
    request.state.user = found.user if found else None
    if found is not None:
        request.state.actor = found.user.actor
    return found


def _touch(conn: sa.Connection, session: Session, now: datetime) -> None:
    """Note the activity, unless the store is busy (a long SQLite submission): then the page
    is served anyway and the next request notes it."""
    with dialect.wait_briefly(conn):
        try:
            sessions.touch(conn, session, now=now)
            conn.commit()
        except sa.exc.OperationalError:
            conn.rollback()


def _note_use(conn: sa.Connection, key: keys.KeyInfo, now: datetime) -> None:
    """Record the key's use (at most once a minute), unless the store is busy: the call is
    served anyway and a later one records it."""
    with dialect.wait_briefly(conn):
        try:
            keys.note_use(conn, key, now=now)
            conn.commit()
        except sa.exc.OperationalError:
            conn.rollback()


SessionDep = Annotated[Session | None, Depends(current_session)]


def _is_form(request: Request) -> bool:
    return request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    )


async def sent_csrf_token(request: Request) -> str:
    """The CSRF token the request carries: header X-CSRF-Token, else form field csrf_token."""
    sent = request.headers.get(CSRF_HEADER, "")
    if not sent and _is_form(request):
        value = (await request.form()).get(CSRF_FIELD)
        sent = value if isinstance(value, str) else ""
    return sent


async def verify_csrf(request: Request, session: SessionDep) -> AsyncIterator[None]:
    """403 unless an unsafe request of a logged-in user carries the session's CSRF token.

    A form read here (uploads spooled to temporary files) is closed when the request is done,
    whether it was refused here, by the role check or answered by the route."""
    if request.method not in UNSAFE_METHODS or session is None:
        yield
        return
    form: FormData | None = None
    try:
        sent = request.headers.get(CSRF_HEADER, "")
        if not sent and _is_form(request):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            sent = value if isinstance(value, str) else ""
        if not sent or not hmac.compare_digest(sent.encode(), session.csrf_token.encode()):
            raise Forbidden(
                "表单已失效或来源不明（CSRF 校验失败）：请刷新页面后重试",
                "missing or wrong CSRF token: reload the page and try again",
            )
        yield
    finally:
        if form is not None:
            await form.close()


def require_roles(*roles: Role) -> Callable[..., Awaitable[User]]:
    """A dependency: the logged-in User holding one of ``roles`` (CSRF-checked when unsafe)."""
    if not roles:
        raise ValueError("require_roles needs at least one role")
    wanted = frozenset(roles)

    async def user_with_role(
        session: SessionDep, _csrf: Annotated[None, Depends(verify_csrf)]
    ) -> User:
        if session is None:
            raise NotLoggedIn("请先登录后台", "log in to the back office first")
        if not session.user.roles & wanted:
            names = "、".join(ROLE_NAMES[r] for r in sorted(wanted))
            raise Forbidden(
                f"此功能仅限：{names}", f"this needs one of the roles: {', '.join(sorted(wanted))}"
            )
        return session.user

    user_with_role.__name__ = "require_roles_" + "_".join(sorted(wanted))
    return user_with_role


def actor_of(request: Request) -> str:
    """How the audit log names the caller: user:<name>, key:<prefix> (set by the guards)."""
    actor: str = getattr(request.state, "actor", "anonymous")
    return actor


def safe_next(target: str | None, default: str = "/admin") -> str:
    """A local path to go to after login (never another site)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target


def _wants_html(request: Request) -> bool:
    path = request.url.path
    accept = request.headers.get("accept", "")
    return (
        path.startswith("/admin")
        and not path.startswith("/admin/api/")
        and "application/json" not in accept
    )


def install(app: FastAPI) -> None:
    """Answer 401/403 as a login redirect or an HTML page to people, JSON to programs."""

    async def refused(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, GongxinError)
        if _wants_html(request):
            if isinstance(exc, NotLoggedIn):
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                return RedirectResponse(f"/admin/login?next={quote(target)}", status_code=303)
            from gongxin.web.admin.render import render_error

            return render_error(request, exc)
        headers = {}
        if exc.status == 401:
            headers["WWW-Authenticate"] = (
                'Cookie realm="gongxin-admin"' if isinstance(exc, NotLoggedIn) else "Bearer"
            )
        return JSONResponse(exc.to_dict(), status_code=exc.status, headers=headers)

    app.add_exception_handler(Unauthorized, refused)
    app.add_exception_handler(Forbidden, refused)
