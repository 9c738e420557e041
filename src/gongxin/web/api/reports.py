"""The 公共信用信息报告 as PDF, and its verification (public, through the visibility gate)."""

from __future__ import annotations

import hashlib
import re
from datetime import date, datetime
from typing import Annotated, Any, Literal
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Path, Query, Request, Response, UploadFile
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from gongxin.clock import local_date
from gongxin.db.engine import reading
from gongxin.errors import InvalidInput
from gongxin.reports import content as report_content
from gongxin.reports import issue
from gongxin.reports.verify import verify, verify_code
from gongxin.web import links, ratelimit
from gongxin.web.api.errors_doc import PDF
from gongxin.web.deps import CatalogDep, EngineDep, NowDep, SettingsDep, slots_of

router = APIRouter(prefix="/api/v1/reports", tags=["信用报告 credit report"])
PDF_MAX_BYTES = 20 * 1024 * 1024  # a report is a few hundred kilobytes
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')  # not in a file name on any system


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
    verification_code: str | None = Field(
        default=None, description="报告上印制的验证码 (the code printed on the report)"
    )
    issued_at: datetime | None = Field(description="出具时间 (when the report was issued)")
    snapshot: dict[str, Any] | None = Field(
        description="出具时的报告内容 (the report's content as issued), when genuine"
    )
    message_zh: str
    message_en: str


def _verdict(
    engine: EngineDep, catalog: CatalogDep, now: NowDep, report_no: str, code: str, sha: str
) -> ReportVerdict:
    with reading(engine) as conn:
        return ReportVerdict(**verify(conn, catalog, report_no, code, sha, local_date(now)))


@router.get(
    "/verify/{report_no}",
    name="verify_report",
    summary="验证信用报告 (verify a credit report)",
    response_model=ReportVerdict,
)
def verify_report(
    report_no: str,
    request: Request,
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
    ratelimit.hit(request)
    return _verdict(engine, catalog, now, report_no, code, sha256)


@router.post(
    "/verify/{report_no}/file",
    summary="上传 PDF 验证信用报告 (verify a credit report by its PDF file)",
    response_model=ReportVerdict,
)
async def verify_report_file(
    report_no: str,
    request: Request,
    file: UploadFile,
    engine: EngineDep,
    catalog: CatalogDep,
    now: NowDep,
    code: Annotated[str, Query(description="主体代码 (the subject's code)", max_length=40)],
) -> ReportVerdict:
    """The same verdict for an uploaded PDF: its SHA-256 must be that of a file issued here."""
    ratelimit.hit(request)
    data = await file.read(PDF_MAX_BYTES + 1)
    if len(data) > PDF_MAX_BYTES or not data.startswith(b"%PDF"):
        raise InvalidInput(
            f"上传的文件 {file.filename or ''} 不是 PDF 报告（或超过 20 MB）",
            f"the uploaded file {file.filename or ''} is not a PDF report (or exceeds 20 MB)",
        )
    sha = hashlib.sha256(data).hexdigest()  # the store read in the thread pool, as every read
    return await run_in_threadpool(_verdict, engine, catalog, now, report_no, code, sha)


@router.get(
    "/code/{vcode}",
    name="verify_report_code",
    summary="按验证码验证信用报告 (verify a credit report by its 验证码)",
    response_model=ReportVerdict,
)
def verify_report_code(
    vcode: Annotated[str, Path(description="报告上印制的验证码 (the printed code)", max_length=20)],
    request: Request,
    engine: EngineDep,
    catalog: CatalogDep,
    now: NowDep,
) -> ReportVerdict:
    """The report issued with this 验证码 and what it said when issued, for someone holding a
    paper copy; limited per client like every lookup."""
    ratelimit.hit(request)
    with reading(engine) as conn:
        return ReportVerdict(**verify_code(conn, catalog, vcode, local_date(now)))


def download_name(subject_name: str, as_of: date) -> str:
    """公共信用信息报告-<the subject's name>-<date>.pdf, without characters no file may hold."""
    cleaned = _UNSAFE.sub("", subject_name).strip(" .")[:80] or "报告"
    return f"公共信用信息报告-{cleaned}-{as_of:%Y%m%d}.pdf"


def content_disposition(report_no: str, name: str) -> str:
    """An ASCII fallback (the report number) and the real name per RFC 6266 / RFC 5987."""
    return f"inline; filename=\"{report_no}.pdf\"; filename*=UTF-8''{quote(name, safe='')}"


@router.get(
    "/{code}.pdf",
    summary="下载公共信用信息报告 (download the public credit report as PDF)",
    response_class=Response,
    responses=PDF,
)
def report_pdf(
    code: Annotated[str, Path(max_length=40)],
    request: Request,
    engine: EngineDep,
    catalog: CatalogDep,
    settings: SettingsDep,
    now: NowDep,
) -> Response:
    """The subject's public credit information as of today (China time), as a PDF signed with
    the credit centre's certificate (PAdES); the report, its 验证码 and the file's hash are
    stored, so that verification can show what it said. Limited per client, and per process
    (``GONGXIN_PDF_CONCURRENCY``: 503 with Retry-After beyond it)."""
    ratelimit.hit_report(request)

    def qr_url(built: report_content.ReportContent, fingerprint: str) -> str:
        query = urlencode({"code": built.subject_code, "sha256": fingerprint})
        page = links.url_for(request, settings, "verify_report_page", report_no=built.report_no)
        return f"{page}?{query}"

    with slots_of(request, "pdf").taken():  # 503 at once when the process makes enough PDFs
        made = issue.issue(
            engine, catalog, settings, code, now, qr_url=qr_url,
            verify_page=links.absolute(settings, "/reports/verify"),
        )  # fmt: skip
    name = download_name(made.content.subject_name, made.content.as_of)
    return Response(
        made.pdf,
        media_type="application/pdf",
        headers={
            "X-Report-No": made.content.report_no,
            "X-Report-SHA256": made.fingerprint,
            "X-Report-File-SHA256": made.issued.pdf_sha256,
            "X-Report-Code": made.code,
            "Content-Disposition": content_disposition(made.content.report_no, name),
        },
    )
