"""Public queries: search subjects, read a profile and its visible records (through the gate)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from gongxin.clock import local_date
from gongxin.db.engine import reading
from gongxin.errors import InvalidInput
from gongxin.records.gate import Audience
from gongxin.subjects import profile as profiles
from gongxin.subjects.grades import grades as subject_grades_of
from gongxin.subjects.search import MAX_PAGE_SIZE, search
from gongxin.web.deps import CatalogDep, EngineDep, NowDep, SettingsDep
from gongxin.web.params import MAX_PAGE

router = APIRouter(prefix="/api/v1", tags=["信用查询 public query"])


@router.get("/subjects", summary="查询主体 (search subjects by name or code)")
def search_subjects(
    engine: EngineDep,
    q: Annotated[str, Query(description="名称片段或代码 (name fragment or code)")] = "",
    page: Annotated[int, Query(le=MAX_PAGE, description="页码 (page, from 1)")] = 1,
    size: Annotated[int, Query(le=MAX_PAGE, description=f"每页条数 (1–{MAX_PAGE_SIZE})")] = 20,
) -> dict[str, Any]:
    """Subjects whose code equals ``q`` or whose name contains it (at most 100 characters)."""
    with reading(engine) as conn:
        found = search(conn, q, page=page, size=size)
    if found.total and page > found.pages:
        raise InvalidInput(
            f"页码超出范围：共 {found.pages} 页",
            f"page out of range: there are {found.pages} pages",
        )
    return {
        "q": found.q, "matched_by": found.matched_by, "page": found.page, "size": found.size,
        "total": found.total, "total_capped": found.capped, "pages": found.pages,
        "results": [
            {k: v for k, v in asdict(h).items() if k != "legal_rep" and k != "id"}
            for h in found.hits
        ],
    }  # fmt: skip


@router.get("/subjects/{code}", summary="主体信用信息 (a subject's profile)")
def subject_profile(
    code: str, engine: EngineDep, catalog: CatalogDep, now: NowDep
) -> dict[str, Any]:
    """The subject's basic information and how many records of each dataset are public."""
    with reading(engine) as conn:
        found = profiles.profile(
            conn, catalog, code, audience=Audience.PUBLIC, as_of=local_date(now)
        )
    return asdict(found) | {"as_of": local_date(now)}


@router.get("/subjects/{code}/records", summary="主体的公开记录 (a subject's public records)")
def subject_records(
    code: str,
    engine: EngineDep,
    catalog: CatalogDep,
    now: NowDep,
    settings: SettingsDep,
    dataset: Annotated[str | None, Query(description="数据集代码 (dataset code)")] = None,
) -> dict[str, Any]:
    """Every record of the subject the public may see today, masked as the rules require;
    ``mark`` is 异议处理中 while an objection is pending (unless the deployment turned the
    public mark off, ``GONGXIN_OBJECTION_PUBLIC_MARK``)."""
    as_of = local_date(now)
    with reading(engine) as conn:
        shown = profiles.visible_records(
            conn, catalog, code, audience=Audience.PUBLIC, as_of=as_of, dataset=dataset
        )
    if not settings.objection_public_mark:
        shown = [r | {"mark": None} for r in shown]
    return {"as_of": as_of, "total": len(shown), "records": shown}


class CauseOut(BaseModel):
    indicator: str = Field(description="指标代码 (indicator code)")
    name: str = Field(description="指标名称")
    points: Decimal = Field(description="本指标得分（封顶后，带方向）(points after cap, signed)")
    records: list[dict[str, Any]] = Field(description="计分的公开记录 (public records counted)")
    hidden: int = Field(description="计分但不公开的记录数 (records counted but not public)")


class GradeOut(BaseModel):
    model: str
    model_name: str
    version: str
    run_id: int
    as_of: date = Field(description="评价日期 (the run's date)")
    score: Decimal
    grade: str
    label: str
    base_score: int
    legal_basis: str
    causes: list[CauseOut]


class GradesOut(BaseModel):
    code: str
    published: list[str] = Field(description="本平台公开等级的评价模型 (models published here)")
    grades: list[GradeOut]


@router.get(
    "/subjects/{code}/grades",
    summary="主体的信用评价等级及其依据 (a subject's published grades, explained)",
    response_model=GradesOut,
)
def subject_grades(code: str, engine: EngineDep, settings: SettingsDep, now: NowDep) -> GradesOut:
    """The subject's grade in the current run of each model this platform publishes
    (``GONGXIN_EVALUATION_PUBLISH``; none by default), with each indicator's points and the
    public records that caused them."""
    with reading(engine) as conn:
        row = profiles.find(conn, code)
        views = subject_grades_of(
            conn, int(row["id"]), settings.evaluation_publish,
            audience=Audience.PUBLIC, as_of=local_date(now),
        )  # fmt: skip
    return GradesOut(
        code=row["uscc"] or row["reg_no"] or code,
        published=list(settings.evaluation_publish),
        grades=[GradeOut.model_validate(asdict(v)) for v in views],
    )
