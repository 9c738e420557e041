"""Public queries: search subjects, read a profile and its visible records (through the gate)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Query

from gongxin.clock import local_date
from gongxin.errors import InvalidInput
from gongxin.records.gate import Audience
from gongxin.subjects import profile as profiles
from gongxin.subjects.search import MAX_PAGE_SIZE, search
from gongxin.web.deps import CatalogDep, EngineDep, NowDep
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
    with engine.connect() as conn:
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
    with engine.connect() as conn:
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
    dataset: Annotated[str | None, Query(description="数据集代码 (dataset code)")] = None,
) -> dict[str, Any]:
    """Every record of the subject the public may see today, masked as the rules require."""
    as_of = local_date(now)
    with engine.connect() as conn:
        shown = profiles.visible_records(
            conn, catalog, code, audience=Audience.PUBLIC, as_of=as_of, dataset=dataset
        )
    return {"as_of": as_of, "total": len(shown), "records": shown}
