"""Portal pages of 信用投诉 (credit complaints): the form (with the categories and deadlines of
the rules), the 查询码 after filing, following and rating by 查询码, the company's reply page
opened by the signed link of its e-mail, and the period report with its chart, table and CSV.
The same service functions as the API (gongxin.market.complaint_service)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from gongxin.clock import local_date
from gongxin.errors import GongxinError, InvalidInput
from gongxin.market import complaint_report, complaint_service
from gongxin.market.complaint_report import PERIODS
from gongxin.market.complaints import Filing
from gongxin.settings import Settings
from gongxin.web import ratelimit
from gongxin.web.api.complaints import report_of
from gongxin.web.deps import CatalogDep, EngineDep, NowDep, SettingsDep
from gongxin.web.portal.render import error_page, render
from gongxin.workflows.attachments import Upload

router = APIRouter(include_in_schema=False)
FIELDS = ("company", "complainant", "phone", "email", "category", "claim", "facts")


def _form(
    settings: Settings, status: int = 200, error: GongxinError | None = None,
    sent: dict[str, str] | None = None,
) -> HTMLResponse:  # fmt: skip
    return render(
        "complaints/form.html", status, rules=complaint_service.rules(settings), error=error,
        sent=sent or {}, max_mb=round(settings.attachment_max_bytes / 1024 / 1024, 1),
        max_count=settings.attachment_max_count,
    )  # fmt: skip


@router.get("/complaints", response_class=HTMLResponse)
def form_page(settings: SettingsDep, company: Annotated[str, Query(max_length=200)] = "") -> Any:
    return _form(settings, sent={"company": company})


@router.post("/complaints", response_class=HTMLResponse)
async def file_form(
    request: Request, engine: EngineDep, settings: SettingsDep, now: NowDep
) -> HTMLResponse:
    try:
        ratelimit.hit(request, "filing")  # before the form is read: a flood costs nothing
        async with request.form(
            max_files=settings.attachment_max_count + 1,
            max_part_size=settings.attachment_max_bytes + 1024,
        ) as form:
            sent = {k: str(form.get(k) or "") for k in FIELDS}
            uploads = [
                Upload(f.filename or "evidence", await f.read())
                for f in form.getlist("evidence")
                if isinstance(f, UploadFile) and (f.filename or f.size)
            ]
    except GongxinError as exc:
        return error_page(exc)
    except Exception:  # starlette refuses too many or too large parts
        refused = InvalidInput(
            f"证据文件过多或过大：最多 {settings.attachment_max_count} 个，每个不超过 "
            f"{settings.attachment_max_bytes} 字节",
            "too many or too large evidence files",
            field="evidence",
        )
        return _form(settings, 400, refused)

    def answer() -> HTMLResponse:  # in the thread pool: the store may wait for its write lock
        try:
            filed = complaint_service.file(
                engine, settings, Filing(**sent), uploads, as_of=local_date(now), now=now
            )
        except GongxinError as exc:
            return _form(settings, exc.status, exc, sent)
        return render("complaints/filed.html", 201, filed=filed)

    return await run_in_threadpool(answer)


@router.get("/complaints/lookup", response_class=HTMLResponse)
def lookup_page(settings: SettingsDep) -> HTMLResponse:
    return render("complaints/lookup.html", found=None, rules=complaint_service.rules(settings))


@router.post("/complaints/lookup", response_class=HTMLResponse)
async def lookup_form(request: Request, engine: EngineDep, settings: SettingsDep) -> HTMLResponse:
    code = str((await request.form()).get("code") or "")[:100]
    rules = complaint_service.rules(settings)

    def answer() -> HTMLResponse:  # in the thread pool, as every read of the store
        try:
            ratelimit.hit(request)
            found = complaint_service.lookup(engine, settings, code)
        except GongxinError as exc:
            return render("complaints/lookup.html", exc.status, found=None, error=exc, rules=rules)
        return render("complaints/lookup.html", found=found, code=code, rules=rules)

    return await run_in_threadpool(answer)


@router.post("/complaints/rating", response_class=HTMLResponse)
async def rating_form(
    request: Request, engine: EngineDep, catalog: CatalogDep, settings: SettingsDep, now: NowDep
) -> HTMLResponse:
    form = await request.form()
    sent = {k: str(form.get(k) or "")[:1000] for k in ("code", "rating", "note")}
    rules = complaint_service.rules(settings)

    def answer() -> HTMLResponse:  # in the thread pool: the store may wait for its write lock
        try:
            ratelimit.hit(request)
            found = complaint_service.rate(
                engine, catalog, settings, sent["code"][:100], sent["rating"][:20], sent["note"],
                as_of=local_date(now), now=now,
            )  # fmt: skip
        except GongxinError as exc:
            try:
                found = complaint_service.lookup(engine, settings, sent["code"][:100])
            except GongxinError:
                found = None
            code = sent["code"] if found else ""
            return render("complaints/lookup.html", exc.status, found=found, code=code,
                          error=exc, rules=rules)  # fmt: skip
        return render("complaints/lookup.html", found=found, code=sent["code"], rules=rules,
                      rated=True)  # fmt: skip

    return await run_in_threadpool(answer)


def _reply_page(
    engine: EngineDep, settings: Settings, token: str, now: Any, status: int = 200,
    error: GongxinError | None = None, done: bool = False, sent: str = "",
) -> HTMLResponse:  # fmt: skip
    try:
        found = complaint_service.company_view(engine, settings, token, as_of=local_date(now),
                                               now=now)  # fmt: skip
    except GongxinError as exc:
        return error_page(exc)
    return render("complaints/reply.html", status, found=found, error=error, done=done,
                  sent=sent, token=token)  # fmt: skip


@router.get("/complaints/reply/{token}", response_class=HTMLResponse)
def reply_page(
    token: str, request: Request, engine: EngineDep, settings: SettingsDep, now: NowDep
) -> HTMLResponse:
    try:
        ratelimit.hit(request)
    except GongxinError as exc:
        return error_page(exc)
    return _reply_page(engine, settings, token[:120], now)


@router.post("/complaints/reply/{token}", response_class=HTMLResponse)
async def reply_form(
    token: str, request: Request, engine: EngineDep, catalog: CatalogDep, settings: SettingsDep,
    now: NowDep,
) -> HTMLResponse:  # fmt: skip
    text = str((await request.form()).get("reply") or "")[:6000]

    def answer() -> HTMLResponse:  # in the thread pool: the store may wait for its write lock
        try:
            ratelimit.hit(request)
            complaint_service.reply(engine, catalog, settings, token[:120], text,
                                    as_of=local_date(now), now=now)  # fmt: skip
        except GongxinError as exc:
            if exc.status in (403, 404):
                return error_page(exc)
            return _reply_page(engine, settings, token[:120], now, exc.status, exc, sent=text)
        return _reply_page(engine, settings, token[:120], now, done=True)

    return await run_in_threadpool(answer)


Period = Annotated[str, Query(max_length=10)]
Day = Annotated[str, Query(alias="date", max_length=20)]


@router.get("/complaints/report", response_class=HTMLResponse)
def report_page(
    engine: EngineDep, settings: SettingsDep, now: NowDep, period: Period = "month", day: Day = ""
) -> HTMLResponse:
    as_of = local_date(now)
    try:
        found = report_of(engine, settings, period, day, as_of)
    except GongxinError as exc:
        return error_page(exc)
    p = found["period"]
    following = p.end + timedelta(days=1)
    return render(
        "complaints/report.html",
        report=found,
        chart=complaint_report.chart(found),
        periods=PERIODS,
        kind=p.kind,
        day=day or as_of.isoformat(),
        earlier=complaint_report.before(p).start.isoformat(),
        later=following.isoformat() if following <= as_of else None,
        rules=complaint_service.rules(settings),
    )
