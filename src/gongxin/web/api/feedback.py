"""Feedback on credit checks and their statistics: the checking department's system reports
which measures it applied; departments and the centre read the figures."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from gongxin.clock import local_date
from gongxin.identity.departments import Department
from gongxin.identity.roles import Scope
from gongxin.sanctions import check_stats, feedback
from gongxin.web.auth import actor_of, require_scope
from gongxin.web.deps import EngineDep, NowDep

router = APIRouter(prefix="/api/v1", tags=["信用核查反馈 check feedback"])
CheckKey = Annotated[Department, Depends(require_scope(Scope.CHECK))]


class FeedbackItem(BaseModel):
    """One measure of one subject of the check: applied or not (with the reason)."""

    model_config = ConfigDict(extra="forbid")
    position: Any = Field(None, description="主体在核查中的序号（从 0 起），或给出 subject")
    subject: Any = Field(None, description="主体代码（统一社会信用代码或注册号）")
    measure_id: Any = Field(None, description="措施编号，如 commitment-breach-1")
    applied: Any = Field(None, description="是否执行：true 已执行 / false 未执行")
    reason: Any = Field(None, description="未执行理由（未执行时必填）")
    doc_no: Any = Field(None, description="业务文书编号")
    operator: Any = Field(None, description="经办人")


class FeedbackReport(BaseModel):
    model_config = ConfigDict(extra="forbid")
    items: list[FeedbackItem] = Field(description="反馈项")


def _viewer(department: Department) -> Department | None:
    """The credit centre reads every department's checks; a department its own."""
    return None if department.kind == "centre" else department


@router.get("/checks/stats", summary="核查与反馈统计 (statistics of checks and feedback)")
def check_statistics(
    engine: EngineDep,
    now: NowDep,
    department: CheckKey,
    since: Annotated[date | None, Query(alias="from", description="起始日期（含）")] = None,
    until: Annotated[date | None, Query(alias="to", description="截止日期（含）")] = None,
) -> dict[str, Any]:
    """Checks, subjects, hits, measures, feedback reported, applied and not applied (with the
    reasons), in total and by scene, department and measure. Default: the last 30 days. A
    department's key sees its own checks; the credit centre's sees all."""
    since, until = check_stats.period(since, until, local_date(now))
    viewer = _viewer(department)
    with engine.connect() as conn:
        found = check_stats.stats(
            conn, since=since, until=until, department_id=viewer.id if viewer else None
        )
    return found.to_dict()


@router.post(
    "/checks/{check_id}/feedback", status_code=201, summary="反馈措施执行情况 (report feedback)"
)
def report_feedback(
    check_id: str,
    body: FeedbackReport,
    request: Request,
    engine: EngineDep,
    now: NowDep,
    department: CheckKey,
) -> dict[str, Any]:
    """The key's department reports, for its own check, which measures it applied. All items
    are stored or none: a 400 lists every problem with item number, field and value."""
    items = [i.model_dump(exclude_none=True) for i in body.items]
    with engine.begin() as conn:
        done = feedback.report(
            conn, check_id, items, department=department, now=now, actor=actor_of(request)
        )
    return done.to_dict()


@router.get("/checks/{check_id}/feedback", summary="核查结果及反馈 (a check with its feedback)")
def check_feedback(check_id: str, engine: EngineDep, department: CheckKey) -> dict[str, Any]:
    """The check's results, each with the feedback reported and the measures still awaiting it."""
    with engine.connect() as conn:
        return feedback.with_feedback(conn, check_id, department=_viewer(department))
