"""/admin/evaluation: the credit centre's view of evaluation and risk models — per model its
current run (the latest complete one) with the grade distribution as a server-rendered SVG
bar chart, and the recent runs with their status."""

from __future__ import annotations

from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from gongxin.analytics import evaluation
from gongxin.analytics.evaluation_model import load_models
from gongxin.db.evaluation_tables import evaluation_runs
from gongxin.identity.accounts import User
from gongxin.identity.roles import Role
from gongxin.web.admin.job_pages import _local
from gongxin.web.admin.render import render
from gongxin.web.auth import require_roles
from gongxin.web.deps import CatalogDep, EngineDep, SettingsDep

router = APIRouter(prefix="/admin/evaluation", tags=["后台 back office"], include_in_schema=False)

CentreAdmin = Annotated[User, Depends(require_roles(Role.CENTRE_ADMIN))]
RECENT = 50


@router.get("")
def evaluation_page(
    request: Request, engine: EngineDep, catalog: CatalogDep, settings: SettingsDep,
    user: CentreAdmin,
) -> HTMLResponse:  # fmt: skip
    models = load_models(catalog, settings.models_dir)
    current: list[dict[str, Any]] = []
    with engine.connect() as conn:
        for model in models.values():
            run = evaluation.current_run(conn, model.code)
            chart = None
            if run is not None:  # drawn in the browser by ECharts (static/charts.js)
                chart = {
                    "title": f"{model.name} 等级分布",
                    "labels": [g.grade for g in model.grades],
                    "values": [int(run.grades.get(g.grade, 0)) for g in model.grades],
                    "unit": "主体",
                }
            current.append({"model": model, "run": run, "chart": chart,
                            "published": model.code in settings.evaluation_publish})  # fmt: skip
        recent = conn.execute(
            sa.select(evaluation_runs).order_by(evaluation_runs.c.id.desc()).limit(RECENT)
        ).all()
    return render(request, "admin/evaluation.html", current=current, runs=recent, local=_local)
