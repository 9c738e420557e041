"""政务信息资源目录 over JSON: the catalog's entries and each dataset's data quality.

For department systems with an API key carrying the ``exchange`` scope (the catalog tells them
what they can request); back-office users browse the same entries at /admin/catalog. The open
subset is public through the open-data API.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from gongxin.catalog.quality import DEFAULT_SAMPLE, quality
from gongxin.catalog.resources import entries, find_spec, get_entry, related_names
from gongxin.clock import local_date
from gongxin.identity.departments import Department
from gongxin.identity.roles import Scope
from gongxin.web.auth import require_scope
from gongxin.web.deps import CatalogDep, EngineDep, NowDep

router = APIRouter(prefix="/api/v1", tags=["数据资源目录 catalog"])

ExchangeKey = Annotated[Department, Depends(require_scope(Scope.EXCHANGE))]


@router.get("/catalog", summary="数据资源目录 (the resource catalog, filtered or searched)")
def catalog_entries(
    catalog: CatalogDep,
    _department: ExchangeKey,
    q: Annotated[
        str | None, Query(max_length=100, description="检索词：名称、代码、摘要、信息项")
    ] = None,
    classification: Annotated[
        str | None, Query(max_length=100, description="分类码前缀或分类名称")
    ] = None,
    share_type: Annotated[str | None, Query(description="共享类型：无条件 / 有条件 / 不予")] = None,
    open: Annotated[bool | None, Query(description="是否向社会开放")] = None,
    provider: Annotated[str | None, Query(max_length=200, description="提供方名称或代码")] = None,
) -> dict[str, Any]:
    found = entries(
        catalog, q=q, classification=classification, share_type=share_type, open=open,
        provider=provider,
    )  # fmt: skip
    return {"total": len(found), "resources": [e.to_dict() for e in found]}


@router.get("/catalog/{code}", summary="一个信息资源的全部元数据 (one resource)")
def catalog_entry(code: str, catalog: CatalogDep, _department: ExchangeKey) -> dict[str, Any]:
    """``code``: the dataset code (``penalty``); 404 names close matches when unknown."""
    found = get_entry(catalog, code)
    body = found.to_dict()
    body["related_resources"] = [
        {"code": c, "dataset": d, "name": n} for c, d, n in related_names(catalog, found)
    ]
    return body


@router.get("/catalog/{code}/quality", summary="数据质量 (data quality of one dataset)")
def catalog_quality(
    code: str,
    engine: EngineDep,
    catalog: CatalogDep,
    now: NowDep,
    _department: ExchangeKey,
    as_of: Annotated[date | None, Query(description="截至日期，默认今天（北京时间）")] = None,
    since: Annotated[date | None, Query(description="只统计此日起收到的报送")] = None,
    department: Annotated[str | None, Query(description="只算这个提供部门")] = None,
    sample: Annotated[int, Query(ge=0, le=1_000_000, description="填充率样本，0 为全部")] = (
        DEFAULT_SAMPLE
    ),
) -> dict[str, Any]:
    spec = find_spec(catalog, code)
    day = as_of or local_date(now)
    with engine.connect() as conn:
        figures = quality(
            conn, catalog, spec.code, as_of=day, department=department, since=since,
            sample=sample,
        )  # fmt: skip
    return figures.to_dict()
