"""``create_app(settings)``: the one place the web application is assembled."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from gongxin import __version__, logs, slots
from gongxin.catalog.registry import get_catalog
from gongxin.db import engine as engines
from gongxin.errors import Busy, GongxinError, InvalidInput, TooManyRequests
from gongxin.records import regimes
from gongxin.settings import Settings
from gongxin.web import admin, api_docs, auth, branding, validation
from gongxin.web.admin import (
    agency_pages,
    audit_pages,
    evaluation_pages,
    job_pages,
    simulation_pages,
    supervision_pages,
)
from gongxin.web.admin import application_pages as application_admin
from gongxin.web.admin import approval_pages as approval_admin
from gongxin.web.admin import catalog as catalog_pages
from gongxin.web.admin import complaint_pages as complaint_admin
from gongxin.web.admin import feedback as feedback_pages
from gongxin.web.admin import monitoring_pages as monitoring_admin
from gongxin.web.admin import rating_pages as rating_admin
from gongxin.web.admin import render as admin_render
from gongxin.web.admin import sharing as sharing_admin
from gongxin.web.admin import trust_mark_pages as trust_mark_admin
from gongxin.web.api import agencies as agencies_api
from gongxin.web.api import applications as applications_api
from gongxin.web.api import approval as approval_api
from gongxin.web.api import catalog as catalog_api
from gongxin.web.api import commitments as commitments_api
from gongxin.web.api import complaints as complaints_api
from gongxin.web.api import evaluations as evaluations_api
from gongxin.web.api import exchange as exchange_api
from gongxin.web.api import feedback as feedback_api
from gongxin.web.api import industry_evaluations as industry_evaluations_api
from gongxin.web.api import monitoring as monitoring_api
from gongxin.web.api import opendata as opendata_api
from gongxin.web.api import publicity, reports, subjects, submissions
from gongxin.web.api import sanctions as sanctions_api
from gongxin.web.api import simulations as simulations_api
from gongxin.web.api import supervision as supervision_api
from gongxin.web.api import trace as trace_api
from gongxin.web.api import trust_marks as trust_marks_api
from gongxin.web.api import warning_feed as warning_feed_api
from gongxin.web.api.errors_doc import ERRORS
from gongxin.web.body_limit import BodyLimit
from gongxin.web.headers import SecurityHeaders
from gongxin.web.portal import (
    application_pages,
    approval_pages,
    commitment_pages,
    complaint_pages,
    graph_pages,
    monitoring_pages,
    opendata_pages,
    pages,
    publicity_pages,
    rating_pages,
    sanction_pages,
    trace_pages,
    trust_mark_pages,
)
from gongxin.web.portal import render as portal_render

STATIC = Path(__file__).parent / "static"  # the pages' style sheets and scripts
_HTTP_ERRORS = {
    404: ("没有这个地址", "no such address", "not_found"),
    405: ("此地址不支持该请求方法", "method not allowed at this address", "method_not_allowed"),
}


_PROGRAM_PREFIXES = ("/api/", "/exchange/", "/health", "/static/", "/openapi")


def wants_page(request: Request) -> bool:
    """The caller is a person's browser at a page address: it accepts HTML, and the path is not
    one that programs call (the JSON API, the exchange API, static files)."""
    path = request.url.path
    if path.startswith(_PROGRAM_PREFIXES):
        return False
    return "text/html" in request.headers.get("accept", "")


def malformed_page(request: Request, zh: str, en: str) -> Response | None:
    """A malformed request from a person's browser (a form sent without a field it needs): the
    back office's error page, or the portal's (Chinese only); None for programs."""
    if not wants_page(request):
        return None
    if request.url.path.startswith("/admin"):
        return admin_render.render_error(request, InvalidInput(zh, en))
    return portal_render.status_page(400, zh)


def create_app(settings: Settings) -> FastAPI:
    logs.configure(settings.log_level, settings.log_json)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = settings
        app.state.engine = engines.for_settings(settings)
        app.state.catalog = get_catalog(settings.catalog_dir)
        app.state.slots = {
            "intake": slots.intake(settings.intake_concurrency),
            "check_files": slots.check_files(settings.check_file_concurrency),
            "pdf": slots.pdfs(settings.pdf_concurrency),
        }
        regimes.configure(settings.regimes_dir)
        yield
        app.state.engine.dispose()

    app = FastAPI(
        title="公信 gongxin 公共信用信息平台 API",
        version=__version__,
        description="公共信用信息平台 API: intake (归集), public credit queries, credit checks and "
        "feedback (联合奖惩), commitments, data sharing (共享交换), open data (CKAN-compatible).",
        lifespan=lifespan,
        docs_url=None,  # served by web/api_docs.py from the app's own copy of Swagger UI
        redoc_url=None,
    )

    @app.exception_handler(GongxinError)
    async def domain_error(_request: Request, exc: GongxinError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else {}
        if isinstance(exc, Busy | TooManyRequests):
            headers["Retry-After"] = str(exc.retry_after)
        return JSONResponse(exc.to_dict(), status_code=exc.status, headers=headers)

    app.add_middleware(BodyLimit, settings=settings)  # 413 before an oversized body is read
    app.add_middleware(SecurityHeaders, https=settings.session_cookie_secure)
    app.add_middleware(branding.BrandMiddleware, settings=settings)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        """No such route (404), a method the route lacks (405): the portal's page for a person's
        browser, the platform's error shape for programs and under /api."""
        zh, en, code = _HTTP_ERRORS.get(exc.status_code, ("请求有误", str(exc.detail), "error"))
        if wants_page(request):
            return portal_render.status_page(exc.status_code, zh, headers=exc.headers)
        body = {"error": code, "message": f"{zh}（{en}）", "zh": zh, "en": en}
        return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(Exception)
    async def server_error(request: Request, _exc: Exception) -> Response:
        """A failure no handler expected: a page for people, the error shape for programs (the
        exception itself is logged by the server, never shown)."""
        zh, en = "服务器内部错误", "internal server error"
        if wants_page(request):
            branding.use(branding.Brand.of(settings))  # outside the brand middleware here
            return portal_render.status_page(500, zh)
        body = {"error": "internal_error", "message": f"{zh}（{en}）", "zh": zh, "en": en}
        return JSONResponse(body, status_code=500)

    validation.install(app, malformed_page)  # 422 in Chinese and English, naming where and what
    auth.install(app)  # 401/403: a login redirect or an HTML page for people, JSON for programs

    app.include_router(api_docs.router)

    @app.get("/health", tags=["运维 operations"])
    def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    # In this order (the first route that matches answers). JSON routes declare the platform's
    # error responses (errors_doc.ERRORS); portal and back-office pages are HTML for people and
    # stay out of the OpenAPI document.
    api, page = True, False
    for router, is_api in [
        (submissions.router, api),
        (supervision_api.router, api),  # before /subjects/{code}: nothing overlaps
        (subjects.router, api), (publicity.router, api),
        (graph_pages.router, page),  # /subjects/{code}/graph before /subjects/{code}
        (pages.router, page), (publicity_pages.router, page), (reports.router, api),
        (commitments_api.router, api),
        (feedback_api.router, api),  # before any /checks/{check_id} route
        (commitment_pages.router, page), (feedback_pages.router, page), (admin.router, page),
        (sanctions_api.router, api), (sanction_pages.router, page), (opendata_api.router, api),
        (opendata_pages.router, page),
        (evaluations_api.router, api),  # before /exchange/{dataset}/…
        (warning_feed_api.router, api),
        (exchange_api.router, api), (sharing_admin.router, page),
        (audit_pages.router, page), (job_pages.router, page), (evaluation_pages.router, page),
        (supervision_pages.router, page), (simulation_pages.router, page),
        (simulations_api.router, api),
        (supervision_pages.router, page),
        (monitoring_api.router, api), (monitoring_pages.router, page),
        (monitoring_admin.router, page),
        (catalog_api.router, api),
        (catalog_pages.router, page), (applications_api.router, api),
        (application_pages.router, page), (application_admin.router, page),
        (trust_marks_api.router, api), (trust_mark_pages.router, page),
        (trust_mark_admin.router, page), (agencies_api.router, api), (agency_pages.router, page),
        (complaints_api.router, api), (complaint_pages.router, page),
        (complaint_admin.router, page),
        (approval_api.router, api), (approval_pages.router, page), (approval_admin.router, page),
        (trace_api.router, api), (trace_pages.router, page),
        (industry_evaluations_api.router, api), (rating_pages.router, page),
        (rating_admin.router, page),
    ]:  # fmt: skip
        if is_api:
            app.include_router(router, responses=ERRORS)
        else:
            app.include_router(router, include_in_schema=False)
    return app
