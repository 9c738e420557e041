"""Portal pages of objections (异议) and credit repair (信用修复): the guides, the forms reached
from every record page (with the repair checklist before submitting), the 查询码 after filing,
the lookup and the decision document. The same service functions as the API."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from gongxin.catalog.registry import Catalog
from gongxin.clock import local_date
from gongxin.documents import fonts
from gongxin.errors import GongxinError, InvalidInput
from gongxin.settings import Settings
from gongxin.web import ratelimit
from gongxin.web.deps import CatalogDep, EngineDep, NowDep, SettingsDep, slots_of
from gongxin.web.params import IdPath
from gongxin.web.portal.render import error_page, render
from gongxin.workflows import applications, decision_doc, service
from gongxin.workflows.applications import KINDS, Filing
from gongxin.workflows.attachments import Upload
from gongxin.workflows.deadlines import jurisdiction

router = APIRouter(include_in_schema=False)
FIELDS = ("applicant", "subject_code", "phone", "email", "statement")


def _kind(kind: str) -> str:
    if kind not in KINDS:
        raise InvalidInput(f"未知申请类型 {kind[:20]}", f"unknown kind {kind[:20]!r}")
    return kind


@router.get("/guide/{kind}", response_class=HTMLResponse)
def guide_page(kind: str, settings: SettingsDep) -> HTMLResponse:
    try:
        _, jur = jurisdiction(settings.jurisdiction, settings.workflow_rules)
        return render("apply/guide.html", kind=_kind(kind), jur=jur)
    except GongxinError as exc:
        return error_page(exc)


def _form(
    engine: sa.Engine,
    catalog: Catalog,
    settings: Settings,
    kind: str,
    record_id: int,
    as_of: date,
    status: int = 200,
    error: GongxinError | None = None,
    sent: dict[str, str] | None = None,
) -> HTMLResponse:
    with engine.connect() as conn:
        check = service.checklist(conn, catalog, settings, record_id, as_of)
    return render(
        "apply/form.html", status, kind=kind, kind_zh=KINDS[kind][0], record_id=record_id,
        check=check, open=check[f"open_{kind}"], error=error, sent=sent or {},
        max_mb=round(settings.attachment_max_bytes / 1024 / 1024, 1),
        max_count=settings.attachment_max_count,
    )  # fmt: skip


@router.get("/records/{record_id}/{kind}", response_class=HTMLResponse)
def form_page(
    record_id: IdPath, kind: str, engine: EngineDep, catalog: CatalogDep, settings: SettingsDep,
    now: NowDep,
) -> HTMLResponse:  # fmt: skip
    try:
        return _form(engine, catalog, settings, _kind(kind), record_id, local_date(now))
    except GongxinError as exc:
        return error_page(exc)


@router.post("/records/{record_id}/{kind}", response_class=HTMLResponse)
async def file_form(
    record_id: IdPath, kind: str, request: Request, engine: EngineDep, catalog: CatalogDep,
    settings: SettingsDep, now: NowDep,
) -> HTMLResponse:  # fmt: skip
    as_of = local_date(now)
    try:
        _kind(kind)
        ratelimit.hit(request, "filing")  # before the form is read: a flood costs nothing
        async with request.form(
            max_files=settings.attachment_max_count + 1,
            max_part_size=settings.attachment_max_bytes + 1024,
        ) as form:
            sent = {k: str(form.get(k) or "") for k in FIELDS}
            ticks = {k: bool(form.get(k)) for k in ("commitment", "fulfilled", "training")}
            uploads = [
                Upload(f.filename or "attachment", await f.read())
                for f in form.getlist("attachments")
                if isinstance(f, UploadFile) and (f.filename or f.size)
            ]
    except GongxinError as exc:
        return error_page(exc)
    except Exception:  # starlette refuses too many or too large parts
        refused = InvalidInput(
            f"附件过多或过大：最多 {settings.attachment_max_count} 个，每个不超过 "
            f"{settings.attachment_max_bytes} 字节",
            "too many or too large attachments",
            field="attachments",
        )
        return await run_in_threadpool(
            _form, engine, catalog, settings, kind, record_id, as_of, 400, refused
        )
    filing = Filing(
        kind, record_id, sent["applicant"], sent["subject_code"], sent["phone"], sent["email"],
        sent["statement"], ticks["commitment"], ticks["fulfilled"], ticks["training"],
    )  # fmt: skip

    def answer() -> HTMLResponse:  # in the thread pool: the store may wait for its write lock
        try:
            filed = service.file(engine, catalog, settings, filing, uploads, as_of=as_of, now=now)
        except GongxinError as exc:
            try:
                return _form(
                    engine, catalog, settings, kind, record_id, as_of, exc.status, exc, sent
                )
            except GongxinError as gone:
                return error_page(gone)
        return render("apply/filed.html", 201, filed=filed)

    return await run_in_threadpool(answer)


@router.get("/applications/lookup", response_class=HTMLResponse)
def lookup_page() -> HTMLResponse:
    return render("apply/lookup.html", app=None)


async def _look_up(request: Request, engine: sa.Engine) -> tuple[str, dict[str, Any]]:
    """The posted 查询码 and its application; each try counts against the client's lookup limit."""
    code = str((await request.form()).get("code") or "")[:100]
    ratelimit.hit(request)

    def read() -> dict[str, Any]:  # in the thread pool, as every read of the store
        with engine.connect() as conn:
            return applications.lookup(conn, code)

    return code, await run_in_threadpool(read)


@router.post("/applications/lookup", response_class=HTMLResponse)
async def lookup_form(request: Request, engine: EngineDep) -> HTMLResponse:
    try:
        code, found = await _look_up(request, engine)
    except GongxinError as exc:
        return render("apply/lookup.html", exc.status, app=None, error=exc)
    return render("apply/lookup.html", app=found, code=code)


@router.post("/applications/decision.pdf")
async def decision_download(request: Request, engine: EngineDep, settings: SettingsDep) -> Response:
    try:
        _, found = await _look_up(request, engine)
        with slots_of(request, "pdf").taken():  # laid out in the thread pool, not the event loop
            body = await run_in_threadpool(  # the font made there too, when it is missing
                lambda: decision_doc.render(found, font=fonts.report_font(settings.var_dir))
            )
    except GongxinError as exc:
        return render("apply/lookup.html", exc.status, app=None, error=exc)
    disposition = f'attachment; filename="{found["number"]}.pdf"'
    return Response(body, media_type="application/pdf",
                    headers={"Content-Disposition": disposition})  # fmt: skip
