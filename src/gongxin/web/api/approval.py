"""并联审批 (parallel approval) for applicants and the public: the matters, filing (a 查询码
comes back with the credit check's result and the parallel reviews), following by 查询码,
handing in owed materials (容缺受理), and the SLA figures per matter and department. The
departments decide in the back office (gongxin.web.admin.approval_pages)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from gongxin.approval import applications, sla
from gongxin.approval.applications import Filing
from gongxin.approval.matters import Book, load
from gongxin.catalog.registry import Catalog
from gongxin.clock import local_date
from gongxin.settings import Settings
from gongxin.web import ratelimit
from gongxin.web.deps import CatalogDep, EngineDep, NowDep, SettingsDep

router = APIRouter(prefix="/api/v1/approval", tags=["并联审批 parallel approval"])


def book_of(catalog: Catalog, settings: Settings) -> Book:
    return load(catalog, settings.approval_matters)


class DepartmentOut(BaseModel):
    name: str = Field(description="审查部门")
    days: int = Field(description="该部门审查时限（工作日）")


class MaterialOut(BaseModel):
    code: str
    name: str
    main: bool = Field(description="主要材料（不适用容缺）")
    promise: bool = Field(description="可以承诺替代（告知承诺）")


class MatterOut(BaseModel):
    code: str
    name: str
    name_en: str
    scene: str = Field(description="信用核查场景代码")
    scene_name: str
    legal_basis: str
    statutory_days: int = Field(description="法定时限（工作日）")
    promised_days: int = Field(description="承诺时限（工作日）")
    project_code: bool = Field(description="须提供项目代码（GB/T 40058-2021）")
    departments: list[DepartmentOut]
    materials: list[MaterialOut]
    tolerance: bool = Field(description="可容缺受理")
    tolerance_days: int
    promise: bool = Field(description="可告知承诺")


class MattersOut(BaseModel):
    matters: list[MatterOut]


class FilingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    matter: str = Field(max_length=60, description="事项代码或名称")
    applicant: str = Field(max_length=200, description="申请人名称")
    applicant_code: str = Field(max_length=40, description="申请人统一社会信用代码")
    materials: list[Annotated[str, Field(max_length=50)]] = Field(
        default_factory=list, max_length=100, description="已提交的材料代码"
    )
    mode: Literal["standard", "tolerance", "promise"] = Field(
        "standard", description="standard 一般程序 / tolerance 容缺受理 / promise 告知承诺"
    )
    project_code: str | None = Field(None, max_length=40, description="项目代码（24 位）")


class ReviewOut(BaseModel):
    id: int
    department: str
    state: str = Field(description="pending 待审查 / approved 准予 / refused 不予")
    state_zh: str
    due_on: date = Field(description="该部门的办理期限（工作日计，含调休）")
    decided_on: date | None
    opinion: str | None
    overdue: bool = Field(description="逾期（期限后作出或仍未作出）")
    check_id: str | None = Field(description="准予前的信用核查编号")
    credit: dict[str, Any] | None = Field(description="准予前核查的结果")


class ApprovalOut(BaseModel):
    number: str = Field(description="受理编号")
    matter: str
    mode: str
    mode_zh: str
    applicant: str
    applicant_code: str
    project_code: str | None
    materials: list[str]
    promised: list[str] = Field(description="以承诺替代的材料")
    missing: list[str] = Field(description="容缺：待补正的材料")
    docs_due_on: date | None = Field(description="容缺：补正期限")
    state: str = Field(description="in_review 并联审查中 / approved 准予 / refused 不予")
    state_zh: str
    received_on: date
    decided_on: date | None
    check_id: str = Field(description="受理时的信用核查编号")
    credit: dict[str, Any] = Field(description="受理时的信用核查结果（各审查部门共享）")
    reviews: list[ReviewOut]


class FiledOut(ApprovalOut):
    query_code: str = Field(description="查询码：凭此查询进度，仅显示一次")


class CodeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(max_length=100, description="查询码")


class SupplyIn(CodeIn):
    materials: list[Annotated[str, Field(max_length=50)]] = Field(max_length=100)


class SlaDepartment(BaseModel):
    matter: str
    matter_name: str
    department: str
    received: int
    decided: int
    on_time: int
    overdue: int = Field(description="期限后作出的决定")
    pending: int
    pending_overdue: int = Field(description="已过期限仍未作出决定")
    approved: int
    refused: int
    on_time_share: float | None
    mean_days: float | None = Field(description="受理至决定的平均工作日")


class SlaMatter(BaseModel):
    matter: str
    matter_name: str
    applications: int
    standard: int
    tolerance: int = Field(description="容缺受理件数")
    promise: int = Field(description="告知承诺件数")
    in_review: int
    approved: int
    refused: int


class SlaOut(BaseModel):
    as_of: date
    departments: list[SlaDepartment]
    matters: list[SlaMatter]


@router.get("/matters", summary="审批事项 (approval matters)")
def list_matters(catalog: CatalogDep, settings: SettingsDep) -> MattersOut:
    book = book_of(catalog, settings)
    return MattersOut.model_validate({"matters": [m.to_dict() for m in book.matters]})


@router.post("/applications", status_code=201, summary="提出并联审批申请 (file)")
def file_application(
    body: FilingIn, request: Request, engine: EngineDep, catalog: CatalogDep,
    settings: SettingsDep, now: NowDep,
) -> FiledOut:  # fmt: skip
    ratelimit.hit(request, "filing")
    as_of = local_date(now)
    book = book_of(catalog, settings)
    with engine.begin() as conn:
        filed = applications.file(conn, catalog, book, Filing(**body.model_dump()),
                                  as_of=as_of, now=now)  # fmt: skip
        shown = applications.summary(conn, applications.get(conn, filed.id), as_of)
    return FiledOut.model_validate(shown | {"query_code": filed.code})


@router.post("/applications/lookup", summary="凭查询码查询 (follow by query code)")
def lookup_application(
    body: CodeIn, request: Request, engine: EngineDep, now: NowDep
) -> ApprovalOut:
    ratelimit.hit(request)
    with engine.connect() as conn:
        return ApprovalOut.model_validate(applications.lookup(conn, body.code, local_date(now)))


@router.post("/applications/supply", summary="容缺补正 (hand in owed materials)")
def supply_materials(
    body: SupplyIn, request: Request, engine: EngineDep, catalog: CatalogDep,
    settings: SettingsDep, now: NowDep,
) -> ApprovalOut:  # fmt: skip
    ratelimit.hit(request)
    with engine.begin() as conn:
        found = applications.supply(conn, body.code, body.materials, book_of(catalog, settings),
                                    as_of=local_date(now), now=now)  # fmt: skip
    return ApprovalOut.model_validate(found)


@router.get("/sla", summary="办理时效统计 (SLA per matter and department)")
def sla_stats(
    engine: EngineDep, catalog: CatalogDep, settings: SettingsDep, now: NowDep,
    matter: Annotated[str | None, Query(max_length=60, description="事项代码")] = None,
    department: Annotated[str | None, Query(max_length=100, description="审查部门")] = None,
) -> SlaOut:  # fmt: skip
    with engine.connect() as conn:
        found = sla.stats(conn, book_of(catalog, settings), as_of=local_date(now),
                          matter=matter, department=department)  # fmt: skip
    return SlaOut.model_validate(found)
