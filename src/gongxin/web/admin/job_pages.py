"""/admin/jobs: the scheduled jobs (``gongxin worker``) for the credit centre's admins — each
job's period, last run and next one, and the latest runs with their counts and errors."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from gongxin.clock import CHINA_TZ
from gongxin.identity.accounts import User
from gongxin.identity.roles import Role
from gongxin.web.admin.render import render
from gongxin.web.auth import require_roles
from gongxin.web.deps import EngineDep, NowDep, SettingsDep
from gongxin.worker import registry, runs

router = APIRouter(prefix="/admin/jobs", tags=["后台 back office"], include_in_schema=False)

CentreAdmin = Annotated[User, Depends(require_roles(Role.CENTRE_ADMIN))]
RECENT = 100


def _local(moment: datetime | None) -> str:
    return moment.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M:%S") if moment else "—"


@router.get("")
def jobs_page(
    request: Request, engine: EngineDep, settings: SettingsDep, now: NowDep, user: CentreAdmin
) -> HTMLResponse:
    with engine.connect() as conn:
        overview = []
        for job in registry.jobs():
            last = runs.last_run(conn, job.name)
            overview.append(
                {"job": job, "period": job.period(settings), "last": last,
                 "next": runs.next_due(job, settings, last, now)}
            )  # fmt: skip
        recent = runs.recent(conn, limit=RECENT)
    return render(
        request, "admin/jobs.html", overview=overview, runs=recent, local=_local,
        titles={j.name: j.title for j in registry.jobs()},
    )  # fmt: skip
