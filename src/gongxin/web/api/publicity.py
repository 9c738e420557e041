"""双公示: the latest licences and penalties, and each department's timeliness."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query

from gongxin.clock import local_date
from gongxin.records.latest import latest
from gongxin.records.timeliness import DEFAULT_WORKING_DAYS, timeliness
from gongxin.web.deps import CatalogDep, EngineDep, NowDep
from gongxin.web.params import MAX_PAGE

router = APIRouter(prefix="/api/v1", tags=["双公示 publicity"])


@router.get("/shuanggongshi/{dataset}", summary="双公示栏目 (latest licences or penalties)")
def columns(
    dataset: str,
    engine: EngineDep,
    catalog: CatalogDep,
    now: NowDep,
    department: Annotated[str | None, Query(description="决定部门 (submitting department)")] = None,
    since: Annotated[date | None, Query(description="决定日期起 (decided on or after)")] = None,
    until: Annotated[date | None, Query(description="决定日期止 (decided on or before)")] = None,
    page: Annotated[int, Query(le=MAX_PAGE)] = 1,
    size: Annotated[int, Query(le=MAX_PAGE)] = 20,
) -> dict[str, Any]:
    """``dataset`` is ``licence`` or ``penalty``; newest decisions first, public view."""
    as_of = local_date(now)
    with engine.connect() as conn:
        entries = latest(
            conn, catalog, dataset, as_of=as_of, department=department, since=since,
            until=until, page=page, size=size,
        )  # fmt: skip
    return {"as_of": as_of, "page": page, "size": size, "records": [asdict(e) for e in entries]}


@router.get("/shuanggongshi-timeliness", summary="双公示及时率 (timeliness by department)")
def timeliness_report(
    engine: EngineDep,
    since: Annotated[date | None, Query(description="决定日期起")] = None,
    until: Annotated[date | None, Query(description="决定日期止")] = None,
    working_days: Annotated[int, Query(ge=1, le=60)] = DEFAULT_WORKING_DAYS,
) -> dict[str, Any]:
    """Per provider department: licences and penalties online within ``working_days``
    statutory working days of the decision (调休 included), and the late ones."""
    with engine.connect() as conn:
        report = timeliness(conn, since=since, until=until, working_days=working_days)
    return {
        "working_days": working_days,
        "departments": [
            {"department": t.department, "total": t.total, "on_time": t.on_time,
             "share": round(t.share, 4),
             # no subject names: a late natural person's penalty is not public data
             "late": [{k: v for k, v in asdict(x).items() if k != "subject_name"}
                      for x in t.late]}
            for t in report
        ],
    }  # fmt: skip
