"""信用投诉 (credit complaints) for the public and the companies complained about: the rules
(categories, deadlines), filing (a 查询码 comes back), following by 查询码, the rating, the
company's reply through its signed link, and the period report. Anyone may call these; filing
counts against the client's filing limit and lookups against the lookup limit."""

from __future__ import annotations

import base64
import binascii
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from gongxin.clock import local_date
from gongxin.errors import InvalidInput
from gongxin.market import complaint_report, complaint_service
from gongxin.market.complaint_rules import Label
from gongxin.market.complaints import Filing
from gongxin.web import ratelimit
from gongxin.web.api.errors_doc import CSV
from gongxin.web.deps import CatalogDep, EngineDep, NowDep, SettingsDep
from gongxin.workflows.attachments import Upload

router = APIRouter(prefix="/api/v1/complaints", tags=["信用投诉 credit complaints"])


class EvidenceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    file_name: str = Field(max_length=255, description="文件名")
    content_base64: str = Field(
        max_length=70_000_000, description="文件内容（Base64）；PDF、JPG、PNG"
    )


class ComplaintIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    company: str = Field(
        max_length=200, description="被投诉企业：统一社会信用代码、注册号或登记全称"
    )
    complainant: str = Field(max_length=200, description="投诉人")
    phone: str = Field(max_length=40, description="联系电话")
    email: str = Field(max_length=254, description="电子邮箱")
    category: str = Field(max_length=40, description="投诉类别（见 /api/v1/complaints/rules）")
    claim: str = Field(max_length=2000, description="投诉诉求")
    facts: str = Field(max_length=5000, description="事实与经过")
    evidence: list[EvidenceIn] = Field(default_factory=list, max_length=50, description="证据")


class FiledOut(BaseModel):
    number: str = Field(description="投诉编号")
    query_code: str = Field(description="查询码：凭此查询进度和评价，仅显示一次")
    triage_due: date = Field(description="受理期限（工作日计）")
    company_name: str = Field(description="被投诉企业（登记名称）")


class CodeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(max_length=100, description="查询码")


class RatingIn(CodeIn):
    rating: str = Field(max_length=20, description="评价（见 /api/v1/complaints/rules）")
    note: str = Field("", max_length=1000, description="评价说明")


class ReplyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    token: str = Field(
        max_length=120, description="答复链接末段（邮件中的 /complaints/reply/ 之后）"
    )
    reply: str = Field(max_length=5000, description="企业答复")


class ComplaintOut(BaseModel):
    number: str
    company_name: str
    company_code: str
    category: str
    category_zh: str
    state: str
    state_zh: str
    state_en: str
    received_on: date
    triage_due: date = Field(description="受理期限")
    triaged_on: date | None
    refusal_reason: str | None
    refusal_reason_zh: str | None
    refusal_note: str | None
    reply_due: date | None = Field(description="企业答复期限")
    reply: str | None = Field(description="企业答复")
    replied_on: date | None
    in_time: bool | None = Field(description="是否按期答复（期限未到且未答复时为空）")
    rating: str | None
    rating_zh: str | None
    rated_on: date | None
    may_rate: bool


class LabelOut(BaseModel):
    key: str
    zh: str
    en: str


class RulesOut(BaseModel):
    triage_days: int = Field(description="受理期限（工作日）")
    reply_days: int = Field(description="企业答复期限（工作日）")
    publicity_months: int = Field(description="受理的投诉公示月数")
    categories: list[LabelOut]
    refusal_reasons: list[LabelOut]
    ratings: list[LabelOut]


class DayOut(BaseModel):
    day: date
    received: int
    accepted: int


class CategoryOut(BaseModel):
    key: str
    zh: str
    count: int
    pct: float | None


class CompanyOut(BaseModel):
    company_name: str
    company_code: str
    count: int


class WarningOut(CompanyOut):
    previous: int = Field(description="上期受理件数")
    answered_pct: float | None = Field(description="按期答复率 %")
    rules: list[LabelOut] = Field(description="满足的预警规则")


class CaseOut(BaseModel):
    number: str
    company_name: str
    category_zh: str
    text: str | None = Field(description="案情（已匿名）")
    view: str | None = Field(description="分析意见")
    state_zh: str
    reply: str | None
    received_on: date


class ReportOut(BaseModel):
    period: Literal["week", "month", "quarter"]
    label: str
    start: date
    end: date
    received: int
    accepted: int
    refused: int
    pending: int
    previous: int = Field(description="上期受理件数")
    change_pct: float | None = Field(description="受理件数较上期变化 %")
    quiet_days: int = Field(description="本期已过日期中无受理投诉的天数")
    replies_due: int
    replies_in_time: int
    in_time_pct: float | None = Field(description="按期答复率 %")
    triaged: int
    triaged_in_time: int
    daily: list[DayOut]
    categories: list[CategoryOut]
    companies: list[CompanyOut]
    warnings: list[WarningOut] = Field(description="公示预警")
    cases: list[CaseOut] = Field(description="典型案例")


def _uploads(items: list[EvidenceIn]) -> list[Upload]:
    out = []
    for n, a in enumerate(items, 1):
        try:
            out.append(Upload(a.file_name, base64.b64decode(a.content_base64, validate=True)))
        except (binascii.Error, ValueError):
            raise InvalidInput(
                f"第 {n} 个证据文件的内容不是有效的 Base64",
                f"evidence file {n} is not valid Base64",
                field="evidence",
            ) from None
    return out


def report_of(
    engine: EngineDep, settings: SettingsDep, period: str, day: str, as_of: date
) -> dict[str, Any]:
    """The report of the ``period`` holding ``day`` (ISO; empty: today), as the page shows it."""
    try:
        wanted = date.fromisoformat(day) if day else as_of
    except ValueError:
        raise InvalidInput(
            f"日期“{day[:20]}”格式不正确，应为 YYYY-MM-DD",
            f"date {day[:20]!r} is not YYYY-MM-DD",
            field="date",
            value=day[:20],
        ) from None
    return complaint_service.report(engine, settings, period, wanted, as_of=as_of)


Period = Annotated[str, Query(max_length=10, description="week 周 / month 月 / quarter 季度")]
Day = Annotated[str, Query(alias="date", max_length=20, description="期内任一日 YYYY-MM-DD")]


@router.get("/rules", summary="投诉规则：类别、期限、评价 (complaint rules)")
def complaint_rules(settings: SettingsDep) -> RulesOut:
    rules = complaint_service.rules(settings)

    def labels(found: dict[str, Label]) -> list[LabelOut]:
        return [LabelOut(key=k, zh=v.zh, en=v.en) for k, v in found.items()]

    return RulesOut(
        triage_days=rules.triage_days,
        reply_days=rules.reply_days,
        publicity_months=rules.publicity_months,
        categories=labels(dict(rules.categories)),
        refusal_reasons=labels(dict(rules.refusal_reasons)),
        ratings=labels(dict(rules.ratings)),
    )


@router.post("", status_code=201, summary="提出信用投诉 (file a complaint)")
def file_complaint(
    body: ComplaintIn, request: Request, engine: EngineDep, settings: SettingsDep, now: NowDep
) -> FiledOut:
    ratelimit.hit(request, "filing")
    filing = Filing(**body.model_dump(exclude={"evidence"}))
    filed = complaint_service.file(
        engine, settings, filing, _uploads(body.evidence), as_of=local_date(now), now=now
    )
    return FiledOut(
        number=filed.number,
        query_code=filed.code,
        triage_due=filed.triage_due,
        company_name=filed.company_name,
    )


@router.post("/lookup", summary="凭查询码查询投诉进度 (follow by query code)")
def lookup_complaint(
    body: CodeIn, request: Request, engine: EngineDep, settings: SettingsDep
) -> ComplaintOut:
    ratelimit.hit(request)
    return ComplaintOut.model_validate(complaint_service.lookup(engine, settings, body.code))


@router.post("/rating", summary="评价处理结果 (rate the outcome)")
def rate_complaint(
    body: RatingIn, request: Request, engine: EngineDep, catalog: CatalogDep,
    settings: SettingsDep, now: NowDep,
) -> ComplaintOut:  # fmt: skip
    ratelimit.hit(request)
    found = complaint_service.rate(
        engine, catalog, settings, body.code, body.rating, body.note, as_of=local_date(now), now=now
    )
    return ComplaintOut.model_validate(found)


@router.post("/reply", summary="企业答复投诉（凭邮件中的签名链接） (the company's reply)")
def reply_complaint(
    body: ReplyIn, request: Request, engine: EngineDep, catalog: CatalogDep,
    settings: SettingsDep, now: NowDep,
) -> ComplaintOut:  # fmt: skip
    ratelimit.hit(request)
    found = complaint_service.reply(
        engine, catalog, settings, body.token, body.reply, as_of=local_date(now), now=now
    )
    return ComplaintOut.model_validate(found)


def _report_out(found: dict[str, Any]) -> ReportOut:
    period = found["period"]
    assert isinstance(period, complaint_report.Period)
    return ReportOut.model_validate(
        found | {"period": period.kind, "label": period.label, "start": period.start,
                 "end": period.end}
    )  # fmt: skip


@router.get("/report", summary="投诉统计报告：周、月、季度 (period report)")
def complaint_report_json(
    engine: EngineDep, settings: SettingsDep, now: NowDep, period: Period = "month", day: Day = ""
) -> ReportOut:
    return _report_out(report_of(engine, settings, period, day, local_date(now)))


@router.get(
    "/report.csv",
    summary="投诉统计报告 CSV：每日件数和类别 (period report as CSV)",
    response_class=Response,
    responses=CSV,
)
def complaint_report_csv(
    engine: EngineDep, settings: SettingsDep, now: NowDep, period: Period = "month", day: Day = ""
) -> Response:
    found = report_of(engine, settings, period, day, local_date(now))
    name = f"complaints-{period}-{found['period'].start.isoformat()}.csv"
    return Response(
        complaint_report.to_csv(found),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
