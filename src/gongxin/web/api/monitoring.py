"""经济运行监测 API: the dashboards' figures as JSON — the public panels for anyone, every panel
for the credit centre (back-office session, centre admins). The CSV of each panel is beside its
chart on the portal (``/monitoring/{panel}.csv``) and in the back office."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from gongxin.identity.accounts import User
from gongxin.identity.roles import Role
from gongxin.monitoring import panels, rules
from gongxin.web.auth import require_roles
from gongxin.web.deps import EngineDep, SettingsDep

router = APIRouter(prefix="/api/v1/monitoring", tags=["经济运行监测 monitoring"])
CentreAdmin = Annotated[User, Depends(require_roles(Role.CENTRE_ADMIN))]


class PanelOut(BaseModel):
    code: str = Field(
        description="flow | survival_industry | survival_region | cohorts | scorecards"
    )
    title: str
    title_en: str
    audience: str = Field(description="public 公众 | centre 仅信用中心")
    note: str = Field(description="口径说明")
    columns: list[str]
    rows: list[list[str | int | float | None]] = Field(description="表格各行，与 CSV 相同")
    chart: dict[str, Any] = Field(description="图表：kind, unit, labels, series")


class DashboardOut(BaseModel):
    run_id: int | None = Field(description="计算批次；null 表示尚未计算")
    as_of: date | None = Field(description="统计日期")
    panels: list[PanelOut]


def _out(board: panels.Dashboard) -> DashboardOut:
    return DashboardOut.model_validate(asdict(board))


@router.get("", summary="经济运行监测（公开图表）(public monitoring panels)",
            response_model=DashboardOut)  # fmt: skip
def public_dashboard(engine: EngineDep, settings: SettingsDep) -> DashboardOut:
    ruleset = rules.load(settings.monitoring_rules)
    with engine.connect() as conn:
        return _out(panels.dashboard(conn, ruleset, "public"))


@router.get("/centre", summary="经济运行监测（信用中心全部图表）(every panel, centre only)",
            response_model=DashboardOut)  # fmt: skip
def centre_dashboard(engine: EngineDep, settings: SettingsDep, user: CentreAdmin) -> DashboardOut:
    ruleset = rules.load(settings.monitoring_rules)
    with engine.connect() as conn:
        return _out(panels.dashboard(conn, ruleset, "centre"))
