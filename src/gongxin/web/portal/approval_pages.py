"""Portal pages of parallel approval (并联审批): the matters, the filing form (a 查询码 after
filing, with the credit check's result), and following an application by 查询码. The same
service functions as the API (gongxin.approval.applications)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from gongxin.approval import applications
from gongxin.approval.applications import Filing
from gongxin.clock import local_date
from gongxin.errors import GongxinError
from gongxin.web import ratelimit
from gongxin.web.api.approval import book_of
from gongxin.web.deps import CatalogDep, EngineDep, NowDep, SettingsDep
from gongxin.web.portal.render import error_page, render

router = APIRouter(include_in_schema=False)


@router.get("/approval", response_class=HTMLResponse)
def matters_page(catalog: CatalogDep, settings: SettingsDep) -> HTMLResponse:
    return render("approval/matters.html", matters=book_of(catalog, settings).matters)


@router.get("/approval/apply/{matter}", response_class=HTMLResponse)
def form_page(matter: str, catalog: CatalogDep, settings: SettingsDep) -> HTMLResponse:
    try:
        found = book_of(catalog, settings).get(matter[:60])
    except GongxinError as exc:
        return error_page(exc)
    return render("approval/form.html", matter=found, sent={}, given=[])


@router.post("/approval/apply/{matter}", response_class=HTMLResponse)
async def file_form(
    matter: str, request: Request, engine: EngineDep, catalog: CatalogDep,
    settings: SettingsDep, now: NowDep,
) -> HTMLResponse:  # fmt: skip
    book = book_of(catalog, settings)
    try:
        found = book.get(matter[:60])
        ratelimit.hit(request, "filing")
    except GongxinError as exc:
        return error_page(exc)
    form = await request.form()
    sent = {k: str(form.get(k) or "")[:200] for k in ("applicant", "applicant_code",
                                                       "project_code", "mode")}  # fmt: skip
    given = [str(v)[:50] for v in form.getlist("materials")][:100]
    filing = Filing(found.code, sent["applicant"], sent["applicant_code"], given,
                    sent["mode"] or "standard", sent["project_code"] or None)  # fmt: skip
    as_of = local_date(now)

    def answer() -> HTMLResponse:  # in the thread pool: the store may wait for its write lock
        try:
            with engine.begin() as conn:
                filed = applications.file(conn, catalog, book, filing, as_of=as_of, now=now)
                shown = applications.summary(conn, applications.get(conn, filed.id), as_of)
        except GongxinError as exc:
            return render("approval/form.html", exc.status, matter=found, sent=sent,
                          given=given, error=exc)  # fmt: skip
        return render("approval/filed.html", 201, app=shown, code=filed.code, matter=found)

    return await run_in_threadpool(answer)


@router.get("/approval/lookup", response_class=HTMLResponse)
def lookup_page() -> HTMLResponse:
    return render("approval/lookup.html", app=None)


@router.post("/approval/lookup", response_class=HTMLResponse)
async def lookup_form(
    request: Request, engine: EngineDep, catalog: CatalogDep, settings: SettingsDep, now: NowDep
) -> HTMLResponse:
    code = str((await request.form()).get("code") or "")[:100]

    def answer() -> HTMLResponse:  # in the thread pool, as every read of the store
        try:
            ratelimit.hit(request)
            with engine.connect() as conn:
                found = applications.lookup(conn, code, local_date(now))
        except GongxinError as exc:
            return render("approval/lookup.html", exc.status, app=None, error=exc)
        matter = book_of(catalog, settings).get(found["matter"])
        return render("approval/lookup.html", app=found, matter=matter)

    return await run_in_threadpool(answer)
