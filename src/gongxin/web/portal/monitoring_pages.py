"""The public monitoring dashboard (经济运行监测): the panels whose audience is the public, each
a chart drawn in the browser by ECharts (static/monitoring.js) with its table and CSV."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from gongxin.errors import GongxinError
from gongxin.monitoring import panels, rules
from gongxin.web.deps import EngineDep, SettingsDep
from gongxin.web.portal.render import error_page, render

router = APIRouter(include_in_schema=False)


def csv_response(panel: panels.Panel, as_of: str) -> Response:
    name = f"monitoring-{panel.code}-{as_of}.csv"
    return Response(
        panels.csv_bytes(panel), media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )  # fmt: skip


@router.get("/monitoring", response_class=HTMLResponse)
def monitoring_page(engine: EngineDep, settings: SettingsDep) -> HTMLResponse:
    try:
        ruleset = rules.load(settings.monitoring_rules)
        with engine.connect() as conn:
            board = panels.dashboard(conn, ruleset, "public")
    except GongxinError as exc:
        return error_page(exc)
    return render("monitoring.html", board=board, csv_base="/monitoring")


@router.get("/monitoring/{code}.csv", response_class=Response)
def monitoring_csv(code: str, engine: EngineDep, settings: SettingsDep) -> Response:
    try:
        ruleset = rules.load(settings.monitoring_rules)
        with engine.connect() as conn:
            panel = panels.panel(conn, ruleset, "public", code)
            board = panels.dashboard(conn, ruleset, "public")
    except GongxinError as exc:
        return error_page(exc)
    return csv_response(panel, board.as_of.isoformat() if board.as_of else "")
