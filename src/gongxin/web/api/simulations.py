"""Saved simulations of rule changes (仿真), for the credit centre's admins."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from gongxin.identity.accounts import User
from gongxin.identity.roles import Role
from gongxin.simulation import service
from gongxin.web.auth import require_roles
from gongxin.web.deps import EngineDep
from gongxin.web.params import MAX_PAGE, IdPath

router = APIRouter(prefix="/api/v1/simulations", tags=["仿真 simulation"])
CentreAdmin = Annotated[User, Depends(require_roles(Role.CENTRE_ADMIN))]
Kind = Literal["regimes", "model", "warnings", "memoranda"]


class Count(BaseModel):
    change: str = Field(description="变化类型 (kind of change)")
    zh: str
    en: str
    count: int


class ExampleOut(BaseModel):
    change: str
    subject: str = Field(description="主体名称或代码")
    what: str = Field(description="涉及的记录、模型、规则或场景")
    before: str
    after: str


class Report(BaseModel):
    kind: Kind
    kind_zh: str
    kind_en: str
    source: str
    digest: str = Field(description="拟议规则文本的 SHA-256")
    as_of: date = Field(description="仿真日期")
    engine: str
    looked: int = Field(description="判断的记录、主体或名单主体数")
    changed: int = Field(description="变化合计；0 表示与现行规则相同")
    counts: list[Count]
    examples: list[ExampleOut]
    notes: list[str]


class SavedSimulation(BaseModel):
    id: int
    kind: Kind
    label: str
    source: str
    digest: str
    as_of: date
    engine: str
    looked: int
    changed: int
    created_at: datetime
    created_by: str


class SavedReport(SavedSimulation):
    report: Report


@router.get(
    "", summary="已保存的仿真 (saved simulations, newest first)",
    response_model=list[SavedSimulation],
)  # fmt: skip
def list_simulations(
    engine: EngineDep,
    user: CentreAdmin,
    kind: Annotated[Kind | None, Query(description="规则类型")] = None,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
) -> list[SavedSimulation]:
    with engine.connect() as conn:
        found = service.listing(conn, kind=kind, page=page)
    return [
        SavedSimulation.model_validate({k: v for k, v in asdict(s).items() if k != "report"})
        for s in found
    ]


@router.get(
    "/{simulation_id}", summary="一次仿真的报告 (a saved simulation's report)",
    response_model=SavedReport,
)  # fmt: skip
def get_simulation(simulation_id: IdPath, engine: EngineDep, user: CentreAdmin) -> SavedReport:
    with engine.connect() as conn:
        found = service.get(conn, simulation_id)
    return SavedReport.model_validate(asdict(found))
