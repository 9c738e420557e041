"""What every back-office page shares: the Jinja2 environment (autoescaped), the logged-in user
and the CSRF field in every template, error pages.

Pages call ``render(request, "admin/<page>.html", **context)``; templates extend
``admin/base.html`` and put ``{{ csrf_field() }}`` inside every form that posts.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context
from markupsafe import Markup, escape
from starlette.datastructures import FormData

from gongxin.catalog.registry import Catalog
from gongxin.clock import CHINA_TZ, as_utc
from gongxin.errors import GongxinError
from gongxin.identity.departments import KIND_NAMES
from gongxin.identity.roles import ROLE_NAMES, SCOPE_NAMES, Role, Scope
from gongxin.web import branding
from gongxin.web.auth import CSRF_FIELD


@asynccontextmanager
async def posted_form(request: Request) -> AsyncIterator[FormData]:
    """The posted form (parsed once: the CSRF check read it first), its spooled uploads
    closed when the page is done with it, whatever happens."""
    form = await request.form()
    try:
        yield form
    finally:
        await form.close()


def dataset_listing(catalog: Catalog, total: int, page: int, size: int) -> dict[str, Any]:
    """What a paged back-office listing of a department's data shows besides its rows: the
    count, the page and how many there are, the datasets to choose and their names by code."""
    return {
        "total": total,
        "page": page,
        "pages": max(1, -(-total // size)),
        "datasets": catalog.specs(),
        "names": {s.code: s.name for s in catalog.specs()},
    }


@pass_context
def csrf_field(context: Context) -> Markup:
    """The hidden input carrying the session's (or the login form's) CSRF token."""
    token = context.get("csrf_token") or ""
    return Markup('<input type="hidden" name="{}" value="{}">').format(CSRF_FIELD, escape(token))


def china_time(moment: datetime | None) -> str:
    """A stored moment as China time, to the minute (the one time zone of every page)."""
    if moment is None:
        return "—"
    return as_utc(moment).astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M")


def file_size(size: int) -> str:
    """A byte count for people: 2 GB, 64 KB."""
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:.3g} {unit}"
    return f"{size} 字节"


_templates = Environment(
    # Own templates first, then the parts both sites show (web/templates).
    loader=ChoiceLoader(
        [
            FileSystemLoader(Path(__file__).parent / "templates"),
            FileSystemLoader(Path(__file__).parent.parent / "templates"),
        ]
    ),
    autoescape=select_autoescape(["html"], default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
_templates.globals.update(
    csrf_field=csrf_field,
    china_time=china_time,
    file_size=file_size,
    ROLE_NAMES=ROLE_NAMES,
    SCOPE_NAMES=SCOPE_NAMES,
    KIND_NAMES=KIND_NAMES,
    Role=Role,
    Scope=Scope,
)


PAGE_HEADERS = {
    "Cache-Control": "no-store",  # back-office pages hold personal data and one-time keys
    "X-Frame-Options": "DENY",  # no framing: no clickjacking of the forms
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
}


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A back-office page; ``user``, ``csrf_token`` and ``path`` come from the request, the
    site's name and footer from the branding settings (``GONGXIN_BRAND_*``)."""
    session = getattr(request.state, "session", None)
    context.setdefault("user", getattr(request.state, "user", None))
    context.setdefault("csrf_token", session.csrf_token if session else "")
    context.setdefault("path", request.url.path)
    context.setdefault("brand", branding.current())
    html = _templates.get_template(template).render(**context)
    return HTMLResponse(html, status_code=status, headers=PAGE_HEADERS)


def render_error(request: Request, exc: GongxinError) -> HTMLResponse:
    heading = {
        401: "请先登录",
        403: "无权访问",
        404: "未找到",
        409: "冲突",
        429: "操作过于频繁",
        503: "服务器忙，请稍后再试",
    }.get(exc.status, "请求有误")
    return render(request, "admin/error.html", exc.status, heading=heading, zh=exc.zh, en=exc.en)
