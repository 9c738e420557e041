"""Evaluation results for departments, through the exchange (an ``exchange`` key)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from gongxin.analytics import evaluation_share
from gongxin.identity.departments import Department
from gongxin.identity.roles import Scope
from gongxin.web.api.purpose import PurposeQuery, XPurpose, purpose_of
from gongxin.web.auth import actor_of, require_scope
from gongxin.web.deps import EngineDep, NowDep
from gongxin.web.params import MAX_PAGE, AfterQuery

router = APIRouter(prefix="/api/v1/exchange", tags=["共享交换 data exchange"])

ExchangeKey = Annotated[Department, Depends(require_scope(Scope.EXCHANGE))]


class SharedRow(BaseModel):
    subject_id: int
    uscc: str | None = Field(description="统一社会信用代码")
    name: str
    category: str = Field(description="主体类别")
    score: Decimal
    grade: str
    label: str


class SharedResults(BaseModel):
    model: str
    version: str
    run_id: int
    as_of: date = Field(description="评价日期")
    total: int = Field(description="本次评价的主体数")
    rows: list[SharedRow]
    next_after: int | None = Field(description="下一页的 after；null 表示已是最后一页")


@router.get(
    "/evaluations/{model}/results",
    summary="信用评价结果 (the current run of a grade model, page by page)",
    response_model=SharedResults,
)
def shared_results(
    model: str,
    request: Request,
    engine: EngineDep,
    now: NowDep,
    department: ExchangeKey,
    after: AfterQuery = 0,
    size: Annotated[
        int, Query(le=MAX_PAGE, description=f"每页条数 (1–{evaluation_share.MAX_PAGE})")
    ] = 1000,
    purpose: PurposeQuery = None,
    x_purpose: XPurpose = None,
) -> SharedResults:
    """The subjects' scores and grades of the model's current run; every read is audited."""
    with engine.begin() as conn:
        page = evaluation_share.results_page(
            conn, model, after=after, size=size, actor=actor_of(request),
            department_id=department.id,
            purpose=purpose_of(purpose, x_purpose), now=now,
        )  # fmt: skip
    return SharedResults.model_validate(asdict(page))
