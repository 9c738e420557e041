"""社会化征信: the API of registered credit agencies (keys with the ``agency`` scope) — query a
subject, record a person's authorisation, read the monthly statement. The same services as
``gongxin agency`` and /admin/agencies (``gongxin.market.agencies``, ``agency_queries``,
``agency_statements``)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field

from gongxin.errors import Forbidden
from gongxin.identity.departments import Department
from gongxin.identity.roles import Scope
from gongxin.market import agencies, agency_queries, agency_statements
from gongxin.settings import Settings
from gongxin.web.api.errors_doc import CSV
from gongxin.web.auth import require_scope
from gongxin.web.deps import CatalogDep, EngineDep, NowDep, SettingsDep

router = APIRouter(prefix="/api/v1/agency", tags=["征信机构 credit agencies"])
AgencyKey = Annotated[Department, Depends(require_scope(Scope.AGENCY))]
MonthQuery = Annotated[str, Query(max_length=7, description="月份 YYYY-MM（北京时间）")]


class QueryBody(BaseModel):
    subject: str = Field(max_length=40, description="统一社会信用代码、注册号或公民身份号码")
    purpose: str = Field(max_length=20, description="查询用途代码 (see GET rules or the docs)")
    staff: str = Field(max_length=100, description="查询人员 (征信业管理条例第二十二条)")
    authorisation: str | None = Field(
        default=None, max_length=100, description="自然人的授权书编号 (required for a person)"
    )


class RecordOut(BaseModel):
    dataset: str
    dataset_name: str
    event_date: date | None
    data: dict[str, Any]


class QueryAnswer(BaseModel):
    query_id: int = Field(description="查询编号（记入查询日志）")
    subject_kind: str = Field(description="org | person")
    subject_code: str = Field(description="所查代码（自然人证件号脱敏）")
    name: str | None
    purpose: str
    as_of: date
    records: list[RecordOut] = Field(description="社会公开的信用记录（按公众口径脱敏）")
    withheld_negative: int = Field(description="超过提供期限而未提供的不良信息条数")
    used_today: int = Field(description="今日已用查询次数（含本次）")
    quota_per_day: int


class AuthorisationBody(BaseModel):
    person_id: str = Field(max_length=40, description="公民身份号码（只存其密钥哈希）")
    reference: str = Field(max_length=100, description="授权书编号")
    purpose: str = Field(max_length=20)
    valid_from: date
    valid_until: date


class AuthorisationOut(BaseModel):
    id: int
    reference: str
    purpose: str
    valid_from: date
    valid_until: date


class StatementOut(BaseModel):
    agency: str
    month: str
    total: int
    served: int
    outcomes: dict[str, int]
    purposes: dict[str, int]
    days: dict[str, int] = Field(description="每日已查询次数")
    queries: list[dict[str, Any]]


def _agency(conn: sa.Connection, dept: Department) -> agencies.Agency:
    return agencies.of_department(conn, dept.id)


def _rules(settings: Settings) -> agencies.Rules:
    return agencies.rules(settings.agency_rules)


@router.post("/queries", summary="查询主体信用信息 (query a subject)")
def query_subject(
    body: QueryBody,
    request: Request,
    dept: AgencyKey,
    engine: EngineDep,
    catalog: CatalogDep,
    settings: SettingsDep,
    now: NowDep,
) -> QueryAnswer:
    """403 with the reason when suspended or unauthorised, 429 with Retry-After over the daily
    quota; every query, answered or refused, is logged and audited."""
    key = getattr(request.state, "api_key", None)
    with engine.begin() as conn:
        answer = agency_queries.run(
            conn, catalog, _agency(conn, dept),
            agency_queries.Query(body.subject, body.purpose, body.staff, body.authorisation),
            rule=_rules(settings), match_key=settings.match_key,
            negative_years=settings.agency_negative_years, now=now,
            key_prefix=key.prefix if key else None,
        )  # fmt: skip
    if answer.refusal is not None:  # logged (committed) first
        raise answer.refusal
    return QueryAnswer(
        query_id=answer.query_id, subject_kind=answer.subject_kind,
        subject_code=answer.subject_code, name=answer.name, purpose=answer.purpose,
        as_of=answer.as_of, records=[RecordOut(**r) for r in answer.records],
        withheld_negative=answer.withheld_negative, used_today=answer.used_today,
        quota_per_day=answer.quota_per_day,
    )  # fmt: skip


@router.post(
    "/authorisations", status_code=201, summary="登记自然人授权 (record a person's authorisation)"
)
def record_authorisation(
    body: AuthorisationBody,
    request: Request,
    dept: AgencyKey,
    engine: EngineDep,
    settings: SettingsDep,
    now: NowDep,
) -> AuthorisationOut:
    with engine.begin() as conn:
        agency = _agency(conn, dept)
        if not agency.active:
            raise Forbidden(
                f"征信机构已被信用中心暂停：{agency.status_reason}",
                f"the agency is suspended by the credit centre: {agency.status_reason}",
                reason="suspended",
            )
        made = agencies.authorise(
            conn, agency, person_id=body.person_id, reference=body.reference,
            purpose=body.purpose, valid_from=body.valid_from, valid_until=body.valid_until,
            rule=_rules(settings), match_key=settings.match_key, now=now,
            actor=getattr(request.state, "actor", "key"),
        )  # fmt: skip
    return AuthorisationOut(**made.__dict__)


def _statement(engine: sa.Engine, dept: Department, month: str) -> agency_statements.Statement:
    with engine.connect() as conn:
        return agency_statements.statement(conn, _agency(conn, dept), month)


def statement_out(found: agency_statements.Statement) -> StatementOut:
    return StatementOut(
        agency=found.agency.name, month=found.month, total=found.total, served=found.served,
        outcomes=dict(found.outcomes), purposes=dict(found.purposes),
        days={d.isoformat(): n for d, n in sorted(found.days.items())},
        queries=[{**q, "at": q["at"].isoformat()} for q in found.queries],
    )  # fmt: skip


@router.get("/statement", summary="月度对账单 (the agency's monthly statement)")
def statement(dept: AgencyKey, engine: EngineDep, month: MonthQuery) -> StatementOut:
    return statement_out(_statement(engine, dept, month))


@router.get(
    "/statement.csv",
    summary="月度对账单 CSV (the monthly statement's queries as CSV)",
    response_class=Response,
    responses=CSV,
)
def statement_csv(
    dept: AgencyKey, engine: EngineDep, settings: SettingsDep, month: MonthQuery
) -> Response:
    found = _statement(engine, dept, month)
    text = agency_statements.statement_csv(found, _rules(settings).purposes)
    return Response(
        "\ufeff" + text, media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="statement-{found.month}.csv"'},
    )  # fmt: skip
