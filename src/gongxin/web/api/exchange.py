"""The exchange API (共享交换): datasets, conditional-sharing requests, records, change feed.

Department systems call it with an API key carrying the ``exchange`` scope. Reads are audited
with the purpose the caller states in the ``X-Purpose`` header (URL-encoded UTF-8) or the
``purpose`` query parameter, else the purpose of the grant that allows the read.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field

from gongxin import clock
from gongxin.catalog import providers
from gongxin.errors import Forbidden, InvalidInput
from gongxin.exchange import changefeed, exchange_view, sharing_requests
from gongxin.exchange.exchange_view import Caller
from gongxin.identity.departments import Department
from gongxin.identity.roles import Scope
from gongxin.web.api.purpose import PurposeQuery, XPurpose, purpose_of
from gongxin.web.auth import actor_of, require_scope
from gongxin.web.deps import CatalogDep, EngineDep, NowDep, SettingsDep
from gongxin.web.params import MAX_PAGE, SmallIdPath

router = APIRouter(prefix="/api/v1/exchange", tags=["共享交换 exchange"])
ExchangeKey = Annotated[Department, Depends(require_scope(Scope.EXCHANGE))]


def _caller(request: Request, department: Department) -> Caller:
    return Caller(department, actor_of(request))


class RequestIn(BaseModel):
    dataset: str = Field(description="数据集代码")
    purpose: str = Field(description="用途")
    fields: list[str] = Field(description="申请的字段代码")
    start: date = Field(description="使用期限开始日")
    end: date = Field(description="使用期限结束日（含）")


class RefuseIn(BaseModel):
    reasons: str = Field(description="拒绝理由（必填）")


class ApproveIn(BaseModel):
    note: str | None = Field(default=None, description="答复意见")


@router.get("/datasets", summary="可共享的数据集 (datasets and what the caller may read)")
def datasets(
    engine: EngineDep, catalog: CatalogDep, now: NowDep, department: ExchangeKey
) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return exchange_view.datasets(conn, catalog, department, clock.local_date(now))


@router.post("/requests", status_code=201, summary="提交共享申请 (request conditional data)")
def submit_request(
    body: RequestIn,
    request: Request,
    engine: EngineDep,
    catalog: CatalogDep,
    settings: SettingsDep,
    now: NowDep,
    department: ExchangeKey,
) -> dict[str, Any]:
    with engine.begin() as conn:
        filed = sharing_requests.submit(
            conn,
            catalog,
            department,
            dataset=body.dataset,
            purpose=body.purpose,
            fields=body.fields,
            period_start=body.start,
            period_end=body.end,
            now=now,
            reply_days=settings.exchange_reply_working_days,
            actor=actor_of(request),
        )
    return filed.to_dict(clock.local_date(now))


@router.get("/requests", summary="共享申请列表 (my requests, or those I must answer)")
def list_requests(
    engine: EngineDep,
    catalog: CatalogDep,
    now: NowDep,
    department: ExchangeKey,
    side: Annotated[
        Literal["mine", "to_decide"],
        Query(description="mine 本部门提出的 | to_decide 待本部门答复的"),
    ] = "mine",
) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        found = sharing_requests.listing(conn, catalog, department, side)
    return [r.to_dict(clock.local_date(now)) for r in found]


@router.get("/requests/{request_id}", summary="共享申请详情 (one request)")
def get_request(
    request_id: SmallIdPath, engine: EngineDep, now: NowDep, department: ExchangeKey
) -> dict[str, Any]:
    with engine.connect() as conn:
        found = sharing_requests.get(conn, request_id)
        if not sharing_requests.visible_to(conn, found, department):
            raise Forbidden(
                f"共享申请 {request_id} 既不是本部门提出的，也不由本部门答复",
                f"sharing request {request_id} is neither yours nor yours to answer",
            )
    return found.to_dict(clock.local_date(now))


@router.post("/requests/{request_id}/approve", summary="同意共享申请 (approve)")
def approve(
    request_id: SmallIdPath,
    request: Request,
    engine: EngineDep,
    now: NowDep,
    department: ExchangeKey,
    body: ApproveIn | None = None,
) -> dict[str, Any]:
    actor = actor_of(request)
    done = sharing_requests.decide(
        engine,
        lambda conn: sharing_requests.approve(
            conn, request_id, department, now=now, actor=actor, note=body.note if body else None
        ),
        now=now,
        actor=actor,
    )
    return done.to_dict(clock.local_date(now))


@router.post("/requests/{request_id}/refuse", summary="拒绝共享申请 (refuse, with reasons)")
def refuse(
    request_id: SmallIdPath,
    body: RefuseIn,
    request: Request,
    engine: EngineDep,
    now: NowDep,
    department: ExchangeKey,
) -> dict[str, Any]:
    actor = actor_of(request)
    done = sharing_requests.decide(
        engine,
        lambda conn: sharing_requests.refuse(
            conn, request_id, department, reasons=body.reasons, now=now, actor=actor
        ),
        now=now,
        actor=actor,
    )
    return done.to_dict(clock.local_date(now))


class ProviderIn(BaseModel):
    dataset: str = Field(max_length=64, description="数据集代码")
    department: str = Field(max_length=200, description="部门名称")


class ProvidersOut(BaseModel):
    dataset: str = Field(description="数据集代码")
    providers: list[str] = Field(description="信用中心指定的提供部门")


def _providers_out(conn: sa.Connection, dataset: str) -> ProvidersOut:
    return ProvidersOut(
        dataset=dataset, providers=[p.name for p in providers.providers_of(conn, dataset)]
    )


@router.get(
    "/providers", response_model=list[ProvidersOut], summary="各数据集的提供部门 (providers)"
)
def provider_list(engine: EngineDep, catalog: CatalogDep, department: ExchangeKey) -> Any:
    with engine.connect() as conn:
        return [_providers_out(conn, spec.code) for spec in catalog]


@router.post(
    "/providers",
    response_model=ProvidersOut,
    summary="指定提供部门 (assign a provider; credit centre only)",
)
def provider_assign(
    body: ProviderIn,
    request: Request,
    engine: EngineDep,
    catalog: CatalogDep,
    now: NowDep,
    department: ExchangeKey,
) -> Any:
    with engine.begin() as conn:
        providers.assign(
            conn, catalog, body.dataset, body.department, now=now,
            actor=actor_of(request), by=department,
        )  # fmt: skip
        return _providers_out(conn, body.dataset)


@router.delete(
    "/providers/{dataset}/{name}",
    response_model=ProvidersOut,
    summary="取消提供部门 (withdraw a provider; credit centre only)",
)
def provider_unassign(
    dataset: str,
    name: str,
    request: Request,
    engine: EngineDep,
    catalog: CatalogDep,
    now: NowDep,
    department: ExchangeKey,
) -> Any:
    catalog.get(dataset)
    with engine.begin() as conn:
        providers.unassign(conn, dataset, name, now=now, actor=actor_of(request), by=department)
        return _providers_out(conn, dataset)


@router.get("/{dataset}/records", summary="读取共享数据 (records, paged)")
def records(
    dataset: str,
    request: Request,
    engine: EngineDep,
    catalog: CatalogDep,
    settings: SettingsDep,
    now: NowDep,
    department: ExchangeKey,
    x_purpose: XPurpose = None,
    purpose: PurposeQuery = None,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE, description="页码，从 1 起")] = 1,
    size: Annotated[int, Query(ge=1, le=MAX_PAGE, description="每页条数")] = 1000,
    since: Annotated[datetime | None, Query(description="更新时间不早于 (ISO 8601)")] = None,
    until: Annotated[datetime | None, Query(description="更新时间早于 (ISO 8601)")] = None,
) -> dict[str, Any]:
    if size > settings.exchange_page_max:
        raise InvalidInput(
            f"每页条数 {size} 超过上限 {settings.exchange_page_max}",
            f"size {size} is above the limit {settings.exchange_page_max}",
        )
    with engine.begin() as conn:
        return exchange_view.read_records(
            conn,
            catalog,
            _caller(request, department),
            dataset,
            page=page,
            size=size,
            since=since,
            until=until,
            now=now,
            purpose=purpose_of(purpose, x_purpose),
        )


@router.get(
    "/{dataset}/changes",
    summary="变更订阅 (change feed from a cursor)",
    response_model=dict[str, Any],
)
def changes(
    dataset: str,
    request: Request,
    engine: EngineDep,
    catalog: CatalogDep,
    settings: SettingsDep,
    now: NowDep,
    department: ExchangeKey,
    x_purpose: XPurpose = None,
    purpose: PurposeQuery = None,
    cursor: Annotated[str | None, Query(description="上次返回的 next_cursor；不填从头开始")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="本次最多返回的变更数")] = 1000,
) -> Response:
    """``{dataset, changes, next_cursor, has_more}``; each change's data is the stored JSON of
    the version when nothing is cut from it (changefeed.page_json)."""
    if limit > settings.exchange_page_max:
        raise InvalidInput(
            f"limit {limit} 超过上限 {settings.exchange_page_max}",
            f"limit {limit} is above the limit {settings.exchange_page_max}",
        )
    with engine.begin() as conn:
        page = exchange_view.read_changes(
            conn,
            catalog,
            _caller(request, department),
            dataset,
            cursor=cursor,
            limit=limit,
            now=now,
            purpose=purpose_of(purpose, x_purpose),
            cursor_secret=settings.exchange_cursor_secret,
        )
    return Response(changefeed.page_json(dataset, page), media_type="application/json")
