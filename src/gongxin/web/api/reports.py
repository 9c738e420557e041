"""The 公共信用信息报告 as PDF, and its verification (public, through the visibility gate)."""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request, Response, UploadFile
from pydantic import BaseModel, Field

from gongxin.clock import local_date
from gongxin.errors import InvalidInput
from gongxin.reports import content as report_content
from gongxin.reports import issued, pdf
from gongxin.reports.verify import verify
from gongxin.web import links
from gongxin.web.api.errors_doc import PDF
from gongxin.web.deps import CatalogDep, EngineDep, NowDep, SettingsDep

router = APIRouter(prefix="/api/v1/reports", tags=["信用报告 credit report"])
PDF_MAX_BYTES = 20 * 1024 * 1024  # a report is a few hundred kilobytes


class SubjectRef(BaseModel):
    name: str
    code: str


class ReportVerdict(BaseModel):
    valid: bool = Field(description="报告是否由本平台出具且未被改动 (issued here and unaltered)")
    report_no: str
    subject: SubjectRef | None
    as_of: date = Field(description="信息截止日期 (the report's date)")
    sha256_matches: bool
    matched: Literal["content", "pdf"] | None = Field(
        description="校验码对应：报告内容 (printed hash) 或 PDF 文件 (the file's own hash)"
    )
    changed_since: bool = Field(description="出具后该主体的公开信息是否有变化")
    issued_at: datetime | None = Field(description="出具时间 (when the report was issued)")
    snapshot: dict[str, Any] | None = Field(
        description="出具时的报告内容 (the report's content as issued), when genuine"
    )
    message_zh: str
    message_en: str


def _verdict(
    engine: EngineDep, catalog: CatalogDep, now: NowDep, report_no: str, code: str, sha: str
) -> ReportVerdict:
    with engine.connect() as conn:
        return ReportVerdict(**verify(conn, catalog, report_no, code, sha, local_date(now)))


@router.get(
    "/verify/{report_no}",
    name="verify_report",
    summary="验证信用报告 (verify a credit report)",
    response_model=ReportVerdict,
)
def verify_report(
    report_no: str,
    engine: EngineDep,
    catalog: CatalogDep,
    now: NowDep,
    code: Annotated[str, Query(description="主体代码 (the subject's code)", max_length=40)],
    sha256: Annotated[
        str,
        Query(
            description="报告校验码或 PDF 文件的 SHA-256 (the printed SHA-256, or the file's)",
            max_length=80,
        ),
    ],
) -> ReportVerdict:
    """Whether the report was issued here, what it said then, and whether the subject's public
    record changed since."""
    return _verdict(engine, catalog, now, report_no, code, sha256)


@router.post(
    "/verify/{report_no}/file",
    summary="上传 PDF 验证信用报告 (verify a credit report by its PDF file)",
    response_model=ReportVerdict,
)
async def verify_report_file(
    report_no: str,
    file: UploadFile,
    engine: EngineDep,
    catalog: CatalogDep,
    now: NowDep,
    code: Annotated[str, Query(description="主体代码 (the subject's code)", max_length=40)],
) -> ReportVerdict:
    """The same verdict for an uploaded PDF: its SHA-256 must be that of a file issued here."""
    data = await file.read(PDF_MAX_BYTES + 1)
    if len(data) > PDF_MAX_BYTES or not data.startswith(b"%PDF"):
        raise InvalidInput(
            f"上传的文件 {file.filename or ''} 不是 PDF 报告（或超过 20 MB）",
            f"the uploaded file {file.filename or ''} is not a PDF report (or exceeds 20 MB)",
        )
    sha = hashlib.sha256(data).hexdigest()
    return _verdict(engine, catalog, now, report_no, code, sha)


@router.get(
    "/{code}.pdf",
    summary="下载公共信用信息报告 (download the public credit report as PDF)",
    response_class=Response,
    responses=PDF,
)
def report_pdf(
    code: str,
    request: Request,
    engine: EngineDep,
    catalog: CatalogDep,
    settings: SettingsDep,
    now: NowDep,
) -> Response:
    """The subject's public credit information as of today (China time), as PDF; the report
    and the file's hash are stored, so that verification can show what it said."""
    with engine.connect() as conn:
        built = report_content.build(conn, catalog, code, local_date(now))
    fingerprint = report_content.digest(built)
    query = urlencode({"code": built.subject_code, "sha256": fingerprint})
    page = links.url_for(request, settings, "verify_report_page", report_no=built.report_no)
    verify_url = f"{page}?{query}"
    document = pdf.render(built, verify_url)
    with engine.begin() as conn:
        issue = issued.record(conn, built, document, now)
    return Response(
        document,
        media_type="application/pdf",
        headers={
            "X-Report-No": built.report_no,
            "X-Report-SHA256": fingerprint,
            "X-Report-File-SHA256": issue.pdf_sha256,
            "Content-Disposition": f'inline; filename="{built.report_no}.pdf"',
        },
    )
