"""双公示: the latest licences and penalties, and each department's timeliness."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel

from gongxin.clock import local_date
from gongxin.db.engine import reading
from gongxin.records.latest import latest, page_json
from gongxin.records.timeliness import DEFAULT_WORKING_DAYS, late_records, timeliness
from gongxin.web.deps import CatalogDep, EngineDep, NowDep, SettingsDep
from gongxin.web.params import MAX_PAGE

router = APIRouter(prefix="/api/v1", tags=["双公示 publicity"])


class ColumnEntryOut(BaseModel):
    record_id: int
    dataset: str
    subject_name: str | None
    decision_date: date | None
    department: str
    data: dict[str, Any]  # the record as the public reads it (masked)


class ColumnPageOut(BaseModel):
    as_of: date
    page: int
    size: int
    records: list[ColumnEntryOut]


@router.get(
    "/shuanggongshi/{dataset}",
    response_model=ColumnPageOut,
    summary="双公示栏目 (latest licences or penalties)",
)
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
) -> Response:
    """``dataset`` is ``licence`` or ``penalty``; newest decisions first, public view (each
    record's masked JSON as stored with it, sent as it is)."""
    as_of = local_date(now)
    with reading(engine) as conn:
        entries = latest(
            conn, catalog, dataset, as_of=as_of, department=department, since=since,
            until=until, page=page, size=size,
        )  # fmt: skip
    return Response(page_json(as_of, page, size, entries), media_type="application/json")


@router.get("/shuanggongshi-timeliness", summary="双公示及时率 (timeliness by department)")
def timeliness_report(
    engine: EngineDep,
    settings: SettingsDep,
    since: Annotated[date | None, Query(description="决定日期起")] = None,
    until: Annotated[date | None, Query(description="决定日期止")] = None,
    working_days: Annotated[int, Query(ge=1, le=60)] = DEFAULT_WORKING_DAYS,
    department: Annotated[str | None, Query(description="逾期记录的部门 (late records of)")] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    size: Annotated[int, Query(ge=1, le=500)] = 50,
) -> dict[str, Any]:
    """Per provider department: licences and penalties online within ``working_days``
    statutory working days of the decision (调休 included), and one page of the late ones
    with their 文书号. Back-loaded records and those decided before go-live are ``exempt``."""
    rule: dict[str, Any] = {"since": since, "until": until, "working_days": working_days}
    rule["go_live"] = settings.go_live_date
    with reading(engine) as conn:
        report = timeliness(conn, **rule)
        late, more = late_records(conn, **rule, department=department, page=page, size=size)
    return {
        "working_days": working_days,
        "go_live_date": settings.go_live_date,
        "departments": [
            {"department": t.department, "total": t.total, "on_time": t.on_time,
             "late": t.late, "exempt": t.exempt, "share": round(t.share, 4)}
            for t in report
        ],
        # no subject names: a late natural person's penalty is not public data
        "late_records": {"page": page, "size": size, "more": more,
                         "records": [asdict(x) for x in late]},
    }  # fmt: skip
