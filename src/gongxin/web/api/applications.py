"""Objections (异议) and credit repair (信用修复) for applicants: the checklist of a record,
filing (a 查询码 comes back), following it by 查询码 and the decision document. Anyone may call
these; lookups are rate limited per client."""

from __future__ import annotations

import base64
import binascii
from datetime import date
from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from gongxin.clock import local_date
from gongxin.documents import fonts
from gongxin.errors import InvalidInput
from gongxin.web import ratelimit
from gongxin.web.api.errors_doc import PDF
from gongxin.web.deps import CatalogDep, EngineDep, NowDep, SettingsDep, slots_of
from gongxin.web.params import IdPath
from gongxin.workflows import applications, decision_doc, service
from gongxin.workflows.applications import Filing
from gongxin.workflows.attachments import Upload

router = APIRouter(prefix="/api/v1", tags=["异议与信用修复 objections and credit repair"])


class AttachmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    file_name: str = Field(max_length=255, description="文件名")
    content_base64: str = Field(description="文件内容（Base64）；PDF、JPG、PNG")


class ApplicationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["repair", "objection"] = Field(description="repair 信用修复 / objection 异议")
    record_id: int = Field(description="记录编号")
    applicant: str = Field(max_length=200, description="申请人")
    subject_code: str = Field(max_length=32, description="主体统一社会信用代码")
    phone: str = Field(max_length=40, description="联系电话")
    email: str = Field(max_length=254, description="电子邮箱")
    statement: str = Field(max_length=5000, description="申请事由")
    commitment: bool = Field(False, description="已作出信用修复承诺")
    fulfilled: bool = Field(False, description="已履行法定义务（附证明）")
    training: bool = Field(False, description="已完成专题培训或提交信用报告")
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=50)


class FiledOut(BaseModel):
    number: str = Field(description="受理编号")
    query_code: str = Field(description="查询码：凭此查询进度，仅显示一次")
    due_on: date = Field(description="办理期限（工作日计）")


class CodeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(max_length=100, description="查询码")


class ApplicationOut(BaseModel):
    number: str
    kind: str
    kind_zh: str
    record_id: int
    state: str
    state_zh: str
    received_on: date
    due_on: date
    decided_on: date | None
    reasons: str | None
    extended_days: int = Field(description="已延长的工作日（限一次）")
    extension_reason: str | None = Field(description="延长理由")
    paused_since: date | None = Field(description="自此日起中止计时（期间不计入办理期限）")
    paused_days: int = Field(description="已不计入办理期限的中止工作日")


class ChecklistItem(BaseModel):
    key: str
    zh: str
    en: str
    ok: bool
    detail_zh: str
    detail_en: str
    from_: date | None = Field(None, alias="from")


class ChecklistOut(BaseModel):
    record_id: int
    subject_name: str | None
    may_file_from: date | None
    rule: str
    open_repair: str | None
    open_objection: str | None
    items: list[ChecklistItem]


def _uploads(items: list[AttachmentIn]) -> list[Upload]:
    out = []
    for n, a in enumerate(items, 1):
        try:
            out.append(Upload(a.file_name, base64.b64decode(a.content_base64, validate=True)))
        except (binascii.Error, ValueError):
            raise InvalidInput(
                f"第 {n} 个附件的内容不是有效的 Base64", f"attachment {n} is not valid Base64",
                field="attachments",
            ) from None  # fmt: skip
    return out


@router.get("/records/{record_id}/repair-checklist", summary="信用修复条件 (repair checklist)")
def repair_checklist(
    record_id: IdPath, engine: EngineDep, catalog: CatalogDep, settings: SettingsDep, now: NowDep
) -> ChecklistOut:
    with engine.connect() as conn:
        found = service.checklist(conn, catalog, settings, record_id, local_date(now))
    return ChecklistOut.model_validate(found)


@router.post("/applications", status_code=201, summary="提出异议或信用修复申请 (file)")
def file_application(
    body: ApplicationIn, request: Request, engine: EngineDep, catalog: CatalogDep,
    settings: SettingsDep, now: NowDep,
) -> FiledOut:  # fmt: skip
    ratelimit.hit(request, "filing")
    filing = Filing(**body.model_dump(exclude={"attachments"}))
    filed = service.file(engine, catalog, settings, filing, _uploads(body.attachments),
                         as_of=local_date(now), now=now)  # fmt: skip
    return FiledOut(number=filed.number, query_code=filed.code, due_on=filed.due_on)


@router.post("/applications/lookup", summary="凭查询码查询 (follow by query code)")
def lookup_application(body: CodeIn, request: Request, engine: EngineDep) -> ApplicationOut:
    ratelimit.hit(request)
    with engine.connect() as conn:
        return ApplicationOut.model_validate(applications.lookup(conn, body.code))


@router.post(
    "/applications/decision.pdf",
    summary="下载处理决定书 (decision document)",
    response_class=Response,
    responses=PDF,
)
def decision_pdf(
    body: CodeIn, request: Request, engine: EngineDep, settings: SettingsDep
) -> Response:
    ratelimit.hit(request)
    with engine.connect() as conn:
        found = applications.lookup(conn, body.code)
    disposition = f'attachment; filename="{found["number"]}.pdf"'
    with slots_of(request, "pdf").taken():  # 503 at once when the process makes enough PDFs
        pdf = decision_doc.render(found, font=fonts.report_font(settings.var_dir))
    return Response(pdf, media_type="application/pdf", headers={"Content-Disposition": disposition})
