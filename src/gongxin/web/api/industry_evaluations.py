"""行业信用评价 (industry credit evaluation), public: the rounds in 公示 or published, a round's
results, a certificate's live result and its PDF. The same service functions as the portal."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Request, Response
from pydantic import BaseModel, Field

from gongxin.clock import local_date
from gongxin.documents import fonts
from gongxin.errors import InvalidInput
from gongxin.market import evaluation_views
from gongxin.market.evaluation_rules import rules
from gongxin.web import links, ratelimit
from gongxin.web.api.errors_doc import PDF
from gongxin.web.deps import EngineDep, NowDep, SettingsDep, slots_of
from gongxin.web.params import IdPath

router = APIRouter(prefix="/api/v1/industry-evaluations", tags=["行业信用评价 industry evaluation"])
CertNo = Annotated[str, Path(max_length=20, description="证书编号 (15 digits)")]


class RoundOut(BaseModel):
    id: int
    title: str
    year: int
    evaluator: str = Field(description="评价单位 (evaluating organisation)")
    state: str = Field(description="publicity 公示中 | published 结果已发布")
    state_zh: str
    publicity_from: date | None
    publicity_until: date | None = Field(description="公示 last day")
    published_on: date | None


class ResultOut(BaseModel):
    entry_id: int
    company: str
    uscc: str
    grade: str | None
    grade_code: str | None = Field(description="等级代码 (111 AAA … 003 C)")
    state: str
    state_zh: str
    certificate_no: str | None
    valid_until: date | None
    record_id: int | None = Field(
        description="公示 record: object to it at /records/{record_id}/objection (公示 only)"
    )
    objection_pending: bool


class RoundDetail(RoundOut):
    evaluator_kind: str
    publicity_days: int
    publicity_day_kind: str = Field(description="calendar 自然日 | working 工作日")
    publicity_running: bool
    days_left: int | None
    entries: list[ResultOut]


class ReviewOut(BaseModel):
    number: int
    due_on: date
    reviewed_on: date | None
    outcome: str | None
    outcome_zh: str
    grade: str | None


class LiveOut(BaseModel):
    certificate_no: str
    company: str
    uscc: str
    grade: str
    grade_code: str
    evaluator: str
    round_id: int
    round: str
    year: int
    issued_on: date
    valid_until: date
    state: str = Field(description="valid | expired | revoked | cancelled")
    state_zh: str
    state_en: str
    revoked_on: date | None
    revoked_reason: str | None
    reviews: list[ReviewOut]


def _cert(cert_no: str) -> str:
    if not re.fullmatch(r"\d{15}", cert_no):
        raise InvalidInput(
            f"证书编号“{cert_no[:20]}”须为 15 位数字",
            f"certificate number {cert_no[:20]!r}: 15 digits",
            field="certificate_no",
        )
    return cert_no


@router.get(
    "/rounds", summary="公示中和已发布的评价轮次 (public rounds)", response_model=list[RoundOut]
)
def list_rounds(engine: EngineDep) -> list[RoundOut]:
    with engine.connect() as conn:
        return [RoundOut(**r) for r in evaluation_views.public_rounds(conn)]


@router.get(
    "/rounds/{round_id}",
    summary="评价轮次的公示或结果 (a round's results)",
    response_model=RoundDetail,
)
def get_round(round_id: IdPath, engine: EngineDep, now: NowDep) -> RoundDetail:
    with engine.connect() as conn:
        return RoundDetail(**evaluation_views.public_round(conn, round_id, local_date(now)))


@router.get(
    "/certificates/{cert_no}.pdf",
    summary="信用等级证书 PDF (the certificate as PDF)",
    response_class=Response,
    responses=PDF,
)
def certificate_pdf(
    cert_no: CertNo, request: Request, engine: EngineDep, settings: SettingsDep, now: NowDep
) -> Response:
    """The certificate with its number and a QR code to its live result page. Limited per
    client like every lookup, and per process (``GONGXIN_PDF_CONCURRENCY``: 503 beyond it)."""
    ratelimit.hit(request)
    number = _cert(cert_no)
    url = links.absolute(settings, f"/industry-evaluations/certificates/{number}")
    with slots_of(request, "pdf").taken(), engine.connect() as conn:
        body = evaluation_views.pdf(
            conn, rules(settings.evaluation_rules), number, url, local_date(now),
            font=fonts.report_font(settings.var_dir),
        )  # fmt: skip
    return Response(
        body,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{number}.pdf"'},
    )


@router.get(
    "/certificates/{cert_no}",
    summary="证书的现时状态 (a certificate's live result)",
    response_model=LiveOut,
)
def certificate_live(cert_no: CertNo, engine: EngineDep, now: NowDep) -> LiveOut:
    """What the certificate's QR code opens: valid, expired, revoked (with reason) or
    cancelled, as of today."""
    with engine.connect() as conn:
        return LiveOut(**evaluation_views.live(conn, _cert(cert_no), local_date(now)))
