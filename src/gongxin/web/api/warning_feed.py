"""Confirmed warnings for departments the centre shared them with (an ``exchange`` key)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from gongxin import clock
from gongxin.exchange import warning_feed
from gongxin.identity.departments import Department
from gongxin.identity.roles import Scope
from gongxin.web.api.purpose import PurposeQuery, XPurpose, purpose_of
from gongxin.web.auth import actor_of, require_scope
from gongxin.web.deps import EngineDep, NowDep
from gongxin.web.params import MAX_PAGE, AfterQuery

router = APIRouter(prefix="/api/v1/exchange", tags=["共享交换 data exchange"])

ExchangeKey = Annotated[Department, Depends(require_scope(Scope.EXCHANGE))]


class SharedWarningOut(BaseModel):
    id: int
    rule_id: str
    rules_version: str
    subject_id: int
    uscc: str | None = Field(description="统一社会信用代码")
    subject_name: str
    severity: str = Field(description="高 | 中 | 低")
    title: str
    legal_hook: str = Field(description="法律依据")
    explanation: str
    evidence_count: int
    confirmed_at: datetime | None


class WarningPageOut(BaseModel):
    rows: list[SharedWarningOut]
    next_after: int | None = Field(description="下一页的 after；null 表示已是最后一页")


@router.get(
    "/warnings",
    summary="已确认的预警 (confirmed warnings shared with the caller's department, paged)",
    response_model=WarningPageOut,
)
def shared_warnings(
    request: Request,
    engine: EngineDep,
    now: NowDep,
    department: ExchangeKey,
    after: AfterQuery = 0,
    size: Annotated[
        int, Query(le=MAX_PAGE, description=f"每页条数 (1–{warning_feed.MAX_PAGE})")
    ] = 100,
    purpose: PurposeQuery = None,
    x_purpose: XPurpose = None,
) -> WarningPageOut:
    """Warnings the credit centre confirmed; only for departments it granted the feed (403
    otherwise). Every read is audited."""
    with engine.begin() as conn:
        found = warning_feed.page(
            conn, department, after=after, size=size, day=clock.local_date(now),
            actor=actor_of(request), now=now,
            purpose=purpose_of(purpose, x_purpose),
        )  # fmt: skip
    return WarningPageOut.model_validate(asdict(found))
