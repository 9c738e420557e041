"""``create_app(settings)``: the one place the web application is assembled."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from gongxin import __version__, logs
from gongxin.catalog.registry import get_catalog
from gongxin.db.engine import make_engine
from gongxin.errors import Busy, GongxinError
from gongxin.records import regimes
from gongxin.settings import Settings
from gongxin.web import admin, auth, validation
from gongxin.web.admin import audit_pages, job_pages, supervision_pages
from gongxin.web.admin import catalog as catalog_pages
from gongxin.web.admin import feedback as feedback_pages
from gongxin.web.admin import sharing as sharing_admin
from gongxin.web.api import catalog as catalog_api
from gongxin.web.api import commitments as commitments_api
from gongxin.web.api import exchange as exchange_api
from gongxin.web.api import feedback as feedback_api
from gongxin.web.api import opendata as opendata_api
from gongxin.web.api import publicity, reports, subjects, submissions
from gongxin.web.api import sanctions as sanctions_api
from gongxin.web.api import supervision as supervision_api
from gongxin.web.portal import (
    commitment_pages,
    graph_pages,
    opendata_pages,
    pages,
    publicity_pages,
    sanction_pages,
)


def create_app(settings: Settings) -> FastAPI:
    logs.configure(settings.log_level, settings.log_json)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = settings
        app.state.engine = make_engine(settings.database_url)
        app.state.catalog = get_catalog(settings.catalog_dir)
        regimes.configure(settings.regimes_dir)
        yield
        app.state.engine.dispose()

    app = FastAPI(
        title="公信 gongxin 公共信用信息平台 API",
        version=__version__,
        description="公共信用信息平台 API: intake (归集), public credit queries, credit checks and "
        "feedback (联合奖惩), commitments, data sharing (共享交换), open data (CKAN-compatible).",
        lifespan=lifespan,
    )

    @app.exception_handler(GongxinError)
    async def domain_error(_request: Request, exc: GongxinError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else {}
        if isinstance(exc, Busy):
            headers["Retry-After"] = str(exc.retry_after)
        return JSONResponse(exc.to_dict(), status_code=exc.status, headers=headers)

    validation.install(app)  # 422 in Chinese and English, naming where and what
    auth.install(app)  # 401/403: a login redirect or an HTML page for people, JSON for programs

    @app.get("/health", tags=["运维 operations"])
    def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    app.include_router(submissions.router)
    app.include_router(supervision_api.router)  # before /subjects/{code}: nothing overlaps
    app.include_router(subjects.router)
    app.include_router(publicity.router)
    app.include_router(graph_pages.router)  # /subjects/{code}/graph before /subjects/{code}
    app.include_router(pages.router)
    app.include_router(publicity_pages.router)
    app.include_router(reports.router)
    app.include_router(commitments_api.router)
    app.include_router(feedback_api.router)  # before any /checks/{check_id} route
    app.include_router(commitment_pages.router)
    app.include_router(feedback_pages.router)
    app.include_router(admin.router)
    app.include_router(sanctions_api.router)
    app.include_router(sanction_pages.router)
    app.include_router(opendata_api.router)
    app.include_router(opendata_pages.router)
    app.include_router(exchange_api.router)
    app.include_router(sharing_admin.router)
    app.include_router(audit_pages.router)
    app.include_router(job_pages.router)
    app.include_router(supervision_pages.router)
    app.include_router(catalog_api.router)
    app.include_router(catalog_pages.router)
    return app
