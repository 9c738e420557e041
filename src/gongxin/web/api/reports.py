"""The 公共信用信息报告 as PDF, and its verification (public, through the visibility gate)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request, Response

from gongxin.clock import local_date
from gongxin.reports import content as report_content
from gongxin.reports import pdf
from gongxin.reports.verify import verify
from gongxin.web.api.errors_doc import PDF
from gongxin.web.deps import CatalogDep, EngineDep, NowDep

router = APIRouter(prefix="/api/v1/reports", tags=["信用报告 credit report"])


@router.get(
    "/verify/{report_no}",
    name="verify_report",
    summary="验证信用报告 (verify a credit report)",
)
def verify_report(
    report_no: str,
    engine: EngineDep,
    catalog: CatalogDep,
    now: NowDep,
    code: Annotated[str, Query(description="主体代码 (the subject's code)")],
    sha256: Annotated[str, Query(description="报告校验码 (the report's SHA-256)")],
) -> dict[str, Any]:
    """Whether the report is genuine, and whether the subject's public record changed since."""
    with engine.connect() as conn:
        return verify(conn, catalog, report_no, code, sha256, local_date(now))


@router.get(
    "/{code}.pdf",
    summary="下载公共信用信息报告 (download the public credit report as PDF)",
    response_class=Response,
    responses=PDF,
)
def report_pdf(
    code: str, request: Request, engine: EngineDep, catalog: CatalogDep, now: NowDep
) -> Response:
    """The subject's public credit information as of today (China time), as PDF."""
    with engine.connect() as conn:
        built = report_content.build(conn, catalog, code, local_date(now))
    fingerprint = report_content.digest(built)
    query = urlencode({"code": built.subject_code, "sha256": fingerprint})
    verify_url = f"{request.url_for('verify_report_page', report_no=built.report_no)}?{query}"
    return Response(
        pdf.render(built, verify_url),
        media_type="application/pdf",
        headers={
            "X-Report-No": built.report_no,
            "X-Report-SHA256": fingerprint,
            "Content-Disposition": f'inline; filename="{built.report_no}.pdf"',
        },
    )
